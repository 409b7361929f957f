/**
 * The tshark parser on real tshark output of a real capture (samples/tshark: a `ws` server and
 * a Python websockets server on lo), `wsclose analyze` on the capture file itself, and a live
 * capture where tshark, root and Python websockets are at hand.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tsharkParser } from '../../parsers/tshark.js';
import type { CloseEvent, FrameEvent, WsEvent } from '../../src/model.js';
import type { Report } from '../../src/report.js';
import { runCli } from '../support/cli.js';
import { haveTshark } from '../support/tools.js';
import { parseLines } from '../support/parse.js';
import { expectVerdict, type ExpectedVerdict } from '../support/expect-verdict.js';
// @ts-expect-error: the sample's generator is plain JavaScript
import { capture, expectedVerdicts } from '../../samples/tshark/capture.mjs';

const DIR = 'samples/tshark';
const expected = JSON.parse(readFileSync(`${DIR}/cap.expected.json`, 'utf8')) as (ExpectedVerdict & { server: string })[];
const jsonLines = gunzipSync(readFileSync(`${DIR}/cap.json.gz`)).toString('utf8').split('\n');
const ekLines = gunzipSync(readFileSync(`${DIR}/cap.ek.gz`)).toString('utf8').split('\n');

const canCapture = haveTshark && process.getuid?.() === 0
  && spawnSync('/usr/bin/python3', ['-c', 'import websockets']).status === 0;

const parse = (lines: string[], file = 'cap.json') => parseLines(tsharkParser, file, lines);

/** The packet object of `-T json` that starts at this 1-based line, as text. */
function packetAt(line: number): string {
  const end = jsonLines.indexOf('  },', line) >= 0 ? jsonLines.indexOf('  },', line) : jsonLines.length;
  return jsonLines.slice(line - 1, end).join('\n');
}

const byScenario = (name: string) => expected.find((e) => e.scenario === name)!;

describe('tshark parser', () => {
  it('detects -T json and -T ek, and nothing else', () => {
    expect(tsharkParser.detect(jsonLines.slice(0, 50))).toBe(1);
    expect(tsharkParser.detect(ekLines.slice(0, 50))).toBe(1);
    expect(tsharkParser.detect(['{"level":30,"time":1,"msg":"ws connection opened"}'])).toBe(0);
    expect(tsharkParser.detect(['[', '  {', '    "name": "x"'])).toBe(0);
  });

  it('reads every connection of the -T json decoding: open, frames and one close each', () => {
    const { events, skipped } = parse(jsonLines);
    expect(skipped).toEqual({});
    const closes = events.filter((e): e is CloseEvent => e.kind === 'close');
    expect(closes.map((c) => c.conn).sort()).toEqual(expected.map((e) => e.connection).sort());
    const opens = events.filter((e) => e.kind === 'open');
    expect(opens).toHaveLength(expected.length);
    for (const e of expected) {
      const open = opens.find((o) => o.conn === e.connection)!;
      expect(open.route, e.scenario).toBe(e.route);
      expect(packetAt(Number(open.at.split(':')[1])), e.scenario).toContain('"http.response.code": "101"');
    }
  });

  it('names a connection cut without a close frame 1006, by the side that sent the FIN', () => {
    const { events } = parse(jsonLines);
    for (const [name, initiator] of [['dropped', 'client'], ['py-cut', 'server']] as const) {
      const conn = byScenario(name).connection;
      const close = events.find((e): e is CloseEvent => e.kind === 'close' && e.conn === conn)!;
      expect(close, name).toMatchObject({ code: 1006, clean: false, initiator, reason: '' });
      expect(events.some((e) => e.conn === conn && e.kind === 'frame' && e.type === 'close'), name).toBe(false);
      const pkt = packetAt(Number(close.at.split(':')[1]));
      expect(pkt, name).toMatch(/"tcp\.flags": "0x0*(?:11|19|14|04)"/); // FIN (+ACK/PSH) or RST
      expect(pkt, name).toContain(`"tcp.stream": "${conn.slice(12)}"`);
    }
  });

  it('reads close frames: code, reason, which side sent them, and the line of the packet', () => {
    const { events } = parse(jsonLines);
    const conn = byScenario('binary-to-text').connection;
    const frames = events.filter((e): e is FrameEvent => e.kind === 'frame' && e.conn === conn);
    const inbound = frames.filter((f) => f.direction === 'in' && f.type !== 'close').map((f) => f.type);
    expect(inbound).toEqual(['text', 'binary']);
    const [sent, echoed] = frames.filter((f) => f.type === 'close');
    expect(sent).toMatchObject({ direction: 'out', code: 1003, reason: 'text frames only' });
    expect(echoed).toMatchObject({ direction: 'in', code: 1003 });
    const pkt = packetAt(Number(sent.at.split(':')[1]));
    expect(pkt).toContain('"websocket.opcode": "8"');
    expect(pkt).toContain('"websocket.payload.close.status_code": "1003"');
    const close = events.find((e): e is CloseEvent => e.kind === 'close' && e.conn === conn)!;
    expect(close).toMatchObject({ code: 1003, initiator: 'server', reason: 'text frames only', at: sent.at });
    expect(close.time).toBeGreaterThan(Date.parse('2026-01-01'));
  });

  it('reads each frame of a segment that carries several (repeated "websocket" keys in -T json)', () => {
    const conn = byScenario('coalesced').connection;
    const { events } = parse(jsonLines);
    const inbound = events.filter((e): e is FrameEvent => e.kind === 'frame' && e.conn === conn && e.direction === 'in');
    const [text, binary] = inbound;
    expect([text.type, binary.type]).toEqual(['text', 'binary']);
    expect([text.size, binary.size]).toEqual([2, 3]);
    expect(binary.at).toBe(text.at); // one packet, one line
    const pkt = packetAt(Number(text.at.split(':')[1]));
    expect(pkt.match(/"websocket": \{/g)).toHaveLength(2);
    const ek = parse(ekLines, 'cap.ek').events.filter((e): e is FrameEvent => e.kind === 'frame' && e.conn === conn && e.direction === 'in');
    expect(ek.map((f) => [f.type, f.size])).toEqual([['text', 2], ['binary', 3]]);
  });

  it('gives -T ek the same events as -T json, at the line of each packet', () => {
    const json = parse(jsonLines).events;
    const { events: ek, skipped } = parse(ekLines, 'cap.ek');
    expect(skipped).toEqual({});
    const strip = (e: WsEvent) => ({ ...e, at: undefined, time: Math.round((e.time ?? 0) / 10) });
    expect(ek.map(strip)).toEqual(json.map(strip));
    for (const e of ek) expect(ekLines[Number(e.at.split(':')[1]) - 1]).toMatch(/^\{"timestamp":"\d+","layers":\{"frame"/);
  });

  it('counts lines it cannot read and goes on', () => {
    const lines = [...ekLines.slice(0, 40), '{"timestamp":"1", broken', '{"timestamp":"1","layers":{"frame":{}}}', ...ekLines.slice(40)];
    const { events, skipped } = parse(lines, 'cap.ek');
    expect(skipped).toEqual({ 'not-json': 1, 'no-tcp-stream': 1 });
    expect(events.filter((e) => e.kind === 'close')).toHaveLength(expected.length);
  });

  it('ends a connection still in its close handshake at end of input with the close frame\'s code', () => {
    const conn = byScenario('binary-to-json').connection;
    const { events: all } = parse(ekLines, 'cap.ek');
    const sent = all.find((e): e is FrameEvent => e.kind === 'frame' && e.conn === conn && e.type === 'close')!;
    const cut = ekLines.slice(0, Number(sent.at.split(':')[1]));
    const close = parse(cut, 'cap.ek').events.find((e): e is CloseEvent => e.kind === 'close' && e.conn === conn)!;
    expect(close).toMatchObject({ code: 1011, initiator: 'server', at: sent.at });
  });
});

describe('wsclose analyze on a capture file', () => {
  it.skipIf(!haveTshark)('reads cap.pcapng through tshark and names evidence by frame number', async () => {
    const res = await runCli(['analyze', `${DIR}/cap.pcapng`, '-o', 'json']);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as Report;
    expect(report.input.files[0]).toMatchObject({ parser: 'tshark', skipped: {} });
    const byConn = new Map(report.incidents.map((v) => [v.connection, v]));
    for (const e of expected) {
      if (e.incident) expectVerdict(byConn.get(e.connection), e);
      else expect(byConn.has(e.connection), e.scenario).toBe(false);
    }
    // The mismatch answered 1011: the binary frame and the close frame are the packets named.
    const v = byConn.get(byScenario('binary-to-json').connection)!;
    const frame = (kind: string, re: RegExp) => Number(v.evidence.find((ev) => ev.kind === kind && re.test(ev.summary))!.at.split(':').pop());
    const fields = (n: number) => execFileSync('tshark', ['-r', `${DIR}/cap.pcapng`, '-Y', `frame.number == ${n}`, '-T', 'fields',
      '-e', 'websocket.opcode', '-e', 'websocket.payload.close.status_code'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    expect(fields(frame('frame', /^received binary/))).toBe('2');
    expect(fields(frame('close', /1011/))).toBe('8\t1011');
  });

  it('says tshark is missing in one line, exits 2, and still reads the other files', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'wsclose-nots-')); // a PATH without tshark
    const ek = join(bin, 'cap.ek');
    writeFileSync(ek, ekLines.join('\n'));
    const res = await runCli(['analyze', `${DIR}/cap.pcapng`, ek, '-o', 'json'], { env: { PATH: bin } });
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toEqual([
      `wsclose: ${DIR}/cap.pcapng: is a packet capture and reading it needs tshark, which is not installed (apt install tshark), or pass tshark -T ek output instead`,
    ]);
    const report = JSON.parse(res.stdout) as Report;
    expect(report.input.files[1]).toMatchObject({ parser: 'tshark', skipped: {} });
    expect(report.summary.closes).toBe(expected.length);
  });

  it.skipIf(!haveTshark)('reports a file tshark cannot read, without stopping', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-badcap-'));
    const bad = join(dir, 'bad.pcapng');
    writeFileSync(bad, Buffer.concat([Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]), Buffer.from('not a capture '.repeat(20))]));
    const res = await runCli(['analyze', bad, `${DIR}/cap.json.gz`, '-o', 'json']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(new RegExp(`^wsclose: ${bad}: tshark could not read it \\(exit \\d+: .+\\)\\n$`));
    expect((JSON.parse(res.stdout) as Report).summary.closes).toBe(expected.length);
  });

  it.skipIf(!canCapture)('captures a fresh session live and reaches the same verdicts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-live-cap-'));
    const pcap = join(dir, 'live.pcapng');
    const runs = await capture(pcap);
    const want = expectedVerdicts(pcap, runs) as ExpectedVerdict[];
    const res = await runCli(['analyze', pcap, '-o', 'json']);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as Report;
    const byConn = new Map(report.incidents.map((v) => [v.connection, v]));
    for (const e of want) {
      if (e.incident) expectVerdict(byConn.get(e.connection), e);
      else expect(byConn.has(e.connection), e.scenario).toBe(false);
    }
    expect(report.summary.closes).toBe(want.length);
  });
});

if (!haveTshark) console.warn('tshark is not installed: the capture-file tests skip (apt install tshark)');
else if (!canCapture) console.warn('live capture needs root and /usr/bin/python3 with websockets: that test skips');
