/**
 * The `followedBy` patterns of prefilter needles (parsers/parser.ts): a sequence of bytes or
 * byte sets, each with a quantifier. Small enough to run where the needles are searched, in
 * prefilter.wat: there is no alternation (a needle lists several patterns instead), repeats
 * are possessive (they never give back, so matching is one forward pass), and no set holds
 * a line break (a pattern never reads past its line).
 *
 * Syntax: a literal byte (`:`), a set (`[0-9.eE]`, `[^"\\]`), an escape (`\n`, `\t`, `\r`,
 * `\xNN`, or `\` before any other byte for itself); then optionally `?`, `*`, `+`, `{m}`,
 * `{m,}` or `{m,n}`. Bytes are Latin-1 (`[\x80-\xff]` is any byte of a UTF-8 sequence).
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
