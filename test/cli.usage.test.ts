/** What the CLI says when it is used wrong or cut short: usage errors, merge's inputs, --top, a terminal on stdin. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report.js';
import { CLI, runCli } from './support/cli.js';

const SAMPLE = 'samples/ws-pino/chat.log'; // 4 routes, 7 close codes
const dir = mkdtempSync(join(tmpdir(), 'wsclose-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('usage errors', () => {
  it('print the error and where the options are, not the whole help', async () => {
    for (const [args, first, hint] of [
      [['analyze', SAMPLE, '--top', 'x'], "error: option '--top <n>' argument 'x' is invalid. expected a positive whole number", "Run 'wsclose analyze --help' for the options."],
      [['merge', '--bogus'], "error: unknown option '--bogus'", "Run 'wsclose merge --help' for the options."],
      [['bogus'], "error: unknown command 'bogus'", "Run 'wsclose --help' for the commands."],
    ] as [string[], string, string][]) {
      const res = await runCli(args);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stdout, args.join(' ')).toBe('');
      expect(res.stderr, args.join(' ')).toBe(`${first}\n${hint}\n`);
    }
  });

  it('an empty --fail-on is one', async () => {
    const res = await runCli(['analyze', SAMPLE, '--fail-on', '']);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.split('\n')[0]).toBe("error: option '--fail-on <causes>' argument '' is invalid. expected root causes (comma-separated) or \"any\"; one of: data-type-mismatch, unhandled-error, invalid-payload, message-too-big, policy-violation, protocol-error, server-restart, abnormal-closure, normal, application, unknown");
  });

  it('wsclose with no command prints the help on stderr and exits 2', async () => {
    const res = await runCli([]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe((await runCli(['--help'])).stdout);
  });
});

describe('wsclose merge on what is not a report', () => {
  it('names a missing file and an ndjson report in one line each, merges the rest and exits 2', async () => {
    const json = await runCli(['analyze', SAMPLE, '-o', 'json']);
    writeFileSync(join(dir, 'r.json'), json.stdout);
    writeFileSync(join(dir, 'r.ndjson'), (await runCli(['analyze', SAMPLE, '-o', 'ndjson'])).stdout);
    const res = await runCli(['merge', 'x.json', 'r.ndjson', 'r.json', '-o', 'json'], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('wsclose: x.json: no such file\nwsclose: r.ndjson: not a JSON report (merge reads reports written with -o json)\n');
    expect((JSON.parse(res.stdout) as Report).summary).toEqual((JSON.parse(json.stdout) as Report).summary);
  });
});

describe('--top', () => {
  /** The rows of the table under `heading` in the text report, split at runs of spaces. */
  const textTable = (text: string, heading: string) => {
    const after = text.split(`\n${heading}\n`)[1].split('\n\n')[0].split('\n').slice(2);
    return after.map((l) => l.trim().split(/\s{2,}/));
  };

  it('ends a table it cut with a row that says how many rows are left out, in text, md and html', async () => {
    const text = (await runCli(['analyze', SAMPLE, '--top', '2'])).stdout;
    expect(textTable(text, 'By route')).toEqual([
      ['/text', '10', '8', '50%', 'abnormal-closure'],
      ['/binary', '6', '4', '25%', 'data-type-mismatch'],
      ['… 2 more (--top)'],
    ]);
    const codes = (await runCli(['analyze', SAMPLE, '--top', '2', '--group-by', 'code'])).stdout;
    expect(textTable(codes, 'By close code')).toEqual([
      ['1000', 'Normal Closure', '10', 'normal ×10'],
      ['1003', 'Unsupported Data', '4', 'data-type-mismatch ×4'],
      ['… 5 more (--top)'],
    ]);
    const md = (await runCli(['analyze', SAMPLE, '--top', '2', '-o', 'md'])).stdout;
    expect(md).toContain('| /binary | 6 | 4 | 25% | data-type-mismatch |\n| … 2 more (--top) |  |  |  |  |\n');
    const html = (await runCli(['analyze', SAMPLE, '--top', '2', '-o', 'html'])).stdout;
    expect(html).toMatch(/<tr><td[^>]*>… 2 more \(--top\)<\/td>(?:<td[^>]*><\/td>){4}<\/tr>/);
    // A table it did not cut has no such row.
    const whole = (await runCli(['analyze', SAMPLE, '--top', '4'])).stdout;
    expect(textTable(whole, 'By route').map(([route]) => route)).toEqual(['/text', '/binary', '/buggy', '/json']);
    expect(whole).not.toContain('more (--top)');
  });
});

describe('a terminal on stdin', () => {
  // A real pty: python3's pty module makes one, runs the CLI on it and ends the input with Ctrl-D.
  const script = `
import os, pty, subprocess, sys, time
m, s = pty.openpty()
p = subprocess.Popen([sys.argv[1], sys.argv[2], 'analyze', *sys.argv[3:]], stdin=s, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(s)
time.sleep(1.5)
os.write(m, b'\\x04')
out, err = p.communicate(timeout=20)
sys.stdout.write(str(p.returncode) + '\\n' + err.decode())
`;
  const python = spawnSync('/usr/bin/python3', ['-c', 'import pty']).status === 0 ? '/usr/bin/python3' : undefined;
  const run = (args: string[]) => {
    const res = spawnSync(python!, ['-c', script, process.execPath, CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const [code, ...err] = res.stdout.split('\n');
    return { code: Number(code), stderr: err.join('\n') };
  };

  it.skipIf(!python)('says it reads a log from it, unless -q', () => {
    expect(run([])).toEqual({ code: 0, stderr: 'wsclose: reading a log from stdin (a terminal); pipe one in or name files, Ctrl-D to end\n' });
    expect(run(['-'])).toEqual({ code: 0, stderr: 'wsclose: reading a log from stdin (a terminal); pipe one in or name files, Ctrl-D to end\n' });
    expect(run(['-q'])).toEqual({ code: 0, stderr: '' });
    expect(run([SAMPLE])).toEqual({ code: 0, stderr: '' });
  });
  if (!python) console.warn('no /usr/bin/python3 with pty: the terminal test is skipped');
});
