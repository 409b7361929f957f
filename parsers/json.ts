/**
 * JSON lines from pino, bunyan, winston and generic JSON loggers: one object per line.
 */
import { fieldMap } from './fields.js';
import { jsonPrefilter } from './json-prefilter.js';
import type { Parser } from './parser.js';
import { recordEvents } from './record.js';

const KNOWN_FIELDS = /"(?:msg|message|level|time|timestamp|@timestamp|severity|err|error)"\s*:/;

export const jsonParser: Parser = {
  name: 'json',
  description: 'JSON lines (pino, bunyan, winston, generic JSON loggers)',

  detect(lines) {
    let objects = 0;
    let total = 0;
    for (const line of lines) {
      const t = line.trim();
      if (t === '') continue;
      total++;
      if (t.startsWith('{') && t.endsWith('}') && KNOWN_FIELDS.test(t)) objects++;
    }
    // Below 1 so that JSON formats with a known shape (OTLP, API Gateway) outrank it.
    return total === 0 ? 0 : (objects / total) * 0.9;
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
        let rec: unknown;
        try {
          rec = JSON.parse(text);
        } catch {
          sink.skip('not-json');
          return;
        }
        if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
          sink.skip('not-object');
          return;
        }
        recordEvents(rec as Record<string, unknown>, `${file}:${lineNo}`, fields, (e) => sink.event(e));
      },
      end() {},
    };
  },

  prefilter(opts) {
    return jsonPrefilter(fieldMap(opts?.fields));
  },
};
