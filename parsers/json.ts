/**
 * JSON lines from pino, bunyan, winston and generic JSON loggers: one object per line. Lines
 * between them go to the Node crash reader: `kubectl logs` shows stdout and stderr as one stream.
 */
import { fieldMap } from './fields.js';
import { scanCrashText, withCrashText } from './node-crash.js';
import type { Parser } from './parser.js';
import { recordEvents } from './record.js';

const KNOWN_FIELDS = /"(?:msg|message|level|time|timestamp|@timestamp|severity|err|error)"\s*:/;
const NON_BLANK = /\S/;

export const jsonParser: Parser = {
  name: 'json',
  description: 'JSON lines (pino, bunyan, winston, generic JSON loggers), with Node crash reports between them',

  detect(lines) {
    let objects = 0;
    let total = 0;
    for (const line of lines) {
      const t = line.trim();
      if (t === '') continue;
      total++;
      if (looksLikeObject(t) && KNOWN_FIELDS.test(t)) objects++;
    }
    // A crash report among the lines is read too: it neither counts for nor against JSON.
    total -= scanCrashText(lines, (l) => looksLikeObject(l.trim())).lines;
    // Below 1 so that JSON formats with a known shape (OTLP, API Gateway) outrank it.
    return total <= 0 ? 0 : (objects / total) * 0.9;
  },

  create(file, sink, opts) {
    const fields = fieldMap(opts?.fields);
    return withCrashText(file, sink, 'not-json', parseObject,
      (rec, lineNo) => recordEvents(rec, `${file}:${lineNo}`, fields, (e) => sink.event(e)));
  },
};

/** A logger's object: `{"` opens it, where util.inspect's `{ a: 1 }` (a thrown object in a crash report) has a space. */
function looksLikeObject(t: string): boolean {
  return t.startsWith('{"') && t.endsWith('}');
}

/** The line's JSON object, or undefined when the line is not one. */
function parseObject(text: string): Record<string, unknown> | undefined {
  const start = text.search(NON_BLANK);
  if (start < 0 || text.charCodeAt(start) !== 123 /* { */) return undefined;
  let rec: unknown;
  try {
    rec = JSON.parse(text);
  } catch {
    return undefined; // a thrown object's util.inspect text, or a broken line
  }
  return rec !== null && typeof rec === 'object' && !Array.isArray(rec) ? rec as Record<string, unknown> : undefined;
}
