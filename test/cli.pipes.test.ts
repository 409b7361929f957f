/**
 * The CLI in pipes, run for real: `wsclose analyze big.log | head -5` in a shell ends cleanly
 * in every output format (EPIPE is a normal end: exit 0, nothing on stderr), and SIGINT in the
 * middle of a slow stdin prints the report of what was read so far and exits 130.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../src/model.js';
import type { Report } from '../src/report.js';
import { CLI } from './support/cli.js';
import { connectionLog } from './support/connections.js';
import { outputKinds } from './support/outputs.js';

const dir = mkdtempSync(join(tmpdir(), 'wsclose-pipes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every other connection a binary frame to a text route, closed 1003: an incident. */
const connections = (from: number, to: number) => connectionLog(from, to, (i) => ({ code: i % 2 === 0 ? 1003 : 1000, isBinary: i % 2 === 0 }));

describe('wsclose analyze big.log | head -5', () => {
  const big = join(dir, 'big.log');
  let kinds: string[] = [];
  beforeAll(async () => {
    writeFileSync(big, connections(0, 4_000));
    kinds = await outputKinds();
  });

  it('exits 0 with nothing on stderr in every output format, from a file and (ndjson) from stdin', () => {
    const runs = [...kinds.map((k) => [k, 'file']), ['ndjson', 'stdin']];
    expect(runs.length).toBeGreaterThanOrEqual(5);
    for (const [kind, from] of runs) {
      const errFile = join(dir, `stderr-${kind}-${from}`);
      const cmd = from === 'file'
        ? `"${process.execPath}" "${CLI}" analyze "${big}" -o ${kind} 2>"${errFile}" | head -5; echo "status=\${PIPESTATUS[0]}"`
        : `cat "${big}" | "${process.execPath}" "${CLI}" analyze -o ${kind} 2>"${errFile}" | head -5; echo "status=\${PIPESTATUS[1]}"`;
      const res = spawnSync('bash', ['-c', cmd], { encoding: 'utf8' });
      const lines = res.stdout.trimEnd().split('\n');
      expect(lines.at(-1), `${kind} from ${from}`).toBe('status=0');
      expect(lines.length, `${kind} from ${from}`).toBe(6);
      expect(readFileSync(errFile, 'utf8'), `${kind} from ${from}`).toBe('');
    }
  });

  it('really writes past a closed pipe: the full output is far larger than a pipe buffer', () => {
    // With 2,000 incidents, json and ndjson are megabytes: `head` has long gone when the CLI writes.
    for (const kind of ['json', 'ndjson']) {
      const res = spawnSync(process.execPath, [CLI, 'analyze', big, '-o', kind], { encoding: 'utf8', maxBuffer: 1 << 30 });
      expect(res.stdout.length, kind).toBeGreaterThan(1 << 20);
    }
  });
});

describe('SIGINT in the middle of a slow stdin', () => {
  /**
   * Writes `text` to the CLI's stdin and keeps it open (more would come); once the pipe has
   * taken it all (or, with `onOutput`, once the CLI has written something) and a moment more has
   * passed, interrupts. How much the CLI had read by then depends on the machine's load, so the
   * tests check the report against itself. A text smaller than the socket's buffer is taken
   * before the CLI has even started, so a signal timed from that could beat Node's start-up.
   */
  function interrupted(kind: string, text: string, onOutput = false): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'analyze', '-o', kind]);
      let stdout = '';
      let stderr = '';
      const interrupt = () => setTimeout(() => child.kill('SIGINT'), 500);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        if (onOutput && !stdout) interrupt();
        stdout += d;
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
      child.stdin.on('error', () => {}); // the CLI closes its stdin when interrupted
      child.stdin.write(text, () => { if (!onOutput) interrupt(); });
    });
  }

  it('prints the report of what was read so far and exits 130', async () => {
    const n = 2_000;
    const res = await interrupted('json', connections(0, n));
    expect(res.signal).toBeNull();
    expect(res.code).toBe(130);
    const r = JSON.parse(res.stdout) as Report;
    const lines = r.input.lines;
    console.log(`SIGINT: ${lines} of ${3 * n} lines read before it`);
    expect(lines).toBeGreaterThan(0);
    expect(lines).toBeLessThanOrEqual(3 * n);
    expect(res.stderr).toBe(`wsclose: interrupted; the report covers the ${lines} line(s) read before it\n`);
    expect(r.input.interrupted).toBe(true);
    expect(r.input.files).toEqual([expect.objectContaining({ name: 'stdin', parser: 'json', lines, events: lines, skipped: {} })]);
    expect(r.input.files[0].error).toBeUndefined();
    // Lines come three per connection, in order: every connection whose close was read is judged.
    const closes = Math.floor(lines / 3);
    expect(r.summary.closes).toBe(closes);
    expect(r.summary.byRootCause).toEqual({ normal: Math.floor(closes / 2), 'data-type-mismatch': Math.ceil(closes / 2) });
  });

  it('in ndjson, the verdicts written so far stay whole lines', async () => {
    const n = 500;
    const res = await interrupted('ndjson', connections(0, n), true); // 166 KB: the socket takes it at once
    expect(res.code).toBe(130);
    const verdicts = res.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Verdict);
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.length).toBeLessThanOrEqual(n);
    expect(new Set(verdicts.map((v) => v.connection)).size).toBe(verdicts.length);
  });

  it('in the text report, says it was interrupted', async () => {
    const res = await interrupted('text', connections(0, 2_000)); // more than a pipe holds: the CLI is reading when the signal comes
    expect(res.code).toBe(130);
    expect(res.stdout).toMatch(/^wsclose: \d+ closes, \d+ incidents/);
    expect(res.stdout.replace(/\s+/g, ' ')).toMatch(/interrupted: this report covers the \d+ line\(s\) read before it/);
  });
});

describe('a named pipe or a process substitution as the input file', () => {
  const log = connections(0, 40);
  const want = () => {
    const res = spawnSync(process.execPath, [CLI, 'analyze', '-', '-o', 'json'], { input: log, encoding: 'utf8' });
    return (JSON.parse(res.stdout) as Report).incidents.map((v: Verdict) => [v.connection, v.rootCause, v.closeCode]);
  };

  it.each([
    ['plain', 'cat'],
    ['gzip', 'gzip -c'],
  ])('is read in turn as it comes (%s): `wsclose analyze <(cmd)` and a fifo', (_, filter) => {
    const file = join(dir, `subst-${filter.replace(/\W/g, '')}.log`);
    writeFileSync(file, log);
    const fifo = join(dir, `fifo-${filter.replace(/\W/g, '')}`);
    const subst = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" analyze <(${filter} "${file}") -o json`], { encoding: 'utf8' });
    const viaFifo = spawnSync('bash', ['-c', `mkfifo "${fifo}" && (${filter} "${file}" > "${fifo}" &) && "${process.execPath}" "${CLI}" analyze "${fifo}" -o json`], { encoding: 'utf8' });
    for (const res of [subst, viaFifo]) {
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
      const report = JSON.parse(res.stdout) as Report;
      expect(report.input.lines).toBe(log.trimEnd().split('\n').length);
      expect(report.incidents.map((v: Verdict) => [v.connection, v.rootCause, v.closeCode])).toEqual(want());
    }
    expect(want().length).toBe(20);
  });
});
