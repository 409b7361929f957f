/**
 * Gunzip into the caller's blocks (src/inflate.ts) reads what node:zlib's own gunzip reads:
 * the same bytes for one member or several (`cat a.gz b.gz`) with zero padding after, however the
 * compressed bytes arrive and whatever the blocks' sizes; the same errors, after everything that
 * could be inflated before a cut; and its memory is its buffers, not a buffer per piece.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip, createGzip, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { writeLog } from '../bench/pino-log.js';
import { type ByteSource, Gunzip } from '../src/inflate.js';
import type { Report } from '../src/report.js';
import { CLI } from './support/cli.js';
import { connectionLog } from './support/connections.js';
import { inChild } from './support/heap.js';

const dir = mkdtempSync(join(tmpdir(), 'wsclose-inflate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `data` handed out in pieces of the given sizes, in turn (as a pipe delivers it). */
function source(data: Buffer, pieces: number[] = [1 << 30], fail?: Error): ByteSource & { closed: boolean } {
  let at = 0;
  let i = 0;
  return {
    closed: false,
    async read(buf, to) {
      if (at === data.length && fail) throw fail;
      const n = data.copy(buf, to, at, Math.min(data.length, at + pieces[i++ % pieces.length]));
      at += n;
      return n;
    },
    async close() {
      this.closed = true;
    },
  };
}

interface Inflated { out: Buffer; error?: { message: string; code?: string }; reads: number }

/** Every block read from `gunzip`, each into a buffer of `block` bytes from `at`, till the end or an error. */
async function readAll(gunzip: Gunzip, block = 4 << 20, at = 0): Promise<Inflated> {
  const parts: Buffer[] = [];
  let reads = 0;
  try {
    for (;;) {
      const buf = Buffer.alloc(at + block);
      const n = await gunzip.read(buf, at);
      if (n === 0) break;
      reads++;
      expect(n).toBeLessThanOrEqual(block);
      parts.push(buf.subarray(at, at + n));
    }
    return { out: Buffer.concat(parts), reads };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { out: Buffer.concat(parts), error: { message: e.message, code: e.code }, reads };
  } finally {
    await gunzip.close();
  }
}

/** node:zlib's streaming gunzip of `gz`: what it gives before its end or its error. */
function streamed(gz: Buffer): Promise<Inflated> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    const g = createGunzip();
    g.on('data', (d: Buffer) => parts.push(d));
    g.on('end', () => resolve({ out: Buffer.concat(parts), reads: parts.length }));
    g.on('error', (e: NodeJS.ErrnoException) => resolve({ out: Buffer.concat(parts), error: { message: e.message, code: e.code }, reads: parts.length }));
    g.end(gz);
  });
}

const text = (bytes: number, seed = 1) => {
  let s = '';
  writeLog({ seed, wsShare: 0.3, concurrency: 20 }, bytes, (chunk: string) => { s += chunk; });
  return Buffer.from(s);
};

describe('Gunzip', () => {
  it('reads one member or several, with zero padding after, in pieces and into blocks of any size', async () => {
    const content = text(300_000);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: content.length }), { maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 5, maxLength: 5 }),
        fc.constantFrom(0, 0, 1, 512),
        fc.array(fc.integer({ min: 100, max: 70_000 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 4096, max: 400_000 }),
        fc.integer({ min: 0, max: 100 }),
        async (cuts, levels, padding, pieces, block, at) => {
          const ends = [0, ...cuts.sort((a, b) => a - b), content.length];
          const members = ends.slice(1).map((end, k) => gzipSync(content.subarray(ends[k], end), { level: levels[k] }));
          const gz = Buffer.concat([...members, Buffer.alloc(padding)]);
          const src = source(gz, pieces);
          const res = await readAll(new Gunzip(src), block, at);
          expect(res.error).toBeUndefined();
          expect(res.out.equals(content)).toBe(true);
          expect(src.closed).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads members larger than its input buffers, whose ends fall anywhere, into full blocks', async () => {
    const content = text(12e6, 2);
    // Stored (level 0) members: compressed as large as the content, so members and chunks end at many places.
    const cuts = [0, 1 << 20, (1 << 20) + 1, 3_000_000, 7_654_321, content.length];
    const gz = Buffer.concat(cuts.slice(1).map((end, k) => gzipSync(content.subarray(cuts[k], end), { level: k % 2 ? 0 : 6 })));
    const block = 4 << 20;
    const res = await readAll(new Gunzip(source(gz, [1 << 20, 333_333])), block);
    expect(res.out.equals(content)).toBe(true);
    // Every block is filled but the last.
    expect(res.reads).toBe(Math.ceil(content.length / block));
  });

  it('fails as zlib does, after all it could inflate before a cut', async () => {
    const content = text(3e6, 3);
    const gz = gzipSync(content);
    const cases: Buffer[] = [gz.subarray(0, 2), gz.subarray(0, 10), gz.subarray(0, gz.length >> 1), gz.subarray(0, gz.length - 1), gz.subarray(0, gz.length - 8)];
    for (const cut of cases) {
      const want = await streamed(cut);
      const got = await readAll(new Gunzip(source(cut, [65_536])), 1 << 20);
      expect(want.error).toMatchObject({ code: 'Z_BUF_ERROR', message: 'unexpected end of file' });
      expect(got.error).toEqual(want.error);
      expect(got.out.equals(want.out)).toBe(true);
    }
  });

  it('fails as zlib does on corrupt data and on garbage after the last member, after what zlib inflated before', async () => {
    const content = text(3e6, 4);
    const gz = gzipSync(content);
    const flip = (at: number, mask = 0x55) => {
      const b = Buffer.from(gz);
      b[at] ^= mask;
      return b;
    };
    const cases = [flip(3, 0xe0), flip(40), flip(gz.length >> 1), flip(gz.length - 6), flip(gz.length - 2), Buffer.concat([gz, Buffer.from('not gzip')])];
    for (const bad of cases) {
      const want = await streamed(bad);
      const got = await readAll(new Gunzip(source(bad)), 1 << 20);
      expect(want.error).toBeDefined();
      expect(got.error).toEqual(want.error);
      // Both give what was inflated before the failing call (of a block here, of 16 KB there).
      const [short, long] = got.out.length < want.out.length ? [got.out, want.out] : [want.out, got.out];
      expect(long.subarray(0, short.length).equals(short)).toBe(true);
    }
  });

  it('a read error of the source is given after what was inflated before it', async () => {
    const content = text(200_000, 5);
    const gz = gzipSync(content).subarray(0, 50_000);
    const eio = Object.assign(new Error('i/o error'), { code: 'EIO' });
    const res = await readAll(new Gunzip(source(gz, [10_000], eio)));
    expect(res.error).toEqual({ message: 'i/o error', code: 'EIO' });
    expect(res.out.length).toBeGreaterThan(0);
    expect(content.subarray(0, res.out.length).equals(res.out)).toBe(true);
  });

  it('inflates the next block on the thread pool while the main thread is busy', async () => {
    const gunzip = new Gunzip(source(gzipSync(text(9e6, 8))));
    const block = 4 << 20;
    expect(await gunzip.read(Buffer.alloc(block), 0)).toBe(block); // the compressed input is in hand now
    const out = Buffer.alloc(block); // zeros, which the text has none of
    const pending = gunzip.read(out, 0);
    // The main thread does not return to the event loop here: the block fills all the same.
    const until = Date.now() + 10_000;
    while (out[block - 1] === 0 && Date.now() < until);
    expect(out[block - 1]).not.toBe(0);
    expect(await pending).toBe(block);
    await gunzip.close();
  });

  it('closes while a block is being inflated: that read gives 0 once done, later reads give 0, the source is closed', async () => {
    const src = source(gzipSync(text(3e6, 6)));
    const gunzip = new Gunzip(src);
    const buf = Buffer.alloc(1 << 20);
    expect(await gunzip.read(buf, 0)).toBe(buf.length);
    const pending = gunzip.read(buf, 0);
    await gunzip.close();
    expect(await pending).toBe(0);
    expect(await gunzip.read(buf, 0)).toBe(0);
    expect(src.closed).toBe(true);
  });

  it('gives what is inflated of a live pipe before more has come', async () => {
    const gzip = createGzip();
    const out: Buffer[] = [];
    gzip.on('data', (d: Buffer) => out.push(d));
    gzip.write('first line\n');
    await new Promise((resolve) => gzip.flush(resolve));
    const first = Buffer.concat(out.splice(0));
    gzip.end('second line\n');
    await once(gzip, 'end');
    const second = Buffer.concat(out);
    let release!: () => void;
    const more = new Promise<void>((resolve) => { release = resolve; });
    const pieces = [first, second];
    let k = 0;
    const src: ByteSource = {
      async read(buf, at) {
        if (k === 1) await more; // the writer has not sent the rest yet
        return k < pieces.length ? pieces[k++].copy(buf, at) : 0;
      },
      async close() {},
    };
    const gunzip = new Gunzip(src);
    const buf = Buffer.alloc(1 << 20);
    const text = async () => buf.toString('utf8', 0, await gunzip.read(buf, 0));
    expect(await text()).toBe('first line\n');
    release();
    expect(await text()).toBe('second line\n');
    expect(await text()).toBe('');
    await gunzip.close();
  });

  it('a truncated or corrupt .gz through a pipe reads as by name: the same lines, the same error (before: lines lost, `open EEXIST`)', () => {
    const log = connectionLog(0, 30_000, (i) => ({ code: i % 2 ? 1000 : 1011, isBinary: false })); // more than a pipe holds
    const gz = gzipSync(log);
    const corrupt = Buffer.from(gz);
    corrupt[20] ^= 0x55;
    for (const [name, bytes] of [['truncated.log.gz', gz.subarray(0, gz.length - 9)], ['corrupt.log.gz', corrupt]] as const) {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const byName = spawnSync(process.execPath, [CLI, 'analyze', '-o', 'json', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
      // Reading stops at the error, the rest of the pipe unread: `cat` takes the EPIPE.
      const piped = spawnSync('sh', ['-c', `cat "${file}" | "${process.execPath}" "${CLI}" analyze -o json -`], { encoding: 'utf8', maxBuffer: 1 << 28 });
      const [a, b] = [byName, piped].map((r) => (JSON.parse(r.stdout) as Report).input.files[0]);
      expect(a.error).toMatch(/: corrupt or truncated gzip data \(.+\)$/);
      expect(b).toEqual({ ...a, name: 'stdin', error: a.error!.replace(file, 'stdin') });
      expect(piped.stderr).toBe(byName.stderr.replace(file, 'stdin'));
    }
  });

  it('^C while a gzipped pipe is still open: the CLI reports what it read and exits 130', async () => {
    const n = 1000;
    // The gzipped log fits the socket at once, so the signal is timed from the write; under load
    // Node may not have started (killed by the signal) or read it all by then: wait longer.
    const run = async (waitMs: number) => {
      const child = spawn(process.execPath, [CLI, 'analyze', '-o', 'json']);
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
      child.stdin.on('error', () => {});
      const gzip = createGzip();
      gzip.pipe(child.stdin, { end: false });
      gzip.write(connectionLog(0, n, () => ({ code: 1000, isBinary: false })));
      gzip.flush(() => setTimeout(() => child.kill('SIGINT'), waitMs));
      const [code] = (await once(child, 'close')) as [number | null];
      return { code, report: code === 130 ? (JSON.parse(stdout) as Report) : undefined };
    };
    let res = await run(500);
    for (const waitMs of [2_000, 6_000]) {
      if (res.report && res.report.input.lines === 3 * n) break;
      res = await run(waitMs);
    }
    expect(res.code).toBe(130);
    expect(res.report!.input).toMatchObject({ interrupted: true, lines: 3 * n });
    expect(res.report!.summary.closes).toBe(n);
  });

  it('a 30 MB log gzipped, read by name and through a pipe: buffers stay at the two blocks and its own two input buffers', async () => {
    const content = text(30e6, 7);
    const file = join(dir, 'big.log.gz');
    writeFileSync(file, gzipSync(content));
    const script = `
      const { readLines } = await import(dist + 'src/source.js');
      const keep = [];
      let maxBuffers = 0;
      const res = await readLines(process.argv[1], { skip() {}, choose: () => (text, n) => {
        try { keep[n % 20000] = JSON.parse(text); } catch {}
        if (n % 2000 === 0) maxBuffers = Math.max(maxBuffers, process.memoryUsage().arrayBuffers);
      } });
      console.log(JSON.stringify({ bytes: res.bytes, gzip: res.gzip, maxBuffers }));
    `;
    const lines = 5 * 1024 * 1024 + 1; // a block: 4 MiB and room for a 1 MiB line
    const bound = 2 * lines + 2 * (2 << 20) + 512 * 1024;
    for (const [how, args, stdin] of [['by name', [file], undefined], ['through a pipe', ['-'], readFileSync(file)]] as const) {
      const res = inChild<{ bytes: number; gzip: boolean; maxBuffers: number }>(script, [...args], stdin);
      expect(res).toMatchObject({ bytes: content.length, gzip: true });
      console.log(`ArrayBuffers while reading 30 MB gzipped ${how}: at most ${(res.maxBuffers / 1e6).toFixed(2)} MB`);
      expect(res.maxBuffers).toBeLessThan(bound);
    }
  });
});
