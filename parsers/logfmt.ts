/**
 * logfmt lines: `key=value` pairs separated by spaces, values quoted when they hold a space, `=`
 * or `"`, with backslash escapes inside quotes (`\"`, `\\`, `\n`, `\t`, `\uXXXX`). Checked
 * against go-logfmt (decode.go, jsonstring.go at HEAD), heroku's `logfmt` 1.4.0 stringify and
 * pino-logfmt 1.1.4 (run). Records go through the same mapping as JSON lines (record.ts):
 * unquoted `true`/`false` and numbers become booleans and numbers, and dotted keys
 * (`err.type=TypeError`, pino-logfmt's flattened objects) nest again, so `err`, `ws.id` and
 * `req.url` are found where the JSON parser finds them.
 */
import { DEFAULT_FIELDS, fieldMap } from './fields.js';
import { recordShare } from './node-crash.js';
import type { FieldMap, Parser } from './parser.js';
import { recordLines } from './record.js';
import { logfmtPrefilter } from './record-prefilter.js';

type Rec = Record<string, unknown>;

const NUMBER = /^-?(?:0|[1-9]\d{0,19})(?:\.\d{1,20})?$/;
/**
 * A stack whose newlines were escaped twice: pino-logfmt's escapeMultilineStrings writes `\n`,
 * then logfmt.stringify escapes its backslash, so one decoding leaves `\n` in the text.
 */
const ESCAPED_TRACE = /\\n\s{1,8}at /;

export const logfmtParser: Parser = {
  name: 'logfmt',
  description: 'logfmt key=value lines (go-logfmt, heroku logfmt, pino-logfmt), with Node crash reports between them',

  detect(lines) {
    // A record starts with a pair: lines a collector prefixed (`[pod/x/c] 2026-… level=info …`)
    // would read as records with flags first, and are read without the prefix instead (src/reader.ts).
    return recordShare(lines, (line) => PAIR_FIRST.test(line) && parseLogfmt(line, DEFAULT_FIELDS) !== undefined) * 0.85;
  },

  create(file, sink, opts) {
    const fields = fieldMap(opts?.fields);
    return recordLines(file, sink, 'not-logfmt', (text) => parseLogfmt(text, fields), fields);
  },

  prefilter(opts) {
    return logfmtPrefilter(fieldMap(opts?.fields));
  },

  /**
   * The first key most of the sample's records start with, with its `=` (each logger writes its
   * keys in its own order: `level=` for pino-logfmt, `time=` for slog and logrus, `ts=` for
   * go-kit). The lines that start otherwise, another logger's among them, are always read.
   */
  lineStart(sample, opts) {
    const fields = fieldMap(opts?.fields);
    const counts = new Map<string, number>();
    let start: string | undefined;
    for (const line of sample) {
      const key = parseLogfmt(line, fields) === undefined ? undefined : FIRST_KEY.exec(line)?.[1];
      if (key === undefined) continue;
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      if (start === undefined || n > counts.get(start)!) start = key;
    }
    return start;
  },
};

/** A line that starts with a `key=` pair. */
const PAIR_FIRST = /^\s*[^\s="']+=/;

/**
 * A record's first key and its `=`, after the blanks the prefilter skips (src/prefilter.ts): a
 * line start takes up to sixteen bytes of ASCII.
 */
const FIRST_KEY = /^[ \t]*([!#-<>-~]{1,15}=)/;

/**
 * The record a logfmt line holds, or undefined when the line is not one: at least two
 * `key=value` pairs, one of them a message, level or time, so that prose and source lines with
 * an `=` in them stay text.
 */
export function parseLogfmt(text: string, fields: FieldMap): Rec | undefined {
  const rec = record();
  const keys = knownKeys(fields);
  let known = false;
  let pairs = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && text.charCodeAt(i) <= 32) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c <= 32 || c === 61 /* = */) break;
      if (c === 34 /* " */ || c === 39 /* ' */) return undefined;
      i++;
    }
    if (i === keyStart) return undefined; // `=` with no key
    const key = keyOf(text.slice(keyStart, i));
    if (i >= n || text.charCodeAt(i) !== 61) {
      put(rec, key, true); // a bare key is a flag
      continue;
    }
    i++;
    let value: unknown;
    if (i < n && text.charCodeAt(i) === 34) {
      const end = closingQuote(text, i + 1);
      if (end < 0) return undefined;
      value = unquote(text, i + 1, end);
      i = end + 1;
    } else {
      const start = i;
      while (i < n && text.charCodeAt(i) > 32) i++;
      value = scalar(text.slice(start, i));
    }
    pairs++;
    if (value !== undefined) {
      put(rec, key, value);
      known ||= keys.has(key.name) || (key.head !== undefined && keys.has(key.head));
    }
  }
  return pairs >= 2 && known ? rec : undefined;
}

/** A key as written, read once for all the lines that have it. */
interface Key {
  readonly name: string;
  /** Its segments when it nests (`err.type`), else undefined: it is stored as it is. */
  readonly path: string[] | undefined;
  /** What comes before its first dot, if it has one: a known name there makes the line a record. */
  readonly head: string | undefined;
}

/**
 * The keys seen, each made once: a property stored under a string V8 has not seen as a name
 * looks it up in the string table first, and each line's keys (and a dotted key's segments) were
 * new strings at every line: about 200 ns a key. Bounded: a log with keys made per line (ids as
 * keys) stops adding them.
 */
const KEYS = new Map<string, Key>();
const MAX_KEYS = 4096;

function keyOf(name: string): Key {
  let key = KEYS.get(name);
  if (key === undefined) {
    const dot = name.indexOf('.');
    key = { name, path: dot > 0 && !name.endsWith('.') ? name.split('.') : undefined, head: dot >= 0 ? name.slice(0, dot) : undefined };
    if (KEYS.size < MAX_KEYS) KEYS.set(name, key);
  }
  return key;
}

/** The prototype of records: nothing to inherit, so that a key named __proto__ is data like any other. */
const NOTHING = Object.create(null) as Rec;

/**
 * An empty record. Not `Object.create(null)`, which V8 makes a dictionary: each key stored there
 * was a hash insert (half the parser's time). Made from a prototype, records stay in fast mode,
 * and the lines of one shape share their hidden class.
 */
function record(): Rec {
  return Object.create(NOTHING) as Rec;
}

const KNOWN_KEYS = new WeakMap<FieldMap, Set<string>>();

/** The keys that make a line a record: the message, level and time names (their first segment when dotted). */
function knownKeys(fields: FieldMap): Set<string> {
  let keys = KNOWN_KEYS.get(fields);
  if (!keys) {
    keys = new Set([...fields.message, ...fields.level, ...fields.time].map((k) => k.split('.')[0]));
    KNOWN_KEYS.set(fields, keys);
  }
  return keys;
}

/** The index of the quote that closes a value opened before `from`, or -1. */
function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 34) return i;
  }
  return -1;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };

function unquote(text: string, start: number, end: number): string {
  const raw = text.slice(start, end);
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== '\\' || i + 1 >= raw.length) {
      out += c;
      continue;
    }
    const e = raw[++i];
    if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(raw.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(raw.slice(i + 1, i + 5), 16));
      i += 4;
    } else {
      out += ESCAPES[e] ?? e;
    }
  }
  return !out.includes('\n') && ESCAPED_TRACE.test(out) ? out.replace(/\\n/g, '\n') : out;
}

/** An unquoted value: booleans and numbers as JSON would have them; go-logfmt's `nil` is no value. */
function scalar(v: string): unknown {
  if (v === '') return undefined; // `key=` with nothing after it
  const c = v.charCodeAt(0);
  if (c >= 97 /* a */) {
    if (v === 'true') return true;
    if (v === 'false') return false;
    return v === 'nil' || v === 'null' ? undefined : v;
  }
  if ((c === 45 /* - */ || (c >= 48 && c <= 57)) && NUMBER.test(v)) {
    const num = Number(v);
    if (Number.isSafeInteger(num) || !Number.isInteger(num)) return num;
  }
  return v;
}

/** Sets `a.b.c` as nested objects, so a dotted key is found where a JSON logger nests it. */
function put(rec: Rec, key: Key, value: unknown): void {
  const path = key.path;
  if (path === undefined) {
    rec[key.name] = value;
    return;
  }
  let obj = rec;
  for (let p = 0; p < path.length - 1; p++) {
    const next = obj[path[p]];
    if (next === undefined) obj = obj[path[p]] = record();
    else if (next !== null && typeof next === 'object') obj = next as Rec;
    else {
      rec[key.name] = value; // `err=boom err.code=E_X`: keep the dotted key flat
      return;
    }
  }
  obj[path[path.length - 1]] = value;
}
