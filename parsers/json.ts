/**
 * JSON lines from pino, bunyan, winston and generic JSON loggers: one object per line. Lines
 * between them go to the Node crash reader: `kubectl logs` shows stdout and stderr as one stream.
 */
import type { WsEvent } from '../src/model.js';
import { fieldMap, type Picked, pickAll } from './fields.js';
import { FlatJsonReader } from './json-fields.js';
import { jsonPrefilter } from './record-prefilter.js';
import { jsonObject } from './json-line.js';
import { recordShare, withCrashText } from './node-crash.js';
import type { Parser } from './parser.js';
import { pickedEvents } from './record.js';

const KNOWN_FIELDS = /"(?:msg|message|level|time|timestamp|@timestamp|severity|err|error)"\s*:/;
const NON_BLANK = /\S/;

export const jsonParser: Parser = {
  name: 'json',
  description: 'JSON lines (pino, bunyan, winston, generic JSON loggers), with Node crash reports between them',

  detect(lines) {
    // Below 1 so that JSON formats with a known shape (OTLP, API Gateway) outrank it.
    return recordShare(lines, (line) => {
      const t = line.trim();
      // `{"` opens a logger's object; util.inspect's `{ a: 1 }` (a thrown object in a crash report) has a space.
      return t.startsWith('{"') && t.endsWith('}') && KNOWN_FIELDS.test(t);
    }) * 0.9;
  },

  create(file, sink, opts) {
    const fields = fieldMap(opts?.fields);
    const flat = new FlatJsonReader(fields);
    const emit = (e: WsEvent) => sink.event(e);
    const prefix = `${file}:`;
    // Most lines are flat: read in place. Those the flat reader declines (nested values, escapes,
    // exceptions) are parsed whole; those not JSON are crash text.
    return withCrashText(file, sink, 'not-json', (text) => {
      const rec = parseObject(text);
      return rec && pickAll(rec, fields);
    }, (picked: Picked, lineNo) => pickedEvents(picked, prefix + lineNo, emit), {
      text: (text) => flat.readText(text),
      bytes: (buf, start, end, lineNo) => flat.read(buf, start, end, lineNo),
      ahead: (buf, starts, ends, count) => flat.ahead(buf, starts, ends, count),
    });
  },

  prefilter(opts) {
    return jsonPrefilter(fieldMap(opts?.fields));
  },
};

/** The line's JSON object, or undefined when the line is not one. */
function parseObject(text: string): Record<string, unknown> | undefined {
  // Nearly every line starts with its `{`: the search for the first non-blank is for the others.
  const start = text.charCodeAt(0) === 123 ? 0 : text.search(NON_BLANK);
  if (start < 0 || text.charCodeAt(start) !== 123 /* { */) return undefined;
  const rec = jsonObject(text);
  return typeof rec === 'string' ? undefined : rec; // not JSON: a thrown object's util.inspect text, or a broken line
}
