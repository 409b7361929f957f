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
 * report). A line that is no such record is given as it is.
 */

/**
 * The byte of a line that stands for a part: no record's `log` holds it alone, as the driver
 * writes invalid UTF-8 as `\ufffd`.
 */
export const PART = 0xff;
const NL = 10;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** `{"log":"` */
const HEAD = [0x7b, 0x22, 0x6c, 0x6f, 0x67, 0x22, 0x3a, 0x22];
/** `,"stream":"` */
const STREAM = [0x2c, 0x22, 0x73, 0x74, 0x72, 0x65, 0x61, 0x6d, 0x22, 0x3a, 0x22];
/** The first line of Docker's json-file records (attrs, when `--log-opt labels`, `env` or `tag` ask for them). */
const RECORD = /^\{"log":"(?:[^"\\]|\\.)*","stream":"std(?:out|err)",(?:"attrs":\{.*\},)?"time":"\d{4}-\d\d-\d\dT[^"]+"\}\r?$/;

/** True when the first whole line of `buf[start, end)` is a record of Docker's json-file driver. */
export function isJsonFile(buf: Buffer, start: number, end: number): boolean {
  const nl = buf.indexOf(NL, start);
  if (nl < 0 || nl >= end) return false;
  for (let i = 0; i < HEAD.length; i++) if (buf[start + i] !== HEAD[i]) return false;
  return RECORD.test(buf.toString('utf8', start, nl));
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

/** Unwraps the records of one json-file log, block after block of its whole lines. */
export class JsonFileLines {
  /** stdout's and stderr's parts. */
  private readonly parts = [new Parts(), new Parts()];
  /** 0 for stdout, 1 for stderr: the stream of the last record read. */
  private stream = 0;
  /** Where `unwrap` or `finish` stopped writing. */
  written = 0;

  /** `max`: the reader's longest line; the parts of a line are kept up to one byte more, so that it counts as too long. */
  constructor(private readonly max: number) {}

  /**
   * Writes the lines of `src[start, end)` (`end - 1` a line break) unwrapped into `dst` from `at`,
   * as many as fit before `limit`; returns where it stopped in `src` (`written`: in `dst`).
   */
  unwrap(src: Buffer, start: number, end: number, dst: Buffer, at: number, limit: number): number {
    const parts = this.parts;
    let p = start;
    let w = at;
    while (p < end) {
      const nl = src.indexOf(NL, p);
      // At most the line itself (nothing grows unescaped) and a stream's parts before it.
      if (w + (nl - p) + 1 + Math.max(parts[0].length, parts[1].length) > limit) {
        if (w > at) break;
        // Not even alone in an empty block (no line of the driver's is so long): given as it is,
        // cut to one byte over the longest line read, so that it counts as too long.
        const n = Math.min(nl - p, this.max + 1, limit - w - 1);
        src.copy(dst, w, p, p + n);
        w += n;
        dst[w++] = NL;
        p = nl + 1;
        continue;
      }
      const lineEnd = this.record(src, p, nl, dst, w);
      if (lineEnd < 0) {
        // Not a record: the line as it is.
        src.copy(dst, w, p, nl + 1);
        w += nl + 1 - p;
      } else {
        const own = parts[this.stream];
        if (dst[lineEnd - 1] !== NL) {
          // A part: kept until its line's last part; its own line only counted.
          own.add(dst, w, lineEnd, this.max + 1);
          dst[w++] = PART;
          dst[w++] = NL;
        } else if (own.length > 0) {
          // The last part: the line whole, on its line.
          dst.copyWithin(w + own.length, w, lineEnd);
          own.bytes.copy(dst, w, 0, own.length);
          w = lineEnd + own.length;
          own.length = 0;
        } else w = lineEnd;
      }
      p = nl + 1;
    }
    this.written = w;
    return p;
  }

  /**
   * At the end of the input: each line whose last part never came (a process's last output with
   * no line break), as one line more, as much of it as fits before `limit`.
   */
  finish(dst: Buffer, at: number, limit: number): void {
    let w = at;
    for (const own of this.parts) {
      if (own.length === 0) continue;
      const n = Math.min(own.length, limit - w - 1);
      if (n < 0) break;
      own.bytes.copy(dst, w, 0, n);
      w += n;
      dst[w++] = NL;
      own.length = 0;
    }
    this.written = w;
  }

  /**
   * Reads the record `src[p, nl)`: writes its `log` unescaped into `dst` from `w` and returns where
   * it ends there, or -1 when the line is no record of the driver's.
   */
  private record(src: Buffer, p: number, nl: number, dst: Buffer, w: number): number {
    for (let i = 0; i < HEAD.length; i++) if (src[p + i] !== HEAD[i]) return -1;
    let r = p + HEAD.length;
    for (;;) {
      if (r >= nl) return -1;
      const b = src[r++];
      if (b === QUOTE) break;
      if (b !== BACKSLASH) {
        dst[w++] = b;
        continue;
      }
      const e = src[r++];
      if (e === 0x6e) {
        // `\n` ends the line; anywhere else (not the driver's) it stays escaped, one line a record.
        if (src[r] === QUOTE) dst[w++] = NL;
        else {
          dst[w++] = BACKSLASH;
          dst[w++] = e;
        }
      } else if (e === QUOTE || e === BACKSLASH || e === 0x2f) dst[w++] = e;
      else if (e === 0x72) dst[w++] = 13;
      else if (e === 0x74) dst[w++] = 9;
      else if (e === 0x62) dst[w++] = 8;
      else if (e === 0x66) dst[w++] = 12;
      else if (e === 0x75) {
        let c = hex4(src, r);
        if (c < 0 || r + 4 > nl) return -1;
        r += 4;
        if (c >= 0xd800 && c < 0xdc00 && src[r] === BACKSLASH && src[r + 1] === 0x75) {
          const low = hex4(src, r + 2);
          if (low >= 0xdc00 && low < 0xe000) {
            c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
            r += 6;
          }
        }
        w = utf8(c, dst, w);
      } else return -1;
    }
    const end = w;
    for (let i = 0; i < STREAM.length; i++) if (src[r + i] !== STREAM[i]) return -1;
    r += STREAM.length;
    // `stdout"` or `stderr"`: told apart by their fourth byte.
    this.stream = src[r + 3] === 0x65 ? 1 : 0;
    const last = src[nl - 1] === 13 ? nl - 2 : nl - 1;
    return src[last] === 0x7d ? end : -1;
  }
}

/** The four hex digits at `src[r]`, -1 if they are not. */
function hex4(src: Buffer, r: number): number {
  let c = 0;
  for (let i = r; i < r + 4; i++) {
    const h = src[i];
    const d = h >= 0x30 && h <= 0x39 ? h - 0x30 : (h | 0x20) >= 0x61 && (h | 0x20) <= 0x66 ? (h | 0x20) - 0x57 : -1;
    if (d < 0) return -1;
    c = (c << 4) | d;
  }
  return c;
}

/** Writes code point `c` as UTF-8 (a lone surrogate as U+FFFD); returns the end. */
function utf8(c: number, dst: Buffer, w: number): number {
  if (c < 0x80) dst[w++] = c;
  else if (c < 0x800) {
    dst[w++] = 0xc0 | (c >> 6);
    dst[w++] = 0x80 | (c & 0x3f);
  } else if (c >= 0x10000) {
    dst[w++] = 0xf0 | (c >> 18);
    dst[w++] = 0x80 | ((c >> 12) & 0x3f);
    dst[w++] = 0x80 | ((c >> 6) & 0x3f);
    dst[w++] = 0x80 | (c & 0x3f);
  } else {
    if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
    dst[w++] = 0xe0 | (c >> 12);
    dst[w++] = 0x80 | ((c >> 6) & 0x3f);
    dst[w++] = 0x80 | (c & 0x3f);
  }
  return w;
}
