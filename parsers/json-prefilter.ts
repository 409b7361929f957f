/**
 * The fast path's filter for JSON lines: a pattern that every line able to yield an event
 * (or a `not-json` skip) matches, run over the raw bytes of a whole block (read as latin1),
 * so that the lines it does not match are never decoded nor parsed.
 *
 * It is built from what `recordEvents` reads, as necessary conditions: a top-level key of the
 * connection, error, accepts or port fields (`stack` too); a close-code field whose value can
 * be a code (4 digits, a fraction or an exponent: not an HTTP status); a frame-type field with
 * a frame-type value; a remote address with a port in it; in the text, the words the close,
 * frame and close-code vocabulary needs (fields.ts), case-insensitive and without word
 * boundaries; any `\u` escape (it may hide any of these); a line not starting with `{`.
 * Matching more lines than needed only costs time; matching fewer would lose events, which
 * test/parsers/json-prefilter.test.ts and test/analyze.prefilter.test.ts check.
 */
import type { FieldMap } from './parser.js';

/** Whitespace as it can appear raw: JSON escapes, and any UTF-8 multi-byte char (read as latin1). */
const WS = '(?:[\\t\\v\\f\\r \\x80-\\xff]|\\\\[nrtfb])*';
/** A value that `toCode` can take: 4 digits, or a number written with a fraction or an exponent. */
const CODE_VALUE = `"?${WS}\\d(?:\\d{3}|\\d*[.eE])`;
/** A value that `toFrameType` can take: a boolean, an opcode, or a type name (prefixes, any case). */
const TYPE_VALUE = '(?:true|false|-?\\d|"(?:te|str|ut|bi|by|bu|ar|bl|pi|po|cl|co))';
/** A remote address that carries its own port (`1.2.3.4:5678`), or an escape that may hide one. */
const REMOTE_VALUE = '"[^"\\n]*(?::\\d|\\\\)';

/** Message words: CLOSE_TEXT, the `binary`/`text` a frame read from words needs, CODE_IN_TEXT. */
const WORDS = [
  'clos', 'disconnect', 'terminated', 'hang ?up', 'hung up', 'connection (?:lost|dropped|reset)',
  'binary', 'text',
  `(?:code|status)${WS}[=:]?${WS}\\d{4}`, `\\d{4}${WS}\\(`,
];

export function jsonPrefilter(f: FieldMap): RegExp {
  const anyValue = [...f.conn, ...f.error, ...f.accepts, ...f.port, 'stack'];
  const alternatives = [
    '\\\\u',
    '^[\\t\\v\\f\\r ]*[^{\\s]',
    keys(anyValue, ''),
    keys(f.code, CODE_VALUE),
    keys(f.type, TYPE_VALUE),
    keys(f.remote, REMOTE_VALUE),
    ...WORDS,
  ].filter((a) => a !== '');
  return new RegExp(alternatives.join('|'), 'gim');
}

/**
 * `"name":` followed by `value` for plain names. A dotted name (`ws.id`) is read from a nested
 * object too, so its first segment is enough, with any value.
 */
function keys(names: string[], value: string): string {
  const plain = new Set<string>();
  const any = new Set<string>();
  for (const name of names) {
    if (name.includes('.')) {
      any.add(name);
      any.add(name.slice(0, name.indexOf('.')));
    } else if (value === '') any.add(name);
    else plain.add(name);
  }
  const out: string[] = [];
  if (any.size) out.push(`"(?:${[...any].map(jsonKey).join('|')})"${WS}:`);
  if (plain.size) out.push(`"(?:${[...plain].map(jsonKey).join('|')})"${WS}:${WS}${value}`);
  return out.join('|');
}

/** A key as JSON can write it: `/` may be escaped; other escapes are `\u` (matched on their own). */
function jsonKey(name: string): string {
  return name.replace(/[\\^$.*+?()[\]{}|/"]/g, (c) => (c === '/' ? '(?:/|\\\\/)' : c === '"' || c === '\\' ? `\\\\\\${c}` : `\\${c}`));
}
