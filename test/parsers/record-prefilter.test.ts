/**
 * The record needles, JSON's and logfmt's, are necessary conditions: every line the parser
 * turns into an event is hit by the prefilter, whatever the case, spacing, escaping or nesting
 * of its fields and words. Lines are generated from the parser's own vocabulary, so a near
 * miss is likely; logfmt lines are written by the real pino-logfmt and logfmt libraries.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pinoLog } from '../../bench/pino-log.js';
import { DEFAULT_FIELDS } from '../../parsers/fields.js';
import { jsonParser } from '../../parsers/json.js';
import { logfmtParser } from '../../parsers/logfmt.js';
import type { Parser } from '../../parsers/parser.js';
import { jsonPrefilter, logfmtPrefilter } from '../../parsers/record-prefilter.js';
import { BlockFilter } from '../../src/prefilter.js';
import { logfmtLines, pinoLogfmt } from '../../bench/pino-logfmt.js';

/** The bench's pino log, as JSON or as pino-logfmt writes it (crash text as it is). */
function logLines(opts: Parameters<typeof pinoLog>[0], format: 'json' | 'logfmt'): () => string {
  const log = pinoLog(opts);
  return format === 'json' ? () => log.next() : () => logfmtLines(log.next());
}

/** A filter whose anchors were learned on a realistic log, as in a real run. */
function trainedFilter(fields = DEFAULT_FIELDS, prefilter = jsonPrefilter(fields), format: 'json' | 'logfmt' = 'json'): BlockFilter {
  const next = logLines({ seed: 11, wsShare: 0.05 }, format);
  let text = '';
  while (text.length < 300_000) text += `${next()}\n`;
  const filter = new BlockFilter(prefilter);
  filter.scan(Buffer.from(text), 0, text.length);
  return filter;
}

function events(text: string, parser: Parser = jsonParser): number {
  let n = 0;
  const p = parser.create('t.log', { event: () => { n++; }, skip: () => {} });
  p.line(text, 1);
  p.end();
  return n;
}

/** Where the scan found needles in `buf`, ascending. */
function found(filter: BlockFilter, buf: Buffer): number[] {
  const f = filter.scan(buf, 0, buf.length);
  return Array.from(f.at.subarray(0, f.hits)).sort((a, b) => a - b);
}

/** True when the scan hits the line placed after `pad` bytes of noise lines. */
function hit(filter: BlockFilter, text: string, pad: number, noise = '{"level":30,"msg":"request completed"}'): boolean {
  const before = `${`${noise}\n`.repeat(2)}${'x'.repeat(pad)}\n`;
  const buf = Buffer.from(`${before}${text}\n${noise}\n`);
  const start = Buffer.byteLength(before);
  const end = start + Buffer.byteLength(text);
  return found(filter, buf).some((h) => h >= start && h < end);
}

const WORDS = ['ws', 'connection', 'closed', 'close', 'closing', 'closure', 'disconnected', 'terminated', 'hang up',
  'hangup', 'hung up', 'lost', 'dropped', 'reset', 'message', 'frame', 'received', 'sent', 'binary', 'text', 'data',
  'opened', 'connected', 'code', 'status', '1003', '1011', '(unsupported data)', '(internal error)', 'with', 'request',
  'completed', 'statusCode', 'upgrade', 'uncaught', 'handled', '=', ':', 'token', 'expired',
  'RangeError: x\n    at y (a.js:1:2)', 'failed: java.lang.Error: x\n\tat a.B.c(B.java:1)', '\nTraceback (most recent call last):\n  File "a.py", line 1, in f\nValueError: x'];
const SPACES = [' ', ' ', '  ', '\n', '\t', '\u00a0', '\u2028', ''];
const KEYS = [...new Set(Object.values(DEFAULT_FIELDS).flat()), 'stack', 'req', 'res', 'reqId', 'hostname', 'pid', 'id', 'statusCode'];
const VALUES: fc.Arbitrary<unknown>[] = [
  fc.constantFrom(1000, 1003, 1011, 4001, 200, 404, 0, 1, 2, 8, 9, 10, 12.5, 1003.5, -1, 99999),
  fc.constantFrom('1003', ' 1011 ', '200', 'text', 'TEXT', 'Binary', 'bytes', 'utf-8', 'ping', 'close', 'json', 'any', 'in', 'out',
    'server', 'client', '/chat', 'ws://h:80/chat', '10.0.0.1', '10.0.0.1:5555', '::1', 'c1', '', 'x'),
  fc.boolean(),
  fc.constant(null),
];

/** A message made of the vocabulary, in any case and spacing. */
const message = fc.array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...SPACES), fc.constantFrom('lower', 'upper', 'title')), { maxLength: 6 })
  .map((parts) => parts.map(([w, s, c]) => (c === 'upper' ? w.toUpperCase() : c === 'title' ? w[0].toUpperCase() + w.slice(1) : w) + s).join(''));

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, ...VALUES, message, fc.dictionary(fc.constantFrom(...KEYS), tie('v'), { maxKeys: 3 })),
})).v;

const record = fc.tuple(fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 5 }), message, fc.constantFrom(30, 40, 50, 60, 'error', 'warn'))
  .map(([rec, msg, level]) => ({ level, ...rec, msg }));

/** JSON as different loggers write it: compact, spaced, or with \u escapes. */
const styled = fc.tuple(record, fc.constantFrom('compact', 'spaced', 'escaped')).map(([rec, style]) => {
  const json = JSON.stringify(rec);
  if (style === 'spaced') return JSON.stringify(rec, null, 1).replace(/\n\s*/g, ' ');
  if (style === 'escaped') return json.replace(/[a-z]/g, (c) => (c === 'e' ? '\\u0065' : c));
  return json;
});

describe('JSON prefilter', () => {
  const filter = trainedFilter();

  it('hits every line that yields an event, at any alignment', () => {
    fc.assert(fc.property(styled, fc.integer({ min: 0, max: 7 }), (text, pad) => {
      if (events(text) > 0) expect(hit(filter, text, pad), text).toBe(true);
    }), { numRuns: 3000 });
  });

  it.each([
    ['a code after a non-breaking space', '{"msg":"code\u00a01003"}'],
    ['a code after an escaped line break', '{"msg":"status:\\n1011"}'],
    ['a code named after the number', '{"msg":"server said 1011\\t(Internal Error)"}'],
    ['a code as a quoted string with blanks', '{"closeCode":" 1008 "}'],
    ['a code with an exponent', '{"code":1.003e3}'],
    ['a key written with an escape', '{"conn\\u0049d":"c1","msg":"hi"}'],
    ['a key with blanks around its colon', '{"connId" :\t"c1","msg":"hi"}'],
    ['a dotted key, nested', '{"ws":{"id":"c1"},"msg":"hi"}'],
    ['an address with its port', '{"remote":"10.0.0.1:5555","msg":"hi"}'],
    ['an opcode', '{"opcode":2,"msg":"in"}'],
    ['a frame type in capitals', '{"messageType":"BINARY"}'],
    ['a close in capitals', '{"msg":"CONNECTION RESET"}'],
    ['a flattened stack', '{"stack":"Error: x\\n    at y","msg":"boom"}'],
    ['a trace written into the message', '{"level":50,"msg":"ws error: RangeError: Max payload size exceeded\\n    at Receiver.haveLength (receiver.js:442:28)"}'],
    ['a Java trace written into the message', '{"level":40,"msg":"failed: java.lang.IllegalStateException: x\\n\\tat a.B.c(B.java:1)"}'],
    ['a Python traceback written into the message', '{"levelname":"ERROR","message":"Traceback (most recent call last):\\n  File \\"app.py\\", line 3, in f\\nValueError: x"}'],
  ])('hits %s', (_, text) => {
    expect(events(text), text).toBeGreaterThan(0);
    for (let pad = 0; pad < 4; pad++) expect(hit(filter, text, pad), `${text} after ${pad}`).toBe(true);
  });

  it('hits the lines of the committed pino sample that hold events', () => {
    const log = pinoLog({ seed: 12, wsShare: 1, crashEvery: 50 });
    for (let i = 0; i < 2000; i++) {
      const text = log.next();
      if (events(text) > 0) expect(hit(filter, text, i % 4), text).toBe(true);
    }
  });

  it('does not hit the HTTP lines of a pino-http log, nor a status code, nor a nested address', () => {
    const log = pinoLog({ seed: 13, wsShare: 0 });
    let hits = 0;
    for (let i = 0; i < 2000; i++) {
      const text = log.next();
      if (!text.includes('"err"') && hit(filter, text, 0)) hits++;
    }
    expect(hits).toBe(0);
  });

  it('follows renamed fields', () => {
    const renamed = trainedFilter({ ...DEFAULT_FIELDS, conn: ['tenant.socket'] });
    expect(hit(renamed, '{"tenant":{"socket":7},"msg":"hello"}', 0)).toBe(true);
    expect(hit(renamed, '{"connId":"c1","msg":"hello"}', 0)).toBe(false);
  });
});

/** Flattened as pino-logfmt and slog flatten groups: `err.type`. */
function flat(rec: Record<string, unknown>, prefix = '', out: [string, unknown][] = []): [string, unknown][] {
  for (const [k, v] of Object.entries(rec)) {
    if (v !== null && typeof v === 'object') flat(v as Record<string, unknown>, `${prefix}${k}.`, out);
    else out.push([prefix + k, v]);
  }
  return out;
}

/**
 * A record as logfmt loggers write it: pino-logfmt (the real library); values quoted with
 * escapes where they need it, as slog and go-logfmt quote them; and `true` as a key alone (a flag).
 */
const logfmtStyled = fc.tuple(record, fc.constantFrom('pino-logfmt', 'quoted', 'flags')).map(([rec, style]) => {
  if (style === 'pino-logfmt') return pinoLogfmt(rec);
  return flat(rec).map(([k, v]) => {
    if (v === true && style === 'flags') return k;
    const text = v === null ? 'nil' : String(v);
    return `${k}=${/^[^\x00-\x20="]+$/.test(text) ? text : JSON.stringify(text)}`;
  }).join(' ');
});

const NOISE = 'level=30 time=1795510800000 msg="request completed"';

describe('logfmt prefilter', () => {
  const filter = trainedFilter(DEFAULT_FIELDS, logfmtPrefilter(DEFAULT_FIELDS), 'logfmt');
  const lfHit = (text: string, pad: number) => hit(filter, text, pad, NOISE);

  it('hits every line that yields an event, at any alignment', () => {
    let yielding = 0;
    fc.assert(fc.property(logfmtStyled, fc.integer({ min: 0, max: 7 }), (text, pad) => {
      if (events(text, logfmtParser) > 0 && ++yielding) expect(lfHit(text, pad), text).toBe(true);
    }), { numRuns: 3000 });
    expect(yielding).toBeGreaterThan(1000);
  });

  it.each([
    ['a key alone (a flag), ending the line', 'level=30 msg=hi connId'],
    ['a frame type as a flag, before a tab', 'level=30 isBinary\tmsg=in'],
    ['an error flattened', 'level=50 err.type=TypeError err.message=boom msg=failed'],
    ['a dotted key', 'level=30 ws.id=c1 msg=hi'],
    ['an address with its port, unquoted', 'level=30 remoteAddress=10.0.0.1:5555 msg=hi'],
    ['an address with its port, quoted', 'level=30 remote="10.0.0.1:5555" msg=hi'],
    ['a code quoted', 'level=30 closeCode="1003" msg=closed'],
    ['a code with a fraction', 'level=30 code=1003.0 msg=x'],
    ['a frame type in capitals, unquoted', 'level=30 messageType=BINARY msg=in'],
    ['a close in capitals', 'level=30 msg="CONNECTION RESET"'],
    ['a stack escaped twice (pino-logfmt)', 'level=50 msg=boom stack="Error: x\\\\n    at y"'],
    ['a trace written into the message', 'level=50 msg="ws error: RangeError: x\\n    at y (a.js:1:2)"'],
    ['a trace written into the message, escaped twice (pino-logfmt)', 'level=50 msg="ws error: RangeError: x\\\\n    at y (a.js:1:2)"'],
    ['a code after a non-breaking space', 'level=30 msg="code\u00a01003"'],
    ['a code named after the number', 'level=30 msg="server said 1011\\t(Internal Error)"'],
    ['keys separated by tabs', 'level=30\tconnId=c1\tmsg=hi'],
  ])('hits %s', (_, text) => {
    expect(events(text, logfmtParser), text).toBeGreaterThan(0);
    for (let pad = 0; pad < 4; pad++) expect(lfHit(text, pad), `${text} after ${pad}`).toBe(true);
  });

  it('hits the lines of the bench\'s pino log, written by pino-logfmt, that hold events', () => {
    const next = logLines({ seed: 12, wsShare: 1, crashEvery: 50 }, 'logfmt');
    let lines = 0;
    for (let i = 0; i < 2000; i++) {
      const text = next();
      if (events(text, logfmtParser) > 0 && ++lines) expect(lfHit(text, i % 4), text).toBe(true);
    }
    expect(lines).toBeGreaterThan(1000);
  });

  it('does not hit the HTTP lines, nor a status code, nor a nested address', () => {
    const next = logLines({ seed: 13, wsShare: 0 }, 'logfmt');
    let hits = 0;
    for (let i = 0; i < 2000; i++) {
      const text = next();
      if (!text.includes('err.') && lfHit(text, 0)) hits++;
    }
    expect(hits).toBe(0);
  });

  it('starts each input\'s lines with the first key most of its records start with', () => {
    const start = (lines: string[]) => logfmtParser.lineStart!(lines);
    const pino = logLines({ seed: 14, wsShare: 0.2 }, 'logfmt');
    expect(start(Array.from({ length: 50 }, pino))).toBe('level=');
    expect(start(['time=2026-11-27T02:00:00Z level=INFO msg=started', '  time=2026-11-27T02:00:01Z level=INFO msg="ws opened" connId=c1'])).toBe('time=');
    // Text between the records (a crash report) is not a record: it starts as it likes.
    expect(start(['ts=1 level=info msg=a', '/srv/app/server.mjs:15', '    throw err;', 'ts=2 level=info msg=b'])).toBe('ts=');
    // Records of two loggers: the first key of most (of the first seen, when as many).
    expect(start(['time=1 level=info msg=a', 'level=info time=2 msg=b', 'level=info time=3 msg=c'])).toBe('level=');
    expect(start(['time=1 level=info msg=a', 'level=info time=2 msg=b'])).toBe('time=');
    // A first key too long to be a line start, or no record: no line start.
    expect(start([`${'k'.repeat(16)}=1 level=info msg=a`])).toBeUndefined();
    expect(start(['plain text', 'more text'])).toBeUndefined();
  });
});

describe.each([
  ['JSON', jsonPrefilter(DEFAULT_FIELDS), 'json', '{"level":30,'],
  ['logfmt', logfmtPrefilter(DEFAULT_FIELDS), 'logfmt', 'level=30 '],
] as const)('%s needles', (_, pf, format, head) => {
  it('let through, where the needles are searched, every match their exact check accepts', () => {
    // The same needles without their followedBy patterns: a pattern may only rule out what
    // the check would have ruled out too.
    const fast = trainedFilter(DEFAULT_FIELDS, pf, format);
    const exactOnly = trainedFilter(DEFAULT_FIELDS, { ...pf, needles: pf.needles.map(({ followedBy: _, ...n }) => n) }, format);
    const texts = pf.needles.filter((n) => n.followedBy).map((n) => n.text);
    const tail = fc.array(fc.constantFrom(' ', '\t', ':', '=', '"', '0', '1', '9', '1006', '200', '.', 'e', 'E', '-', '\\',
      '\\n', 'n', 't', 'r', 'f', 'b', 'u', 'true', '\u00a0', ',', '}', 'x', '10.0.0.1', ':5555', '::1', '\x01', '\r'), { maxLength: 10 })
      .map((parts) => parts.join(''));
    fc.assert(fc.property(fc.constantFrom(...texts), tail, fc.boolean(), (needle, rest, upper) => {
      const text = `${head}${upper ? needle.toUpperCase() : needle}${rest}`;
      const buf = Buffer.from(`${text}\n`, 'latin1');
      expect(found(fast, buf), text).toEqual(found(exactOnly, buf));
    }), { numRuns: 5000 });
  });
});
