/**
 * Several files read on worker threads (`--jobs`), through the built CLI: the report equals
 * the single-threaded one field by field (rotated logs whose connections span files, a .gz
 * among them, bad files among them), evidence points at the exact file and line, a worker
 * reading ahead waits for its turn instead of buffering its file, SIGINT still gives the
 * partial report, and progress is drawn on a terminal.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeLog } from '../bench/pino-log.js';
import type { Verdict } from '../src/model.js';
import { defaultJobs } from '../src/pool.js';
import type { Report } from '../src/report.js';
import { CLI, runCli } from './support/cli.js';
import { expectVerdicts, type ExpectedVerdict } from './support/expect-verdict.js';
import { SAMPLE_INPUTS } from './support/samples.js';

const dir = mkdtempSync(join(tmpdir(), 'wsclose-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MB = 1e6;

/** `text` cut into rotated files at line boundaries, oldest first (`app.log.2`, `app.log.1`, `app.log`); `gz` of them gzipped. */
function rotate(name: string, text: string, parts: number, gz: number[] = []): { files: string[]; texts: string[] } {
  const lines = text.split('\n').slice(0, -1);
  const files: string[] = [];
  const texts: string[] = [];
  for (let k = 0; k < parts; k++) {
    const part = lines.slice(Math.floor((k * lines.length) / parts), Math.floor(((k + 1) * lines.length) / parts)).join('\n') + '\n';
    const age = parts - 1 - k;
    const file = join(dir, `${name}${age ? `.${age}` : ''}${gz.includes(k) ? '.gz' : ''}`);
    writeFileSync(file, gz.includes(k) ? gzipSync(part) : part);
    files.push(file);
    texts.push(part);
  }
  return { files, texts };
}

function generated(opts: Parameters<typeof writeLog>[0], bytes: number): string {
  let text = '';
  writeLog(opts, bytes, (chunk: string) => { text += chunk; });
  return text;
}

async function analyze(files: string[], jobs: number, ...args: string[]): Promise<{ code: number | null; stderr: string; report: Report }> {
  const res = await runCli(['analyze', ...files, '-o', 'json', '--jobs', String(jobs), ...args]);
  return { code: res.code, stderr: res.stderr, report: JSON.parse(res.stdout) as Report };
}

/** The line an evidence `at` (`file:line`) points at, in the files' texts. */
function lineAt(at: string, files: string[], texts: string[]): string {
  const i = at.lastIndexOf(':');
  const k = files.indexOf(at.slice(0, i));
  expect(k, at).toBeGreaterThanOrEqual(0);
  return texts[k].split('\n')[Number(at.slice(i + 1)) - 1];
}

/**
 * Every evidence line (and the close) of a verdict is a line of its connection, in the file and
 * at the line it names; or, for a connection its process took down, the process's crash line.
 */
function expectExactEvidence(v: Verdict, files: string[], texts: string[]): void {
  const crash = /"msg":"uncaughtException"/;
  const crashed = v.evidence.some((e) => e.kind === 'crash'); // its close is the crash
  for (const e of v.evidence.filter((x) => x.kind !== 'profile')) {
    const line = lineAt(e.at, files, texts);
    // An error logged without a connection just before it closed attaches to it too.
    const orphan = e.kind === 'exception' && !line.includes('"connId"') && line.includes('"err":');
    if (e.kind === 'crash' || (crashed && e.kind === 'close')) expect(line, `${v.connection} ${e.kind} at ${e.at}`).toMatch(crash);
    else if (!orphan) expect(line, `${v.connection} ${e.kind} at ${e.at}`).toContain(`"connId":"${v.connection}"`);
  }
  const closed = crashed ? crash : new RegExp(`"connId":"${v.connection}".*"msg":"ws connection closed"`);
  expect(lineAt(v.at, files, texts), v.at).toMatch(closed);
}

describe('several files on worker threads', () => {
  it('the real sample rotated in two (a .gz and a plain file): every connection judged as its scenario calls for, the same with --jobs 1 and 2', async () => {
    const chat = readFileSync('samples/ws-pino/chat.log', 'utf8');
    const { files, texts } = rotate('chat.log', chat, 2, [0]);
    const one = await analyze(files, 1);
    const two = await analyze(files, 2);
    expect(two.code).toBe(0);
    expect(two.report).toEqual(one.report);
    expectVerdicts(two.report, JSON.parse(readFileSync('samples/ws-pino/chat.expected.json', 'utf8')) as ExpectedVerdict[]);
    expect(two.report.input.files.map((f) => [f.name, f.parser, f.lines])).toEqual([[files[0], 'json', 49], [files[1], 'json', 49]]);
    // Connections opened in the older file and closed in the newer one: judged from both.
    const spanning = two.report.incidents.filter((v) => v.evidence.some((e) => e.at.startsWith(`${files[0]}:`)) && v.at.startsWith(`${files[1]}:`));
    expect(spanning.map((v) => [v.connection, v.rootCause]).sort()).toEqual([['c12', 'abnormal-closure'], ['c15', 'data-type-mismatch'], ['c17', 'data-type-mismatch']]);
    for (const v of two.report.incidents) expectExactEvidence(v, files, texts);
  });

  it('a generated log rotated in four, one gzipped, with a missing file and a truncated .gz among them: the same report with 1, 2 and 4 jobs', async () => {
    const { files, texts } = rotate('svc.log', generated({ seed: 11, wsShare: 0.3, concurrency: 60, crashEvery: 3000 }, 2.5 * MB), 4, [1]);
    const truncated = join(dir, 'old.log.gz');
    const gz = gzipSync(generated({ seed: 12, wsShare: 0.5, concurrency: 20 }, 400_000));
    writeFileSync(truncated, gz.subarray(0, gz.length >> 1));
    const missing = join(dir, 'missing.log');
    const all = [truncated, files[0], missing, ...files.slice(1)];

    const one = await analyze(all, 1);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(new RegExp(`^wsclose: ${truncated}: corrupt or truncated gzip data .*\nwsclose: ${missing}: no such file\n$`));
    expect(one.report.input.files.map((f) => f.name)).toEqual(all);
    expect(one.report.input.files[0].lines).toBeGreaterThan(0); // what was read before the cut counts
    for (const jobs of [2, 4]) {
      const many = await analyze(all, jobs);
      expect(many.code, `--jobs ${jobs}`).toBe(2);
      expect(many.stderr, `--jobs ${jobs}`).toBe(one.stderr);
      expect(many.report, `--jobs ${jobs}`).toEqual(one.report);
    }
    // The rotated parts alone: the same verdicts as the log before it was rotated, each
    // pointing into the right part.
    const parts = (await analyze(files, 2)).report;
    const wholeFile = join(dir, 'svc.whole.log');
    writeFileSync(wholeFile, texts.join(''));
    const whole = (await analyze([wholeFile], 1)).report;
    const offsets = texts.map((_, k) => texts.slice(0, k).reduce((n, t) => n + t.split('\n').length - 1, 0));
    const positions = new RegExp(`(${[wholeFile, ...files].map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')}):(\\d+)`, 'g');
    /** Summary and incidents with every `file:line` as the line of the unrotated log. */
    const unrotated = (r: Report) => JSON.parse(JSON.stringify({ summary: r.summary, incidents: r.incidents })
      .replace(positions, (_, f: string, n: string) => `whole:${(f === wholeFile ? 0 : offsets[files.indexOf(f)]) + Number(n)}`)) as unknown;
    const rotated = parts.incidents;
    expect(rotated.length).toBeGreaterThan(20);
    expect(unrotated(parts)).toEqual(unrotated(whole));
    expect(JSON.stringify(unrotated(parts))).not.toContain(dir);
    const spanning = rotated.filter((v) => new Set(v.evidence.filter((e) => e.kind !== 'profile').map((e) => e.at.slice(0, e.at.lastIndexOf(':')))).size > 1);
    expect(spanning.length).toBeGreaterThan(3);
    for (const v of rotated) expectExactEvidence(v, files, texts);
  });

  it('every committed sample at once, each in its own format (a capture decoded by tshark among them): the same report with --jobs 1 and 3', async () => {
    const one = await analyze(SAMPLE_INPUTS, 1);
    const three = await analyze(SAMPLE_INPUTS, 3);
    expect(three.code).toBe(one.code);
    expect(three.stderr).toBe(one.stderr);
    expect(three.report).toEqual(one.report);
    expect(new Set(three.report.input.files.map((f) => f.parser)).size).toBeGreaterThanOrEqual(9);
    expect(three.report.summary.incidents).toBeGreaterThan(50);
  });

  it('ndjson: the verdicts stream in the same order with --jobs 1 and --jobs 2', async () => {
    const { files } = rotate('stream.log', generated({ seed: 13, wsShare: 1, concurrency: 40 }, 2 * MB), 3);
    const run = (jobs: number) => runCli(['analyze', ...files, '-o', 'ndjson', '--jobs', String(jobs)]);
    const [one, two] = [await run(1), await run(2)];
    expect(two.code).toBe(0);
    expect(one.stdout.split('\n').length).toBeGreaterThan(500);
    expect(two.stdout).toBe(one.stdout);
  });

  /**
   * Runs the CLI on `files` with --jobs 2, interrupts it after `ms`, and returns its exit and
   * report. /dev/zero is an input that never ends (one endless line, dropped as it comes).
   */
  function interrupted(files: string[], ms: number): Promise<{ code: number | null; stderr: string; report: Report }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'analyze', ...files, '-o', 'json', '--jobs', '2']);
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr, report: JSON.parse(stdout) as Report }));
      setTimeout(() => child.kill('SIGINT'), ms);
    });
  }

  it('a file ahead of the one being read waits for its turn: its worker stops after a few batches', async () => {
    const { files: [big] } = rotate('ahead.log', generated({ seed: 14, wsShare: 1, concurrency: 40 }, 24 * MB), 1);
    const { code, stderr, report } = await interrupted(['/dev/zero', big], 2500);
    expect(code).toBe(130);
    expect(stderr).toBe(`wsclose: interrupted; the report covers the ${report.input.lines} line(s) read before it\n`);
    expect(report.input.interrupted).toBe(true);
    const [zero, ahead] = report.input.files;
    expect(zero).toMatchObject({ name: '/dev/zero', parser: null, events: 0 });
    expect(zero.bytes).toBeGreaterThan(0);
    expect(zero.error).toBeUndefined();
    // Without the wait it would have read all 24 MB in these seconds; with it, the blocks
    // before the wait and at most one more after the interrupt.
    expect(ahead.error).toBeUndefined();
    expect(ahead.lines).toBeGreaterThan(0);
    expect(ahead.bytes).toBeLessThanOrEqual(3 * 4 * 1024 * 1024);
    expect(ahead.events).toBe(ahead.lines);
    // Every connection whose close was read is judged: closes in the report = close lines read.
    const read = readFileSync(big, 'utf8').split('\n').slice(0, ahead.lines);
    expect(report.summary.closes).toBe(read.filter((l) => l.includes('"msg":"ws connection closed"')).length);
    expect(report.summary.closes).toBeGreaterThan(100);
  });

  it('progress is drawn on a terminal while workers read', () => {
    const haveScript = !spawnSync('script', ['--version']).error;
    if (!haveScript) return void console.warn('script(1) is not installed: progress on a terminal not checked');
    const chat = readFileSync('samples/ws-pino/chat.log');
    const parts = [join(dir, 'p1.log'), join(dir, 'p2.log')];
    for (const p of parts) writeFileSync(p, Buffer.concat(Array.from({ length: Math.ceil((3 * MB) / chat.length) }, () => chat)));
    const out = join(dir, 'progress.json');
    const drawn = spawnSync('script', ['-qec', `${process.execPath} ${CLI} analyze ${parts.join(' ')} -o json --jobs 2 > ${out}`, '/dev/null'], { encoding: 'utf8' }).stdout;
    expect(drawn).toMatch(/wsclose: \d+\.\d of 5\.\d MB \(\d+%\), [\d.]+ MB\/s, ETA \d+:\d\d/);
    expect(drawn.endsWith('\r\x1b[K')).toBe(true);
    expect((JSON.parse(readFileSync(out, 'utf8')) as Report).input.files.map((f) => f.bytes)).toEqual(parts.map(() => Math.ceil((3 * MB) / chat.length) * chat.length));
  });
});

describe('the default number of workers', () => {
  const MiB = 1024 * 1024;
  const logs = (...sizes: number[]) => sizes.map((size) => ({ size: size * MiB, gzip: false }));

  it('is none on two cores or fewer, and none with stdin among the inputs', () => {
    expect(defaultJobs(2, logs(10_000, 10_000))).toBe(1);
    expect(defaultJobs(1, logs(10_000))).toBe(1);
    expect(defaultJobs(8, undefined)).toBe(1);
  });

  it('is one per 64 MB of log, a gzipped file counted at eight times its size, up to one per core', () => {
    // Small files: a worker's start (about 150 ms of CPU) would cost more than it saves.
    expect(defaultJobs(8, logs(20, 20, 20))).toBe(1);
    expect(defaultJobs(8, logs(100, 100))).toBe(3);
    const gz = { size: 10 * MiB, gzip: true };
    expect(defaultJobs(8, [gz, ...logs(10)])).toBe(1);
    expect(defaultJobs(8, [gz, gz])).toBe(2);
    expect(defaultJobs(4, logs(10_000, 10_000, 10_000, 10_000, 10_000))).toBe(4);
  });
});
