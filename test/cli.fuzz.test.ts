/**
 * Fuzzes whole files end to end: hostile logs (mixed formats, raw invalid UTF-8, NULs, CRLF,
 * deep JSON), plain, gzipped and truncated gzip, through `analyzeFiles` many times and through
 * the built CLI in every output format. Nothing throws, every line is counted (read, or
 * skipped by reason), and a line over --max-line-bytes is counted as too-long.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFiles } from '../src/analyze.js';
import type { Report } from '../src/report.js';
import { runCli } from './support/cli.js';
import { hostileFile } from './support/hostile-lines.js';
import { outputKinds } from './support/outputs.js';

const SEED = 7007;
const dir = mkdtempSync(join(tmpdir(), 'wsclose-cli-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the reader must report for these bytes: lines split at LF, and those over `max` bytes (a CR before the LF included). */
function expectedCounts(buf: Buffer, max: number): { lines: number; tooLong: number } {
  const segs = buf.toString('latin1').split('\n');
  if (segs.at(-1) === '') segs.pop();
  return { lines: segs.length, tooLong: segs.filter((s) => s.length > max).length };
}

/** C0 controls but tab and newline, DEL, and C1 controls (0x9b is a one-byte CSI). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

const fileCase = fc.record({
  bytes: hostileFile,
  max: fc.constantFrom(1024 * 1024, 200, 40),
  packing: fc.constantFrom('plain', 'plain', 'gzip', 'truncated-gzip'),
});

describe('whole hostile files', () => {
  const tally = { runs: 0, lines: 0, bytes: 0, skipped: {} as Record<string, number>, gzipErrors: 0 };
  afterAll(() => console.log(`fuzz analyzeFiles: ${tally.runs} files, ${tally.bytes} bytes, ${tally.lines} lines, skipped ${JSON.stringify(tally.skipped)}, ${tally.gzipErrors} truncated gzip reported`));

  it('are analyzed without throwing, every line counted, gzip read like plain, truncated gzip reported', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fileCase, async ({ bytes, max, packing }) => {
        const file = join(dir, `f${n++}.log${packing === 'plain' ? '' : '.gz'}`);
        let data = packing === 'plain' ? bytes : gzipSync(bytes);
        if (packing === 'truncated-gzip') data = data.subarray(0, Math.max(2, data.length - 9));
        writeFileSync(file, data);
        const report = await analyzeFiles([file], { maxLineBytes: max });
        const [f] = report.input.files;
        const want = expectedCounts(bytes, max);
        tally.runs++;
        tally.bytes += bytes.length;
        tally.lines += f.lines;
        for (const [k, v] of Object.entries(f.skipped)) tally.skipped[k] = (tally.skipped[k] ?? 0) + v;
        if (packing === 'truncated-gzip') {
          expect(f.error).toMatch(/: corrupt or truncated gzip data \(.*\)$/);
          expect(f.error).not.toContain('\n');
          expect(f.lines).toBeLessThanOrEqual(want.lines);
          expect(sum(f.skipped)).toBeLessThanOrEqual(f.lines); // what was read before the cut is counted
          tally.gzipErrors++;
          return;
        }
        // Lines and none of a known format, binary from its first bytes: an input error of one line (src/unreadable.ts); text is not.
        if (f.parser === null && f.lines > 0 && bytes.subarray(0, 512).includes(0)) expect(f.error).toMatch(/^[^\n]+$/);
        else expect(f.error).toBeUndefined();
        expect(f.error?.startsWith(`${file}: `) ?? true).toBe(true);
        expect(f.lines).toBe(want.lines);
        expect(f.skipped['too-long'] ?? 0).toBe(want.tooLong);
        expect(sum(f.skipped)).toBeLessThanOrEqual(f.lines);
        expect(report.input.skipped).toEqual(f.skipped);
      }),
      { numRuns: 150, seed: SEED },
    );
  });
});

describe('terminal control sequences in log text', () => {
  it('reach no human-readable output as control characters', async () => {
    const evil = '\u001b]0;pwned\u0007\u001b[2J\u001b[31mRED\u009b31m\r\u0000\u007f';
    const l = (o: object) => JSON.stringify({ level: 50, time: 1764006313213, connId: `e1${evil}`, route: `/chat${evil}`, ...o });
    const file = join(dir, 'escapes.log');
    writeFileSync(file, [
      l({ msg: 'ws connection opened' }),
      l({ msg: 'message handler failed', err: { type: `Type${evil}Error`, message: evil, stack: `TypeError: x\n    at h (/app/${evil}.mjs:1:1)` } }),
      l({ code: 1011, reason: evil, msg: 'ws connection closed' }),
    ].join('\n'));
    for (const kind of await outputKinds()) {
      for (const show of [[], ['--show-payloads']]) {
        const res = await runCli(['analyze', file, '-o', kind, ...show]);
        expect(res.code, kind).toBe(0);
        if (kind === 'json' || kind === 'ndjson') continue; // JSON escapes them; a JSON reader does not interpret them
        expect(res.stdout, `${kind} ${show}`).not.toMatch(CONTROL);
        if (show.length) expect(res.stdout, kind).toContain('RED');
      }
    }
  });
});

describe('the CLI on hostile files, in every output format', () => {
  let kinds: string[] = [];
  const tally = { runs: 0, byKind: {} as Record<string, number> };
  beforeAll(async () => {
    kinds = await outputKinds();
  });
  afterAll(() => console.log(`fuzz CLI: ${tally.runs} runs ${JSON.stringify(tally.byKind)}`));

  it('exits 0 with no stderr (2 and one line for an input no parser reads) and well-formed output', async () => {
    expect(kinds).toEqual(expect.arrayContaining(['text', 'json', 'md', 'ndjson']));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostileFile, fc.constantFrom(...kinds), fc.boolean(), async (bytes, kind, stdin) => {
        const file = join(dir, `cli${n++}.log`);
        writeFileSync(file, bytes);
        const res = stdin ? await runCli(['analyze', '-o', kind], { input: bytes }) : await runCli(['analyze', file, '-o', kind]);
        // An input no parser reads is an input error: exit 2 and one line that names it.
        const unread = (await analyzeFiles([file])).input.files[0].error !== undefined;
        if (unread) expect(res.stderr).toMatch(new RegExp(`^wsclose: ${stdin ? 'stdin' : file}: [^\n]+\n$`));
        else expect(res.stderr).toBe('');
        expect(res.code).toBe(unread ? 2 : 0);
        if (kind === 'json') {
          const r = JSON.parse(res.stdout) as Report;
          expect(r.input.lines).toBe(expectedCounts(bytes, 1024 * 1024).lines);
        }
        if (kind === 'ndjson') for (const l of res.stdout.split('\n').filter(Boolean)) JSON.parse(l);
        if (kind === 'text' || kind === 'md') expect(res.stdout).toMatch(/wsclose: \d+ closes, \d+ incidents/);
        // Log text never reaches a terminal as control characters (an ESC could rewrite the screen or the title).
        if (kind !== 'json' && kind !== 'ndjson') expect(res.stdout).not.toMatch(CONTROL);
        tally.runs++;
        tally.byKind[kind] = (tally.byKind[kind] ?? 0) + 1;
      }),
      { numRuns: 12, seed: SEED },
    );
  });
});
