/**
 * The fast path drops nothing: a report read with the parsers' prefilters equals the report
 * read with every line parsed, for every committed sample (new samples are picked up from
 * samples/ as they come) and for generated service logs; and its evidence points at the
 * exact lines.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeLog } from '../bench/pino-log.js';
import { JAVA_SAMPLE, javaLog } from '../bench/java-log.js';
import { goLog, goSample } from '../bench/go-log.js';
import { analyzeFiles } from '../src/analyze.js';
import type { Report } from '../src/report.js';
import { logfmtLines } from '../bench/pino-logfmt.js';
import { SAMPLE_INPUTS } from './support/samples.js';
import { expectSameVerdicts } from './support/expect-verdict.js';

const dir = mkdtempSync(join(tmpdir(), 'wsclose-prefilter-'));

/** The report without the one field that differs by design: how many lines the prefilter ruled out. */
function comparable(r: Report): Report {
  return { ...r, input: { ...r.input, files: r.input.files.map(({ prefiltered: _, ...f }) => f) } };
}

async function bothWays(files: string[], opts: Parameters<typeof analyzeFiles>[1] = {}) {
  const fast = await analyzeFiles(files, opts);
  const full = await analyzeFiles(files, { ...opts, prefilter: false });
  return { fast, full };
}

function generated(name: string, opts: Parameters<typeof writeLog>[0], bytes: number, transform = (s: string) => s): string {
  let text = '';
  writeLog(opts, bytes, (chunk: string) => { text += chunk; });
  const file = join(dir, name);
  writeFileSync(file, transform(text));
  return file;
}

describe('the prefilter drops nothing', () => {
  it('finds the committed samples', () => {
    expect(SAMPLE_INPUTS).toContain(join('samples', 'ws-pino', 'chat.log'));
    expect(SAMPLE_INPUTS).toContain(join('samples', 'go-gorilla', 'zap', 'server.log')); // in a sample's subfolder
  });

  it.each(SAMPLE_INPUTS)('%s: same report with and without it', async (file) => {
    const { fast, full } = await bothWays([file]);
    expect(comparable(fast)).toEqual(full);
  });

  it.each([
    ['5% WebSocket lines, 8 connections at once', { seed: 7, wsShare: 0.05, concurrency: 8 }],
    ['all WebSocket lines, process crashes', { seed: 2, wsShare: 1, concurrency: 60, crashEvery: 700 }],
    ['30% WebSocket lines, 200 connections at once', { seed: 3, wsShare: 0.3, concurrency: 200, crashEvery: 2000 }],
  ])('a generated log, %s: same report, and incidents to judge', async (_, opts) => {
    const file = generated(`gen-${opts.seed}.log`, opts, 3_000_000);
    const { fast, full } = await bothWays([file]);
    expect(comparable(fast)).toEqual(full);
    expect(fast.summary.closes).toBeGreaterThanOrEqual(15);
    expect(Object.keys(fast.summary.byRootCause).length).toBeGreaterThan(3);
    if (opts.wsShare < 1) expect(fast.input.files[0].prefiltered).toBeGreaterThan(fast.input.lines / 2);
  });

  it('a log whose errors are written into the message, with no connection named: same report, with their exceptions', async () => {
    // `log.error(`${msg}: ${err.stack}`)`, the connection's fields dropped: only the trace's escaped line breaks make the line one to read.
    const written = (s: string) => s.split('\n').map((line) => {
      if (!line.includes('"err":{')) return line;
      const { err, connId: _c, remoteAddress: _a, remotePort: _p, ...rec } = JSON.parse(line) as { err: { stack: string }; msg: string } & Record<string, unknown>;
      return JSON.stringify({ ...rec, msg: `${rec.msg}: ${err.stack}` });
    }).join('\n');
    const file = generated('written.log', { seed: 9, wsShare: 0.3, concurrency: 20, crashEvery: 2000 }, 1_500_000, written);
    const { fast, full } = await bothWays([file]);
    expect(comparable(fast)).toEqual(full);
    expect(Object.keys(fast.summary.exceptions).length).toBeGreaterThan(2);
  });

  it('a CRLF log, gzipped, with other text between the lines and a field renamed', async () => {
    const crlf = (s: string) => s.replace(/\n/g, '\r\n').replace(/("msg":"request completed"\}\r\n)/, '$1plain text from stderr\r\n\r\n');
    const file = generated('crlf.log', { seed: 4, wsShare: 0.1, concurrency: 30 }, 600_000, crlf);
    writeFileSync(`${file}.gz`, gzipSync(readFileSync(file)));
    const { fast, full } = await bothWays([`${file}.gz`], { fields: { conn: ['connId', 'reqId'] } });
    expect(comparable(fast)).toEqual(full);
    expect(fast.input.skipped['not-json']).toBe(1);
  });

  it.each([
    ['kubectl logs --prefix --timestamps', (n: number) => `[pod/chat-7d9f8c6b5-x2x9k/chat] 2026-11-27T02:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}.123456789Z `],
    ['docker logs -t', (n: number) => `2026-11-27T02:00:01.${n % 1000}Z `],
    ['docker compose logs --ansi always', () => '\x1b[36mchat-1         | \x1b[0m'],
  ])('lines a collector prefixed (%s), a Node crash report among them: the report of the lines unprefixed', async (style, prefix) => {
    // The generated log, then the real crash sample: its JSON lines and the crash report Node wrote.
    const unprefixed = generated('unprefixed.log', { seed: 8, wsShare: 0.05, concurrency: 30 }, 1_500_000, (s) => s + readFileSync(join('samples', 'node-crash', 'crash.log'), 'utf8'));
    const lines = readFileSync(unprefixed, 'utf8').split('\n');
    const file = join(dir, `prefixed-${style.replace(/\W/g, '')}.log`);
    writeFileSync(file, lines.map((l, i) => (i < lines.length - 1 ? prefix(i) + l : l)).join('\n'));
    const { fast, full } = await bothWays([file]);
    expect(comparable(fast)).toEqual(full);
    const [read] = fast.input.files;
    expect(read.linePrefix).toBe(true);
    expect(read.prefiltered).toBeGreaterThan(read.lines / 2);
    // The same verdicts, summary and counts as the lines without their prefixes, at the same line numbers.
    const bare = await analyzeFiles([unprefixed]);
    expectSameVerdicts(fast, bare, unprefixed, file);
    expect(fast.input.connections).toEqual(bare.input.connections);
    expect({ ...read, name: '', bytes: 0, linePrefix: undefined }).toEqual({ ...bare.input.files[0], name: '', bytes: 0 });
    expect(fast.input.connections.crashed).toBeGreaterThan(0);
    expect(fast.summary.byRootCause['unhandled-error']).toBeGreaterThan(0);
  });

  describe('logfmt, written by pino-logfmt, with a Node crash report among its lines', () => {
    // The generated log and the real crash sample, their records as pino-logfmt writes them.
    const crash = readFileSync(join('samples', 'node-crash', 'crash.log'), 'utf8');
    /** Every `every`-th record after `from` (or, `most`, all others) as another logger writes it: its time first. */
    const otherLogger = (from: number, every: number, most = false) => (s: string) => s.split('\n')
      .map((l, i) => (i >= from && (i % every === 0) !== most && l.startsWith('level=') ? l.replace(/^(level=\S+) (time=\S+)/, '$2 $1') : l)).join('\n');

    it.each([
      ['one logger', (s: string) => s, 1 / 2],
      ['a second logger\'s lines between, after the first lines', otherLogger(60, 7), 1 / 2],
      ['a second logger\'s lines among the first lines too, each read as a line that starts otherwise', otherLogger(0, 7), 1 / 2],
      // A third of the lines start otherwise, and each line after one is read too.
      ['the second logger\'s lines most of the lines, the first logger\'s read as lines that start otherwise', otherLogger(0, 3, true), 1 / 4],
    ])('%s: same report with and without the prefilter', async (name, other, share) => {
      const file = generated(`logfmt-${name.length}.log`, { seed: 9, wsShare: 0.05, concurrency: 30, crashEvery: 3000 }, 2_000_000, (s) => other(logfmtLines(s + crash)));
      const { fast, full } = await bothWays([file]);
      expect(comparable(fast)).toEqual(full);
      const [read] = fast.input.files;
      expect(read.parser).toBe('logfmt');
      expect(read.prefiltered).toBeGreaterThan(read.lines * share);
      expect(fast.input.connections.crashed).toBeGreaterThan(0);
      expect(fast.summary.closes).toBeGreaterThanOrEqual(15);
      expect(Object.keys(fast.summary.byRootCause).length).toBeGreaterThan(3);
    });
  });

  it('a Java service\'s JSON log (logstash-logback-encoder), its pool\'s threads serving requests between sessions: same report, the other lines skipped', async () => {
    const log = javaLog({ seed: 5, wsShare: 0.2, wordy: 0.05 });
    const rounds = 40;
    const lines: string[] = [];
    while (log.rounds() < rounds) lines.push(log.next());
    const file = join(dir, 'java-logstash.log');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { fast, full } = await bothWays([file]);
    expect(comparable(fast)).toEqual(full);
    const [read] = fast.input.files;
    expect(read.parser).toBe('java');
    expect(read.prefiltered).toBeGreaterThan(read.lines / 2);
    // Each round's sessions judged as the sample's: the request lines on their threads change nothing.
    const sample = await analyzeFiles([fileURLToPath(JAVA_SAMPLE)]);
    expect(fast.summary.closes).toBe(rounds * sample.summary.closes);
    expect(fast.summary.byRootCause).toEqual(Object.fromEntries(Object.entries(sample.summary.byRootCause).map(([cause, n]) => [cause, rounds * n])));
    // Tomcat's own lines, the text shapes: read whole.
    const text = await analyzeFiles([join('samples', 'java-tomcat', 'server.log')]);
    expect(text.input.files[0].prefiltered ?? 0).toBe(0);
  });

  it.each([
    ['zap', false], ['zerolog', false], ['slog', false], ['logrus', false],
    // Each request naming its client's address and port: read, and no connection of its own.
    ['zerolog', true], ['logrus', true],
  ])('a Go service\'s log of %s\'s records, panics and a crash between them, among its request logs (their client\'s port named: %s): same report, the other lines skipped', async (logger, clientPort) => {
    const log = goLog({ seed: 8, logger, wsShare: 0.2, wordy: 0.05, clientPort });
    const rounds = 12;
    const lines: string[] = [];
    while (log.rounds() < rounds) lines.push(log.next());
    const file = join(dir, `go-${logger}-${clientPort}.log`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { fast, full } = await bothWays([file]);
    expect(comparable(fast)).toEqual(full);
    const [read] = fast.input.files;
    expect(read.parser).toBe('go');
    expect(read.skipped).toEqual({});
    if (!clientPort) expect(read.prefiltered).toBeGreaterThan(read.lines / 2);
    // Each round's connections judged as the sample's: the request lines change nothing.
    const sample = await analyzeFiles([fileURLToPath(goSample(logger))]);
    expect(fast.summary.closes).toBe(rounds * sample.summary.closes);
    expect(fast.summary.byRootCause).toEqual(Object.fromEntries(Object.entries(sample.summary.byRootCause).map(([cause, n]) => [cause, rounds * n])));
    expect(fast.input.connections.crashed).toBe(rounds * sample.input.connections.crashed);
    expect(fast.input.connections.openAtEnd).toBe(sample.input.connections.openAtEnd);
  });

  it.each([
    ['4% WebSocket lines', 0.04],
    ['WebSocket lines only (read whole after the first two blocks)', 1],
  ])('a log larger than one read block, %s: evidence points at the exact lines', async (_, wsShare) => {
    const file = generated(`big-${wsShare}.log`, { seed: 5, wsShare, concurrency: 30 }, 9_000_000);
    const lines = readFileSync(file, 'utf8').split('\n');
    const { fast, full } = await bothWays([file]);
    expect(comparable(fast)).toEqual(full);
    expect(fast.input.lines).toBe(lines.length - 1);
    expect(fast.incidents.length).toBeGreaterThan(5);
    for (const v of fast.incidents) {
      for (const e of v.evidence.filter((x) => x.kind !== 'profile')) {
        const line = lines[Number(e.at.slice(e.at.lastIndexOf(':') + 1)) - 1];
        // The connection's own line, or an error logged without a connection just before it closed.
        const orphan = e.kind === 'exception' && !line.includes('"connId"') && line.includes('"err":');
        if (!orphan) expect(line, `${v.connection} ${e.kind} at ${e.at}`).toContain(`"connId":"${v.connection}"`);
      }
      const close = lines[Number(v.at.slice(v.at.lastIndexOf(':') + 1)) - 1];
      expect(close).toContain('"msg":"ws connection closed"');
    }
  });
});
