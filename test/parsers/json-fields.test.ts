import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FIELDS, FIELD, fieldMap, messageText, pickAll, ROLE_COUNT } from '../../parsers/fields.js';
import { FlatJsonReader } from '../../parsers/json-fields.js';
import type { FieldMap } from '../../parsers/parser.js';
import type { Picked } from '../../parsers/fields.js';
import { pickedEvents } from '../../parsers/record.js';
import type { WsEvent } from '../../src/model.js';

const NAMES = [...new Set(Object.values(DEFAULT_FIELDS).flat())];
/** Keys of an exception's line (record.ts reads them of the whole record), and the heads of the dotted names. */
const RECORD = ['stack', 'code', 'req', 'res', 'reqId', 'requestId'];
const HEADS = [...new Set(NAMES.filter((n) => n.includes('.')).map((n) => n.slice(0, n.indexOf('.'))))];
const KEYS = [...NAMES, ...RECORD, ...HEADS, 'pid', 'hostname', 'host', 'extra', '__proto__'];
const text = fc.oneof(
  fc.constantFrom('', 'ws message received', 'ws message sent', 'ws connection closed', 'text', 'binary', 'c1', '/chat?x=1', 'é😀', 'a"b', 'a\\b', 'tab\there', '\u0001'),
  fc.string({ maxLength: 20 }),
);
const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(1000, 1011, 4999, 1795510800000, 1795510800000123, 12345678901234567890, -0, 0.5, 1e21));
const scalar = fc.oneof(text, number, fc.boolean(), fc.constant(null));

/** An object as written, its members in order, a name possibly twice (JSON.parse keeps the last). */
class Members {
  constructor(readonly pairs: [string, unknown][]) {}
}
/** Strings with escapes as a logger writes them: a stack's line breaks, quotes, a lone surrogate, controls. */
const escaped = fc.constantFrom('Error: boom\n    at f (/srv/a.js:1:2)\n    at g (node:events:519:28)', 'a"b\\c', 'tab\t', '\u0000\u0001', '\u2028', '\uD83D', 'é😀 /', 'WS_ERR_INVALID_UTF8');
/** The members an error, a request or a dotted name's head holds, and others. */
const memberKey = fc.constantFrom('type', 'message', 'msg', 'stack', 'stacktrace', 'name', 'code', 'url', 'id', 'address', 'port', 'path', 'level', 'err', 'x', '', '__proto__', 'a"b', 'é');
const nested: fc.Arbitrary<unknown> = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(scalar, escaped),
    fc.array(tie('tree'), { maxLength: 3 }),
    fc.array(fc.tuple(memberKey, tie('tree')), { maxLength: 4 }).map((pairs) => new Members(pairs)),
  ),
})).tree;
const value = fc.oneof({ weight: 8, arbitrary: scalar }, { weight: 1, arbitrary: escaped }, { weight: 2, arbitrary: nested });
const entries = fc.array(fc.tuple(fc.constantFrom(...KEYS), value), { maxLength: 14 });

/** A value's JSON text, with `blank` around the colons and commas. */
function json(v: unknown, blank: string): string {
  if (v instanceof Members) return write(v.pairs, blank);
  if (Array.isArray(v)) return `[${v.map((e) => json(e, blank)).join(`,${blank}`)}]`;
  return JSON.stringify(v);
}

/** A record's JSON text as a logger may write it: compact, or with blanks around the colons and commas. */
function write(pairs: [string, unknown][], blank: string): string {
  return `{${pairs.map(([k, v]) => `${JSON.stringify(k)}${blank}:${blank}${json(v, blank)}`).join(`,${blank}`)}}`;
}

/** The events a record's picked fields make (record.ts), made at once: the reader reuses its Picked. */
function eventsOf(p: Picked): WsEvent[] {
  const out: WsEvent[] = [];
  pickedEvents(p, 'f:1', (e) => out.push(e));
  return out;
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
  return { values: p.values, frameType: p.frameType, pid: p.pid, host: p.host, events: eventsOf(p) };
}

/** The keys events read: the field map's, the process's. */
function wantedKeys(f: FieldMap): Set<string> {
  return new Set([...Object.values(f).flat(), 'pid', 'hostname', 'host']);
}

/** A key events read appears twice. */
function duplicateWanted(line: string): boolean {
  const wanted = wantedKeys(DEFAULT_FIELDS);
  const keys = [...line.matchAll(/"([^"]*)"\s*:/g)].map((m) => m[1]).filter((k) => wanted.has(k));
  return new Set(keys).size !== keys.length;
}

/** The reader may decline only these: a nested value, an escape, a control character or another blank, a wanted key twice, an error or stack field. */
function mayDecline(pairs: [string, unknown][], line: string, f: FieldMap): boolean {
  const wanted = wantedKeys(f);
  const keys = pairs.map(([k]) => k);
  return /[\u0000-\u001f\\]/.test(line)
    || pairs.some(([, v]) => v !== null && typeof v === 'object')
    || keys.some((k, i) => wanted.has(k) && keys.indexOf(k) !== i)
    || keys.some((k) => f.error.includes(k) || k === 'stack');
}

/** What the reader read of `bytes` placed among other bytes (a block of lines), or 'declined'; the same read from the text. */
function readBoth(reader: FlatJsonReader, bytes: Buffer, before = 3) {
  const block = Buffer.concat([Buffer.from('}"\n'.slice(0, before)), bytes, Buffer.from('"x\n{')]);
  const fromBytes = snapshot(reader.read(block, before, before + bytes.length));
  block.fill(0); // the values hold nothing of the block
  return fromBytes;
}

function snapshot(got: Picked | undefined) {
  return got ? { values: got.values.slice(0, ROLE_COUNT), frameType: got.frameType, pid: got.pid, host: got.host, events: eventsOf(got), said: got.said?.text } : 'declined';
}

/** The reference as the reader's result is compared to it: the message's text beside. */
function expected(want: ReturnType<typeof reference>) {
  if (typeof want === 'string') return want;
  const said = want.values[FIELD.message];
  return { ...want, said: typeof said === 'string' ? said : undefined };
}

describe('FlatJsonReader', () => {
  it('reads what pickAll reads of JSON.parse, and declines only the lines it must leave to it', () => {
    const reader = new FlatJsonReader(DEFAULT_FIELDS);
    fc.assert(fc.property(entries, fc.constantFrom('', ' ', '  '), fc.nat(3), (pairs, blank, before) => {
      const line = write(pairs, blank);
      const want = expected(reference(line, DEFAULT_FIELDS));
      const got = snapshot(reader.readText(line));
      expect(readBoth(reader, Buffer.from(line), before)).toEqual(got);
      if (got === 'declined') expect(mayDecline(pairs, line, DEFAULT_FIELDS)).toBe(true);
      else expect(got).toEqual(want);
    }), { numRuns: 3000, seed: 7 });
  });

  it('reads bytes that are no UTF-8, or any text, as JSON.parse reads the decoded line, or declines', () => {
    const reader = new FlatJsonReader(DEFAULT_FIELDS);
    // A line of the usual shapes with some of its bytes replaced by any byte (a lone continuation byte, a cut sequence, a control character).
    const line = fc.tuple(entries, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(3))
      .map(([pairs, edits, before]) => {
        const bytes = Buffer.from(write(pairs, ''));
        for (const [at, b] of edits) if (bytes.length > 2) bytes[1 + (at % (bytes.length - 2))] = b;
        return { bytes, before };
      });
    fc.assert(fc.property(line, ({ bytes, before }) => {
      const want = expected(reference(bytes.toString('utf8'), DEFAULT_FIELDS));
      const got = readBoth(reader, bytes, before);
      if (got !== 'declined') expect(got).toEqual(want);
      else if (typeof want !== 'string') expect(/[\x00-\x1f\\{[]/.test(bytes.toString('latin1', 1)) || /"(?:err|error|exception|exc|stack)"|\uFFFD/.test(bytes.toString('utf8'))
        || duplicateWanted(bytes.toString('utf8'))).toBe(true);
    }), { numRuns: 3000, seed: 5 });
    // Any text, a lone surrogate included (JSON.parse keeps it; it has no UTF-8, so the text is declined, not misread).
    const texts = fc.array(fc.tuple(fc.constantFrom('msg', 'connId', 'route', 'reason', 'other'), fc.string({ unit: 'binary', maxLength: 12 })), { maxLength: 5 })
      .map((pairs) => `{${pairs.map(([k, v]) => `"${k}":"${v.replace(/[\\"\x00-\x1f]/g, '')}"`).join(',')}}`);
    fc.assert(fc.property(texts, (l) => {
      const got = snapshot(reader.readText(l));
      if (got !== 'declined') expect(got).toEqual(expected(reference(l, DEFAULT_FIELDS)));
      else expect(/\p{Surrogate}/u.test(l) || duplicateWanted(l)).toBe(true);
    }), { numRuns: 2000, seed: 3 });
    expect(reader.readText('{"msg":"\uD83D closed"}')).toBeUndefined();
    expect(snapshot(reader.readText('{"msg":"\uD83D\uDE00 closed"}'))).toMatchObject({ said: '\uD83D\uDE00 closed' });
  });

  it('makes one string of a value that recurs, and decodes it only when it is new', () => {
    const reader = new FlatJsonReader(DEFAULT_FIELDS);
    const line = (conn: string, route: string) => `{"level":30,"connId":"${conn}","route":"${route}","msg":"ws message received"}`;
    const first = reader.readText(line('c1', '/chat'))!.values[FIELD.conn];
    for (let i = 0; i < 50; i++) reader.readText(line(`c${i + 2}`, '/chat'));
    const again = readBoth(reader, Buffer.from(line('c1', '/chat')));
    expect(again).not.toBe('declined');
    expect(typeof again !== 'string' && again.values[FIELD.conn]).toBe(first); // the same string object
    // A value longer than the cache keeps, one that is no ASCII, one of the same length and hash slot as another: each read right.
    const long = 'x'.repeat(300);
    for (const v of [long, 'é😀 ws', 'c1', 'c2', long.slice(1), 'é😀 wt']) {
      expect(snapshot(reader.readText(line(v, '/chat')))).toEqual(expected(reference(line(v, '/chat'), DEFAULT_FIELDS)));
    }
  });

  it('tells keys apart by their bytes, past the number of other keys it remembers', () => {
    const reader = new FlatJsonReader(DEFAULT_FIELDS);
    for (let i = 0; i < 2000; i++) {
      const l = `{"k${i}":"x","connId":"c${i % 7}","k${i}b":1,"code":${1000 + (i % 5)},"é${i}":2,"":3,"msg":"closed"}`;
      expect(snapshot(reader.readText(l))).toEqual(expected(reference(l, DEFAULT_FIELDS)));
    }
    expect(reader.readText('{"connId":"a","connId":"b"}')).toBeUndefined();
    expect(reader.readText('{"":1,"":2,"connId":"a"}')).toBeDefined();
  });

  it('declines every line JSON.parse refuses or reads as no object', () => {
    const reader = new FlatJsonReader(DEFAULT_FIELDS);
    const line = fc.tuple(entries, fc.nat(), fc.constantFrom('', '}', '{', ',', ' x', '"', ':1', 'true', '0', '01', '-', '.5', '1.', '1e', '1e+', '"\\u00'))
      .map(([pairs, cut, extra]) => {
        const whole = write(pairs, '');
        return whole.slice(0, cut % (whole.length + 1)) + extra;
      });
    fc.assert(fc.property(line, (l) => {
      if (typeof reference(l, DEFAULT_FIELDS) === 'string') {
        expect(reader.readText(l)).toBeUndefined();
        expect(readBoth(reader, Buffer.from(l))).toBe('declined');
      }
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

  it('reads a line with deep nesting as JSON.parse reads it, or declines it; declines malformed nesting', () => {
    const reader = new FlatJsonReader(DEFAULT_FIELDS);
    for (const n of [1, 2, 63, 64, 65, 200]) {
      for (const inner of ['1', '"x\\n"', '{}', '[]', '{"message":"a\\"b","stack":"E: x\\n  at y"}']) {
        const deepArray = '['.repeat(n) + inner + ']'.repeat(n);
        const deepObject = '{"a":'.repeat(n) + inner + '}'.repeat(n);
        for (const line of [`{"connId":"c1","err":${deepArray},"msg":"ws connection closed"}`, `{"extra":${deepObject},"connId":"c1","code":1006}`,
          `{"connId":"c1","req":${deepObject},"msg":"ws connection closed"}`]) {
          const got = readBoth(reader, Buffer.from(line));
          if (got !== 'declined') expect(got, line).toEqual(expected(reference(line, DEFAULT_FIELDS)));
        }
      }
    }
    const bad = ['{"a":[1}', '{"a":{"b":1]}', '{"a":{"b"}}', '{"a":{,}}', '{"a":[1,]}', '{"a":{"b":1,}}', '{"a":["\\x"]}', '{"a":["\\u12"]}',
      '{"a":{"b":1}', '{"a":[[]}', '{"a":{"b":[}]}', '{"a":["x\u0001"]}', '{"a":[01]}', '{"a":[1.]}', '{"a":[tru]}', '{"a":{"b":1}}}', '{"a":[]]}', '{"a":{"b":1 "c":2}}'];
    for (const line of bad) {
      expect(() => JSON.parse(line), line).toThrow();
      expect(reader.readText(line), line).toBeUndefined();
    }
    // Any structural byte of a line with nested values replaced by another: what JSON.parse refuses is declined.
    const structural = '{}[],:"\\';
    const mutated = fc.tuple(entries, fc.nat(), fc.nat(structural.length - 1)).map(([pairs, at, by]) => {
      const line = write(pairs, '');
      const spots = [...line].map((c, i) => (structural.includes(c) ? i : -1)).filter((i) => i > 0 && i < line.length - 1);
      if (spots.length === 0) return line;
      const i = spots[at % spots.length];
      return line.slice(0, i) + structural[by] + line.slice(i + 1);
    });
    fc.assert(fc.property(mutated, (line) => {
      const want = reference(line, DEFAULT_FIELDS);
      const got = readBoth(reader, Buffer.from(line));
      if (typeof want === 'string') expect(got).toBe('declined');
      else if (got !== 'declined') expect(got).toEqual(expected(want));
    }), { numRuns: 3000, seed: 19 });
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
        expect(readBoth(reader, Buffer.from(line))).toEqual(expected(reference(line, DEFAULT_FIELDS)));
      }
    }
  });

  it('places each field in its role as pickAll does, whatever the field map: names in several roles, the process\'s names in a role, several frame-type names', () => {
    // Names of a few roles drawn from a small pool, so that lines of them have several names of one role, a name of two roles, `pid` or `host` as a role's name.
    const pool = ['a', 'b', 'c', 'pid', 'host', 'hostname', 'msg', 'isBinary', 'kind'];
    const names = fc.uniqueArray(fc.constantFrom(...pool), { maxLength: 3 });
    const map = fc.record({ message: names, conn: names, type: names, code: names, level: names });
    const lines = fc.array(fc.tuple(fc.array(fc.tuple(fc.constantFrom(...pool, 'connId', 'route'), scalar), { maxLength: 8 }), fc.nat(3)), { minLength: 1, maxLength: 6 });
    fc.assert(fc.property(map, lines, (overrides, records) => {
      const f = fieldMap(overrides);
      const reader = new FlatJsonReader(f);
      // One reader for the lines in turn: a line read field by field between lines read by their roles.
      for (const [pairs, before] of records) {
        const line = write(pairs, '');
        const got = readBoth(reader, Buffer.from(line), before);
        if (got === 'declined') expect(mayDecline(pairs, line, f)).toBe(true);
        else expect(got).toEqual(expected(reference(line, f)));
      }
    }), { numRuns: 1500, seed: 11 });
  });

  it('follows a field map given by the user, a name in two roles included', () => {
    const f = fieldMap({ conn: ['trace.conn', 'code'], message: ['event'], type: ['kind', 'isBinary'] });
    const reader = new FlatJsonReader(f);
    const line = '{"code":4000,"event":"frame in","kind":"chat","isBinary":true,"trace.conn":"c9"}';
    const got = reader.readText(line)!;
    expect(got.values[FIELD.conn]).toBe('c9');
    expect(got.values[FIELD.code]).toBe(4000);
    expect(got.frameType).toBe('binary');
    expect({ values: got.values.slice(0, ROLE_COUNT), frameType: got.frameType, pid: got.pid, host: got.host, events: eventsOf(got) }).toEqual(reference(line, f));
    // A name with U+FFFD, which bytes that are no UTF-8 also read as: such a key is the field's, or the line is declined.
    const odd = new FlatJsonReader(fieldMap({ message: ['m\uFFFD'] }));
    const bytes = Buffer.concat([Buffer.from('{"m'), Buffer.from([0xff]), Buffer.from('":"x closed"}')]);
    const read = readBoth(odd, bytes);
    expect(read === 'declined' || read.said === 'x closed').toBe(true);
    expect(readBoth(odd, Buffer.from('{"m\uFFFD":"x closed"}'))).toMatchObject({ said: 'x closed' });
  });
});

describe('FlatJsonReader reading a block ahead', () => {
  // Lines as a block holds them: WebSocket events with recurring values (so that the cache is
  // hit, and hit by values that lines not read put there), declined lines, blank lines, CR LF.
  const pool = fc.constantFrom('c1', 'c2', 'c3', '/chat', 'ws message received', 'ws connection closed', 'é😀', 'x'.repeat(130));
  const flat = fc.array(fc.tuple(fc.constantFrom('connId', 'route', 'msg', 'reason', 'code', 'level', 'other', 'pid', 'hostname', 'isBinary'),
    fc.oneof(pool, fc.integer({ min: -5, max: 5000 }), fc.boolean(), fc.constant(null))), { maxLength: 8 });
  const line = fc.oneof(
    { weight: 8, arbitrary: flat.map((pairs) => write(pairs, '')) },
    { weight: 1, arbitrary: fc.constantFrom('', '{"msg":"a\\"b"}', '{"connId":"c1","err":{"message":"x"}}', '{"connId":"c1","connId":"c2"}', 'not json', '{"msg":"ws connection closed"') },
    { weight: 1, arbitrary: entries.map((pairs) => write(pairs, ' ')) },
  );
  /** A block: the lines, each ending with LF or CR LF; where each starts and ends (without its break). */
  function block(lines: string[], crlf: boolean[], lead: number) {
    const parts: Buffer[] = [Buffer.alloc(lead, 0x7b)];
    const spans: [number, number][] = [];
    let at = lead;
    lines.forEach((l, i) => {
      const bytes = Buffer.from(l);
      spans.push([at, at + bytes.length]);
      const brk = crlf[i] ? '\r\n' : '\n';
      parts.push(bytes, Buffer.from(brk));
      at += bytes.length + brk.length;
    });
    return { buf: Buffer.concat(parts), spans };
  }

  it('reads each line given one after another as it reads the line alone, lines skipped or not', () => {
    const ahead = new FlatJsonReader(DEFAULT_FIELDS);
    const alone = new FlatJsonReader(DEFAULT_FIELDS);
    let lineNo = 0;
    fc.assert(fc.property(fc.array(fc.tuple(line, fc.boolean(), fc.nat(9)), { minLength: 1, maxLength: 60 }), fc.nat(20), (rows, lead) => {
      const { buf, spans } = block(rows.map(([l]) => l), rows.map(([, crlf]) => crlf), lead);
      lineNo += 5; // another block: the numbers go on, not from the line before
      rows.forEach(([l, , skip], i) => {
        lineNo++;
        // About one line in ten is not given (as a prefilter rules it out).
        if (skip === 0 && i > 0) return;
        const [start, end] = spans[i];
        const got = snapshot(ahead.read(buf, start, end, lineNo));
        expect(got, l).toEqual(snapshot(alone.readText(l)));
        if (got !== 'declined') expect(got).toEqual(expected(reference(l, DEFAULT_FIELDS)));
      });
      buf.fill(0); // the values hold nothing of the block
    }), { numRuns: 400, seed: 13 });
  });

  it('reads each line of a block\'s list (ahead) as it reads the line alone: lines of the list skipped, lines not in it given between, a line listed twice', () => {
    const gathered = new FlatJsonReader(DEFAULT_FIELDS);
    const alone = new FlatJsonReader(DEFAULT_FIELDS);
    let lineNo = 0;
    // Per line: listed (as a prefilter hits it) or not, given or not, listed twice.
    const use = fc.constantFrom('listed', 'listed', 'listed', 'listed, not given', 'not listed', 'not listed, given', 'listed twice');
    fc.assert(fc.property(fc.array(fc.tuple(line, fc.boolean(), use), { minLength: 1, maxLength: 60 }), fc.nat(20), (rows, lead) => {
      const { buf, spans } = block(rows.map(([l]) => l), rows.map(([, crlf]) => crlf), lead);
      const starts: number[] = [];
      const ends: number[] = [];
      rows.forEach(([, crlf, u], i) => {
        if (!u.startsWith('listed')) return;
        for (let k = u === 'listed twice' ? 2 : 1; k > 0; k--) {
          starts.push(spans[i][0]);
          ends.push(spans[i][1] + (crlf ? 1 : 0)); // its line break
        }
      });
      gathered.ahead(buf, Int32Array.from(starts), Int32Array.from(ends), starts.length);
      rows.forEach(([l, , u], i) => {
        if (u === 'listed, not given' || u === 'not listed') return;
        const [start, end] = spans[i];
        const got = snapshot(gathered.read(buf, start, end, lineNo + i));
        expect(got, l).toEqual(snapshot(alone.readText(l)));
        if (got !== 'declined') expect(got).toEqual(expected(reference(l, DEFAULT_FIELDS)));
      });
      lineNo += rows.length;
      buf.fill(0); // the values hold nothing of the block
    }), { numRuns: 400, seed: 17 });
  });

  it('reads a buffer whose bytes changed since as it is now, and lines longer than it reads ahead', () => {
    const reader = new FlatJsonReader(DEFAULT_FIELDS);
    const a = '{"connId":"c1","msg":"ws message received"}';
    const b = '{"connId":"c2","msg":"ws connection closed"}';
    const { buf, spans } = block([a, a, a], [false, false, false], 0);
    expect(snapshot(reader.read(buf, spans[0][0], spans[0][1], 1))).toMatchObject({ said: 'ws message received' });
    expect(snapshot(reader.read(buf, spans[1][0], spans[1][1], 2))).toMatchObject({ said: 'ws message received' });
    // The same buffer filled again (the next block but one): its lines are read again, whatever their numbers.
    buf.write(`${b}\n${b}\n`, 0);
    expect(snapshot(reader.read(buf, 0, b.length, 10))).toMatchObject({ said: 'ws connection closed' });
    expect(snapshot(reader.read(buf, b.length + 1, 2 * b.length + 1, 11))).toMatchObject({ said: 'ws connection closed' });
    const long = `{"connId":"c3","route":"/${'r'.repeat(200_000)}","msg":"ws connection opened"}`;
    const big = block([a, long, long, a], [false, true, false, false], 1);
    big.spans.forEach(([start, end], i) => {
      expect(snapshot(reader.read(big.buf, start, end, 20 + i))).toEqual(expected(reference([a, long, long, a][i], DEFAULT_FIELDS)));
    });
  });
});
