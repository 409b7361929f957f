/**
 * The JSON needles are necessary conditions: every line the JSON parser turns into an event
 * is hit by the prefilter, whatever the case, spacing, escaping or nesting of its fields and
 * words. Lines are generated from the parser's own vocabulary, so a near miss is likely.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pinoLog } from '../../bench/pino-log.js';
import { DEFAULT_FIELDS } from '../../parsers/fields.js';
import { jsonParser } from '../../parsers/json.js';
import { jsonPrefilter } from '../../parsers/json-prefilter.js';
import { BlockFilter } from '../../src/prefilter.js';

/** A filter whose anchors were learned on a realistic log, as in a real run. */
function trainedFilter(fields = DEFAULT_FIELDS, prefilter = jsonPrefilter(fields)): BlockFilter {
  const log = pinoLog({ seed: 11, wsShare: 0.05 });
  let text = '';
  while (text.length < 300_000) text += `${log.next()}\n`;
  const filter = new BlockFilter(prefilter);
  filter.scan(Buffer.from(text), 0, text.length);
  return filter;
}

function events(text: string): number {
  let n = 0;
  const p = jsonParser.create('t.log', { event: () => { n++; }, skip: () => {} });
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
function hit(filter: BlockFilter, text: string, pad: number): boolean {
  const before = `${'{"level":30,"msg":"request completed"}\n'.repeat(2)}${'x'.repeat(pad)}\n`;
  const buf = Buffer.from(`${before}${text}\n{"level":30,"msg":"ok"}\n`);
  const start = Buffer.byteLength(before);
  const end = start + Buffer.byteLength(text);
  return found(filter, buf).some((h) => h >= start && h < end);
}

const WORDS = ['ws', 'connection', 'closed', 'close', 'closing', 'closure', 'disconnected', 'terminated', 'hang up',
  'hangup', 'hung up', 'lost', 'dropped', 'reset', 'message', 'frame', 'received', 'sent', 'binary', 'text', 'data',
  'opened', 'connected', 'code', 'status', '1003', '1011', '(unsupported data)', '(internal error)', 'with', 'request',
  'completed', 'statusCode', 'upgrade', 'uncaught', 'handled', '=', ':', 'token', 'expired'];
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

  it('lets through, where the needles are searched, every match its exact check accepts', () => {
    // The same needles without their followedBy patterns: a pattern may only rule out what
    // the check would have ruled out too.
    const pf = jsonPrefilter(DEFAULT_FIELDS);
    const fast = trainedFilter(DEFAULT_FIELDS, pf);
    const exactOnly = trainedFilter(DEFAULT_FIELDS, { ...pf, needles: pf.needles.map(({ followedBy: _, ...n }) => n) });
    const texts = pf.needles.filter((n) => n.followedBy).map((n) => n.text);
    const tail = fc.array(fc.constantFrom(' ', '\t', ':', '=', '"', '0', '1', '9', '1006', '200', '.', 'e', 'E', '-', '\\',
      '\\n', 'n', 't', 'r', 'f', 'b', 'u', 'true', '\u00a0', ',', '}', 'x', '10.0.0.1', ':5555', '::1'), { maxLength: 10 })
      .map((parts) => parts.join(''));
    fc.assert(fc.property(fc.constantFrom(...texts), tail, fc.boolean(), (needle, rest, upper) => {
      const text = `{"level":30,${upper ? needle.toUpperCase() : needle}${rest}}`;
      const buf = Buffer.from(`${text}\n`, 'latin1');
      expect(found(fast, buf), text).toEqual(found(exactOnly, buf));
    }), { numRuns: 5000 });
  });

  it('follows renamed fields', () => {
    const renamed = trainedFilter({ ...DEFAULT_FIELDS, conn: ['tenant.socket'] });
    expect(hit(renamed, '{"tenant":{"socket":7},"msg":"hello"}', 0)).toBe(true);
    expect(hit(renamed, '{"connId":"c1","msg":"hello"}', 0)).toBe(false);
  });
});
