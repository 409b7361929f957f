/**
 * Gunzip straight into the blocks the caller reads into.
 *
 * node:zlib's stream (createGunzip) makes a new buffer for every piece it inflates: on a 500 MB
 * log, 500 MB of buffers to collect (about 25 full collections). And it inflates only a piece
 * ahead: the next piece waits for the main thread to take the one before, so while a block is
 * analyzed the thread pool is idle, and inflating and analysis take turns. Here the native
 * handle those streams drive inflates the whole of the next block in one call on the thread
 * pool, into the caller's buffer, while the main thread analyzes the block before: nothing is
 * allocated per block, and memory is the caller's blocks plus two buffers of compressed input.
 *
 * The handle is node:zlib's own (the binding behind `createGunzip()._handle`, driven as zlib.js
 * drives it: `init(windowBits, level, memLevel, strategy, result, callback, dictionary)`,
 * `write(flush, in, inOff, inLen, out, outOff, outLen)`, `onerror`; the same since Node 10), so
 * gzip is read exactly as Node reads it: members one after another (`cat a.gz b.gz`), zero
 * padding after the last, and the same errors (`unexpected end of file`, `incorrect header
 * check`, …) with the same `code`.
 */
import { constants, createGunzip } from 'node:zlib';

/** Where the compressed bytes come from: reads into `buf` from `at`, 0 at the end. */
export interface ByteSource {
  read(buf: Buffer, at: number): Promise<number>;
  close(): Promise<void>;
}

/** node:zlib's native handle, as zlib.js uses it. */
interface ZlibHandle {
  init(windowBits: number, level: number, memLevel: number, strategy: number, result: Uint32Array, written: () => void, dictionary: undefined): void;
  write(flush: number, input: Buffer, inOff: number, inLen: number, out: Buffer, outOff: number, outLen: number): void;
  close(): void;
  onerror: (message: string, errno: number, code: string) => void;
}

let Handle: (new (mode: number) => ZlibHandle) | undefined;

function gunzipHandle(): ZlibHandle {
  if (Handle === undefined) {
    const probe = createGunzip();
    Handle = (probe as unknown as { _handle: ZlibHandle })._handle.constructor as new (mode: number) => ZlibHandle;
    probe.close();
  }
  return new Handle(constants.GUNZIP);
}

/** Compressed bytes read at a time (about 13 MB of a log once inflated). */
const CHUNK = 1024 * 1024;
/**
 * Room before a chunk for what is left of the chunk before. The next chunk takes over once less
 * than this is left, so that a block is inflated from one call's input.
 */
const ROOM = CHUNK;

interface Job {
  out: Buffer;
  /** Where this read began in `out`, where the next write goes, and `out`'s end (taken once: `out` may be a view of memory that grows). */
  start: number;
  at: number;
  end: number;
  resolve(n: number): void;
  reject(err: unknown): void;
}

export class Gunzip {
  private readonly handle = gunzipHandle();
  /** After a write: the output room left, the input left. */
  private readonly result = new Uint32Array(2);
  /** Compressed input: one being inflated (`cur`), the other read into meanwhile. */
  private readonly chunks = [Buffer.allocUnsafe(ROOM + CHUNK), Buffer.allocUnsafe(ROOM + CHUNK)];
  private cur = 0;
  private inPos = ROOM;
  private inEnd = ROOM;
  /** The read of the next chunk, under way or done; undefined before the first. */
  private ahead: Promise<void> | undefined;
  /** The next chunk's length once read (0: the input's end); -1 while reading. */
  private aheadLen = -1;
  private aheadError: unknown;
  /** The input is all in hand. */
  private last = false;
  private flush = constants.Z_NO_FLUSH;
  private job: Job | undefined;
  private ended = false;
  private failure: Error | undefined;
  private closed = false;
  /** A write is under way on the thread pool; `idle` is called when it is done. */
  private writing = false;
  private idle: (() => void) | undefined;

  constructor(private readonly source: ByteSource) {
    this.handle.onerror = (message, errno, code) => {
      this.writeDone();
      this.fail(Object.assign(new Error(message), { errno, code }));
    };
    this.handle.init(0, constants.Z_DEFAULT_COMPRESSION, constants.Z_DEFAULT_MEMLEVEL, constants.Z_DEFAULT_STRATEGY, this.result, () => this.written(), undefined);
  }

  /**
   * Inflates into `out` from `at` up to its end: the number of bytes, 0 at the end of the data.
   * Less than fills it only at the end, or when a pipe has given all it had so far.
   */
  read(out: Buffer, at: number): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended || this.closed) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      this.job = { out, start: at, at, end: out.length, resolve, reject };
      this.step();
    });
  }

  /** Inflates more into the job's block, once input is in hand. */
  private step(): void {
    const job = this.job;
    if (!job || this.closed) return;
    if (this.inEnd - this.inPos < ROOM && !this.last) {
      if (this.aheadError !== undefined) return this.fail(this.aheadError);
      if (this.aheadLen === 0) this.last = true;
      else if (this.aheadLen > 0) this.next();
      else if (this.ahead === undefined) this.readAhead();
    }
    const left = this.inEnd - this.inPos;
    if (left === 0 && !this.last) {
      // A live pipe is analyzed as it flows: what is inflated is given before waiting for more.
      if (job.at > job.start) return this.done(job, false);
      void this.ahead!.then(() => this.step());
      return;
    }
    // As zlib's stream ends: the input inflated as it comes, then a last call with none (so a
    // truncated input's error costs no output).
    this.flush = this.last && left === 0 ? constants.Z_FINISH : constants.Z_NO_FLUSH;
    const room = job.end - job.at;
    this.writing = true;
    this.handle.write(this.flush, this.chunks[this.cur], this.inPos, left, job.out, job.at, room);
  }

  private writeDone(): void {
    this.writing = false;
    this.idle?.();
  }

  /** The next chunk, read, takes over; what is left of this one is copied before it. */
  private next(): void {
    const from = this.chunks[this.cur];
    const to = this.chunks[this.cur ^ 1];
    const left = this.inEnd - this.inPos;
    from.copy(to, ROOM - left, this.inPos, this.inEnd);
    this.inPos = ROOM - left;
    this.inEnd = ROOM + this.aheadLen;
    this.cur ^= 1;
    this.readAhead();
  }

  private readAhead(): void {
    this.aheadLen = -1;
    this.ahead = this.source.read(this.chunks[this.cur ^ 1], ROOM).then(
      (n) => { this.aheadLen = n; },
      (err: unknown) => { this.aheadError = err ?? new Error('read failed'); },
    );
  }

  /** A write is done (on the main thread): the block is full, the data ended, or more input is needed. */
  private written(): void {
    this.writeDone();
    const job = this.job;
    if (!job || this.closed) return;
    const room = this.result[0];
    const left = this.result[1];
    this.inPos = this.inEnd - left;
    job.at = job.end - room;
    if (room > 0 && left === 0 && this.flush !== constants.Z_FINISH) return this.step();
    // Room left with input left: the data ended before it (zero padding after the last
    // member), which zlib's stream also takes for the end.
    this.done(job, room > 0);
  }

  private done(job: Job, ended: boolean): void {
    this.ended = ended;
    this.job = undefined;
    job.resolve(job.at - job.start);
  }

  private fail(err: unknown): void {
    this.failure ??= err instanceof Error ? err : new Error(String(err));
    this.shut();
    const job = this.job;
    this.job = undefined;
    // What this read inflated before the failure is read first; the next read fails.
    if (job && job.at > job.start) job.resolve(job.at - job.start);
    else job?.reject(this.failure);
  }

  /** Frees zlib's state (after the write under way, if any: zlib waits for it). */
  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.close();
  }

  /** Ends reading (a read under way gives 0, once zlib no longer writes into its buffer) and closes the source. */
  async close(): Promise<void> {
    this.shut();
    if (this.writing) await new Promise<void>((resolve) => { this.idle = resolve; });
    const job = this.job;
    this.job = undefined;
    job?.resolve(0);
    await this.source.close();
  }
}
