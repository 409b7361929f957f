/**
 * Reads an input (a file, or `-` for stdin) as lines: gzip is recognized by its magic bytes,
 * CRLF is folded, and a line longer than the limit is skipped and counted, never buffered whole.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { isCapture, tsharkStream } from './capture.js';

export interface LineHandler {
  (text: string, lineNo: number): void;
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
}

export interface ReadResult {
  lines: number;
  bytes: number;
  gzip: boolean;
  capture: boolean;
}

const NL = 10;
const CR = 13;

export async function readLines(name: string, opts: ReadOptions): Promise<ReadResult> {
  const max = opts.maxLineBytes ?? 1024 * 1024;
  const sampleSize = opts.sampleLines ?? 50;
  const sample: [string, number][] = [];
  let handler: LineHandler | undefined;
  let lineNo = 0;
  let bytes = 0;
  let carry: Buffer[] = [];
  let carryLen = 0;
  let overlong = false;

  const emit = (text: string) => {
    lineNo++;
    if (handler) return handler(text, lineNo);
    sample.push([text, lineNo]);
    if (sample.length >= sampleSize) decide();
  };
  const decide = () => {
    handler = opts.choose(sample.map(([t]) => t), capture);
    for (const [t, n] of sample) handler(t, n);
    sample.length = 0;
  };
  const finishLine = (chunk: Buffer, start: number, end: number) => {
    if (overlong) {
      overlong = false;
      lineNo++;
      opts.skip('too-long');
      return;
    }
    let buf = chunk;
    let s = start;
    let e = end;
    if (carryLen > 0) {
      buf = Buffer.concat([...carry, chunk.subarray(start, end)]);
      s = 0;
      e = buf.length;
      carry = [];
      carryLen = 0;
    }
    if (e - s > max) {
      lineNo++;
      opts.skip('too-long');
      return;
    }
    if (e > s && buf[e - 1] === CR) e--;
    emit(buf.toString('utf8', s, e));
  };

  const { stream, gzip, capture } = await open(name, opts.onProgress);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    let start = 0;
    let nl = chunk.indexOf(NL, start);
    while (nl >= 0) {
      finishLine(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(NL, start);
    }
    if (start < chunk.length) {
      if (overlong) continue;
      const rest = chunk.subarray(start);
      if (carryLen + rest.length > max) {
        // Drop what is buffered of this line and the rest of it as it comes.
        carry = [];
        carryLen = 0;
        overlong = true;
      } else {
        carry.push(Buffer.from(rest)); // copy: the stream may reuse its chunk
        carryLen += rest.length;
      }
    }
  }
  if (carryLen > 0 || overlong) finishLine(Buffer.alloc(0), 0, 0);
  if (!handler) decide();
  return { lines: lineNo, bytes, gzip, capture };
}

/**
 * A readable of the input's bytes, gunzipped when it starts with gzip's magic, decoded by
 * tshark when it is a packet capture.
 */
async function open(name: string, onProgress?: (bytes: number) => void): Promise<{ stream: Readable; gzip: boolean; capture: boolean }> {
  const raw: Readable = name === '-' ? process.stdin : createReadStream(name, { highWaterMark: 1024 * 1024 });
  const it = raw[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return { stream: Readable.from([]), gzip: false, capture: false };
  const head = first.value as Buffer;
  const all = Readable.from((async function* () {
    onProgress?.(head.length);
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      onProgress?.((n.value as Buffer).length);
      yield n.value as Buffer;
    }
  })(), { objectMode: false });
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    all.on('error', (err) => gunzip.destroy(err));
    return { stream: all.pipe(gunzip), gzip: true, capture: false };
  }
  if (isCapture(head)) {
    if (name === '-') return { stream: tsharkStream(all), gzip: false, capture: true };
    raw.destroy(); // tshark reads the file itself
    return { stream: tsharkStream(name), gzip: false, capture: true };
  }
  return { stream: all, gzip: false, capture: false };
}
