/**
 * Reads an input (a file, or `-` for stdin) as lines: gzip is recognized by its magic bytes,
 * CRLF is folded, and a line longer than the limit is skipped and counted, never buffered whole.
 *
 * Bytes are read in blocks of whole lines. When the handler brings a prefilter (its parser
 * knows which bytes a line that matters must contain), native scans of the block find the
 * lines worth decoding (prefilter.ts); the lines between are only counted, for exact line
 * numbers, never decoded: no string per skipped line.
 */
import { once } from 'node:events';
import { closeSync, fstatSync, open as openFdCallback, openSync, read as readFd, readSync } from 'node:fs';
import { type FileHandle, open as openFile, stat } from 'node:fs/promises';
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import { addAbortSignal, Readable } from 'node:stream';
import type { LineParser, Prefilter } from '../parsers/parser.js';
import { isCapture, tsharkStream } from './capture.js';
import { isJsonFile, JsonFileLines, PART } from './json-file.js';
import { BlockFilter, SAMPLE, Sweep } from './prefilter.js';

export interface LineHandler {
  (text: string, lineNo: number): void;
  /**
   * What a line worth reading contains (its parser's `prefilter`): the lines without it are
   * counted (`prefiltered`) but never decoded nor given to the handler.
   */
  prefilter?: Prefilter;
  /** Takes a line as its UTF-8 bytes instead (LineParser.bytes): it is then never decoded here. */
  bytes?(buf: Buffer, start: number, end: number, lineNo: number): void;
  /** Told the lines of a block that `bytes` will be given, before them. */
  ahead?: LineParser['ahead'];
  /**
   * What each line loses before it is read (a collector's prefix, prefix.ts): `block` takes it
   * off every line of a block in place and gives the block's new end, so that the prefilter
   * sees each line as it starts; `line` takes it off one line's text (the lines read before the
   * handler was chosen). `sweep`: where the blocks are read, for `block` to run there; `lineNo`:
   * the line before the block's first.
   */
  trim?: { block(buf: Buffer, start: number, end: number, sweep: Sweep | undefined, lineNo: number): number; line(text: string): string };
}

export interface ReadOptions {
  /** Lines longer than this many bytes are skipped (reason `too-long`). */
  maxLineBytes?: number;
  /** How many first lines `choose` sees. */
  sampleLines?: number;
  /**
   * Called with the first lines; returns the handler for every line (including those).
   * `capture`: the input was a packet capture and the lines are tshark's decoding of it.
   */
  choose(sample: string[], capture: boolean): LineHandler;
  /** A line that was skipped before reaching the handler. */
  skip(reason: string): void;
  /** Bytes read from the input (before gunzip), per chunk: for progress. */
  onProgress?(bytes: number): void;
  /** Stops reading (SIGINT): `readLines` then fails with a ReadError holding what was read. */
  signal?: AbortSignal;
}

export interface ReadResult {
  lines: number;
  bytes: number;
  gzip: boolean;
  capture: boolean;
  /** The input was Docker's json-file records, read unwrapped (json-file.ts). */
  jsonFile: boolean;
  /** Lines the handler's prefilter ruled out: counted, not read. */
  prefiltered: number;
  /** The first bytes read (gunzipped), to tell what an input no parser reads is (unreadable.ts). */
  head: Buffer;
}

const NL = 10;
const CR = 13;
const BLOCK = 4 * 1024 * 1024;
/**
 * The first read is short: a block's memory is fresh, each 4 KB page of it made on its first
 * write (14 µs a page on the bench's VM, about 15 ms for a whole block), and the main thread
 * has nothing to do until the first block is in. The rest of the pages are made by the reads
 * after it, while blocks are analyzed. It holds the prefilter's sample with room for a line.
 */
export const FIRST_READ = SAMPLE + 64 * 1024;
const PLAIN_BLOCKS = 15;
/** Bytes kept of an input's start: tar's magic ends at 262. */
const HEAD_KEPT = 512;

export async function readLines(name: string, opts: ReadOptions): Promise<ReadResult> {
  const max = opts.maxLineBytes ?? 1024 * 1024;
  const lines = new Lines(opts, max);
  const input = unwrapped(await open(name, opts.onProgress, opts.signal), max);
  lines.capture = input.capture;
  lines.size = input.size;
  let bytes = 0;
  // Two buffers: while the block in one is analyzed, the next read fills the other (on the
  // thread pool, for a file or a .gz). Each has room before `at` for a partial line (at most
  // `max` bytes), copied there from the block before. Both are in the prefilter's memory
  // (Sweep), so that its kernel sweeps each block where it was read.
  const at = max + 1;
  const sweep = Sweep.lease();
  lines.sweep = sweep;
  let [next, spare] = sweep.blocks(at + BLOCK);
  let pending = input.read(next.subarray(0, at + FIRST_READ), at);
  let head = Buffer.alloc(0);
  try {
    let len = 0;
    let overlong = false;
    for (;;) {
      opts.signal?.throwIfAborted();
      const n = await pending;
      if (n === 0) break;
      if (bytes === 0) lines.parts = input.jsonFile === true; // known from the first read on
      bytes += n;
      const buf = next;
      next = spare;
      spare = buf;
      pending = input.read(next, at);
      const end = at + n;
      let start = at - len;
      if (bytes === n) {
        head = Buffer.from(buf.subarray(at, Math.min(end, at + HEAD_KEPT)));
        // A UTF-8 byte order mark (Windows editors, PowerShell's Out-File) is not part of the first line.
        if (buf[at] === 0xef && buf[at + 1] === 0xbb && buf[at + 2] === 0xbf) start += 3;
      }
      if (overlong) {
        const nl = buf.indexOf(NL, at);
        if (nl < 0 || nl >= end) { len = 0; continue; }
        lines.tooLong();
        overlong = false;
        start = nl + 1;
      }
      const last = buf.lastIndexOf(NL, end - 1);
      if (last >= start) {
        lines.block(buf, start, last + 1);
        start = last + 1;
      }
      len = end - start;
      if (len > max) {
        // Drop what is buffered of this line and the rest of it as it comes.
        overlong = true;
        len = 0;
      } else buf.copy(next, at - len, start, end);
    }
    if (overlong) lines.tooLong();
    else if (len > 0) {
      // The last line, copied to the start of the buffer that the last read (of nothing) was given.
      next[at] = NL; // the last line has no line break: give it one
      lines.block(next, at - len, at + 1);
    }
  } catch (err) {
    pending.catch(() => 0); // a read still under way when analysis failed: its outcome no longer matters
    // Lines read before a failure (a truncated .gz, SIGINT) are still analyzed and counted.
    lines.finish(input.capture);
    throw new ReadError(err, { lines: lines.lineNo, bytes, gzip: input.gzip, capture: input.capture, jsonFile: input.jsonFile === true, prefiltered: lines.prefiltered, head });
  } finally {
    await input.close();
  }
  lines.finish(input.capture);
  sweep.release(); // no read is under way (after a failure one may be: the sweep is then left to the collector)
  return { lines: lines.lineNo, bytes, gzip: input.gzip, capture: input.capture, jsonFile: input.jsonFile === true, prefiltered: lines.prefiltered, head };
}

/** The input failed midway; `read` is what was read before. */
export class ReadError extends Error {
  constructor(readonly cause: unknown, readonly read: ReadResult) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Numbers lines, hands the first ones to `choose`, and the rest to the chosen handler. */
class Lines {
  lineNo = 0;
  prefiltered = 0;
  private handler: LineHandler | undefined;
  private filter: BlockFilter | undefined;
  /** The last line read was of an odd shape: the next one is read too. */
  private afterOdd = false;
  /** Blocks to read whole before the prefilter is tried again. */
  private plainBlocks = 0;
  /** The lines, and lines prefiltered, of the first block scanned, judged with the second (see `block`); -1 before it. */
  private firstLines = -1;
  private firstSkipped = 0;
  private readonly sample: [string, number][] = [];
  private readonly sampleSize: number;

  /** The lines are tshark's decoding of a packet capture. */
  capture = false;
  /** The lines are unwrapped json-file records, some of them parts (json-file.ts). */
  parts = false;
  /** Bytes of the input, when known before reading it: the prefilter places its anchors by it. */
  size: number | undefined;
  /** Where the blocks are read: a block there is swept in place. */
  sweep: Sweep | undefined;

  constructor(private readonly opts: ReadOptions, private readonly max: number) {
    this.sampleSize = opts.sampleLines ?? 50;
  }

  tooLong(): void {
    this.lineNo++;
    this.opts.skip('too-long');
  }

  /** Whole lines: `end - 1` is a line break. */
  block(buf: Buffer, start: number, end: number): void {
    // The first lines are the sample the handler is chosen by, read as they are.
    let pos = this.oneByOne(buf, start, end, () => this.handler !== undefined);
    const trim = this.handler?.trim;
    if (trim && pos < end) end = trim.block(buf, pos, end, this.sweep, this.lineNo);
    pos = this.oneByOne(buf, pos, end, () => this.handler!.prefilter !== undefined && this.plainBlocks === 0);
    if (pos < end) {
      const before = this.lineNo;
      const skippedBefore = this.prefiltered;
      this.filtered(buf, pos, end, this.filter ??= BlockFilter.of(this.handler!.prefilter!, this.size));
      let lines = this.lineNo - before;
      let skipped = this.prefiltered - skippedBefore;
      // The first block, a short first read's, is not judged alone: a log's first few hundred KB
      // (its connections opening) may not be like the rest.
      if (this.firstLines < 0) {
        this.firstLines = lines;
        this.firstSkipped = skipped;
        return;
      }
      lines += this.firstLines;
      skipped += this.firstSkipped;
      this.firstLines = this.firstSkipped = 0;
      // Most lines matter here (a log of WebSocket events only): scanning does not pay, so
      // read the next blocks whole, and try again later.
      if (lines > 2 * skipped) this.plainBlocks = PLAIN_BLOCKS;
    } else if (this.plainBlocks > 0) {
      this.plainBlocks--;
      this.afterOdd = true; // the next block's first line follows lines all read
    }
  }

  /** Reads the lines from `pos` one by one until `done()` or `end`; where it stopped. */
  private oneByOne(buf: Buffer, pos: number, end: number, done: () => boolean): number {
    while (pos < end && !done()) {
      const nl = buf.indexOf(NL, pos);
      this.line(buf, pos, nl);
      pos = nl + 1;
    }
    return pos;
  }

  /**
   * One native scan for the needles; only the lines they hit are decoded, with the lines of an
   * odd shape and the first line after them (which ends what they were part of). The others
   * are numbered, not decoded: the scan counts them.
   */
  private filtered(buf: Buffer, start: number, end: number, filter: BlockFilter): void {
    const found = filter.scan(buf, start, end, this.sweep);
    const { starts, oddStarts } = found;
    this.handler!.ahead?.(buf, starts, found.ends, found.hits);
    const base = this.lineNo;
    let cursor = start; // the first line not yet read or skipped
    let index = 0; // its index in the block
    let read = 0;
    for (let h = 0, o = 0; ;) {
      let p: number;
      let nl: number;
      if (this.afterOdd && cursor < end) {
        p = cursor;
        nl = buf.indexOf(NL, p);
      } else {
        // The next line with a needle or odd, whichever comes first; those behind were read.
        while (h < found.hits && starts[h] < cursor) h++;
        while (o < found.odd && oddStarts[o] < cursor) o++;
        if (h < found.hits && (o === found.odd || starts[h] <= oddStarts[o])) {
          p = starts[h];
          nl = found.ends[h];
          index = found.indexes[h++];
        } else if (o < found.odd) {
          p = oddStarts[o];
          nl = buf.indexOf(NL, p);
          index = found.oddIndexes[o++];
        } else break;
      }
      this.afterOdd = filter.odd(buf, p, end);
      this.lineNo = base + index;
      this.line(buf, p, nl);
      read++;
      cursor = nl + 1;
      index++;
    }
    this.lineNo = base + found.lines;
    this.prefiltered += found.lines - read;
  }

  private line(buf: Buffer, start: number, nl: number): void {
    if (nl - start > this.max) {
      this.tooLong();
      return;
    }
    if (this.parts && buf[start] === PART && nl - start === 1) {
      this.lineNo++; // a part of a longer line, read on its last part's line (json-file.ts)
      return;
    }
    const end = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
    const lineNo = ++this.lineNo;
    const handler = this.handler;
    if (handler?.bytes) return handler.bytes(buf, start, end, lineNo);
    const text = buf.toString('utf8', start, end);
    if (handler) return handler(text, lineNo);
    this.sample.push([text, lineNo]);
    if (this.sample.length >= this.sampleSize) this.decide();
  }

  private decide(): void {
    const handler = this.opts.choose(this.sample.map(([t]) => t), this.capture);
    this.handler = handler;
    for (const [t, n] of this.sample) handler(handler.trim ? handler.trim.line(t) : t, n);
    this.sample.length = 0;
  }

  finish(capture: boolean): void {
    this.capture = capture;
    if (!this.handler) this.decide();
  }
}

interface Input {
  gzip: boolean;
  capture: boolean;
  /** Read unwrapped from Docker's json-file records: known from the first read on. */
  jsonFile?: boolean;
  /** Bytes it holds, when known before reading it (a file, not gzipped). */
  size?: number;
  /** Reads into `buf` from `at`: the number of bytes, 0 at the end. */
  read(buf: Buffer, at: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * The input's bytes, gunzipped when it starts with gzip's magic, decoded by tshark when it is
 * a packet capture.
 */
async function open(name: string, onProgress?: (bytes: number) => void, signal?: AbortSignal): Promise<Input> {
  let stream: Readable;
  let head: Buffer;
  const raw = name === '-' ? stdinReader(signal) : await namedPipe(name, signal);
  if (raw) {
    head = Buffer.allocUnsafe(HEAD);
    let n = 0;
    for (let k; n < 4 && (k = await raw.read(head, n)) > 0;) n += k;
    head = head.subarray(0, n);
    if (!isCapture(head)) return gunzipped(head, readerInput(raw, head, onProgress));
    stream = Readable.from(chunks(raw, head), { objectMode: false });
  } else if (name === '-') {
    stream = process.stdin; // a terminal
    // A pipe that is still open blocks a read: aborting ends the stream, and the read with it.
    if (signal) addAbortSignal(signal, stream);
    await once(stream, 'readable', { signal });
    const first = stream.read() as Buffer | null;
    if (first === null) return streamInput(stream, false, onProgress);
    stream.unshift(first);
    head = first;
    if (!isCapture(head)) return gunzipped(head, streamInput(stream, false, onProgress));
  } else {
    const fh = await openFile(name, 'r');
    head = Buffer.alloc(4);
    try {
      head = head.subarray(0, (await fh.read(head, 0, 4, 0)).bytesRead);
    } catch (err) {
      await fh.close(); // a directory opens, then fails to read: left open, Node warns on stderr when it is collected
      throw err;
    }
    if (!isCapture(head)) return gunzipped(head, readerInput(fileReader(fh, (await fh.stat()).size), undefined, onProgress));
    await fh.close();
    onProgress?.(head.length);
    return streamInput(tsharkStream(name), true); // tshark reads the file itself
  }
  if (onProgress) stream.on('data', (chunk: Buffer) => onProgress(chunk.length));
  return streamInput(tsharkStream(stream), true);
}

/**
 * `input` gunzipped when `head`, its first bytes, are gzip's magic (inflated ahead into the
 * reader's blocks: inflate.ts, loaded only then with node:zlib: a few ms of every start).
 */
async function gunzipped(head: Buffer, input: Input): Promise<Input> {
  if (!isGzip(head)) return input;
  const { Gunzip } = await import('./inflate.js');
  const gunzip = new Gunzip(input);
  return { gzip: true, capture: false, read: (buf, at) => gunzip.read(buf, at), close: () => gunzip.close() };
}

/**
 * `input` as the container wrote it when its first line is a record of Docker's json-file driver
 * (json-file.ts), else as it is. Once known to be such records, its bytes are read into the
 * unwrapper's memory (`max` bytes of room for a line cut by the read before), and its whole lines
 * unwrapped are copied into the reader's block; the first read, already in the block, is copied
 * there first.
 */
function unwrapped(input: Input, max: number): Input {
  let plain = false;
  let lines: JsonFileLines | undefined;
  let start = 0;
  let end = 0;
  let eof = false;
  /** Dropping the rest of a line too long for `raw`: it was given as a line over `max` bytes. */
  let overlong = false;
  /** `lines.out`'s `n` bytes into `buf` at `at`. */
  const give = (buf: Buffer, at: number, n: number) => lines!.out.copy(buf, at, 0, n);
  const unwrap = async (buf: Buffer, at: number): Promise<number> => {
    const { raw } = lines!;
    const room = buf.length - at;
    for (;;) {
      const nl = end > start ? raw.lastIndexOf(NL, end - 1) : -1; // a negative offset would count from the end
      if (nl >= start) {
        start = lines!.unwrap(start, nl + 1, room);
        if (lines!.written > 0) return give(buf, at, lines!.written);
      }
      if (eof) {
        if (start < end) raw[end++] = NL; // the last line has no line break: give it one
        else {
          lines!.finish(room);
          return give(buf, at, lines!.written);
        }
        continue;
      }
      raw.copy(raw, 0, start, end);
      end -= start;
      start = 0;
      if (end === raw.length - 1) {
        // No line break in all of it: given as one line too long, the rest of it dropped.
        const n = Math.min(max + 1, room - 1);
        raw.copy(buf, at, 0, n);
        buf[at + n] = NL;
        end = 0;
        overlong = true;
        return n + 1;
      }
      const n = await input.read(raw.subarray(0, raw.length - 1), end); // a byte kept for the last line's break
      if (n === 0) eof = true;
      else if (overlong) {
        const br = raw.indexOf(NL, end);
        if (br < 0 || br >= end + n) continue;
        overlong = false;
        start = br + 1;
      }
      end += n;
    }
  };
  return {
    gzip: input.gzip,
    capture: input.capture,
    size: input.size,
    get jsonFile() {
      return lines !== undefined;
    },
    async read(buf, at) {
      if (plain) return input.read(buf, at);
      if (lines !== undefined) return unwrap(buf, at);
      // Decided on the first whole line (a pipe may give less at first).
      let n = 0;
      for (let k; (k = await input.read(buf, at + n)) > 0;) {
        const br = buf.indexOf(NL, at + n); // in what this read gave
        n += k;
        if ((br >= 0 && br < at + n) || at + n === buf.length) break;
      }
      if (n === 0 || !isJsonFile(buf, at, at + n)) {
        plain = true;
        return n;
      }
      lines = new JsonFileLines(max, BLOCK + max + 2, BLOCK);
      end = buf.copy(lines.raw, 0, at, at + n);
      return unwrap(buf, at);
    },
    close: () => input.close(),
  };
}

/**
 * A named input that is not a regular file, read in turn as it comes: a named pipe, or a
 * shell's process substitution (`wsclose analyze <(kubectl logs …)`), which cannot be read at
 * a position. Undefined for a regular file (or what fails to stat, reported when read).
 */
async function namedPipe(name: string, signal?: AbortSignal): Promise<Reader | undefined> {
  const st = await stat(name).catch(() => undefined);
  if (st === undefined || st.isFile() || st.isDirectory()) return undefined;
  // A fifo is read as a pipe on stdin is, not by the thread pool: a read there gave a pipe's 64 KB
  // at most, and each cost the main thread a wake-up of a pool thread. Opened by number, as the
  // socket closes it.
  if (st.isFIFO()) return pipeReader(await openFd(name, 'r'), signal);
  return fileReader(await openFile(name, 'r'));
}

/** Opens `name` by number, on the thread pool: a fifo's open waits for its writer. */
function openFd(name: string, flags: string): Promise<number> {
  return new Promise((resolve, reject) => openFdCallback(name, flags, (err, fd) => (err ? reject(err) : resolve(fd))));
}

/** An open file read in turn from where the last read ended. */
function fileReader(fh: FileHandle, size?: number): Reader {
  return { read: async (buf, at) => (await fh.read(buf, at, buf.length - at, null)).bytesRead, close: () => fh.close(), size };
}

/** Reads into a buffer the caller owns, so reading allocates nothing per read. */
interface Reader {
  /** Bytes it holds, when known (a file). */
  size?: number;
  /** Reads into `buf` from `at`: the number of bytes, 0 at the end. */
  read(buf: Buffer, at: number): Promise<number>;
  close(): Promise<void>;
}

/** What is read of a pipe on stdin before its first bytes say whether it is gzip or a capture. */
const HEAD = 64 * 1024;

/** A plain input: `head` (bytes already read) first, then the reader's. */
function readerInput(reader: Reader, head: Buffer | undefined, onProgress?: (bytes: number) => void): Input {
  let first = head?.length ? head : undefined;
  return {
    gzip: false,
    capture: false,
    size: reader.size,
    async read(buf, at) {
      let n: number;
      if (first) {
        n = first.copy(buf, at);
        first = n < first.length ? first.subarray(n) : undefined;
      } else n = await reader.read(buf, at);
      if (n > 0) onProgress?.(n);
      return n;
    },
    close: () => reader.close(),
  };
}

/** `head`, then the reader's bytes, as chunks for a stream (gunzip, tshark). */
async function* chunks(reader: Reader, head: Buffer): AsyncGenerator<Buffer> {
  try {
    if (head.length) yield head;
    for (;;) {
      const buf = Buffer.allocUnsafe(HEAD);
      const n = await reader.read(buf, 0);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    await reader.close(); // at the end, or when the stream is destroyed: a named pipe's handle is not left to the collector
  }
}

/**
 * Stdin as a Reader when it is a file, a pipe or a socket; undefined for a terminal. Not
 * process.stdin: that stream allocates a Buffer per read (64 KB on a pipe), external memory
 * that V8 frees only when it collects them, tens of MB behind a fast pipe.
 */
function stdinReader(signal?: AbortSignal): Reader | undefined {
  let st;
  try {
    st = fstatSync(0);
  } catch {
    return undefined; // no stdin at all: process.stdin reads as empty
  }
  if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' }); // `wsclose analyze < /tmp`
  if (st.isFile()) {
    return {
      read: (buf, at) => new Promise((resolve, reject) => readFd(0, buf, at, buf.length - at, null, (err, n) => (err ? reject(err) : resolve(n)))),
      close: async () => {}, // stdin stays open
      size: st.size,
    };
  }
  return st.isFIFO() || st.isSocket() ? pipeReader(0, signal) : undefined;
}

const PIPE_CHUNK = 64 * 1024;
/**
 * How long a read of a pipe waits for more after its first bytes, unless the caller's buffer
 * fills first. A pipe holds 64 KB: handed over as it came, each turn of the event loop, a fast
 * pipe (`zcat … |`) gave blocks of about 140 KB, and each block has its fixed costs (500 MB: 3,500
 * blocks, about 120 ms of CPU more than in blocks of MBs). A live pipe is still analyzed as it
 * flows, a few ms behind.
 */
const GATHER_MS = 5;

/**
 * A pipe or socket, read through one reused chunk (net.Socket's `onread`). Each read takes what
 * arrives until the caller's buffer is full, the pipe ends, or GATHER_MS after its first bytes;
 * the socket is paused while nobody reads or the caller's buffer is full. Aborting destroys it,
 * and a pending read fails with the abort.
 */
function pipeReader(fd: number, signal?: AbortSignal): Reader {
  const chunk = Buffer.allocUnsafe(PIPE_CHUNK);
  let from = 0; // chunk[from, to) is read but not yet taken
  let to = 0;
  let target: Buffer | undefined;
  let at = 0;
  let filled = 0;
  let ended = false;
  let failure: unknown;
  let waiting: { resolve(n: number): void; reject(err: unknown): void } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const take = () => {
    const k = chunk.copy(target!, at + filled, from, to);
    filled += k;
    from += k;
  };
  const settle = () => {
    if (!waiting || (filled === 0 && !ended && failure === undefined)) return;
    clearTimeout(timer);
    timer = undefined;
    const w = waiting;
    waiting = target = undefined;
    if (filled === 0 && failure !== undefined) w.reject(failure);
    else w.resolve(filled);
  };
  const gather = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      settle();
    }, GATHER_MS);
  };
  // The constructor takes `onread` as connect() does; @types/node lists it for connect() only.
  const opts: SocketConstructorOpts & { onread: OnReadOpts } = {
    fd, readable: true, writable: false,
    onread: {
      buffer: chunk,
      callback(n: number) {
        from = 0;
        to = n;
        if (!target) return false; // nobody is reading: keep it, pause
        take();
        if (from < to) {
          settle();
          return false; // the caller's buffer is full
        }
        gather();
        return true;
      },
    },
  };
  const socket = new Socket(opts);
  socket.on('end', () => { ended = true; settle(); });
  socket.on('error', (err) => { failure = err; settle(); });
  const abort = () => {
    failure = signal!.reason;
    socket.destroy();
    settle();
  };
  signal?.addEventListener('abort', abort, { once: true });
  return {
    read(buf, start) {
      if (failure !== undefined) return Promise.reject(failure);
      target = buf;
      at = start;
      filled = 0;
      if (from < to) take(); // what the last read left in the chunk
      if (from < to || ended) {
        target = undefined;
        return Promise.resolve(filled);
      }
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        if (filled > 0) gather();
        socket.resume();
      });
    },
    async close() {
      signal?.removeEventListener('abort', abort);
      clearTimeout(timer);
      socket.destroy();
    },
  };
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Whether the regular file `name` is gzipped, by its magic as when it is read; false when it cannot be read (its error comes then). */
export function isGzipFile(name: string): boolean {
  try {
    const fd = openSync(name, 'r');
    try {
      const head = Buffer.alloc(2);
      return isGzip(head.subarray(0, readSync(fd, head, 0, 2, 0)));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * A stream as an Input: each read takes what has arrived, so a live pipe is analyzed as it
 * flows. `onProgress` counts what is read, for a stream of the input's own bytes.
 */
function streamInput(stream: Readable, capture: boolean, onProgress?: (bytes: number) => void): Input {
  const it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let rest: Buffer | undefined;
  return {
    gzip: false, // a .gz is inflated around the Input (`gunzipped`)
    capture,
    async read(buf, at) {
      let filled = 0;
      while (at + filled < buf.length) {
        if (!rest || rest.length === 0) {
          if (filled > 0 && stream.readableLength === 0) break;
          const n = await it.next();
          if (n.done) break;
          rest = n.value;
        }
        const k = rest.copy(buf, at + filled);
        filled += k;
        rest = rest.subarray(k);
      }
      if (filled > 0) onProgress?.(filled);
      return filled;
    },
    async close() {
      if (stream !== process.stdin) stream.destroy();
    },
  };
}
