/** The CLI as a user runs it: inputs, output formats, exit codes and messages. */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REGISTERED_CODES } from '../src/codes.js';
import type { Verdict } from '../src/model.js';
import type { Report } from '../src/report.js';
import { CLI, runCli } from './support/cli.js';
import { outputKinds } from './support/outputs.js';

const SAMPLE = 'samples/ws-pino/chat.log';
const dir = mkdtempSync(join(tmpdir(), 'wsclose-cli-'));
const sampleText = readFileSync(SAMPLE, 'utf8');

async function jsonReport(args: string[], input?: string | Buffer): Promise<Report> {
  const res = await runCli(['analyze', ...args, '-o', 'json'], { input });
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as Report;
}

describe('wsclose analyze', () => {
  it('reads stdin, a file and a gzipped file to the same summary', async () => {
    const gz = join(dir, 'chat.log.gz');
    writeFileSync(gz, gzipSync(sampleText));
    const fromFile = await jsonReport([SAMPLE]);
    const fromStdin = await jsonReport([], sampleText);
    const fromDash = await jsonReport(['-'], sampleText);
    const fromGz = await jsonReport([gz]);
    // Equal but for where each exception signature was seen.
    const counts = (r: Report) => ({ ...r.summary, exceptions: Object.values(r.summary.exceptions).map(({ example, ...e }) => e) });
    expect(counts(fromStdin)).toEqual(counts(fromFile));
    expect(counts(fromDash)).toEqual(counts(fromFile));
    expect(counts(fromGz)).toEqual(counts(fromFile));
    expect(Object.values(fromGz.summary.exceptions)[0].example).toMatch(/^.*chat\.log\.gz:\d+$/);
    expect(fromStdin.input.files[0].name).toBe('stdin');
    expect(fromStdin.incidents[0].at).toMatch(/^stdin:\d+$/);
    expect(fromGz.incidents[0].at).toMatch(/chat\.log\.gz:\d+$/);
    expect(fromFile.schemaVersion).toBe(1);
    expect(fromFile.tool.name).toBe('wsclose');
  });

  it('counts unreadable lines by reason and never stops on them', async () => {
    const mixed = `garbage line\n${sampleText.split('\n').slice(0, 40).join('\n')}\n{"truncated":\n\r\n`;
    const r = await jsonReport([], mixed);
    expect(r.input.skipped).toEqual({ 'not-json': 2 });
    expect(r.input.files[0].skipped).toEqual({ 'not-json': 2 });
    expect(r.summary.closes).toBeGreaterThan(0);
  });

  it('reports a missing file in one line, exits 2, and still analyzes the others', async () => {
    const res = await runCli(['analyze', join(dir, 'nope.log'), SAMPLE, '-o', 'json']);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toEqual([`wsclose: ${join(dir, 'nope.log')}: no such file`]);
    const r = JSON.parse(res.stdout) as Report;
    expect(r.input.files.map((f) => [f.name, f.error ?? null])).toEqual([[join(dir, 'nope.log'), `${join(dir, 'nope.log')}: no such file`], [SAMPLE, null]]);
    expect(r.summary.closes).toBe(JSON.parse(readFileSync('samples/ws-pino/chat.expected.json', 'utf8')).length);
  });

  it('writes one verdict per line with --output ndjson, incidents and normal closes alike', async () => {
    const res = await runCli(['analyze', SAMPLE, '-o', 'ndjson']);
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as Verdict);
    const report = await jsonReport([SAMPLE]);
    expect(lines).toHaveLength(report.summary.closes);
    expect(lines.filter((v) => v.incident)).toHaveLength(report.summary.incidents);
    for (const v of lines) expect(Object.keys(v)).toEqual(expect.arrayContaining(['connection', 'route', 'closeCode', 'closeReason', 'initiator', 'rootCause', 'incident', 'codeAgreement', 'explanation', 'confidence', 'evidence', 'fix', 'at']));
  });

  it('leads the text and Markdown reports with the answer and its numbers', async () => {
    const report = await jsonReport([SAMPLE]);
    const s = report.summary;
    const text = (await runCli(['analyze', SAMPLE])).stdout;
    expect(text.split('\n')[0]).toBe(`wsclose: ${s.closes} closes, ${s.incidents} incidents (${Math.round((s.incidents / s.closes) * 100)}%)`);
    for (const [cause, n] of Object.entries(s.byRootCause)) expect(text).toMatch(new RegExp(`\\n  ${cause}\\s+${n}\\s`));
    expect(text.replace(/\s+/g, ' ')).toMatch(/data-type-mismatch\s+1011\s+data-type mismatch reported as 1011: check the opcode before parsing/);
    const md = (await runCli(['analyze', SAMPLE, '-o', 'md'])).stdout;
    expect(md.split('\n')[0]).toBe(`# wsclose: ${s.closes} closes, ${s.incidents} incidents (${Math.round((s.incidents / s.closes) * 100)}%)`);
    expect(md).toContain('## Root causes');
    expect(md).toMatch(new RegExp(`\\| data-type-mismatch \\| ${s.byRootCause['data-type-mismatch']} \\|`));
  });

  it('exits 1 when --fail-on matches, 0 when it does not, 2 on an unknown cause', async () => {
    expect((await runCli(['analyze', SAMPLE, '--fail-on', 'data-type-mismatch,protocol-error'])).code).toBe(1);
    const miss = await runCli(['analyze', SAMPLE, '--fail-on', 'protocol-error', '-o', 'json']);
    expect(miss.code).toBe(0);
    const bad = await runCli(['analyze', SAMPLE, '--fail-on', 'oops']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown root cause "oops"/);
    const badExpect = await runCli(['analyze', SAMPLE, '--expect', '/chat=video']);
    expect(badExpect.code).toBe(2);
    expect(badExpect.stderr).toMatch(/ROUTE=text\|binary\|any/);
  });

  it('finds nothing in an empty input and says so', async () => {
    const res = await runCli(['analyze'], { input: '' });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/0 closes, 0 incidents/);
    expect(res.stdout).toMatch(/No WebSocket close was found/);
  });
});

describe('wsclose explain', () => {
  it.each([...REGISTERED_CODES, 3001, 4000, 4999])('explains %i', async (code) => {
    const res = await runCli(['explain', String(code)]);
    expect(res.code).toBe(0);
    const [title, , ...rest] = res.stdout.split('\n');
    expect(title).toMatch(new RegExp(`^${code} \\S`));
    expect(rest.join('\n')).toMatch(/What it means: .+\nWhen you see it: .+\nHow to fix it: .+/);
  });

  it('lists the codes, and refuses what is not one', async () => {
    expect((await runCli(['explain'])).stdout).toMatch(/1003 {2}Unsupported Data/);
    const bad = await runCli(['explain', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('wsclose: "abc" is not a close code (a whole number, 1000-4999)\n');
  });
});


describe('wsclose help, --out and --fail-on', () => {
  it('has help with examples for every command', async () => {
    for (const args of [['--help'], ['analyze', '--help'], ['merge', '--help'], ['explain', '--help']]) {
      const res = await runCli(args);
      expect(res.code, args.join(' ')).toBe(0);
      expect(res.stdout, args.join(' ')).toMatch(/\nExamples:\n(?: {2}\S.*\n){3,}/);
    }
    const analyze = (await runCli(['analyze', '--help'])).stdout;
    for (const pipe of ['kubectl logs', 'docker logs', 'journalctl', '--fail-on', '--output html --out']) expect(analyze).toContain(pipe);
  });

  it('writes --out whole, the same bytes as stdout, and leaves no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-cli-'));
    for (const format of ['json', 'md', 'html', 'text', 'ndjson']) {
      const file = join(dir, `report.${format}`);
      const res = await runCli(['analyze', SAMPLE, '-o', format, '--out', file]);
      expect(res.code, format).toBe(0);
      expect(res.stdout, format).toBe('');
      expect(readFileSync(file, 'utf8'), format).toBe((await runCli(['analyze', SAMPLE, '-o', format])).stdout);
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('fails with exit 2 and no file when --out cannot be written', async () => {
    const res = await runCli(['analyze', SAMPLE, '-o', 'html', '--out', '/nonexistent-dir/report.html']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('wsclose: cannot write /nonexistent-dir/report.html: no such directory\n');
    expect(existsSync('/nonexistent-dir/report.html')).toBe(false);
  });

  it('exits 1 on --fail-on and says what matched', async () => {
    const res = await runCli(['analyze', SAMPLE, '-o', 'json', '--fail-on', 'unhandled-error,protocol-error']);
    const report = JSON.parse(res.stdout) as { summary: { byRootCause: Record<string, number> } };
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`wsclose: --fail-on matched: unhandled-error=${report.summary.byRootCause['unhandled-error']}, protocol-error=0\n`);
    expect((await runCli(['analyze', SAMPLE, '-o', 'json', '--fail-on', 'protocol-error'])).code).toBe(0);
  });
});

describe('--out naming an input', () => {
  const sub = mkdtempSync(join(dir, 'self-'));
  const log = join(sub, 'self.log');
  writeFileSync(log, sampleText);
  writeFileSync(join(sub, 'other.log'), sampleText);
  symlinkSync('self.log', join(sub, 'link.log'));
  mkdirSync(join(sub, 'd'));
  /** The log as it was and nothing new beside it: no report, no temporary file. */
  const untouched = () => {
    expect(readFileSync(log, 'utf8')).toBe(sampleText);
    expect(readdirSync(sub).sort()).toEqual(['d', 'link.log', 'other.log', 'self.log']);
  };

  it('is refused before anything is written: one line, exit 2, the log as it was; by its name, a link or another path', async () => {
    // ndjson is streamed to --out as it is read: its file is opened before the analysis.
    for (const [inputs, out, kind] of [
      [['self.log'], 'self.log', 'text'],
      [['self.log'], 'self.log', 'ndjson'],
      [['self.log'], 'link.log', 'json'],
      [['link.log'], 'self.log', 'ndjson'],
      [['other.log', './d/../self.log'], `../${basename(sub)}/self.log`, 'html'],
      [[log], 'self.log', 'md'],
    ] as const) {
      const res = await runCli(['analyze', ...inputs, '-o', kind, '--out', out], { cwd: sub });
      expect([res.code, res.stdout, res.stderr], `${inputs} ${out} ${kind}`).toEqual([2, '', `wsclose: --out ${out} is one of the inputs\n`]);
      untouched();
    }
  });

  it('stdin read from the log is an input too: `wsclose analyze --out self.log < self.log`', () => {
    const stdin = openSync(log, 'r');
    try {
      const res = spawnSync(process.execPath, [CLI, 'analyze', '--out', 'self.log'], { cwd: sub, stdio: [stdin, 'pipe', 'pipe'], encoding: 'utf8' });
      expect([res.status, res.stdout, res.stderr]).toEqual([2, '', 'wsclose: --out self.log is one of the inputs\n']);
    } finally {
      closeSync(stdin);
    }
    untouched();
  });
});

describe('a report that cannot be written to stdout', () => {
  const haveFull = existsSync('/dev/full');
  if (!haveFull) it.skip('needs /dev/full, a device every write to fails with ENOSPC', () => {});

  it.skipIf(!haveFull)('ends with one line on stderr and exit 2 (not a stack trace, not --fail-on\'s 1): analyze in every format, explain', async () => {
    // Only the child's stdout is opened on it, as `> /dev/full` does: nothing replaces the device.
    const full = openSync('/dev/full', 'w');
    try {
      const runs = [...(await outputKinds()).map((k) => ['analyze', SAMPLE, '-o', k, '--fail-on', 'any']), ['explain', '1011'], ['explain']];
      for (const args of runs) {
        const res = spawnSync(process.execPath, [CLI, ...args], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
        expect([res.status, res.stderr], args.join(' ')).toEqual([2, 'wsclose: cannot write the report: no space left on device (ENOSPC)\n']);
      }
    } finally {
      closeSync(full);
    }
  });
});
