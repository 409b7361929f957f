/**
 * The HAR parser on a HAR that real headless Chromium wrote (playwright-core's recordHar against
 * the ws test server), and a fresh recording where Chromium is installed.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harParser } from '../../parsers/har.js';
import type { CloseEvent, FrameEvent } from '../../src/model.js';
import type { Report } from '../../src/report.js';
import { runCli } from '../support/cli.js';
import { parseLines } from '../support/parse.js';
import { expectVerdict, type ExpectedVerdict } from '../support/expect-verdict.js';
// @ts-expect-error: the sample's generator is plain JavaScript
import { CHROMIUM, connectionKeys, EXPECT_ARGS, recordHar } from '../../samples/har/record.mjs';

interface HarMessage { type: string; time: number; opcode: number; data: string }
interface HarEntry { _resourceType: string; request: { url: string }; _webSocketMessages?: HarMessage[] }
interface Har { log: { entries: HarEntry[] } }

const text = readFileSync('samples/har/session.har', 'utf8');
const har = JSON.parse(text) as Har;
const expected = JSON.parse(readFileSync('samples/har/session.expected.json', 'utf8')) as ExpectedVerdict[];
const haveChromium = existsSync(CHROMIUM as string);

const parse = (lines: string[], file = 'session.har') => parseLines(harParser, file, lines);

const wsEntries = har.log.entries.filter((e) => e._resourceType === 'websocket');

describe('HAR parser', () => {
  it('detects Playwright\'s one-line HAR and the pretty-printed layout of a DevTools export, and no JSON log', () => {
    expect(text.split('\n')).toHaveLength(1);
    expect(harParser.detect([text])).toBe(1);
    expect(harParser.detect(JSON.stringify(har, null, 2).split('\n').slice(0, 50))).toBe(1);
    expect(harParser.detect(['{"level":30,"time":1,"msg":"ws connection opened","log":{}}'])).toBe(0);
  });

  it('reads each WebSocket entry: the client\'s sends are frames the server received', () => {
    const { events, skipped } = parse([text]);
    expect(skipped).toEqual({});
    const keys = connectionKeys(har) as string[];
    expect(keys).toEqual(expected.map((e) => e.connection));
    for (const [i, entry] of wsEntries.entries()) {
      const mine = events.filter((e) => e.conn === keys[i]);
      expect(mine[0]).toMatchObject({ kind: 'open', route: expected[i].route });
      const frames = mine.filter((e): e is FrameEvent => e.kind === 'frame');
      const messages = entry._webSocketMessages!;
      expect(frames.map((f) => [f.direction, f.type])).toEqual(
        messages.map((m) => [m.type === 'send' ? 'in' : 'out', m.opcode === 2 ? 'binary' : 'text']));
      for (const [j, f] of frames.entries()) {
        const m = messages[j];
        expect(f.size).toBe(m.opcode === 2 ? Buffer.from(m.data, 'base64').length : Buffer.byteLength(m.data));
        expect(f.time).toBeCloseTo(m.time, 0); // Playwright writes epoch milliseconds
      }
      const close = mine.at(-1) as CloseEvent;
      expect(close).toMatchObject({ kind: 'close', code: null, initiator: 'unknown' });
    }
    // The page's own document is no WebSocket connection.
    expect(new Set(events.map((e) => e.conn)).size).toBe(wsEntries.length);
  });

  it('points at the line of each message in a pretty-printed HAR, and reads DevTools\' epoch seconds', () => {
    const devtools = structuredClone(har);
    for (const e of devtools.log.entries) for (const m of e._webSocketMessages ?? []) m.time /= 1000;
    const lines = JSON.stringify(devtools, null, 2).split('\n');
    const { events } = parse(lines);
    const binary = events.filter((e): e is FrameEvent => e.kind === 'frame' && e.type === 'binary');
    expect(binary).toHaveLength(2);
    for (const f of binary) {
      const n = Number(f.at.split(':')[1]);
      expect(lines[n - 1].trim()).toBe('{');
      expect(lines.slice(n, n + 4).join('\n')).toMatch(/"type": "send",\n\s+"time": [\d.]+,\n\s+"opcode": 2,/);
    }
    const oneLine = parse([text]).events;
    for (const [i, e] of events.entries()) expect(Math.abs((e.time ?? 0) - (oneLine[i].time ?? 0))).toBeLessThan(1);
  });

  it('counts a document that stops being JSON once and keeps what it read', () => {
    const lines = JSON.stringify(har, null, 2).split('\n');
    const cut = lines.findIndex((l) => l.includes('"_webSocketMessages"'));
    const { events, skipped } = parse([...lines.slice(0, cut), '        "_note": oops,', ...lines.slice(cut)]);
    expect(skipped).toEqual({ 'not-json': 1 });
    expect(events).toEqual([]); // the first WebSocket entry was not complete
  });
});

describe('a HAR recorded live by headless Chromium', () => {
  it.skipIf(!haveChromium)('has the WebSocket messages and no close codes, and reaches the same verdicts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-har-live-'));
    const path = join(dir, 'live.har');
    const runs = await recordHar(path) as (Omit<ExpectedVerdict, 'connection'> & { browserSaw: { code: number } })[];
    const live = JSON.parse(readFileSync(path, 'utf8')) as Har;
    const entries = live.log.entries.filter((e) => e._resourceType === 'websocket');
    expect(entries).toHaveLength(runs.length);
    for (const e of entries) {
      expect(e._webSocketMessages!.length).toBeGreaterThan(0);
      expect(e._webSocketMessages!.some((m) => m.opcode === 8)).toBe(false); // Chrome reports no close frame
    }
    // What the browser saw, and the HAR cannot say.
    expect(runs.map((r) => r.browserSaw.code)).toEqual([1000, 1003, 1000, 1011, 1011]);
    const keys = connectionKeys(live) as string[];
    const res = await runCli(['analyze', path, '-o', 'json', ...EXPECT_ARGS]);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as Report;
    const byConn = new Map(report.incidents.map((v) => [v.connection, v]));
    runs.forEach((run, i) => expectVerdict(byConn.get(keys[i]), { connection: keys[i], ...run }));
  });
});

if (!haveChromium) console.warn(`${CHROMIUM} is not installed: the live HAR recording test skips (apt install chromium)`);
