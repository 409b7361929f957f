/**
 * A 50 MB line, through the built CLI from a file, from a .gz and from stdin: it is skipped and
 * counted as too-long without being buffered whole (peak RSS measured in the child stays below
 * the line's size over a small-file baseline), and the lines around it are still analyzed.
 * Behaviour is checked through the CLI so it holds whatever the reader's loop looks like.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report.js';
import { runCli } from './support/cli.js';

const MB = 1024 * 1024;
const PRELOAD = fileURLToPath(new URL('./support/max-rss.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wsclose-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (o: object) => JSON.stringify({ level: 30, time: 1764006313213, pid: 1, hostname: 'h', ...o });
const OPEN = line({ connId: 'c1', route: '/chat', msg: 'ws connection opened' });
const FRAME = line({ connId: 'c1', route: '/chat', isBinary: false, size: 5, msg: 'ws message received' });
const ERROR = line({ level: 50, connId: 'c1', route: '/chat', err: { type: 'TypeError', message: 'boom', stack: 'TypeError: boom\n    at onMessage (/app/chat.mjs:7:9)' }, msg: 'message handler failed' });
const CLOSE = line({ connId: 'c1', route: '/chat', code: 1011, reason: 'internal error', msg: 'ws connection closed' });

/** The CLI's report and its peak resident set size in MiB. */
async function analyze(args: string[], input?: Buffer): Promise<{ report: Report; rssMb: number; stderr: string; code: number | null }> {
  const rssFile = join(dir, `rss-${Math.random()}`);
  const res = await runCli(['analyze', ...args, '-o', 'json'], {
    input,
    env: { NODE_OPTIONS: `--import=${PRELOAD}`, WSCLOSE_MAX_RSS_FILE: rssFile },
  });
  return { report: JSON.parse(res.stdout) as Report, rssMb: Number(readFileSync(rssFile, 'utf8')) / 1024, stderr: res.stderr, code: res.code };
}

describe('a 50 MB line', () => {
  let bytes: Buffer;
  const plain = join(dir, 'huge-line.log');
  const gz = join(dir, 'huge-line.log.gz');
  const small = join(dir, 'small.log');
  let baselineMb = 0;

  beforeAll(async () => {
    // The line is JSON-looking, so a reader that kept it would hand it to the parser.
    bytes = Buffer.concat([
      Buffer.from(`${OPEN}\n${FRAME}\n{"msg":"`),
      Buffer.alloc(50 * MB, 'a'),
      Buffer.from(`"}\n${ERROR}\n${CLOSE}\n`),
    ]);
    writeFileSync(plain, bytes);
    writeFileSync(gz, gzipSync(bytes));
    writeFileSync(small, `${OPEN}\n${FRAME}\n${ERROR}\n${CLOSE}\n`);
    baselineMb = (await analyze([small])).rssMb;
  });

  const cases: [string, () => [string[], Buffer | undefined]][] = [
    ['from a file', () => [[plain], undefined]],
    ['from a .gz file', () => [[gz], undefined]],
    ['from stdin', () => [[], bytes]],
  ];

  it.each(cases)('%s is skipped as too-long, not buffered, and the connection around it still judged', async (_, args) => {
    const [argv, input] = args();
    const { report, rssMb, stderr, code } = await analyze(argv, input);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(report.input.files[0]).toMatchObject({ lines: 5, events: 4, skipped: { 'too-long': 1 } });
    expect(report.input.skipped).toEqual({ 'too-long': 1 });
    expect(report.incidents).toHaveLength(1);
    expect(report.incidents[0]).toMatchObject({ connection: 'c1', rootCause: 'unhandled-error', closeCode: 1011 });
    expect(report.incidents[0].evidence.map((e) => e.kind)).toEqual(['open', 'frame', 'exception', 'close']);
    console.log(`50 MB line ${_}: peak RSS ${rssMb.toFixed(0)} MiB (baseline on a 4-line file ${baselineMb.toFixed(0)} MiB)`);
    expect(rssMb - baselineMb).toBeLessThan(40);
  });

  it('is read whole when the limit allows it, which the RSS measure sees (the bound above can fail)', async () => {
    const { report, rssMb } = await analyze(['--max-line-bytes', String(100 * MB), plain]);
    expect(report.input.files[0]).toMatchObject({ lines: 5, skipped: {} }); // the line is valid JSON, read and parsed
    console.log(`50 MB line read whole (--max-line-bytes 100 MiB): peak RSS ${rssMb.toFixed(0)} MiB`);
    expect(rssMb - baselineMb).toBeGreaterThan(50);
  });

  it('counts every line over a small --max-line-bytes, CRLF included', async () => {
    const text = `${OPEN}\r\n${'x'.repeat(300)}\r\n${FRAME}\n${'y'.repeat(299)}\r\n${ERROR}\r\n${CLOSE}`;
    writeFileSync(join(dir, 'crlf.log'), text);
    const limit = 300;
    const longer = text.split('\n').filter((l) => Buffer.byteLength(l) > limit).length;
    const { report } = await analyze(['--max-line-bytes', String(limit), join(dir, 'crlf.log')]);
    expect(longer).toBeGreaterThanOrEqual(1); // the 300 x and its CR; the 299 y and its CR are exactly at the limit
    expect(report.input.files[0].lines).toBe(6);
    expect(report.input.files[0].skipped['too-long']).toBe(longer);
  });
});
