/**
 * Records written as logfmt by the real libraries: pino-logfmt 1.1.4's steps as
 * samples/logfmt/logfmt.mjs configures its transport (multi-line strings escaped, nested objects
 * flattened with dots, names kept), then heroku's `logfmt` stringify, which the transport calls.
 * For the bench's logfmt log and the tests.
 */
import logfmt from 'logfmt';
import { treeToKeyValue } from 'pino-logfmt/src/tree-to-key-value.js';

/** The transport's escapeMultilineStrings, on a copy. */
function escaped(v) {
  if (typeof v === 'string') return v.replace(/\n/g, '\\n');
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escaped(x)]));
}

/** One line as pino-logfmt writes the record. */
export function pinoLogfmt(rec) {
  return logfmt.stringify(treeToKeyValue(escaped(rec), '.', false));
}

/** A log's lines with each JSON record as pino-logfmt writes it; other lines (crash text) as they are. */
export function logfmtLines(text) {
  return text.split('\n').map((l) => (l.startsWith('{') ? pinoLogfmt(JSON.parse(l)) : l)).join('\n');
}
