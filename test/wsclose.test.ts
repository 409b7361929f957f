// The bin (src/wsclose.cts): the bundled command line run with V8's code cache, kept per bundle
// and Node in the user's cache folder. What it must never do is change what a run prints.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from './support/cli.js';

const SAMPLE = fileURLToPath(new URL('../samples/ws-pino/chat.log', import.meta.url));
const BUNDLE = join(CLI, '..', 'cli.cjs');
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** A log past the prefilter's sample (256 KB), so that its kernel is compiled and swept with: the sample's lines again and again. */
const big = join(mkdtempSync(join(tmpdir(), 'wsclose-bin-')), 'big.log');
writeFileSync(big, readFileSync(SAMPLE, 'utf8').repeat(60));

const ARGS = ['analyze', '-o', 'json', big];

/** A run with its cache in `home` (XDG_CACHE_HOME). */
function run(home: string, args = ARGS, node: string[] = []) {
  return runCli(args, { env: { XDG_CACHE_HOME: home }, node });
}

/** The bundle's hash (its first line names it: checked in the first test), and the name of its cache for this Node. */
const bundle = readFileSync(BUNDLE, 'latin1');
const hash = createHash('sha1').update(bundle.slice(bundle.indexOf('\n') + 1)).digest('hex');
const cacheName = (h: string) => `${h}-${process.version}-${process.arch}.bin`;

function cacheFiles(home: string): string[] {
  return readdirSync(join(home, 'wsclose'));
}

/** With --profile-deserialization, V8 writes a line to stdout for each cache it reads or makes: those, and the rest. */
function v8Lines(stdout: string): { v8: string[]; rest: string } {
  const v8: string[] = [];
  const rest: string[] = [];
  for (const line of stdout.split('\n')) (/^\[(?:Deserializing|Serializing|Verifying|Cached) .*\]$/.test(line) ? v8 : rest).push(line);
  return { v8, rest: rest.join('\n') };
}

describe('the wsclose bin', () => {
  it('writes its code cache at the first run, named by the bundle, and V8 takes it at the next', async () => {
    const home = mkdtempSync(join(tmpdir(), 'wsclose-cache-'));
    const plain = await run(mkdtempSync(join(tmpdir(), 'wsclose-cache-')));
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe('');
    expect((JSON.parse(plain.stdout) as { summary: { closes: number } }).summary.closes).toBeGreaterThan(1000);
    // V8 tells which caches it reads, by their size (a cache is checked against the flags: both runs have this one).
    const PROFILE = ['--profile-deserialization'];
    const first = await run(home, ARGS, PROFILE);
    expect(first.code).toBe(0);
    expect(v8Lines(first.stdout).rest).toBe(plain.stdout);

    const [name, ...others] = cacheFiles(home);
    expect(others).toEqual([]);
    // The bundle's first line names the hash of the rest, and the cache that hash and this Node.
    expect(bundle.startsWith(`// wsclose ${hash}\n`)).toBe(true);
    expect(name).toBe(cacheName(hash));
    const file = join(home, 'wsclose', name);
    const made = readFileSync(file);
    const { mtimeMs } = statSync(file);
    // More than the top level: the functions the run compiled (a cache of the top level alone is about 140 KB).
    expect(made.length).toBeGreaterThan(250_000);
    expect(statSync(join(home, 'wsclose')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const read = `[Deserializing from ${made.length} bytes took`;
    expect(v8Lines(first.stdout).v8.filter((l) => l.startsWith(read))).toEqual([]);

    const second = await run(home, ARGS, PROFILE);
    expect(second.code).toBe(0);
    expect(v8Lines(second.stdout).v8.filter((l) => l.startsWith(read))).toHaveLength(1);
    expect(v8Lines(second.stdout).rest).toBe(plain.stdout);
    // Taken as it was: not written again.
    expect(statSync(file).mtimeMs).toBe(mtimeMs);
    expect(readFileSync(file).equals(made)).toBe(true);
    expect(cacheFiles(home)).toEqual([name]);
  });

  it('replaces a corrupt cache, and prints what it prints without one', async () => {
    const clean = await run(mkdtempSync(join(tmpdir(), 'wsclose-cache-')));
    const home = mkdtempSync(join(tmpdir(), 'wsclose-cache-'));
    await run(home, ['--version']);
    const [name] = cacheFiles(home);
    const file = join(home, 'wsclose', name);
    const garbage = Buffer.alloc(4096, 0x5a);
    writeFileSync(file, garbage);

    const r = await run(home);
    expect(r).toEqual(clean);
    const rewritten = readFileSync(file);
    expect(rewritten.equals(garbage)).toBe(false);
    expect(rewritten.length).toBeGreaterThan(100_000);
    expect(cacheFiles(home)).toEqual([name]); // no temporary file left
  });

  it('runs as usual where the cache folder cannot be made', async () => {
    const clean = await run(mkdtempSync(join(tmpdir(), 'wsclose-cache-')));
    const notADir = join(mkdtempSync(join(tmpdir(), 'wsclose-cache-')), 'file');
    writeFileSync(notADir, 'not a folder');
    const r = await run(notADir);
    expect(r).toEqual(clean);
    expect(readFileSync(notADir, 'utf8')).toBe('not a folder');
  });

  it('neither reads nor writes a cache folder that other users can write to: a cache is code that runs', async () => {
    const PROFILE = ['--profile-deserialization'];
    // A good cache, made in a folder of its own.
    const mine = mkdtempSync(join(tmpdir(), 'wsclose-cache-'));
    await run(mine, ['--version'], PROFILE);
    const [name] = cacheFiles(mine);
    const size = statSync(join(mine, 'wsclose', name)).size;
    // The same cache in a folder anyone may write to.
    const home = mkdtempSync(join(tmpdir(), 'wsclose-cache-'));
    mkdirSync(join(home, 'wsclose'));
    chmodSync(join(home, 'wsclose'), 0o777);
    copyFileSync(join(mine, 'wsclose', name), join(home, 'wsclose', name));
    const { mtimeMs } = statSync(join(home, 'wsclose', name));

    const r = await run(home, ['--version'], PROFILE);
    expect(r.code).toBe(0);
    expect(v8Lines(r.stdout).rest.trim()).toBe(version);
    expect(v8Lines(r.stdout).v8.filter((l) => l.startsWith(`[Deserializing from ${size} bytes`))).toEqual([]);
    expect(statSync(join(home, 'wsclose', name)).mtimeMs).toBe(mtimeMs);
    expect(cacheFiles(home)).toEqual([name]);
    // In its own folder, the same cache is read.
    const again = await run(mine, ['--version'], PROFILE);
    expect(v8Lines(again.stdout).v8.filter((l) => l.startsWith(`[Deserializing from ${size} bytes`))).toHaveLength(1);
  });

  it('removes, when it writes its cache, the caches of other builds not written for a month', async () => {
    const home = mkdtempSync(join(tmpdir(), 'wsclose-cache-'));
    const dir = join(home, 'wsclose');
    mkdirSync(dir, { mode: 0o700 });
    const old = join(dir, cacheName('0'.repeat(40)));
    const recent = join(dir, cacheName('1'.repeat(40)));
    const leftover = join(dir, `${'2'.repeat(40)}-v18.0.0-${process.arch}.bin.123.tmp`);
    for (const f of [old, recent, leftover]) writeFileSync(f, 'another build');
    const monthAgo = (Date.now() - 31 * 24 * 3600 * 1000) / 1000;
    utimesSync(old, monthAgo, monthAgo);
    utimesSync(leftover, monthAgo, monthAgo);
    const r = await run(home, ['--version']);
    expect(r.code).toBe(0);
    expect(cacheFiles(home).sort()).toEqual([cacheName('1'.repeat(40)), cacheName(hash)].sort());
    // A run that takes its cache writes nothing, and removes nothing.
    utimesSync(recent, monthAgo, monthAgo);
    await run(home, ['--version']);
    expect(cacheFiles(home)).toContain(cacheName('1'.repeat(40)));
  });

  it("loads Node's modules for gzip and for worker threads only in the runs that use them, and no loader of ES modules", async () => {
    // Each costs milliseconds of every start: the bin and the bundle are scripts, zlib and
    // worker_threads are loaded where a .gz or --jobs needs them.
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-modules-'));
    const list = join(dir, 'list.cjs');
    writeFileSync(list, "process.on('exit', () => require('fs').writeSync(2, process.moduleLoadList.join('\\n')));");
    const gz = join(dir, 'chat.log.gz');
    writeFileSync(gz, gzipSync(readFileSync(SAMPLE)));
    const loaded = async (args: string[]) => {
      const r = await runCli(['analyze', '-o', 'json', ...args], { node: ['--require', list] });
      expect(r.code).toBe(0);
      return { closes: (JSON.parse(r.stdout) as { summary: { closes: number } }).summary.closes, modules: r.stderr.split('\n') };
    };
    const plain = await loaded([SAMPLE]);
    expect(plain.closes).toBe(26);
    expect(plain.modules).not.toContain('NativeModule zlib');
    expect(plain.modules).not.toContain('NativeModule worker_threads');
    expect(plain.modules).not.toContain('NativeModule internal/modules/esm/module_job');
    const gzipped = await loaded([gz]);
    expect(gzipped.closes).toBe(26);
    expect(gzipped.modules).toContain('NativeModule zlib');
    expect(gzipped.modules).not.toContain('NativeModule worker_threads');
    // Two files on two workers: the same sample twice, its connections' keys met again (counted, not judged twice).
    const jobs = await loaded(['--jobs', '2', SAMPLE, gz]);
    expect(jobs.modules).toContain('NativeModule worker_threads');
    expect(jobs.closes).toBe((await loaded(['--jobs', '1', SAMPLE, gz])).closes);
  });

  it('runs from its former path too (dist/src/wsclose.js), where links made before still lead', async () => {
    // Run by its `#!` line, as a link runs it (a failing run rejects).
    const { stdout } = await promisify(execFile)(join(CLI, '..', 'wsclose.js'), ['--version']);
    expect(stdout.trim()).toBe(version);
  });

  it('keeps its cache in ~/.cache/wsclose when XDG_CACHE_HOME is unset, or relative (the XDG spec: ignored)', async () => {
    for (const xdg of [undefined, 'relative']) {
      const home = mkdtempSync(join(tmpdir(), 'wsclose-home-'));
      const cwd = mkdtempSync(join(tmpdir(), 'wsclose-cwd-'));
      const env: NodeJS.ProcessEnv = { HOME: home, XDG_CACHE_HOME: xdg };
      const r = await runCli(['--version'], { env, cwd });
      expect(r.code).toBe(0);
      expect(readdirSync(join(home, '.cache', 'wsclose'))).toHaveLength(1);
      expect(readdirSync(cwd)).toEqual([]);
    }
  });
});
