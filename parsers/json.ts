/**
 * JSON lines from pino, bunyan, winston and generic JSON loggers: one object per line.
 */
import { fieldMap } from './fields.js';
import { jsonObject, shareOf } from './json-line.js';
import type { Parser } from './parser.js';
import { recordEvents } from './record.js';

const KNOWN_FIELDS = /"(?:msg|message|level|time|timestamp|@timestamp|severity|err|error)"\s*:/;

export const jsonParser: Parser = {
  name: 'json',
  description: 'JSON lines (pino, bunyan, winston, generic JSON loggers)',

  detect(lines) {
    // Below 1 so that JSON formats with a known shape (OTLP, API Gateway) outrank it.
    return shareOf(lines, (t) => t.startsWith('{') && t.endsWith('}') && KNOWN_FIELDS.test(t)) * 0.9;
  },

  create(file, sink, opts) {
    const fields = fieldMap(opts?.fields);
    return {
      line(text, lineNo) {
        const start = text.search(/\S/);
        if (start < 0) return;
        if (text.charCodeAt(start) !== 123 /* { */) {
          sink.skip('not-json');
          return;
        }
        const rec = jsonObject(text);
        if (typeof rec === 'string') return sink.skip(rec);
        recordEvents(rec, `${file}:${lineNo}`, fields, (e) => sink.event(e));
      },
      end() {},
    };
  },
};
