/**
 * Progress on stderr: drawn for big inputs on a terminal (a real pty, from script(1)), never
 * when stderr is piped or with --quiet, and erased before the report.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { Progress } from '../src/progress.js';
import type { Report } from '../src/report.js';
import { CLI, runCli } from './support/cli.js';

const MB = 1024 * 1024;

function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const s = new PassThrough();
  let out = '';
  s.on('data', (d: Buffer) => { out += d.toString(); });
  return { stream: Object.assign(s, { isTTY: true }) as unknown as NodeJS.WriteStream, text: () => out };
}

describe('Progress', () => {
  it('shows bytes done of the total, the rate and the time left', () => {
    let now = 0;
    const t = terminal();
    const p = new Progress({ total: 40 * MB, stream: t.stream, now: () => now });
    now = 2000;
    p.add(10 * MB);
    expect(p.line()).toBe('wsclose: 10.0 of 40.0 MB (25%), 5.0 MB/s, ETA 0:06');
    now = 2050;
    p.add(MB); // within 100 ms of the last draw: not redrawn
    now = 62_000;
    p.add(9 * MB);
    expect(p.line()).toBe('wsclose: 20.0 of 40.0 MB (50%), 0.3 MB/s, ETA 1:02');
    p.end();
    expect(t.text()).toBe('\rwsclose: 10.0 of 40.0 MB (25%), 5.0 MB/s, ETA 0:06\x1b[K\rwsclose: 20.0 of 40.0 MB (50%), 0.3 MB/s, ETA 1:02\x1b[K\r\x1b[K');
  });

  it('shows the rate alone when the size is unknown (stdin), and nothing for small or piped inputs', () => {
    const t = terminal();
    const p = new Progress({ total: undefined, stream: t.stream, now: () => 1000 });
    p.add(5 * MB);
    expect(t.text()).toMatch(/^\rwsclose: 5\.0 MB, [\d.]+ MB\/s\x1b\[K$/);
    expect(new Progress({ total: MB, stream: terminal().stream }).active).toBe(false);
    expect(new Progress({ total: 40 * MB, stream: Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream }).active).toBe(false);
  });
});

describe('progress from the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-progress-'));
  const big = join(dir, 'big.log');
  const haveScript = !spawnSync('script', ['--version']).error;

  beforeAll(() => {
    // The committed real sample, repeated past the 4 MB at which progress starts.
    const chat = readFileSync('samples/ws-pino/chat.log');
    writeFileSync(big, Buffer.concat(Array.from({ length: Math.ceil((4.5 * MB) / chat.length) }, () => chat)));
  });

  it('draws nothing when stderr is piped', async () => {
    const res = await runCli(['analyze', big, '-o', 'json']);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect((JSON.parse(res.stdout) as Report).input.files[0].bytes).toBeGreaterThan(4.5 * MB - 1);
  });

  it.skipIf(!haveScript)('draws bytes, rate and ETA on a terminal, and erases it; nothing with --quiet', () => {
    const inTty = (extra: string) => spawnSync('script', ['-qec', `${process.execPath} ${CLI} analyze ${big} -o json ${extra} > ${join(dir, 'out.json')}`, '/dev/null'], { encoding: 'utf8' }).stdout;
    const drawn = inTty('');
    expect(drawn).toMatch(/wsclose: \d+\.\d of 4\.\d MB \(\d+%\), [\d.]+ MB\/s, ETA \d+:\d\d/);
    expect(drawn.endsWith('\r\x1b[K')).toBe(true);
    expect((JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as Report).summary.closes).toBeGreaterThan(0);
    expect(inTty('--quiet')).toBe('');
  });
});
