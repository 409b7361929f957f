/**
 * The fast path's needles for records, JSON and logfmt lines: what a line must contain to
 * yield an event, so that the lines without any are never decoded nor parsed
 * (src/prefilter.ts finds them).
 *
 * They are necessary conditions read off `pickedEvents` (record.ts) and the vocabulary in
 * fields.ts: a top-level key of the connection, error, accepts or port fields (and `stack`);
 * a close-code field whose value can be a code (4 digits, a fraction or an exponent: not an
 * HTTP status); a frame-type field with a frame-type value; a remote address that carries a
 * port; in the text, the words of the close, frame and close-code vocabulary, in any case and
 * without word boundaries; an escaped line break before a trace's frame (`\n    at `, Python's
 * `\n  File `), the trace an exception written into a message holds (stack.ts `writtenException`);
 * and any `\u` escape, which may hide any of these. The two formats
 * differ in how a key and its value are written (`Syntax`). A line that does not start as the
 * format's lines do (`{`; logfmt: the input's first key) is always read (it is counted as not
 * of the format). Matching more lines than needed costs time only;
 * test/parsers/record-prefilter.test.ts and test/analyze.prefilter.test.ts check that none is
 * missed.
 *
 * Each test on what follows a needle has two forms: a `followedBy` pattern, looser, run where
 * the needles are searched (it rules out `"statusCode":200` and the like without a call per
 * line), and the exact `check`, run on what the pattern lets through.
 */
import type { FieldMap, Needle, Prefilter } from './parser.js';

type Bytes = Uint8Array;

/** Keep in step with CLOSE_TEXT, FRAME_TEXT's `binary`/`text` (record.ts) and CODE_IN_TEXT in fields.ts. */
const WORDS = [
  'clos', 'disconnect', 'terminated', 'hang up', 'hangup', 'hung up',
  'connection lost', 'connection dropped', 'connection reset', 'binary', 'text',
];
/** CODE_IN_TEXT's `1003 (unsupported data)`: the words after the parenthesis. */
const CODE_NAMES = [
  'normal', 'going away', 'protocol error', 'unsupported', 'no status', 'abnormal', 'invalid', 'policy',
  'message too big', 'mandatory', 'internal', 'service restart', 'try again', 'bad gateway', 'tls',
];

/**
 * What skipSpace skips, as a pattern's set: more (an escape's letter without its backslash
 * too), which only lets more through, since no pattern wants one of those bytes next.
 */
const BLANK = '[ \\t\\r\\x0b\\x0c\\x80-\\xff\\\\nrtfb]';

interface Test {
  /** Necessary conditions of `exact`, cheap to run where the needles are searched. */
  followedBy: string[];
  exact(b: Bytes, p: number): boolean;
}

/** How a format writes a key and its value, each form as a pattern and as an exact test. */
interface Syntax {
  /** The needles of a key named `name`. */
  spellings(name: string): string[];
  /** From the end of a key's needle to its value (but the blanks before it), as a pattern. */
  toValue: string;
  /** Where the value of the key whose needle ends at `p` starts; -1 when none follows. */
  valueAt(b: Bytes, p: number): number;
  /** The key whose needle ends at `p` is one, with any value or none. */
  key: Test;
  /** Values may be unquoted text. */
  bare: boolean;
  /** A dotted name is read from a nested object too: its first segment is then a key to look for. */
  nests: boolean;
  lineStart?: string;
}

/** What follows a JSON key's closing quote: blanks and its colon (a string value not followed by one is no key). */
const COLON = `${BLANK}*:`;

/** A JSON key: `"name"`, then COLON. */
const JSON_SYNTAX: Syntax = {
  spellings: (name) => (name.includes('/') ? [`"${name}"`, `"${name.replace(/\//g, '\\/')}"`] : [`"${name}"`]),
  toValue: COLON,
  valueAt: (b, p) => {
    const q = skipSpace(b, p);
    return b[q] === 58 ? skipSpace(b, q + 1) : -1;
  },
  key: { followedBy: [COLON], exact: (b, p) => JSON_SYNTAX.valueAt(b, p) >= 0 },
  bare: false,
  nests: true,
  lineStart: '{',
};

/**
 * A logfmt key (logfmt.ts): `name=value`, `name.more=value` (nested again), or `name` alone, a
 * flag (true), which ends at a byte up to the space, a line break among them.
 */
const LOGFMT_SYNTAX: Syntax = {
  spellings: (name) => [name],
  toValue: '=',
  valueAt: (b, p) => (b[p] === 61 ? p + 1 : -1),
  key: { followedBy: ['[=.]', '[\\x00-\\x20]', '$'], exact: (b, p) => b[p] === 61 || b[p] === 46 || b[p] === undefined || b[p] <= 32 },
  bare: true,
  nests: false,
};

export function jsonPrefilter(f: FieldMap): Prefilter {
  return recordPrefilter(f, JSON_SYNTAX);
}

/** logfmt's needles; its `lineStart` is each input's first key (logfmt.ts). */
export function logfmtPrefilter(f: FieldMap): Prefilter {
  return recordPrefilter(f, LOGFMT_SYNTAX);
}

function recordPrefilter(f: FieldMap, syntax: Syntax): Prefilter {
  const { toValue, valueAt, bare } = syntax;
  // Four digits, or fewer then a fraction or an exponent: up to three digits, then one more or `.eE`.
  const code: Test = { followedBy: [`${toValue}${BLANK}*"?${BLANK}*[0-9]{1,3}[0-9.eE]`], exact: (b, p) => codeValue(b, valueAt(b, p)) };
  // A frame-type key alone (a logfmt flag, true) names a type only as `isBinary` or `binary`,
  // which the word `binary` finds.
  const type: Test = { followedBy: [toValue], exact: (b, p) => typeValue(b, valueAt(b, p), bare) };
  const remote: Test = {
    followedBy: [`${toValue}${BLANK}*"[^"\\\\:]*[\\\\:]`, ...(bare ? [`${toValue}[^\\x00-\\x20\\\\:]*[\\\\:]`] : [])],
    exact: (b, p) => remoteWithPort(b, valueAt(b, p), bare),
  };
  const needles: Needle[] = [{ text: '\\u' }];
  keys(needles, syntax, [...f.conn, ...f.error, ...f.accepts, ...f.port, 'stack'], syntax.key);
  keys(needles, syntax, f.code, code);
  keys(needles, syntax, f.type, type);
  keys(needles, syntax, f.remote, remote);
  // A line break in a string value is always escaped; a frame's indent may be an escaped tab.
  needles.push({ text: '\\n', ...tested(FRAME_AFTER) });
  for (const w of WORDS) needles.push({ text: w, anyCase: true });
  for (const w of ['code', 'status']) needles.push({ text: w, anyCase: true, ...tested(CODE_AFTER) });
  for (const w of CODE_NAMES) needles.push({ text: `(${w}`, anyCase: true, check: (b, s) => codeBefore(b, s - 1) });
  return syntax.lineStart === undefined ? { needles } : { needles, lineStart: syntax.lineStart };
}

// In three patterns, so that the byte right after the word is one the check may accept (a blank
// as skipSpace skips it, not an escape's letter without its backslash): the sweep stops only
// where one of those follows (src/prefilter.ts), not at `statusCode` nor `status_`.
const CODE_AFTER: Test = {
  followedBy: ['[0-9]{4}', `[=:]${BLANK}*[0-9]{4}`, `[ \\t\\r\\x0b\\x0c\\x80-\\xff\\\\]${BLANK}*[=:]?${BLANK}*[0-9]{4}`],
  exact: codeAfter,
};

/** After an escaped line break, a trace's frame: `    at ` (the indent maybe escaped tabs), Python's `  File `. */
const FRAME_AFTER: Test = {
  followedBy: ['[ \\t\\\\t]+at ', ' +File '],
  exact: (b, p) => {
    let q = p;
    while (b[q] === 32 || b[q] === 9 || b[q] === 92 || b[q] === 116) q++; // space, tab, `\`, `t`
    if (q > p && bytesAre(b, q, 'at ')) return true;
    for (q = p; b[q] === 32;) q++;
    return q > p && bytesAre(b, q, 'File ');
  },
};

/** The bytes at `p` are `s`'s. */
function bytesAre(b: Bytes, p: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (b[p + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** A needle's tests: the pattern where needles are searched, the exact check after it. */
function tested({ followedBy, exact }: Test): Pick<Needle, 'followedBy' | 'check'> {
  return { followedBy, check: (b, _s, e) => exact(b, e) };
}

/**
 * Each name as a key, its value tested by `test`. A dotted name (`ws.id`) is a key with any
 * value, and in JSON, read from a nested object too, its first segment is a key to look for.
 */
function keys(out: Needle[], syntax: Syntax, names: string[], test: Test): void {
  const add = (name: string, shape: Test) => {
    // One needle per key, what follows found by the check: variants for each byte that may
    // follow (`:`, blanks) would each be compared in full where the key occurs.
    for (const text of syntax.spellings(name)) out.push({ text, ...tested(shape) });
  };
  for (const name of names) {
    if (name.includes('.')) {
      add(name, syntax.key);
      if (syntax.nests) add(name.slice(0, name.indexOf('.')), syntax.key);
    } else add(name, test);
  }
}

/** Whitespace as it may appear raw: JSON's, a UTF-8 multi-byte char, or an escape. */
function skipSpace(b: Bytes, p: number): number {
  for (;;) {
    const c = b[p];
    if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12 || c >= 0x80) p++;
    else if (c === 92 && isEscapedSpace(b[p + 1])) p += 2;
    else return p;
  }
}

function isEscapedSpace(c: number): boolean {
  return c === 110 || c === 114 || c === 116 || c === 102 || c === 98; // n r t f b
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A value at `q` (-1: none) `toCode` may accept: 4 digits (maybe quoted), or a number with a fraction or exponent. */
function codeValue(b: Bytes, q: number): boolean {
  if (q < 0) return false;
  if (b[q] === 34) q = skipSpace(b, q + 1);
  if (!isDigit(b[q])) return false;
  let digits = 0;
  while (isDigit(b[q])) { q++; digits++; }
  return digits >= 4 || b[q] === 46 || b[q] === 101 || b[q] === 69; // . e E
}

/**
 * A value at `q` (-1: none) `toFrameType` may accept: a boolean, a number, or a type name (by
 * its first letters), quoted or, where values may be `bare`, not.
 */
function typeValue(b: Bytes, q: number, bare: boolean): boolean {
  if (q < 0) return false;
  const c = b[q];
  if (c === 116 || c === 102 || c === 45 || isDigit(c)) return true; // true false - digit
  if (c === 34) q++;
  else if (!bare) return false;
  return TYPE_STARTS.has(String.fromCharCode(b[q] | 0x20, b[q + 1] | 0x20));
}

const TYPE_STARTS = new Set(['te', 'st', 'ut', 'bi', 'by', 'bu', 'ar', 'bl', 'pi', 'po', 'cl', 'co']);

/**
 * A value at `q` (-1: none) with `:digit` in it (an address with its port), or an escape that
 * may hide one: a string, or where values may be `bare`, text up to a blank.
 */
function remoteWithPort(b: Bytes, q: number, bare: boolean): boolean {
  if (q < 0) return false;
  const quoted = b[q] === 34;
  if (!quoted && !bare) return false;
  for (q += quoted ? 1 : 0; ; q++) {
    const c = b[q];
    if (c === undefined || c === 10 || (quoted ? c === 34 : c <= 32)) return false;
    if (c === 92 || (c === 58 && isDigit(b[q + 1]))) return true;
  }
}

/** `code=1011`, `status: 1006`: CODE_IN_TEXT's first form, after the word. */
function codeAfter(b: Bytes, p: number): boolean {
  let q = skipSpace(b, p);
  if (b[q] === 61 || b[q] === 58) q = skipSpace(b, q + 1);
  return isDigit(b[q]) && isDigit(b[q + 1]) && isDigit(b[q + 2]) && isDigit(b[q + 3]);
}

/** `1003 (`: four digits, then blanks, before the parenthesis at p + 1. */
function codeBefore(b: Bytes, p: number): boolean {
  let q = p;
  for (;;) {
    const c = b[q];
    if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12 || c >= 0x80) q--;
    else if (isEscapedSpace(c) && b[q - 1] === 92) q -= 2;
    else break;
  }
  return isDigit(b[q]) && isDigit(b[q - 1]) && isDigit(b[q - 2]) && isDigit(b[q - 3]);
}
