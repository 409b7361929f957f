/** The command line's help, --out and exit codes, run as a user runs them. */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

const SAMPLE = 'samples/ws-pino/chat.log';

describe('wsclose CLI', () => {
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
