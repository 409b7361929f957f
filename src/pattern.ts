/**
 * The `followedBy` patterns of prefilter needles (parsers/parser.ts): a sequence of bytes or
 * byte sets, each with a quantifier. Small enough to run where the needles are searched, in
 * prefilter.wat: there is no alternation (a needle lists several patterns instead), repeats
 * are possessive (they never give back, so matching is one forward pass), and no set holds
 * a line break (a pattern never reads past its line): a pattern that may end the line ends
 * with `$`, which takes the line break and nothing else.
 *
 * Syntax: a literal byte (`:`), a set (`[0-9.eE]`, `[^"\\]`), an escape (`\n`, `\t`, `\r`,
 * `\xNN`, or `\` before any other byte for itself); then optionally `?`, `*`, `+`, `{m}`,
 * `{m,}` or `{m,n}`; last, `$`. Bytes are Latin-1 (`[\x80-\xff]` is any byte of a UTF-8 sequence).
 *
 * prefilter.wat runs them as automata (`Automata`): one table load per byte read, whatever
 * the items, so that a near miss that fails at its first byte costs one load; and a state that
 * keeps all bytes but a few (`[^"\\:]*`, the rest of a quoted value) is left sixteen bytes at a
 * time, where one of those few is found.
 */

export interface PatternItem {
  /** 1 for each byte in the set. */
  set: Uint8Array;
  min: number;
  /** UNBOUNDED for no upper bound. */
  max: number;
}

/** The largest finite repeat count; `max` is UNBOUNDED above it. */
export const UNBOUNDED = 255;

const NL = 10;

export function parsePattern(text: string): PatternItem[] {
  const items: PatternItem[] = [];
  let i = 0;
  const fail = (why: string): never => { throw new Error(`prefilter pattern "${text}": ${why} at ${i}`); };
  const escaped = (): number => {
    const c = text[i++];
    if (c === undefined) return fail('a trailing backslash');
    if (c === 'n') return 10;
    if (c === 't') return 9;
    if (c === 'r') return 13;
    if (c === 'x') {
      const hex = text.slice(i, i + 2);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail('\\x without two hex digits');
      i += 2;
      return parseInt(hex, 16);
    }
    return byteOf(c);
  };
  const byteOf = (c: string): number => {
    const b = c.charCodeAt(0);
    return b > 0xff ? fail('a character outside Latin-1') : b;
  };
  const one = (): number => (text[i] === '\\' ? (i++, escaped()) : byteOf(text[i++]));
  while (i < text.length) {
    const set = new Uint8Array(256);
    if (text[i] === '$' && i === text.length - 1) {
      set[NL] = 1;
      items.push({ set, min: 1, max: 1 });
      break;
    }
    if (text[i] === '[') {
      i++;
      const negate = text[i] === '^';
      if (negate) i++;
      while (text[i] !== ']') {
        if (i >= text.length) fail('an unclosed set');
        const from = one();
        let to = from;
        if (text[i] === '-' && text[i + 1] !== ']') {
          i++;
          to = one();
        }
        for (let b = from; b <= to; b++) set[b] = 1;
      }
      i++;
      if (negate) for (let b = 0; b < 256; b++) set[b] ^= 1;
    } else set[one()] = 1;
    set[NL] = 0;
    let min = 1;
    let max = 1;
    const q = text[i];
    if (q === '?') { min = 0; i++; } else if (q === '*') { min = 0; max = UNBOUNDED; i++; } else if (q === '+') { max = UNBOUNDED; i++; } else if (q === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(text.slice(i)) ?? fail('a malformed {m,n}');
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? UNBOUNDED : Number(m[3]);
      if (max < min || min >= UNBOUNDED || (max >= UNBOUNDED && m[3] !== '')) fail(`a repeat count over ${UNBOUNDED - 1}`);
      i += m[0].length;
    }
    items.push({ set, min, max });
  }
  return items;
}

/** An automaton's state that has failed, and one that has matched: both read no further. */
export const REJECT = 0;
export const ACCEPT = 1;

/** A pattern's place once it has matched, or failed (see `Automata.add`). */
const MATCHED = -1;
const FAILED = -2;

/** Marks, in `table()` and `ref()`, a state that the kernel leaves by looking for its exits. */
export const SKIP = 0x8000;
/** The most bytes that may leave a state that is skipped over (the line break among them). */
export const EXITS = 4;

/**
 * The classes of bytes that every item of the patterns takes or refuses alike (`classOf`,
 * numbered in the order of their first byte) and each class's first byte: the partition of the
 * bytes refined by each item's set in turn. Its own function, with numbers, not a string per
 * byte: it runs at every start-up, as cold code, and a loop inside `Automata.add` made that
 * large function hot (V8 then spent some 20 ms compiling it).
 */
function byteClasses(patterns: PatternItem[][]): { classOf: Uint8Array; firsts: number[] } {
  const classOf = new Uint8Array(256);
  const renumbered = new Int16Array(512);
  let count = 1;
  for (const items of patterns) {
    for (const { set } of items) {
      renumbered.fill(-1, 0, 2 * count);
      count = 0;
      for (let b = 0; b < 256; b++) {
        const k = 2 * classOf[b] + set[b];
        if (renumbered[k] < 0) renumbered[k] = count++;
        classOf[b] = renumbered[k];
      }
    }
  }
  const firsts: number[] = [];
  for (let b = 0; b < 256; b++) if (classOf[b] === firsts.length) firsts.push(b);
  return { classOf, firsts };
}

/**
 * Patterns compiled into one transition table: the state after reading byte `b` in state `s`
 * is `next[s * 256 + b]`. A pattern's states are its items with how many bytes each has taken
 * (up to `max`, or up to `min` when unbounded: more are all alike), so the automaton reads the
 * same bytes as the possessive matching does and ends in ACCEPT exactly where it matches.
 */
export class Automata {
  /** Rows of 256 next states; REJECT's and ACCEPT's rows stay where they are. */
  readonly next: number[] = new Array(512).fill(REJECT);
  private readonly starts = new Map<string, number>();
  private readonly refs: number[] = [];

  constructor() {
    this.next.fill(ACCEPT, 256, 512);
  }

  get states(): number {
    return this.next.length / 256;
  }

  /**
   * The start state of an automaton that accepts where one of the patterns matches (ACCEPT for
   * a pattern that matches before reading anything): the patterns run side by side, so that a
   * needle's are told apart in one pass, most often at their first byte.
   */
  add(...texts: string[]): number {
    const key = JSON.stringify(texts);
    const known = this.starts.get(key);
    if (known !== undefined) return known;
    const patterns = texts.map(parsePattern);
    const ids = new Map<string, number>();
    const todo: number[][] = [];
    // A place in a pattern: item i having taken c bytes, as i * 256 + c (c < UNBOUNDED), or
    // MATCHED, or FAILED. A state is the places of all the patterns.
    const settle = (items: PatternItem[], i: number, c: number): number => {
      while (i < items.length && c >= items[i].max) { i++; c = 0; }
      return i === items.length ? MATCHED : i * 256 + c;
    };
    const id = (places: number[]): number => {
      if (places.includes(MATCHED)) return ACCEPT;
      if (places.every((p) => p === FAILED)) return REJECT;
      const k = places.join();
      let s = ids.get(k);
      if (s === undefined) {
        ids.set(k, (s = this.states));
        for (let b = 0; b < 256; b++) this.next.push(REJECT);
        todo.push(places);
      }
      return s;
    };
    const step = (items: PatternItem[], place: number, b: number): number => {
      if (place < 0) return place;
      for (let i = place >>> 8, c = place & 255; ;) {
        const { set, min, max } = items[i];
        if (set[b]) return settle(items, i, max === UNBOUNDED ? Math.min(c + 1, min) : c + 1);
        if (c < min) return FAILED;
        const next = settle(items, i + 1, 0);
        if (next === MATCHED) return MATCHED;
        i = next >>> 8;
        c = next & 255;
      }
    };
    // Bytes that every item takes or refuses alike lead from a state to the same one: each such
    // class of bytes is stepped once, by its first byte.
    const { classOf, firsts } = byteClasses(patterns);
    const start = id(patterns.map((items) => settle(items, 0, 0)));
    for (const places of todo) {
      const row = 256 * ids.get(places.join())!;
      const to = firsts.map((b) => id(places.map((p, k) => step(patterns[k], p, b))));
      for (let b = 0; b < 256; b++) this.next[row + b] = to[classOf[b]];
    }
    this.starts.set(key, start);
    return start;
  }

  /** The bytes that leave state `s` (to another state), when there are at most EXITS of them. */
  exits(s: number): number[] | undefined {
    if (s === REJECT || s === ACCEPT) return undefined;
    const out: number[] = [];
    for (let b = 0; b < 256; b++) {
      if (this.next[256 * s + b] === s) continue;
      if (out.length === EXITS) return undefined;
      out.push(b);
    }
    return out;
  }

  /** State `s` as prefilter.wat refers to it: with SKIP when it has few exits. */
  ref(s: number): number {
    // A state's row is final once `add` has returned: its ref is kept (a parser's needles share a few start states).
    return (this.refs[s] ??= this.exits(s) === undefined ? s : s | SKIP);
  }

  /**
   * The transition table as prefilter.wat reads it (states as `ref` gives them), and each
   * skipped state's exits: EXITS bytes (the last repeated to fill them), each sixteen times.
   */
  table(): { next: Uint16Array; exits: Uint8Array } {
    const refs = Array.from({ length: this.states }, (_, s) => this.ref(s));
    const exits = new Uint8Array(16 * EXITS * this.states);
    refs.forEach((r, s) => {
      if (!(r & SKIP)) return;
      const e = this.exits(s)!;
      for (let k = 0; k < EXITS; k++) exits.fill(e[Math.min(k, e.length - 1)], 16 * (EXITS * s + k), 16 * (EXITS * s + k + 1));
    });
    const next = new Uint16Array(this.next.length);
    for (let i = 0; i < next.length; i++) next[i] = refs[this.next[i]];
    return { next, exits };
  }
}
