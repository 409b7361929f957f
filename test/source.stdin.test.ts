/**
 * Stdin read through one reused buffer (a file, or a pipe through net.Socket's `onread`), and a
 * named pipe read the same way: the lines and their numbers are those of the same bytes read
 * from a file, however the pipe delivers them (pieces that split lines, pauses, gzip); reading
 * allocates no buffer per read (a stream's per-read Buffers used to pile up as external memory
 * behind a fast pipe), and a fast pipe is read in blocks of MBs, not a pipe's 64 KB at a time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLog } from '../bench/pino-log.js';
import { readLines } from '../src/source.js';
import { inChild, inChildFed } from './support/heap.js';

const dir = mkdtempSync(join(tmpdir(), 'wsclose-stdin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const small = join(dir, 'small.log');
const big = join(dir, 'big.log');

interface Read { lines: number; gzip: boolean; digest: string; maxBuffers: number; reads: number }

/**
 * Reads stdin with readLines: a digest of every line and its number, and the most memory held
 * by ArrayBuffers while it read. The handler parses each line and keeps the last 20,000, as a
 * parser and the correlator do: objects that survive make V8 collect the young generation, and
 * with it any per-read Buffers, less often.
 */
const READ_STDIN = `
  const { createHash } = await import('node:crypto');
  const { readLines } = await import(dist + 'src/source.js');
  const hash = createHash('sha1');
  const keep = [];
  let maxBuffers = 0;
  let reads = 0;
  const res = await readLines('-', { skip() {}, onProgress: () => { reads++; }, choose: () => (text, n) => {
    hash.update(n + ':' + text + '\\n');
    try { keep[n % 20000] = JSON.parse(text); } catch {}
    if (n % 2000 === 0) maxBuffers = Math.max(maxBuffers, process.memoryUsage().arrayBuffers);
  } });
  console.log(JSON.stringify({ lines: res.lines, gzip: res.gzip, digest: hash.digest('hex'), maxBuffers, reads }));
`;

/** The same digest, of a file (or a named pipe) read by name in this process, and how many reads gave its bytes. */
async function readByName(file: string): Promise<{ lines: number; digest: string; reads: number }> {
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha1');
  let reads = 0;
  const res = await readLines(file, { skip() {}, onProgress: () => { reads++; }, choose: () => (text, n) => { hash.update(`${n}:${text}\n`); } });
  return { lines: res.lines, digest: hash.digest('hex'), reads };
}

/** The same digest, of the file read by name. */
async function fromFile(file: string): Promise<{ lines: number; digest: string }> {
  const { reads: _, ...read } = await readByName(file);
  return read;
}

/** A fast pipe's 30 MB took 133 reads when each took what had come by the end of the event loop's turn. */
const FEW_READS = 40;

function write(path: string, bytes: number, wsShare: number) {
  const fd = openSync(path, 'w');
  writeLog({ seed: 5, wsShare, concurrency: 100 }, bytes, (chunk: string) => writeSync(fd, chunk));
  closeSync(fd);
}

beforeAll(() => {
  write(small, 300_000, 0.5);
  write(big, 30e6, 1);
});

describe('stdin', () => {
  it('a slow pipe, in pieces that split lines and with pauses, gives the lines of the file', async () => {
    const data = readFileSync(small);
    const res = await inChildFed<Read>(READ_STDIN, async (stdin) => {
      for (let at = 0, i = 0; at < data.length; i++) {
        const piece = data.subarray(at, at + [1, 7, 300, 4096, 65536, 150_000][i % 6]);
        at += piece.length;
        stdin.write(piece);
        if (i % 5 === 0) await new Promise((r) => setTimeout(r, 5));
      }
    });
    expect(res.lines).toBeGreaterThan(1000);
    expect(res).toMatchObject({ ...(await fromFile(small)), gzip: false });
  });

  it('gzip through a pipe is read as gzip', async () => {
    writeFileSync(join(dir, 'small.log.gz'), gzipSync(readFileSync(small)));
    const res = inChild<Read>(READ_STDIN, [], readFileSync(join(dir, 'small.log.gz')));
    expect(res).toMatchObject({ ...(await fromFile(small)), gzip: true });
  });

  it('a file on stdin (`< file`) is read as the file', async () => {
    const fd = openSync(small, 'r');
    try {
      expect(inChild<Read>(READ_STDIN, [], fd)).toMatchObject(await fromFile(small));
    } finally {
      closeSync(fd);
    }
  });

  it('an empty pipe gives no lines', () => {
    expect(inChild<Read>(READ_STDIN, [], Buffer.alloc(0))).toMatchObject({ lines: 0, gzip: false });
  });

  it('30 MB through a pipe: buffers stay at the two blocks the lines are read into (4 MiB and room for a 1 MiB line each) and one read', async () => {
    const res = inChild<Read>(READ_STDIN, [], readFileSync(big));
    expect(res).toMatchObject(await fromFile(big));
    console.log(`ArrayBuffers while reading 30 MB through a pipe: at most ${(res.maxBuffers / 1e6).toFixed(2)} MB; ${res.reads} reads`);
    // One block is analyzed while the next is read into the other.
    expect(res.maxBuffers).toBeLessThan(2 * (5 * 1024 * 1024 + 1) + 512 * 1024);
    // In blocks of MBs: each block has its fixed costs (GATHER_MS in source.ts).
    expect(res.reads).toBeLessThan(FEW_READS);
  });
});

describe('a named pipe', () => {
  it('is read as a pipe on stdin is: every line at its number, in blocks of MBs', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', 'exec cat "$1" > "$2"', 'sh', big, fifo], { stdio: 'ignore' });
    const { reads, ...res } = await readByName(fifo);
    expect(await new Promise((resolve) => writer.on('close', resolve))).toBe(0);
    console.log(`30 MB through a named pipe: ${reads} reads`);
    expect(res).toEqual(await fromFile(big));
    // Read by the thread pool, a fifo gave a pipe's 64 KB a read: about 460 reads.
    expect(reads).toBeLessThan(FEW_READS);
  });
});
