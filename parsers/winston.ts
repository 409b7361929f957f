/**
 * winston's `format.simple()` lines: `${level}:${padding} ${message} ${rest as JSON}`, the JSON
 * left out when the info object has nothing but its level and message (logform 2.x simple.js;
 * the rest by safe-stable-stringify, keys sorted). The level may be colored (`format.colorize()`)
 * and padded (`format.padLevels()`); npm's levels and syslog's. Records go through the same
 * mapping as JSON lines (record.ts), the message under `message`; Node crash reports between
 * them are read as in JSON logs.
 */
import { fieldMap } from './fields.js';
import { recordShare } from './node-crash.js';
import type { Parser } from './parser.js';
import { recordLines } from './record.js';

type Rec = Record<string, unknown>;

const LEVEL = /^(?:\x1b\[\d{1,3}m)?(error|warn|info|http|verbose|debug|silly|emerg|alert|crit|warning|notice)(?:\x1b\[\d{1,3}m)?: {0,8} /;

/** A simple-format line as the info object winston logged, or undefined. */
export function parseWinstonSimple(text: string): Rec | undefined {
  const m = LEVEL.exec(text);
  if (!m) return undefined;
  const body = text.slice(m[0].length);
  // The rest is the last thing on the line: the first ` {` from which the line is one JSON object.
  if (body.endsWith('}')) {
    for (let i = body.indexOf(' {'); i >= 0; i = body.indexOf(' {', i + 1)) {
      const rest = json(body.slice(i + 1));
      if (rest) return { ...rest, level: m[1], message: body.slice(0, i) };
    }
    const whole = body.startsWith('{') ? json(body) : undefined; // an empty message
    if (whole) return { ...whole, level: m[1], message: '' };
  }
  return { level: m[1], message: body };
}

function json(text: string): Rec | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined;
  } catch {
    return undefined;
  }
}

export const winstonParser: Parser = {
  name: 'winston',
  description: "winston's format.simple() lines (`error: message {\"connId\":\"c3\"}`), with Node crash reports between them",

  detect(lines) {
    return recordShare(lines, (line) => LEVEL.test(line)) * 0.85;
  },

  create(file, sink, opts) {
    return recordLines(file, sink, 'not-winston', parseWinstonSimple, fieldMap(opts?.fields));
  },
};
