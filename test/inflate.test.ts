/** Gzip gunzipped on a worker thread, from a file or a pipe: every byte in order, errors as zlib names them, no hang. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { gunzip } from '../src/inflate.js';
import type { Reader } from '../src/source.js';

const dir = mkdtempSync(join(tmpdir(), 'wsclose-inflate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Everything read, `size` bytes at a time (at an offset, as the line reader does), and how it ended. */
async function readAll(path: string, size: number, piped = false): Promise<{ bytes: Buffer; error?: NodeJS.ErrnoException; progress: number }> {
  let progress = 0;
  const input = gunzip(piped ? await pipeOf(path) : path, (n) => { progress += n; });
  const parts: Buffer[] = [];
  const buf = Buffer.alloc(size + 7);
  try {
    for (let n; (n = await input.read(buf, 7)) > 0;) parts.push(Buffer.from(buf.subarray(7, 7 + n)));
    return { bytes: Buffer.concat(parts), progress };
  } catch (error) {
    return { bytes: Buffer.concat(parts), error: error as NodeJS.ErrnoException, progress };
  } finally {
    await input.close();
  }
}

/**
 * The file's bytes through a real pipe (`cat`), read as the line reader reads a named pipe: its
 * first bytes already taken (`head`), as when the gzip magic was looked for.
 */
async function pipeOf(path: string): Promise<{ reader: Reader; head: Buffer }> {
  const cat = spawn('cat', [path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const it = cat.stdout[Symbol.asyncIterator]();
  let rest = Buffer.alloc(0);
  const reader: Reader = {
    async read(buf, at) {
      if (rest.length === 0) {
        const next = await it.next();
        if (next.done) return 0;
        rest = next.value as Buffer;
      }
      const n = rest.copy(buf, at);
      rest = rest.subarray(n);
      return n;
    },
    async close() { cat.kill(); },
  };
  const head = Buffer.alloc(3);
  const n = await reader.read(head, 0);
  return { reader, head: head.subarray(0, n) };
}

/** 12 MB that compress to about half (random hex): more than the worker's two 4 MB slots. */
const plain = Buffer.from(Array.from({ length: 110_000 }, (_, i) => `line ${i} ${randomBytes(48).toString('hex')}\n`).join(''));

describe('gunzip', () => {
  it('hands over every byte in order, in reads of any size, and counts the compressed bytes read', async () => {
    const gz = gzipSync(plain);
    const path = file('big.gz', gz);
    for (const size of [4 * 1024 * 1024, 1_000_003, 65_536]) {
      const { bytes, error, progress } = await readAll(path, size);
      expect(error).toBeUndefined();
      expect(bytes.equals(plain)).toBe(true);
      expect(progress).toBe(gz.length);
    }
  });

  it('from a pipe (the bytes passed on by the main thread, at most a few chunks ahead): the same bytes, and its errors', async () => {
    const gz = gzipSync(plain);
    const whole = await readAll(file('piped.gz', gz), 4 * 1024 * 1024, true);
    expect(whole.error).toBeUndefined();
    expect(whole.bytes.equals(plain)).toBe(true);
    expect(whole.progress).toBe(gz.length);
    const cut = await readAll(file('piped-cut.gz', gz.subarray(0, gz.length >> 1)), 65_536, true);
    expect(cut.error?.code).toBe('Z_BUF_ERROR');
    expect(cut.bytes.equals(plain.subarray(0, cut.bytes.length))).toBe(true);
    expect(cut.bytes.length).toBeGreaterThan(4 * 1024 * 1024);
  });

  it('reads concatenated members (cat a.gz b.gz) as one stream, as gunzip does', async () => {
    const a = Buffer.from('first\n'.repeat(1000));
    const b = Buffer.from('second\n'.repeat(1000));
    const { bytes, error } = await readAll(file('two.gz', Buffer.concat([gzipSync(a), gzipSync(b)])), 4096);
    expect(error).toBeUndefined();
    expect(bytes.equals(Buffer.concat([a, b]))).toBe(true);
  });

  it('a truncated .gz: what was inflated before the cut comes first, then zlib\'s error with its code', async () => {
    const gz = gzipSync(plain);
    const { bytes, error } = await readAll(file('cut.gz', gz.subarray(0, gz.length >> 1)), 4 * 1024 * 1024);
    expect(error?.code).toBe('Z_BUF_ERROR');
    expect(error?.message).toBe('unexpected end of file');
    expect(bytes.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(bytes.equals(plain.subarray(0, bytes.length))).toBe(true);
  });

  it('corrupt data after the gzip magic fails with Z_DATA_ERROR; a missing file with ENOENT', async () => {
    const corrupt = await readAll(file('bad.gz', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff])), 4096);
    expect(corrupt.error?.code).toBe('Z_DATA_ERROR');
    const missing = await readAll(join(dir, 'none.gz'), 4096);
    expect(missing.error?.code).toBe('ENOENT');
    expect(missing.bytes.length).toBe(0);
  });

  it('close() stops a worker that is waiting for its slots to be read', async () => {
    const input = gunzip(file('wait.gz', gzipSync(plain)));
    const buf = Buffer.alloc(1024);
    expect(await input.read(buf, 0)).toBe(1024); // both slots fill; the worker then waits
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await input.close();
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
