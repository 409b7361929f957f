import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FIELDS, FIELD, fieldMap, pickAll, toFrameType } from '../../parsers/fields.js';
import type { FieldMap } from '../../parsers/parser.js';

/** One field's value, or undefined when it is absent, null or empty: the literal name first, then a dotted path. */
function lookup(rec: Record<string, unknown>, name: string): unknown {
  let v: unknown = rec[name];
  if (v === undefined && name.includes('.')) {
    v = rec;
    for (const part of name.split('.')) {
      if (v === null || typeof v !== 'object') { v = undefined; break; }
      v = (v as Record<string, unknown>)[part];
    }
  }
  return v !== undefined && v !== null && v !== '' ? v : undefined;
}

/** What a lookup of each name in turn finds: the first present value (the reference pickAll must equal). */
function firstPresent(rec: Record<string, unknown>, names: string[]): unknown {
  for (const name of names) {
    const v = lookup(rec, name);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The frame type of the first name whose value names one. */
function firstFrameType(rec: Record<string, unknown>, names: string[]): unknown {
  for (const name of names) {
    const v = lookup(rec, name);
    const type = v === undefined ? undefined : toFrameType(name, v);
    if (type) return type;
  }
  return undefined;
}

const ROLES = Object.keys(DEFAULT_FIELDS) as (keyof FieldMap)[];
const NAMES = [...new Set(ROLES.flatMap((r) => DEFAULT_FIELDS[r]))];
/** Keys a record may have: every field name, the first segment of dotted ones, and others. */
const KEYS = [...NAMES, ...NAMES.filter((n) => n.includes('.')).map((n) => n.split('.')[0]), 'hostname', 'pid', 'extra'];
const scalar = fc.oneof(
  fc.constant(null), fc.constant(''), fc.constant(undefined), fc.string({ maxLength: 4 }), fc.integer(), fc.boolean(),
  fc.constantFrom('text', 'binary', 'Buffer', 'ping', 1, 2, 9),
);
const value = fc.oneof(scalar, fc.dictionary(fc.constantFrom('id', 'code', 'level', 'url', 'path', 'address', 'port', 'x'), scalar, { maxKeys: 3 }));
const record = fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 12 });

describe('pickAll', () => {
  it('finds for every role what looking up its names in order finds', () => {
    fc.assert(fc.property(record, (rec) => {
      const picked = pickAll(rec, DEFAULT_FIELDS);
      for (const role of ROLES) expect(picked.values[FIELD[role]]).toEqual(firstPresent(rec, DEFAULT_FIELDS[role]));
      expect(picked.frameType).toEqual(firstFrameType(rec, DEFAULT_FIELDS.type));
    }), { numRuns: 2000, seed: 5 });
  });

  it('follows a field map given by the user, dotted names and a name in two roles included', () => {
    const f = fieldMap({ conn: ['trace.conn', 'code'], code: ['status.ws', 'code'] });
    const rec = { code: 4000, trace: { conn: 'c1' }, status: { ws: '' } };
    const picked = pickAll(rec, f).values;
    expect(picked[FIELD.conn]).toBe('c1');
    expect(picked[FIELD.code]).toBe(4000);
    expect(picked[FIELD.message]).toBeUndefined();
  });

  it('reads a literal dotted key before its path, and an empty literal hides the path', () => {
    expect(pickAll({ 'ws.id': 'lit', ws: { id: 'nested' } }, DEFAULT_FIELDS).values[FIELD.conn]).toBe('lit');
    expect(pickAll({ ws: { id: 'nested' } }, DEFAULT_FIELDS).values[FIELD.conn]).toBe('nested');
    expect(pickAll({ 'ws.id': null, ws: { id: 'nested' } }, DEFAULT_FIELDS).values[FIELD.conn]).toBeUndefined();
  });
});
