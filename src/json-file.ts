/**
 * Docker's json-file logging driver, the engine's default (`/var/lib/docker/containers/<id>/<id>-json.log`,
 * and `/var/log/containers/*.log` on Kubernetes nodes that ran Docker): each line a container
 * writes becomes one JSON record, `{"log":"<line>\n","stream":"stdout","attrs":{…},"time":"<RFC3339Nano>"}`
 * (moby's jsonfilelog `marshalMessage` and jsonlog `MarshalJSONBuf`: `log` escaped with `\"`, `\\`,
 * `\n`, `\r` and `\u00XX`, `<`, `>` and `&` among them). A line longer than the copier's buffer
 * (16 KB) is written in parts, each but the last without its `\n`; a last line with no line
 * break is such a part. stdout and stderr are copied apart, so their parts may interleave.
 *
 * The reader is given what the container wrote: each record's `log`, a line's parts joined on its
 * last part's line, so that a line's number is still the file's. The lines of the parts before it
 * are `PART`: counted, never read (a blank line would be read, and means something in a crash
 * report). A line that is no such record is given as it is. The records are unescaped in a
 * WebAssembly kernel (json-file.wat); the parts are seen to here.
 */
import { readFileSync } from 'node:fs';
import { growTo } from './wasm-memory.js';

/**
 * The byte of a line that stands for a part: no record's `log` holds it alone, as the driver
 * writes invalid UTF-8 as `\ufffd`.
 */
export const PART = 0xff;
const NL = 10;
/** The first line of Docker's json-file records (attrs, when `--log-opt labels`, `env` or `tag` ask for them). */
const RECORD = /^\{"log":"(?:[^"\\]|\\.)*","stream":"std(?:out|err)",(?:"attrs":\{.*\},)?"time":"\d{4}-\d\d-\d\dT[^"]+"\}\r?$/;

/**
 * True when the first whole line of `buf[start, end)` is a record of Docker's json-file driver, or
 * the second is when the first is cut short (`tail -c` of a file).
 */
export function isJsonFile(buf: Buffer, start: number, end: number): boolean {
  for (let line = 0; line < 2; line++) {
    const nl = buf.indexOf(NL, start);
    if (nl < 0 || nl >= end) return false;
    if (buf[start] === 0x7b && RECORD.test(buf.toString('utf8', start, nl))) return true;
    if (buf.subarray(start, nl).includes('{"log":"')) return false; // a record, but not the driver's
    start = nl + 1;
  }
  return false;
}

/** A stream's parts of a line not yet ended. */
class Parts {
  bytes: Buffer = Buffer.alloc(0);
  length = 0;

  /** Keeps `src[start, end)` after the parts before, up to `cap` bytes in all: past it the line is too long, and its rest is not kept. */
  add(src: Buffer, start: number, end: number, cap: number): void {
    const n = Math.min(end - start, cap - this.length);
    if (n <= 0) return;
    if (this.length + n > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.min(cap, Math.max(2 * this.bytes.length, this.length + n, 64 * 1024)));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    src.copy(this.bytes, this.length, start, start + n);
    this.length += n;
  }
}

interface Kernel {
  memory: WebAssembly.Memory;
  unwrap(p: number, end: number, w: number, limit: number, open: number): number;
  written: WebAssembly.Global;
  why: WebAssembly.Global;
  nl: WebAssembly.Global;
  logEnd: WebAssembly.Global;
  stream: WebAssembly.Global;
}

/** Why the kernel stopped (json-file.wat). */
const END = 0;
const ROOM = 1;
const JOIN = 2;
/** Where the records are read in the kernel's memory: its own table is before them. */
const RAW = 2048;

let wasm: WebAssembly.Module | undefined;

/**
 * Unwraps the records of one json-file log, block after block of its whole lines: the records
 * are read into `raw`, the lines the container wrote come out in `out`. The kernel
 * (json-file.wat) unescapes the records of whole lines; the parts, and the lines that are no
 * record, are seen to here.
 */
export class JsonFileLines {
  /** Where the records are read (followed by padding: the kernel's loads read past a line's end). */
  readonly raw: Buffer;
  /** Where the lines come out, from 0: `written` bytes of them after each call. */
  readonly out: Buffer;
  written = 0;
  private readonly kernel: Kernel;
  private readonly outAt: number;
  /** stdout's and stderr's parts. */
  private readonly parts = [new Parts(), new Parts()];

  /**
   * `max`: the reader's longest line (the parts of a line are kept up to one byte more, so that it
   * counts as too long); `size`: bytes of records read at once at most; `room`: bytes of lines
   * given at once at most.
   */
  constructor(private readonly max: number, size: number, room: number) {
    wasm ??= new WebAssembly.Module(readFileSync(new URL('./json-file.wasm', import.meta.url)));
    this.kernel = new WebAssembly.Instance(wasm).exports as unknown as Kernel;
    this.outAt = (RAW + size + 16 + 15) & ~15;
    // The output has room for one line more than `room` (the kernel checks a line's end once written).
    const bytes = this.outAt + room + size + 32;
    const { memory } = this.kernel;
    growTo(memory, bytes);
    this.raw = Buffer.from(memory.buffer, RAW, size);
    this.out = Buffer.from(memory.buffer, this.outAt, room + size + 16);
  }

  /**
   * Writes the lines of `raw[start, end)` (`end - 1` a line break) unwrapped to `out`, as many as
   * fit in `limit` bytes; returns where it stopped in `raw`.
   */
  unwrap(start: number, end: number, limit: number): number {
    const { kernel, parts, out, outAt, raw } = this;
    let p = start;
    let w = 0;
    while (p < end) {
      const open = (parts[0].length > 0 ? 1 : 0) | (parts[1].length > 0 ? 2 : 0);
      p = kernel.unwrap(RAW + p, RAW + end, outAt + w, outAt + limit, open) - RAW;
      w = (kernel.written.value as number) - outAt;
      const why = kernel.why.value as number;
      if (why === END) break;
      const nl = (kernel.nl.value as number) - RAW;
      if (why === JOIN) {
        const own = parts[kernel.stream.value as number];
        const logEnd = (kernel.logEnd.value as number) - outAt;
        if (logEnd === w || out[logEnd - 1] !== NL) {
          // A part: kept until its line's last part; its own line only counted.
          if (w + 2 > limit) break;
          own.add(out, w, logEnd, this.max + 1);
          out[w++] = PART;
          out[w++] = NL;
        } else {
          // The last part: the line whole, on its line.
          if (logEnd + own.length > limit && w > 0) break;
          const n = Math.min(own.length, limit - logEnd);
          out.copyWithin(w + n, w, logEnd);
          own.bytes.copy(out, w, 0, n);
          w = logEnd + n;
          own.length = 0;
        }
      } else {
        // A line that is no record, as it is; or a record longer than all the room (none of the
        // driver's is so long), cut to one byte over the longest line read, to count as too long.
        const fits = why !== ROOM && w + (nl - p) + 1 <= limit;
        if (!fits && w > 0) break;
        const n = fits ? nl - p : Math.min(nl - p, this.max + 1, limit - 1);
        raw.copy(out, w, p, p + n);
        w += n;
        out[w++] = NL;
      }
      p = nl + 1;
    }
    this.written = w;
    return p;
  }

  /**
   * At the end of the input: each line whose last part never came (a process's last output with
   * no line break), as one line more, as much of it as fits in `limit` bytes.
   */
  finish(limit: number): void {
    let w = 0;
    for (const own of this.parts) {
      if (own.length === 0) continue;
      const n = Math.min(own.length, limit - w - 1);
      if (n < 0) break;
      own.bytes.copy(this.out, w, 0, n);
      w += n;
      this.out[w++] = NL;
      own.length = 0;
    }
    this.written = w;
  }
}
