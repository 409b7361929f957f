import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FIELDS, FIELD, fieldMap, messageText, pickAll } from '../../parsers/fields.js';
import { FlatJsonReader } from '../../parsers/json-fields.js';
import type { FieldMap } from '../../parsers/parser.js';

const NAMES = [...new Set(Object.values(DEFAULT_FIELDS).flat())];
const KEYS = [...NAMES, 'pid', 'hostname', 'host', 'stack', 'extra', 'ws', '__proto__'];
const text = fc.oneof(
  fc.constantFrom('', 'ws message received', 'ws message sent', 'ws connection closed', 'text', 'binary', 'c1', '/chat?x=1', 'é😀', 'a"b', 'a\\b', 'tab\there', '\u0001'),
  fc.string({ maxLength: 20 }),
);
const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(1000, 1011, 4999, 1795510800000, 1795510800000123, 12345678901234567890, -0, 0.5, 1e21));
const scalar = fc.oneof(text, number, fc.boolean(), fc.constant(null));
const value = fc.oneof({ weight: 8, arbitrary: scalar }, { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('id', 'message'), scalar, { maxKeys: 2 }) });
const entries = fc.array(fc.tuple(fc.constantFrom(...KEYS), value), { maxLength: 14 });

/** A record's JSON text as a logger may write it: compact, or with blanks around the colons and commas. */
function write(pairs: [string, unknown][], blank: string): string {
  return `{${pairs.map(([k, v]) => `${JSON.stringify(k)}${blank}:${blank}${JSON.stringify(v)}`).join(`,${blank}`)}}`;
}

/** What the events read of a record parsed whole (the reference the flat reader must equal). */
function reference(line: string, f: FieldMap) {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return 'not-json';
  }
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) return 'not-object';
  const p = pickAll(rec as Record<string, unknown>, f);
  return { values: p.values, frameType: p.frameType, pid: p.pid, host: p.host };
}

/** The reader may decline only these: a nested value, an escape, a control character or another blank, a wanted key twice, an error or stack field. */
function mayDecline(pairs: [string, unknown][], line: string, f: FieldMap): boolean {
  const wanted = new Set([...Object.values(f).flat(), 'pid', 'hostname', 'host']);
  const keys = pairs.map(([k]) => k);
  return /[\u0000-\u001f\\]/.test(line)
    || pairs.some(([, v]) => v !== null && typeof v === 'object')
    || keys.some((k, i) => wanted.has(k) && keys.indexOf(k) !== i)
    || keys.some((k) => f.error.includes(k) || k === 'stack');
}

describe('FlatJsonReader', () => {
  it('reads what pickAll reads of JSON.parse, and declines only the lines it must leave to it', () => {
    const reader = new FlatJsonReader(DEFAULT_FIELDS);
    fc.assert(fc.property(entries, fc.constantFrom('', ' ', '  '), (pairs, blank) => {
      const line = write(pairs, blank);
      const want = reference(line, DEFAULT_FIELDS);
      const got = reader.readText(line);
      if (got === undefined) {
        expect(mayDecline(pairs, line, DEFAULT_FIELDS)).toBe(true);
        return;
      }
      expect({ values: got.values, frameType: got.frameType, pid: got.pid, host: got.host }).toEqual(want);
      expect(got.said?.text).toBe(typeof want !== 'string' && typeof want.values[FIELD.message] === 'string' ? want.values[FIELD.message] : undefined);
    }), { numRuns: 3000, seed: 7 });
  });

  it('declines every line JSON.parse refuses or reads as no object', () => {
    const reader = new FlatJsonReader(DEFAULT_FIELDS);
    const line = fc.tuple(entries, fc.nat(), fc.constantFrom('', '}', '{', ',', ' x', '"', ':1', 'true', '0', '01', '-', '.5', '1.', '1e', '1e+', '"\\u00'))
      .map(([pairs, cut, extra]) => {
        const whole = write(pairs, '');
        return whole.slice(0, cut % (whole.length + 1)) + extra;
      });
    fc.assert(fc.property(line, (l) => {
      if (typeof reference(l, DEFAULT_FIELDS) === 'string') expect(reader.readText(l)).toBeUndefined();
    }), { numRuns: 3000, seed: 11 });
    // A message read elsewhere with a quote or a control character in it is no string of a line.
    messageText('x"}');
    messageText('tab\there');
    expect(reader.readText('{"msg":"x"}"}')).toBeUndefined();
    expect(reader.readText('{"msg":"tab\there"}')).toBeUndefined();
    for (const bad of ['', '{', '}', '{}}', '{"a":01}', '{"a":1,}', '{"a" 1}', '{"a":-}', '{"a":1.}', '{"a":.5}', '{"a":1e}', '{"a":tru}', '{"a":nul}', '{"msg":"x"} ', '{"msg":"x"}{"msg":"y"}', '[1]']) {
      expect(reader.readText(bad), bad).toBeUndefined();
    }
  });

  it('reads lines of one shape after another, and of shapes that change, alike', () => {
    const reader = new FlatJsonReader(DEFAULT_FIELDS);
    const lines = [
      '{"level":30,"time":1795510800000,"pid":1,"hostname":"h-1234567890123","connId":"c1","route":"/chat","msg":"ws connection opened"}',
      '{"level":30,"time":1795510800001,"pid":1,"hostname":"h-1234567890123","connId":"c1","route":"/chat","isBinary":true,"size":3,"msg":"ws message received"}',
      '{"level":30,"time":1795510800002,"pid":1,"hostname":"h-1234567890123","connId":"c2","route":"/chat","isBinary":false,"size":30,"msg":"ws message sent"}',
      '{"time":1795510800003,"level":40,"connId":"c1","code":1003,"reason":"binary not accepted here, sorry","msg":"ws connection closed"}',
      '{"level":30,"time":1795510800004,"pid":1,"hostname":"h-1234567890123","connId":"c2","route":"/chat","isBinary":false,"size":30,"msg":"ws message sent"}',
    ];
    for (let round = 0; round < 3; round++) {
      for (const line of lines) {
        const got = reader.readText(line)!;
        expect({ values: got.values, frameType: got.frameType, pid: got.pid, host: got.host }).toEqual(reference(line, DEFAULT_FIELDS));
      }
    }
  });

  it('follows a field map given by the user, a name in two roles included', () => {
    const f = fieldMap({ conn: ['trace.conn', 'code'], message: ['event'], type: ['kind', 'isBinary'] });
    const reader = new FlatJsonReader(f);
    const line = '{"code":4000,"event":"frame in","kind":"chat","isBinary":true,"trace.conn":"c9"}';
    const got = reader.readText(line)!;
    expect(got.values[FIELD.conn]).toBe('c9');
    expect(got.values[FIELD.code]).toBe(4000);
    expect(got.frameType).toBe('binary');
    expect({ values: got.values, frameType: got.frameType, pid: got.pid, host: got.host }).toEqual(reference(line, f));
  });
});
