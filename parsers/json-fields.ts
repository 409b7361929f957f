/**
 * Reads the fields of a flat JSON line (scalars only, the common shape of a WebSocket event
 * logged by pino, bunyan or winston) straight from its text, without building the object:
 * JSON.parse would make an object and a string per key and value, and the events need a few.
 *
 * The reader is exact or declines: it accepts only what JSON.parse accepts, and declines
 * (returns undefined) a line with a nested value, an escape, a control character, a key read
 * twice, or an error or stack field (an exception is read from the whole record). The caller
 * then parses the line whole. Keys are told apart without slicing them: each key remembers the
 * key that followed it last time, and a line of the same shape as the one before matches it.
 */
import {
  FIELD, keySlots, type MessageText, messageText, ownString, recurringMessageAt, type Picked, ROLE_COUNT, type Slot, TYPE_ROLE, toFrameType,
} from './fields.js';
import type { FieldMap } from './parser.js';

const OTHER = 0;
const PID = 1;
const HOSTNAME = 2;
const HOST = 3;
/** An error or stack field: the line is parsed whole. */
const WHOLE = 4;

/** Distinct keys remembered per reader; beyond that, keys are looked up each time. */
const MAX_KEYS = 512;

/** Roles whose string values events keep as they are. */
const KEPT = [FIELD.conn, FIELD.route, FIELD.reason, FIELD.level, FIELD.message];

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
  /** Its last string value: a service's hostname, a route, a connection's id recur. */
  last = '';
  /** `"name":`, as a compact line writes it. */
  readonly quoted: string;
  /** Events keep its string value (the others are read, or copied where kept: record.ts `own`). */
  private readonly kept: boolean;

  constructor(
    readonly name: string,
    /** Its slots with a literal name (a dotted path needs a nested value, which the reader declines). */
    readonly slots: Slot[],
    readonly special: number,
  ) {
    this.quoted = `"${name}":`;
    this.wanted = slots.length > 0 || special !== OTHER;
    this.message = slots.some((s) => s.role === FIELD.message);
    this.kept = slots.some((s) => KEPT.includes(s.role));
  }

  /** The JSON string at `text[start]` is its last value again. */
  recurs(text: string, start: number): boolean {
    const last = this.last;
    return text.charCodeAt(start + last.length) === 34 /* " */ && text.startsWith(last, start);
  }

  /** Its new string value `text[start, end)`: a copy where events keep it, else a view of the line. */
  value(text: string, start: number, end: number): string {
    return (this.last = this.kept ? ownString(text, start, end) : text.slice(start, end));
  }
}

export class FlatJsonReader {
  private readonly keys = new Map<string, Key>();
  private readonly first = new Key('', [], OTHER);
  private readonly picked: Picked = { values: [], frameType: undefined, pid: undefined, host: undefined, rec: undefined, said: undefined };
  private readonly ranks: number[] = [];
  private line = 0;

  constructor(private readonly f: FieldMap) {
    for (let r = 0; r < ROLE_COUNT; r++) this.picked.values.push(undefined);
  }

  /** The fields of `text` (the object reused for each line), or undefined when the line is for JSON.parse. */
  read(text: string): Picked | undefined {
    const n = text.length;
    // The last character a `}`: no read below runs past the end, since each token stops at it.
    if (n < 2 || text.charCodeAt(0) !== 123 /* { */ || text.charCodeAt(n - 1) !== 125 /* } */) return undefined;
    const stamp = ++this.line;
    const p = this.picked;
    const values = p.values;
    const ranks = this.ranks;
    for (let r = 0; r < ROLE_COUNT; r++) { values[r] = undefined; ranks[r] = Infinity; }
    let typeRank = Infinity;
    p.frameType = undefined;
    p.said = undefined;
    let pid: unknown;
    let hostname: unknown;
    let host: unknown;
    let prev = this.first;
    let i = spaces(text, 1);
    if (i === n - 1) return this.done(p, pid, hostname, host); // {}
    for (;;) {
      // The key: a line of the same shape as the one before has the key that followed the last one.
      let key = prev.next;
      if (key !== undefined && text.startsWith(key.quoted, i)) {
        i += key.quoted.length;
      } else {
        if (text.charCodeAt(i) !== 34 /* " */) return undefined;
        const ke = stringEnd(text, i + 1);
        if (ke < 0) return undefined;
        key = this.key(prev, text, i + 1, ke);
        i = spaces(text, ke + 1);
        if (text.charCodeAt(i) !== 58 /* : */) return undefined;
        i++;
      }
      prev = key;
      i = spaces(text, i);
      const wanted = key.wanted;
      if (wanted) {
        if (key.special === WHOLE || key.seen === stamp) return undefined;
        key.seen = stamp;
      }
      // The value.
      const c = text.charCodeAt(i);
      let v: unknown;
      let said: MessageText | undefined;
      if (c === 34 /* " */) {
        // A string: a recurring value is compared in place; any other is checked (no escape, no control character) to its end.
        const vs = i + 1;
        let ve: number;
        if (wanted && key.message && (said = recurringMessageAt(text, vs)) !== undefined) {
          v = said.text;
          ve = vs + said.text.length;
        } else if (wanted && key.recurs(text, vs)) {
          v = key.last;
          ve = vs + key.last.length;
        } else {
          ve = stringEnd(text, vs);
          if (ve < 0) return undefined;
          if (wanted) {
            if (ve === vs) v = '';
            else if (key.message) v = (said = messageText(ownString(text, vs, ve))).text;
            else v = key.value(text, vs, ve);
          }
        }
        i = ve + 1;
      } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
        let j = c === 45 ? i + 1 : i;
        let int = 0;
        let d = text.charCodeAt(j);
        if (d === 48) d = text.charCodeAt(++j);
        else if (d >= 49 && d <= 57) {
          do int = int * 10 + (d - 48); while ((d = text.charCodeAt(++j)) >= 48 && d <= 57);
        } else return undefined;
        let plain = true;
        if (d === 46 /* . */) {
          plain = false;
          j = digits(text, j + 1);
          if (j < 0) return undefined;
          d = text.charCodeAt(j);
        }
        if (d === 101 || d === 69 /* e E */) {
          plain = false;
          d = text.charCodeAt(j + 1);
          j = digits(text, d === 43 || d === 45 ? j + 2 : j + 1);
          if (j < 0) return undefined;
        }
        // Up to 15 digits an integer is exact as summed; longer and other numbers as Number reads them, as JSON.parse does.
        if (wanted) v = plain && j - i <= 15 ? (c === 45 ? -int : int) : Number(text.slice(i, j));
        i = j;
      } else if (c === 116 /* t */ && text.startsWith('true', i)) {
        v = true;
        i += 4;
      } else if (c === 102 /* f */ && text.startsWith('false', i)) {
        v = false;
        i += 5;
      } else if (c === 110 /* n */ && text.startsWith('null', i)) {
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
            const role = slot.role;
            if (slot.rank < ranks[role]) {
              values[role] = v;
              ranks[role] = slot.rank;
              if (role === FIELD.message) p.said = said;
            }
            if (role === TYPE_ROLE && slot.rank < typeRank) {
              const type = toFrameType(slot.name, v);
              if (type) { p.frameType = type; typeRank = slot.rank; }
            }
          }
        }
        if (key.special === PID) pid = v;
        else if (key.special === HOSTNAME) hostname = v;
        else if (key.special === HOST) host = v;
      }
      i = spaces(text, i);
      const d = text.charCodeAt(i);
      if (d === 44 /* , */) {
        i = spaces(text, i + 1);
        continue;
      }
      return d === 125 /* } */ && i === n - 1 ? this.done(p, pid, hostname, host) : undefined;
    }
  }

  private done(p: Picked, pid: unknown, hostname: unknown, host: unknown): Picked {
    p.pid = pid;
    p.host = hostname ?? host;
    return p;
  }

  /** The key at `text[start, end)`, looked up; it now follows `prev`. */
  private key(prev: Key, text: string, start: number, end: number): Key {
    const name = ownString(text, start, end);
    let key = this.keys.get(name);
    if (key === undefined) {
      key = this.define(name);
      // Keys the events read are few and always kept (a key read twice must be seen); others up to a bound.
      if (key.slots.length > 0 || key.special !== OTHER || this.keys.size < MAX_KEYS) this.keys.set(name, key);
    }
    prev.next = key;
    return key;
  }

  private define(name: string): Key {
    const f = this.f;
    const slots = (keySlots(f).get(name) ?? []).filter((s) => s.path === undefined);
    const special = f.error.includes(name) || name === 'stack' ? WHOLE
      : name === 'pid' ? PID : name === 'hostname' ? HOSTNAME : name === 'host' ? HOST : OTHER;
    return new Key(name, slots, special);
  }
}

/** Past the spaces JSON allows between tokens (other blanks are control characters, which UNUSUAL declines). */
function spaces(text: string, i: number): number {
  while (text.charCodeAt(i) === 32) i++;
  return i;
}

/** The closing quote of a string that starts at `i`, or -1 for an escape, a control character or no end. */
function stringEnd(text: string, i: number): number {
  for (const n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) return i;
    if (c === 92 || c < 32) return -1;
  }
  return -1;
}

/** Past one or more digits from `i`, or -1 when none is there. */
function digits(text: string, i: number): number {
  const start = i;
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i));
  return i > start ? i : -1;
}
