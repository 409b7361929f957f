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
 * The bytes are read in WebAssembly (json-tokens.wat): the keys are told apart by a hash of
 * their bytes, numbers are read, and each string value events read is looked up in a cache of
 * recent values (connection ids, routes, hostnames and messages recur), so that a string is
 * made only for a value that is new there. Given the lines of a block one after another (the
 * line numbers say so), it reads the lines ahead in one call, a window of the buffer copied
 * into its memory. Told which lines of a block it will be given (`ahead`: the few a prefilter
 * keeps), it gathers them into its memory and reads them in one call too, rather than one call
 * and one copy per line, each between two sweeps of the block that push its tables out of the cache.
 */
import { readFileSync } from 'node:fs';
import { growTo } from '../src/wasm-memory.js';
import {
  FIELD, keySlots, type MessageText, messageText, type Picked, put, resetRanks, ROLE_COUNT, type Slot, toFrameType,
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

/**
 * The process's fields, as roles of json-tokens.wat after the field map's: their values are
 * kept in `Picked.values` past the field map's roles.
 */
const PID_ROLE = ROLE_COUNT;
const HOSTNAME_ROLE = ROLE_COUNT + 1;
const HOST_ROLE = ROLE_COUNT + 2;
/** Every role's bit: after a line read field by field, the next clears every role. */
const ALL_ROLES = (1 << (HOST_ROLE + 1)) - 1;
/** Bits of KEPT's roles. */
const KEPT_ROLES = KEPT.reduce((m, r) => m | (1 << r), 0);

/** A key's role word for json-tokens.wat (its "Roles"): PLACED | role << ROLE_SHIFT | rank << 20, and: */
const PLACED = 0x40000000;
const ANY = 0x10000000;
const TYPE = 0x20000000;
/** A field's info (json-tokens.wat), past its kind and key id: a string new in the cache, the winner of its role, the role. */
const KEY_ID = 1023;
const NEW_TEXT = 0x2000;
const WIN = 0x4000;
const ROLE_SHIFT = 15;
/** A line's count: its fields are read one by one, in `fieldByField`. */
const SLOW = 0x40000000;

/** A field's kind, as json-tokens.wat writes it. */
const STRING = 0;
const NUMBER = 1;
const NUMBER_TEXT = 2;
const TRUE = 3;
const FALSE = 4;

/** The memory layout of json-tokens.wat (its header). */
const MAX_KEYS = 1024;
const LINES = 131072;
const MAX_LINES = 4096;
const FIELDS = 196608;
const MAX_FIELDS = 16384;
const INPUT = 1507328;
const PADDING = 32;
/** A field's cache slot was put there by this line: its string is made now. */
const NEW = 0x40000000;
const SLOTS = 8192;

/** Bytes of a block read ahead at once: doubled while the lines are read one after another. */
const WINDOW_MIN = 2048;
const WINDOW_MAX = 65536;

/** Compiled at the first reader: a run that reads no JSON does not pay for it. */
let wasm: WebAssembly.Module | undefined;

/** json-tokens.wat's exports. */
interface Tokens {
  memory: WebAssembly.Memory;
  want(id: number, whole: number, role: number): void;
  one(start: number, end: number): void;
  lines(start: number, end: number, max: number): number;
  forget(from: number, to: number): void;
  fffd: WebAssembly.Global;
  used: WebAssembly.Global;
  keys: WebAssembly.Global;
}

/** What a key events read is to the reader. */
class Key {
  /** One of its slots is the message's. */
  readonly message: boolean;
  /** Events keep its string value (the others are read, or copied where kept: fields.ts `own`). */
  readonly kept: boolean;
  /** Its one slot's role and rank, put in place here; -1 when `put` takes its slots (several, or the frame type's). */
  readonly role: number;
  readonly rank: number;
  /** Its role word for json-tokens.wat: 0 when JavaScript places its value (the line is read field by field). */
  readonly word: number;
  /** The name of its frame-type slot, when it has one. */
  readonly typeName: string | undefined;

  constructor(
    /** Its slots with a literal name (a dotted path needs a nested value, which the reader declines). */
    readonly slots: Slot[],
    readonly special: number,
  ) {
    this.message = slots.some((s) => s.role === FIELD.message);
    this.kept = slots.some((s) => KEPT.includes(s.role));
    const one = slots.length === 1 && slots[0].role !== FIELD.type;
    this.role = one ? slots[0].role : -1;
    this.rank = one ? slots[0].rank : 0;
    this.typeName = slots.length === 1 && slots[0].role === FIELD.type ? slots[0].name : undefined;
    const process = special === PID ? PID_ROLE : special === HOSTNAME ? HOSTNAME_ROLE : special === HOST ? HOST_ROLE : -1;
    if (slots.length === 0 && process >= 0) this.word = PLACED | (process << ROLE_SHIFT) | ANY;
    else if (slots.length === 1 && special === OTHER && slots[0].rank < 256) this.word = PLACED | (slots[0].role << ROLE_SHIFT) | (slots[0].rank << 20) | (this.typeName ? TYPE : 0);
    else this.word = 0;
  }
}

export class FlatJsonReader {
  private readonly tokens: Tokens;
  /** Keys by their id in json-tokens.wat. */
  private readonly keys: Key[] = [];
  /** More keys than json-tokens.wat holds: every line is declined. */
  private readonly full: boolean = false;
  /** The string of each cache slot, and the MessageText of a value read as a message. */
  private readonly texts: string[] = new Array<string>(SLOTS).fill('');
  private readonly saids: (MessageText | undefined)[] = new Array<MessageText | undefined>(SLOTS).fill(undefined);
  private readonly picked: Picked = { values: [], frameType: undefined, pid: undefined, host: undefined, rec: undefined, said: undefined };
  private readonly ranks: number[] = [];
  /** The roles the last line gave a value (bits), for the next to clear. */
  private roles = ALL_ROLES;
  /** Views of the memory (made again when it grows). */
  private bytes!: Uint8Array;
  private lines!: Int32Array;
  private fields!: Int32Array;
  private numbers!: Float64Array;
  /** The lines read ahead: from `buffer`, a byte of line k at offset its address plus `shifts[k]`; the next is line `next` of `count`. */
  private buffer: Buffer | undefined;
  private readonly shifts = new Int32Array(MAX_LINES);
  /** The shift of the line being read. */
  private shift = 0;
  private next = 0;
  private count = 0;
  /** The lines read ahead were gathered from the block's list, not a window: their numbers need not follow each other. */
  private gathered = false;
  /** The lines a block will give (`ahead`), distinct, ascending: [starts, ends) in `list`; the next not yet gathered is `listNext`. */
  private list: Buffer | undefined;
  private listStarts = new Int32Array(1024);
  private listEnds = new Int32Array(1024);
  private listCount = 0;
  private listNext = 0;
  /** The number of the line read last (0: none given). */
  private lineNo = 0;
  private window = WINDOW_MIN;
  /** Lines are read one at a time, never ahead (see `load`). */
  private alone = false;
  /** Where `readText` writes a line's bytes. */
  private scratch = Buffer.allocUnsafe(1024) as Bytes;

  constructor(f: FieldMap) {
    for (let r = 0; r <= HOST_ROLE; r++) this.picked.values.push(undefined);
    wasm ??= new WebAssembly.Module(readFileSync(new URL('./json-tokens.wasm', import.meta.url)));
    this.tokens = new WebAssembly.Instance(wasm).exports as unknown as Tokens;
    this.view();
    const slotsByKey = keySlots(f);
    const names = new Set([...slotsByKey.keys(), ...f.error, 'stack', 'pid', 'hostname', 'host']);
    const keys = this.tokens.keys;
    for (const name of names) {
      const slots = (slotsByKey.get(name) ?? []).filter((s) => s.path === undefined);
      const special = f.error.includes(name) || name === 'stack' ? WHOLE
        : name === 'pid' ? PID : name === 'hostname' ? HOSTNAME : name === 'host' ? HOST : OTHER;
      // A name with a quote, a backslash or a control character is escaped in a line, which is declined.
      if ((slots.length === 0 && special === OTHER) || /["\\\x00-\x1f]/.test(name)) continue;
      // The kernel learns a key from a line that has it: this one, as its next id.
      const id = keys.value as number;
      const line = Buffer.from(`{${JSON.stringify(name)}:0}`);
      this.bytes.set(line, INPUT);
      this.tokens.one(INPUT, INPUT + line.length);
      if (keys.value !== id + 1 || id >= MAX_KEYS) {
        this.full = true;
        break;
      }
      const key = new Key(slots, special);
      this.tokens.want(id, special === WHOLE ? 1 : 0, key.word);
      this.keys.push(key);
      if (name.includes('\uFFFD')) this.tokens.fffd.value = 1;
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
   * to `buf`. `lineNo`, when given, is the line's number in its input: a line numbered after the
   * one before, in the same buffer, is the line that follows it there, and the lines after it
   * are read ahead (the buffer must not change until a line of another number or buffer is given).
   */
  read(buffer: Buffer, start: number, end: number, lineNo = 0): Picked | undefined {
    if (this.full) return undefined;
    let k = this.next;
    const lines = this.lines;
    if (lineNo === 0 || (lineNo !== this.lineNo + 1 && !this.gathered) || buffer !== this.buffer || k >= this.count
      || lines[4 * k] + this.shifts[k] !== start || lines[4 * k + 1] + this.shifts[k] !== end) k = this.load(buffer, start, end, lineNo);
    this.lineNo = lineNo;
    this.next = k + 1;
    this.shift = this.shifts[k];
    const n = this.lines[4 * k + 2];
    if (n < 0) return undefined;
    return (n & SLOW) === 0 ? this.winners(buffer as Bytes, this.lines[4 * k + 3], n)
      : this.fieldByField(buffer as Bytes, this.lines[4 * k + 3], n & ~SLOW);
  }

  /**
   * The lines of `buffer` that `read` will be given next, in order: `starts[i]` to `ends[i]`
   * (its line break), `count` of them, a line possibly more than once. Until the next call, a
   * line given from the list is read with the lines of the list after it, in one call.
   */
  ahead(buffer: Buffer, starts: Int32Array, ends: Int32Array, count: number): void {
    this.drop();
    if (this.listStarts.length < count) {
      this.listStarts = new Int32Array(2 * count);
      this.listEnds = new Int32Array(2 * count);
    }
    let n = 0;
    for (let i = 0; i < count; i++) {
      if (n > 0 && starts[i] === this.listStarts[n - 1]) continue;
      this.listStarts[n] = starts[i];
      this.listEnds[n++] = ends[i];
    }
    this.list = buffer;
    this.listCount = n;
    this.listNext = 0;
  }

  /** Forgets the lines read ahead and not given: the values they put in the cache were never made strings. */
  private drop(): void {
    if (this.next < this.count) this.tokens.forget(this.lines[4 * this.next + 3], this.tokens.used.value as number);
    this.next = this.count = 0;
  }

  /** Reads `buffer[start, end)` and, when the line before was read or the line is in the block's list, the lines after it: the index of its line. */
  private load(buffer: Buffer, start: number, end: number, lineNo: number): number {
    const tokens = this.tokens;
    const next = lineNo !== 0 && lineNo === this.lineNo + 1 && buffer === this.buffer;
    // The line after the last, not where the lines read ahead put it: the caller gives lines
    // cut otherwise (a collector's prefix taken off), so reading ahead would only be wasted.
    if (next && this.next < this.count && !this.gathered) this.alone = true;
    this.drop();
    this.buffer = buffer;
    this.gathered = false;
    if (lineNo !== 0 && buffer === this.list && this.gather(start)) {
      if (this.count > 0 && this.lines[1] + this.shifts[0] === end) return 0;
      this.drop();
      this.gathered = false;
    }
    const ahead = next && !this.alone;
    this.window = ahead ? Math.min(2 * this.window, WINDOW_MAX) : WINDOW_MIN;
    this.shifts[0] = start - INPUT;
    if (ahead) {
      const to = Math.min(buffer.length, start + Math.max(this.window, end - start + 1));
      this.reserve(to - start);
      copyInto(this.bytes, INPUT, buffer, start, to);
      this.count = tokens.lines(INPUT, INPUT + to - start, MAX_LINES);
      if (this.count > 0 && this.lines[1] === INPUT + end - start) {
        this.shifts.fill(start - INPUT, 1, this.count);
        return 0;
      }
      this.drop();
    }
    this.reserve(end - start);
    copyInto(this.bytes, INPUT, buffer, start, end);
    tokens.one(INPUT, INPUT + end - start);
    this.count = 1;
    return 0;
  }

  /**
   * When the line at `start` is in the block's list: copies it and the lines of the list after
   * it (up to a window's bytes; adjacent lines in one copy) one after another into the memory,
   * and reads them. False when the line is not in the list.
   */
  private gather(start: number): boolean {
    const starts = this.listStarts;
    const ends = this.listEnds;
    let i = this.listNext;
    while (i < this.listCount && starts[i] < start) i++;
    this.listNext = i;
    if (i === this.listCount || starts[i] !== start) return false;
    let j = i + 1;
    let size = ends[i] + 1 - start;
    for (; j < this.listCount && j - i < MAX_LINES && size + ends[j] + 1 - starts[j] <= WINDOW_MAX; j++) size += ends[j] + 1 - starts[j];
    this.reserve(size);
    const buffer = this.list!;
    let at = INPUT;
    for (let q = i; q < j;) {
      let r = q + 1;
      while (r < j && starts[r] === ends[r - 1] + 1) r++;
      const from = starts[q];
      const to = ends[r - 1] + 1;
      copyInto(this.bytes, at, buffer, from, to);
      this.shifts.fill(from - at, q - i, r - i);
      at += to - from;
      q = r;
    }
    this.count = this.tokens.lines(INPUT, at, MAX_LINES);
    this.listNext = i + this.count;
    this.gathered = true;
    return true;
  }

  /**
   * The fields of a line read, `n` of them from field `first`: the winners of their roles, as
   * json-tokens.wat marked them (and the strings new in the cache, made now whether they win or not).
   */
  private winners(buf: Bytes, first: number, n: number): Picked {
    const p = this.picked;
    const values = p.values;
    const fields = this.fields;
    let roles = 0;
    let type = 0;
    let said: MessageText | undefined;
    for (let f = first, end = first + n; f < end; f++) {
      const info = fields[4 * f];
      if ((info & (WIN | NEW_TEXT)) === 0) continue;
      const role = (info >>> ROLE_SHIFT) & 31;
      const v = this.value(buf, f, info, ((KEPT_ROLES >>> role) & 1) === 1);
      if ((info & WIN) === 0) continue;
      values[role] = v;
      roles |= 1 << role;
      if (role === FIELD.message) said = this.said(f, v);
      else if (role === FIELD.type) type = info;
    }
    // The roles the line before had and this one has not.
    for (let m = this.roles & ~roles; m !== 0; m &= m - 1) values[31 - Math.clz32(m & -m)] = undefined;
    this.roles = roles;
    p.said = said;
    p.frameType = type === 0 ? undefined : toFrameType(this.keys[(type >>> 3) & KEY_ID].typeName!, values[FIELD.type]);
    p.pid = values[PID_ROLE];
    p.host = values[HOSTNAME_ROLE] ?? values[HOST_ROLE];
    return p;
  }

  /** The fields of a line read, `n` of them from field `first`, each placed by its key (a line `winners` cannot read). */
  private fieldByField(buf: Bytes, first: number, n: number): Picked {
    const p = this.picked;
    const values = p.values;
    const ranks = this.ranks;
    for (let r = 0; r < ROLE_COUNT; r++) values[r] = undefined;
    this.roles = ALL_ROLES;
    resetRanks(ranks);
    p.frameType = undefined;
    p.said = undefined;
    let pid: unknown;
    let hostname: unknown;
    let host: unknown;
    const fields = this.fields;
    const keys = this.keys;
    for (let f = first, end = first + n; f < end; f++) {
      const info = fields[4 * f];
      const key = keys[(info >>> 3) & KEY_ID];
      const v = this.value(buf, f, info, key.kept);
      if (v !== null && v !== '') {
        const said = key.message ? this.said(f, v) : undefined;
        const role = key.role;
        if (role >= 0) {
          if (key.rank < ranks[role]) {
            values[role] = v;
            ranks[role] = key.rank;
            if (key.message) p.said = said;
          }
        } else {
          const slots = key.slots;
          for (let k = 0; k < slots.length; k++) {
            const slot = slots[k];
            if (put(p, ranks, slot, v) && slot.role === FIELD.message) p.said = said;
          }
        }
      }
      if (key.special !== OTHER) {
        if (key.special === PID) pid = v;
        else if (key.special === HOSTNAME) hostname = v;
        else if (key.special === HOST) host = v;
      }
    }
    p.pid = pid;
    p.host = hostname ?? host;
    return p;
  }

  /** The value of field `f` (`info` its first word); a string new in the cache is made and kept there. */
  private value(buf: Bytes, f: number, info: number, kept: boolean): unknown {
    const kind = info & 7;
    const fields = this.fields;
    if (kind === STRING) {
      const slot = fields[4 * f + 1];
      if (slot >= 0 && slot < NEW) return this.texts[slot];
      const v = text(buf, fields[4 * f + 2] + this.shift, fields[4 * f + 3] + this.shift, kept);
      if (slot >= 0) {
        this.texts[slot & ~NEW] = v;
        this.saids[slot & ~NEW] = undefined;
      }
      return v;
    }
    if (kind === NUMBER) return this.numbers[2 * f + 1];
    if (kind === NUMBER_TEXT) return Number(buf.latin1Slice(fields[4 * f + 2] + this.shift, fields[4 * f + 3] + this.shift)); // as JSON.parse reads it
    return kind === TRUE ? true : kind === FALSE ? false : null;
  }

  /** The MessageText of field `f`'s value `v` when a string (kept with its cache slot). */
  private said(f: number, v: unknown): MessageText | undefined {
    if (typeof v !== 'string') return undefined;
    const slot = this.fields[4 * f + 1];
    return slot >= 0 ? (this.saids[slot & ~NEW] ??= messageText(v)) : messageText(v);
  }

  /** Room in the memory for `n` bytes of input (and the padding past them). */
  private reserve(n: number): void {
    const { memory } = this.tokens;
    const size = INPUT + n + PADDING;
    if (memory.buffer.byteLength >= size) return;
    growTo(memory, size);
    this.view();
  }

  private view(): void {
    const memory = this.tokens.memory.buffer;
    this.bytes = new Uint8Array(memory);
    this.lines = new Int32Array(memory, LINES, 4 * MAX_LINES);
    this.fields = new Int32Array(memory, FIELDS, 4 * MAX_FIELDS);
    this.numbers = new Float64Array(memory, FIELDS, 2 * MAX_FIELDS);
  }
}

/**
 * A string value's text. One events `keep` is read as JSON.parse reads it: V8 interns a short
 * one, so that a connection's id is one string whatever the number of its events kept meanwhile.
 * Bytes that are no UTF-8 read as U+FFFD, as they do when the line is decoded whole; the string has no escape.
 */
function text(buf: Bytes, start: number, end: number, keep: boolean): string {
  return keep ? JSON.parse(buf.utf8Slice(start - 1, end + 1)) as string : buf.utf8Slice(start, end);
}

const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * `src[from, to)` into `dst` at `at`: one view and the builtin copy. `Buffer.copy` runs three
 * JavaScript functions of Node's (its checks) before the same copy, and the first run's lines
 * pay for them before they are optimized.
 */
function copyInto(dst: Uint8Array, at: number, src: Buffer, from: number, to: number): void {
  dst.set(new Uint8Array(src.buffer, src.byteOffset + from, to - from), at);
}
