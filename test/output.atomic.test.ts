/**
 * `--out` files are written whole or not at all: a CLI killed (SIGKILL) in the middle of a run
 * leaves the previous report untouched, in every output format, streamed (ndjson) or not;
 * interrupted with SIGINT it writes the complete report of what it read.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report.js';
import { CLI } from './support/cli.js';
import { connectionLog } from './support/connections.js';
import { outputKinds } from './support/outputs.js';

const dir = mkdtempSync(join(tmpdir(), 'wsclose-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Normal closes are final at once (streamed to ndjson as read); the 1011s are held for the end-of-input re-check.
const connections = (from: number, to: number) => connectionLog(from, to, (i) => ({ code: i % 2 ? 1011 : 1000, isBinary: true }));

/** Runs the CLI on a stdin that stays open, feeds it, then sends `signal`. */
function runThenSignal(args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args]);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code, signal: sig, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.write(connections(0, 2_000), () => setTimeout(() => child.kill(signal), 500));
  });
}

describe('--out written atomically', () => {
  let kinds: string[] = [];
  beforeAll(async () => {
    kinds = await outputKinds();
  });

  it('a run killed midway leaves the previous report as it was, in every format', async () => {
    for (const kind of kinds) {
      const out = join(dir, `report.${kind}`);
      const previous = `previous complete ${kind} report\n`;
      writeFileSync(out, previous);
      const res = await runThenSignal(['analyze', '-o', kind, '--out', out, '--quiet'], 'SIGKILL');
      expect(res.signal, kind).toBe('SIGKILL');
      expect(readFileSync(out, 'utf8'), kind).toBe(previous);
    }
    // What a killed run leaves is a hidden temporary file beside it, never the report's name.
    for (const f of readdirSync(dir)) expect(f.startsWith('.') || f.startsWith('report.'), f).toBe(true);
  });

  it('a streamed ndjson report had verdicts written when it was killed: they went to the temporary file', async () => {
    const out = join(dir, 'streamed.ndjson');
    writeFileSync(out, 'old\n');
    await runThenSignal(['analyze', '-o', 'ndjson', '--out', out, '--quiet'], 'SIGKILL');
    expect(readFileSync(out, 'utf8')).toBe('old\n');
    const temp = readdirSync(dir).filter((f) => f.startsWith('.streamed.ndjson.'));
    expect(temp).toHaveLength(1);
    expect(readFileSync(join(dir, temp[0]), 'utf8').split('\n').length).toBeGreaterThan(1);
  });

  it('SIGINT writes the whole report of what was read, then exits 130', async () => {
    const out = join(dir, 'interrupted.json');
    writeFileSync(out, 'old\n');
    const res = await runThenSignal(['analyze', '-o', 'json', '--out', out, '--quiet'], 'SIGINT');
    expect(res.code).toBe(130);
    const r = JSON.parse(readFileSync(out, 'utf8')) as Report;
    expect(r.input.interrupted).toBe(true);
    expect(r.input.lines).toBeGreaterThan(0);
    expect(r.summary.closes).toBe(Math.floor(r.input.lines / 3));
  });
});
