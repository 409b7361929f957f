/**
 * Reads the fields of a flat JSON line (scalars only, the common shape of a WebSocket event
 * logged by pino, bunyan or winston) straight from its UTF-8 bytes, without decoding the line
 * nor building the object: JSON.parse would make a string of the line, then an object and a
 * string per key and value, and the events need a few values.
 *
 * The reader is exact or declines: it accepts only what JSON.parse accepts, and declines
 * (returns undefined) a line with a nested value, an escape, a control character or a blank
 * other than the space, a key read twice, or an error or stack field (an exception is read
 * from the whole record). The caller then parses the line whole.
 *
 * Keys are told apart without building them: each key remembers the key that followed it last
 * time, so a line of the same shape as the one before is matched byte for byte; any other key
 * is found by a hash of its bytes. Numbers are read from the bytes. A string is made only for
 * the values events read, through a cache of recent values (connection ids, routes, hostnames
 * and messages recur): a value that is there is the same string again, compared in place.
 */
import {
  FIELD, keySlots, type MessageText, messageText, type Picked, put, resetRanks, ROLE_COUNT, type Slot,
} from './fields.js';
import type { FieldMap } from './parser.js';

/** Buffer's own decoders of a range, without argument checks (`latin1Slice` for a number's ASCII). */
type Bytes = Buffer & { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string };

const OTHER = 0;
const PID = 1;
const HOSTNAME = 2;
const HOST = 3;
/** An error or stack field: the line is parsed whole. */
const WHOLE = 4;

/** Roles whose string values events keep as they are. */
const KEPT = [FIELD.conn, FIELD.route, FIELD.reason, FIELD.level, FIELD.message];

/** Distinct keys events do not read that are remembered; beyond that, such keys are matched by bytes each time. */
const MAX_OTHER_KEYS = 512;
/** Values in the cache: a slot per hash, the last value wins. */
const CACHE_BITS = 13;
const CACHE_MASK = (1 << CACHE_BITS) - 1;
/** A slot's entry: length, hash and bytes; a longer value is decoded each time. */
const ENTRY = 128;
const CACHED_BYTES = ENTRY - 8;
/** FNV-1a over bytes. */
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** What a key is to the reader. */
class Key {
  /** The key that followed this one on the last line that had it. */
  next: Key | undefined;
  /** The line (its number in this reader) this key was last read on: a key read twice in a line is declined. */
  seen = 0;
  /** Events read its value. */
  readonly wanted: boolean;
  /** One of its slots is the message's. */
  readonly message: boolean;
  /** Events keep its string value (the others are read, or copied where kept: fields.ts `own`). */
  readonly kept: boolean;
  /** `"name":` as UTF-8, as a compact line writes it. */
  readonly quoted: Uint8Array;
  /** `quoted` as little-endian 32-bit words, the last one ending with it (it may overlap the one before). */
  readonly words: Int32Array;
  /** The cache slot of its last string value (a service's hostname, a route recur), -1 for none. */
  last = -1;

  constructor(
    /** Its name's UTF-8 bytes. */
    readonly bytes: Uint8Array,
    readonly hash: number,
    /** Its slots with a literal name (a dotted path needs a nested value, which the reader declines). */
    readonly slots: Slot[],
    readonly special: number,
  ) {
    this.quoted = new Uint8Array(bytes.length + 3);
    this.quoted[0] = 34;
    this.quoted.set(bytes, 1);
    this.quoted[bytes.length + 1] = 34;
    this.quoted[bytes.length + 2] = 58;
    this.words = words(this.quoted);
    this.wanted = slots.length > 0 || special !== OTHER;
    this.message = slots.some((s) => s.role === FIELD.message);
    this.kept = slots.some((s) => KEPT.includes(s.role));
  }
}

/**
 * Recent string values by the hash of their bytes: a value read again is the same string, found
 * by comparing bytes (four at a time), with no decoding.
 */
class Strings {
  readonly texts: string[] = new Array<string>(CACHE_MASK + 1).fill('');
  /** The MessageText of a value read as a message. */
  readonly saids: (MessageText | undefined)[] = new Array<MessageText | undefined>(CACHE_MASK + 1).fill(undefined);
  /** Each slot's entry at `slot * ENTRY`: the length of its bytes (-1: empty), their hash, the bytes. */
  private readonly view = new DataView(new ArrayBuffer((CACHE_MASK + 1) * ENTRY));

  constructor() {
    for (let slot = 0; slot <= CACHE_MASK; slot++) this.view.setInt32(slot * ENTRY, -1, true);
  }

  /**
   * The slot holding `buf[start, end)` (hash `h`), put there when it is not; -1 for a value too
   * long to keep. A value events `keep` is read as JSON.parse reads it: V8 interns a short one,
   * so that a connection's id is one string whatever the number of its events kept meanwhile
   * (with thousands of connections open, values fall out of the cache between their lines).
   */
  slot(buf: Bytes, dv: DataView, start: number, end: number, h: number, keep: boolean): number {
    const n = end - start;
    if (n > CACHED_BYTES) return -1;
    const slot = spread(h) >>> (32 - CACHE_BITS);
    const at = slot * ENTRY;
    const view = this.view;
    // Length and hash first: a slot of another value is told so from its first bytes.
    if (view.getInt32(at, true) === n && view.getInt32(at + 4, true) === h && this.equal(dv, start, at, n)) return slot;
    view.setInt32(at, n, true);
    view.setInt32(at + 4, h, true);
    for (let k = 0; k < n; k++) view.setUint8(at + 8 + k, buf[start + k]);
    // Bytes that are no UTF-8 read as U+FFFD, as they do when the line is decoded whole; the string has no escape.
    this.texts[slot] = keep ? JSON.parse(buf.utf8Slice(start - 1, end + 1)) as string : buf.utf8Slice(start, end);
    this.saids[slot] = undefined;
    return slot;
  }

  /** Where the JSON string starting at `start` ends (its closing quote) when its bytes are the slot's, else -1. */
  recurs(buf: Bytes, dv: DataView, start: number, last: number, slot: number): number {
    const at = slot * ENTRY;
    const n = this.view.getInt32(at, true);
    const end = start + n;
    return end < last && buf[end] === 34 && this.equal(dv, start, at, n) ? end : -1;
  }

  private equal(dv: DataView, start: number, at: number, n: number): boolean {
    const view = this.view;
    const bytes = at + 8;
    if (n < 4) {
      for (let k = 0; k < n; k++) if (dv.getUint8(start + k) !== view.getUint8(bytes + k)) return false;
      return true;
    }
    for (let k = 0; k < n - 4; k += 4) if (dv.getInt32(start + k, true) !== view.getInt32(bytes + k, true)) return false;
    return dv.getInt32(start + n - 4, true) === view.getInt32(bytes + n - 4, true);
  }
}

export class FlatJsonReader {
  /** Keys by the hash of their bytes, open addressing: every key events read, and others up to a bound. */
  private readonly table: (Key | undefined)[];
  private readonly tableMask: number;
  private others = 0;
  private readonly first = new Key(new Uint8Array(0), 0, [], OTHER);
  private readonly strings = new Strings();
  private readonly picked: Picked = { values: [], frameType: undefined, pid: undefined, host: undefined, rec: undefined, said: undefined };
  private readonly ranks: number[] = [];
  private line = 0;
  /** Where `readText` writes a line's bytes. */
  private scratch = Buffer.allocUnsafe(1024) as Bytes;
  /** A view of the last buffer read, for reads of four bytes at once. */
  private viewed: Buffer | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));

  constructor(f: FieldMap) {
    for (let r = 0; r < ROLE_COUNT; r++) this.picked.values.push(undefined);
    const names = new Set([...keySlots(f).keys(), ...f.error, 'stack', 'pid', 'hostname', 'host']);
    let size = 64;
    while (size < 2 * (names.size + MAX_OTHER_KEYS)) size *= 2;
    this.table = new Array<Key | undefined>(size).fill(undefined);
    this.tableMask = size - 1;
    for (const name of names) {
      const slots = (keySlots(f).get(name) ?? []).filter((s) => s.path === undefined);
      const special = f.error.includes(name) || name === 'stack' ? WHOLE
        : name === 'pid' ? PID : name === 'hostname' ? HOSTNAME : name === 'host' ? HOST : OTHER;
      if (slots.length > 0 || special !== OTHER) this.add(Buffer.from(name), slots, special);
    }
  }

  /** The fields of `text`, read from its UTF-8 bytes (see `read`). */
  readText(text: string): Picked | undefined {
    if (this.scratch.length < 3 * text.length) this.scratch = Buffer.allocUnsafe(3 * text.length) as Bytes;
    const n = this.scratch.write(text);
    // A lone surrogate has no UTF-8: its bytes would read back as U+FFFD.
    if (n !== text.length && LONE_SURROGATE.test(text)) return undefined;
    return this.read(this.scratch, 0, n);
  }

  /**
   * The fields of the line `buf[start, end)`, UTF-8 without its line break (the object reused
   * for each line), or undefined when the line is for JSON.parse. The values hold no reference
   * to `buf`.
   */
  read(buffer: Buffer, start: number, end: number): Picked | undefined {
    const buf = buffer as Bytes;
    // The last byte a `}`: each token below stops at it or checks its bound.
    if (end - start < 2 || buf[start] !== 123 /* { */ || buf[end - 1] !== 125 /* } */) return undefined;
    if (buffer !== this.viewed) {
      this.viewed = buffer;
      this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    }
    const dv = this.view;
    const strings = this.strings;
    const stamp = ++this.line;
    const p = this.picked;
    const values = p.values;
    const ranks = this.ranks;
    for (let r = 0; r < ROLE_COUNT; r++) values[r] = undefined;
    resetRanks(ranks);
    p.frameType = undefined;
    p.said = undefined;
    let pid: unknown;
    let hostname: unknown;
    let host: unknown;
    let prev = this.first;
    const last = end - 1;
    let i = spaces(buf, start + 1);
    if (i === last) return this.done(p, pid, hostname, host); // {}
    for (;;) {
      // The key: a line of the same shape as the one before has the key that followed the last one.
      let key = prev.next;
      if (key === undefined || !matches(dv, i, last, key.words, key.quoted.length)) {
        if (buf[i] !== 34 /* " */) return undefined;
        key = this.key(buf, i + 1, last);
        if (key === undefined) return undefined;
        prev.next = key;
        i = spaces(buf, i + key.bytes.length + 2);
        if (buf[i] !== 58 /* : */) return undefined;
        i++;
      } else {
        i += key.quoted.length;
      }
      prev = key;
      i = spaces(buf, i);
      const wanted = key.wanted;
      if (wanted) {
        if (key.special === WHOLE || key.seen === stamp) return undefined;
        key.seen = stamp;
      }
      // The value.
      const c = buf[i];
      let v: unknown;
      let said: MessageText | undefined;
      if (c === 34 /* " */) {
        const vs = i + 1;
        // The key's last value again is compared in place; any other string is checked (no escape, no control character) to its end.
        let slot = key.last;
        let ve = wanted && slot >= 0 ? strings.recurs(buf, dv, vs, last, slot) : -1;
        if (ve < 0) {
          let h = FNV_OFFSET;
          let j = vs;
          // Four bytes at a time while none is a quote, a backslash or below 0x20.
          for (let w; j + 4 <= last; j += 4) {
            w = dv.getInt32(j, true);
            const q = w ^ 0x22222222;
            const b = w ^ 0x5c5c5c5c;
            if ((((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b) | ((w - 0x20202020) & ~w)) & 0x80808080) break;
            h = Math.imul(h ^ w, FNV_PRIME);
          }
          for (let d; (d = buf[j]) !== 34; j++) {
            if (d === 92 || d < 32 || j === last) return undefined;
            h = Math.imul(h ^ d, FNV_PRIME);
          }
          ve = j;
          if (wanted) key.last = slot = strings.slot(buf, dv, vs, ve, h, key.kept);
        }
        if (wanted) {
          if (slot >= 0) {
            v = strings.texts[slot];
            if (key.message) said = strings.saids[slot] ??= messageText(v as string);
          } else {
            v = key.kept ? JSON.parse(buf.utf8Slice(vs - 1, ve + 1)) : buf.utf8Slice(vs, ve);
            if (key.message) said = messageText(v as string);
          }
        }
        i = ve + 1;
      } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
        let j = c === 45 ? i + 1 : i;
        let int = 0;
        let d = buf[j];
        if (d === 48) d = buf[++j];
        else if (d >= 49 && d <= 57) {
          // Four digits at a time while four are there (a time in ms has 13).
          for (let w; j + 4 <= last && isDigits(w = dv.getInt32(j, true)); j += 4) int = int * 10000 + digitsValue(w);
          for (d = buf[j]; d >= 48 && d <= 57; d = buf[++j]) int = int * 10 + (d - 48);
        } else return undefined;
        let plain = true;
        if (d === 46 /* . */) {
          plain = false;
          j = digits(buf, j + 1);
          if (j < 0) return undefined;
          d = buf[j];
        }
        if (d === 101 || d === 69 /* e E */) {
          plain = false;
          d = buf[j + 1];
          j = digits(buf, d === 43 || d === 45 ? j + 2 : j + 1);
          if (j < 0) return undefined;
        }
        // Up to 15 digits an integer is exact as summed; longer and other numbers as Number reads them, as JSON.parse does.
        if (wanted) v = plain && j - i <= 15 ? (c === 45 ? -int : int) : Number(buf.latin1Slice(i, j));
        i = j;
      } else if (c === 116 /* t */ && buf[i + 1] === 114 && buf[i + 2] === 117 && buf[i + 3] === 101) {
        v = true;
        i += 4;
      } else if (c === 102 /* f */ && buf[i + 1] === 97 && buf[i + 2] === 108 && buf[i + 3] === 115 && buf[i + 4] === 101) {
        v = false;
        i += 5;
      } else if (c === 110 /* n */ && buf[i + 1] === 117 && buf[i + 2] === 108 && buf[i + 3] === 108) {
        v = null;
        i += 4;
      } else {
        return undefined; // a nested object or array, or not JSON
      }
      if (wanted) {
        if (v !== undefined && v !== null && v !== '') {
          const slots = key.slots;
          for (let k = 0; k < slots.length; k++) {
            const slot = slots[k];
            if (put(p, ranks, slot, v) && slot.role === FIELD.message) p.said = said;
          }
        }
        if (key.special === PID) pid = v;
        else if (key.special === HOSTNAME) hostname = v;
        else if (key.special === HOST) host = v;
      }
      i = spaces(buf, i);
      const d = buf[i];
      if (d === 44 /* , */) {
        i = spaces(buf, i + 1);
        continue;
      }
      return d === 125 /* } */ && i === last ? this.done(p, pid, hostname, host) : undefined;
    }
  }

  private done(p: Picked, pid: unknown, hostname: unknown, host: unknown): Picked {
    p.pid = pid;
    p.host = hostname ?? host;
    return p;
  }

  /** The key whose name starts at `buf[start]` (after its quote), found by its bytes; undefined when the line is declined. */
  private key(buf: Bytes, start: number, last: number): Key | undefined {
    let h = FNV_OFFSET;
    let high = 0;
    let j = start;
    for (let d; j < last && (d = buf[j]) !== 34; j++) {
      if (d === 92 || d < 32) return undefined;
      h = Math.imul(h ^ d, FNV_PRIME);
      high |= d;
    }
    if (j === last) return undefined;
    const len = j - start;
    const table = this.table;
    const mask = this.tableMask;
    for (let s = spread(h) & mask; ; s = (s + 1) & mask) {
      const k = table[s];
      if (k === undefined) break;
      if (k.hash === h && k.bytes.length === len && same(buf, start, k.bytes)) return k;
    }
    // Not a key events read. Bytes that are no UTF-8 read as U+FFFD, which another key's bytes may spell: such a line is declined.
    if (high >= 128 && buf.utf8Slice(start, j).includes('\uFFFD')) return undefined;
    const bytes = buf.slice(start, j);
    if (this.others >= MAX_OTHER_KEYS) return new Key(Uint8Array.from(bytes), h, [], OTHER);
    this.others++;
    return this.add(Uint8Array.from(bytes), [], OTHER);
  }

  private add(bytes: Uint8Array, slots: Slot[], special: number): Key {
    let h = FNV_OFFSET;
    for (let j = 0; j < bytes.length; j++) h = Math.imul(h ^ bytes[j], FNV_PRIME);
    const key = new Key(bytes, h, slots, special);
    let s = spread(h) & this.tableMask;
    while (this.table[s] !== undefined) s = (s + 1) & this.tableMask;
    this.table[s] = key;
    return key;
  }
}

const LONE_SURROGATE = /\p{Surrogate}/u;

/** The key whose `quoted` bytes (`n` of them) are `words` is at `i`, and ends before `last`. */
function matches(dv: DataView, i: number, last: number, words: Int32Array, n: number): boolean {
  const tail = words.length - 1;
  if (tail < 0 || i + n > last) return false;
  for (let k = 0; k < tail; k++) if (dv.getInt32(i + 4 * k, true) !== words[k]) return false;
  return dv.getInt32(i + n - 4, true) === words[tail];
}

/** `bytes` are at `buf[i]`. */
function same(buf: Uint8Array, i: number, bytes: Uint8Array): boolean {
  for (let k = 0; k < bytes.length; k++) if (buf[i + k] !== bytes[k]) return false;
  return true;
}

/** `bytes` as little-endian 32-bit words, the last one ending with them; none for fewer than four (`"":`, never matched in place). */
function words(bytes: Uint8Array): Int32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const n = bytes.length;
  if (n < 4) return new Int32Array(0);
  const out = new Int32Array(Math.ceil(n / 4));
  for (let k = 0; k < out.length - 1; k++) out[k] = dv.getInt32(4 * k, true);
  out[out.length - 1] = dv.getInt32(n - 4, true);
  return out;
}

/** `h` with every bit spread to the high ones (FNV over words leaves a word's high byte in the hash's high byte only). */
function spread(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
}

/** The four bytes of `w` are ASCII digits (each byte's high half 3, and still 3 after adding 6). */
function isDigits(w: number): boolean {
  return (w & 0xf0f0f0f0) === 0x30303030 && ((w + 0x06060606) & 0xf0f0f0f0) === 0x30303030;
}

/** The number four ASCII digits write (the first in the low byte): pairs of digits, then the pair of pairs. */
function digitsValue(w: number): number {
  const d = w - 0x30303030;
  const pairs = (d * 10 + (d >>> 8)) & 0x00ff00ff;
  return (pairs * 100 + (pairs >>> 16)) & 0xffff;
}

/** Past the spaces JSON allows between tokens (other blanks are declined: JSON.parse reads those lines). */
function spaces(buf: Uint8Array, i: number): number {
  while (buf[i] === 32) i++;
  return i;
}

/** Past one or more digits from `i`, or -1 when none is there. */
function digits(buf: Uint8Array, i: number): number {
  const start = i;
  for (let c = buf[i]; c >= 48 && c <= 57; c = buf[++i]);
  return i > start ? i : -1;
}
