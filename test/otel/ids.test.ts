/**
 * The span id table behind the span processor's links and parents: exact for the SDK's hex ids
 * and for any other id text, bounded, and sparing spans in flight.
 */
import { describe, expect, it } from 'vitest';
import { FRAMED, IN_TABLE, KEYED, NOT_NOTED, RecentEntries, SpanIds, type NotedSpan } from '../../src/otel/ids.js';

/** Random-looking 16-digit hex ids, the same each run (xorshift32). */
let seed = 0x9e3779b9;
const word = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0).toString(16).padStart(8, '0');
};
const hexId = () => word() + word();
/** A span as the table's recent entries see it: an object with its id. */
const span = (spanId = hexId()): NotedSpan => ({ spanContext: () => ({ spanId }) });

describe('SpanIds', () => {
  it('finds what it holds, exactly: ids that share their last or first 8 digits are told apart', () => {
    const t = new SpanIds();
    t.set('00000000deadbeef', 'a');
    t.set('11111111deadbeef', 'b');
    t.set('deadbeef00000000', 'c');
    expect(t.get('00000000deadbeef')).toBe('a');
    expect(t.get('11111111deadbeef')).toBe('b');
    expect(t.get('deadbeef00000000')).toBe('c');
    expect(t.get('22222222deadbeef')).toBeUndefined();
    expect(t.get('0000000000000000')).toBeUndefined(); // an empty entry is no match
    // OTLP span ids are hex, case-insensitive.
    expect(t.get('00000000DEADBEEF')).toBe('a');
  });

  it('keeps ids that are not 16 hex digits by their text', () => {
    const t = new SpanIds();
    const odd = ['', 'abc', 'AAECAwQFBgc=', 'zzzzzzzzdeadbeef', '0123456789abcdef0123456789abcdef', '12345'];
    odd.forEach((id, i) => t.set(id, `k${i}`));
    odd.forEach((id, i) => expect(t.get(id), id).toBe(`k${i}`));
    expect(t.get('yyyyyyyydeadbeef')).toBeUndefined();
    expect(t.get('abd')).toBeUndefined();
    expect(t.get('deadbeef')).toBeUndefined();
  });

  it('sets a key again in place, and reads the in-flight mark once', () => {
    const t = new SpanIds();
    const id = hexId();
    t.set(id, 'first', true);
    t.set(id, 'second', true);
    const e = t.find(id);
    expect(t.key(e)).toBe('second');
    expect(t.take(e)).toBe(true);
    expect(t.take(e)).toBe(false);
    expect(t.find(id)).toBe(e);
  });

  it('is bounded: old entries give way, recent ones stay, spans in flight outlive those that ended', () => {
    const t = new SpanIds(1024);
    const inFlight = hexId();
    t.set(inFlight, 'open', true);
    const ids = Array.from({ length: 50_000 }, hexId);
    ids.forEach((id) => t.set(id, 'x'));
    expect(t.get(inFlight)).toBe('open');
    const kept = ids.filter((id) => t.get(id) !== undefined).length;
    expect(kept).toBeLessThanOrEqual(1024);
    expect(kept).toBeGreaterThan(900);
    expect(ids.slice(-16).every((id) => t.get(id) === 'x')).toBe(true);
    expect(ids.slice(0, 1000).filter((id) => t.get(id) !== undefined)).toHaveLength(0);
  });

  it('gives a noted span its key back once, without the table, even once its entry went to another id', () => {
    const t = new SpanIds(8); // two sets of four
    const recent = new RecentEntries(t);
    const a = span();
    const b = span();
    t.set(hexId(), 'ka');
    recent.note(a, 'ka', IN_TABLE);
    expect(recent.peek(a)).toBe(IN_TABLE);
    expect(recent.key).toBe('ka');
    expect(recent.take(a)).toBe(IN_TABLE);
    expect(recent.key).toBe('ka');
    expect(recent.take(a)).toBe(NOT_NOTED); // forgotten once taken
    expect(recent.take(b)).toBe(NOT_NOTED); // never noted
    const idB = hexId();
    t.set(idB, 'kb');
    recent.note(b, 'kb', IN_TABLE);
    for (let i = 0; i < 64 && t.find(idB) >= 0; i++) t.set(hexId(), 'x'); // until idB's entry is given away
    expect(t.find(idB)).toBe(-1);
    expect(recent.take(b)).toBe(IN_TABLE); // its end still knows its connection
    expect(recent.key).toBe('kb');
  });
});

describe('RecentEntries', () => {
  it('knows which spans may have an entry it no longer keeps: those that had not ended when their place was taken', () => {
    const t = new SpanIds();
    const recent = new RecentEntries(t);
    const spans = Array.from({ length: 20 }, () => span());
    const ended = spans[1];
    const noted = (s: NotedSpan) => {
      t.set(s.spanContext().spanId, 'k');
      recent.note(s, 'k', IN_TABLE);
    };
    spans.slice(0, 2).forEach(noted);
    expect(recent.take(ended)).toBe(IN_TABLE); // ends before its place is taken
    spans.slice(2).forEach(noted);
    expect(recent.outlived(spans[0])).toBe(true); // still running when 8 later spans were noted
    expect(recent.take(spans[0])).toBe(NOT_NOTED);
    expect(t.get(spans[0].spanContext().spanId)).toBe('k'); // its entry is in the table already
    expect(recent.outlived(ended)).toBe(false);
    expect(recent.outlived(span())).toBe(false); // never noted
    expect(spans.slice(12).every((s) => !recent.outlived(s) && recent.take(s) === IN_TABLE)).toBe(true);
  });

  it('keeps a framed span\'s key without a table entry, and places it in the table, in flight, only if it outlives its place', () => {
    const t = new SpanIds();
    const recent = new RecentEntries(t);
    const quickId = hexId();
    const quick = span(quickId);
    recent.note(quick, 'conn-a', FRAMED);
    expect(recent.peek(quick)).toBe(FRAMED);
    expect(recent.key).toBe('conn-a');
    expect(recent.take(quick)).toBe(FRAMED);
    expect(recent.key).toBe('conn-a');
    expect(recent.take(quick)).toBe(NOT_NOTED);
    expect(t.find(quickId)).toBe(-1); // a framed span that ends in its place is never in the table
    const slowId = hexId();
    const slow = span(slowId);
    recent.note(slow, 'conn-b', FRAMED);
    for (let i = 0; i < 8; i++) recent.note(span(), `other${i}`, FRAMED); // its place is taken while it runs
    expect(recent.outlived(slow)).toBe(true);
    expect(recent.take(slow)).toBe(NOT_NOTED);
    const entry = t.find(slowId);
    expect(entry).toBeGreaterThanOrEqual(0);
    expect(t.key(entry)).toBe('conn-b');
    expect(t.take(entry)).toBe(true); // in flight: its frame went at its start
    // A span noted by its key but not framed (a close span) is KEYED, and placed in the table not in flight.
    const closeId = hexId();
    const close = span(closeId);
    recent.note(close, 'conn-c', KEYED);
    expect(recent.peek(close)).toBe(KEYED);
    expect(recent.key).toBe('conn-c');
    for (let i = 0; i < 8; i++) recent.note(span(), `later${i}`, FRAMED);
    const closeEntry = t.find(closeId);
    expect(t.key(closeEntry)).toBe('conn-c');
    expect(t.take(closeEntry)).toBe(false);
  });
});

describe('SpanIds entries given from one kind of id to the other', () => {
  it('never answers with another id\'s key when hex ids and ids kept by their text take turns in the same entries', () => {
    const t = new SpanIds(8); // two sets of four: every entry changes hands many times
    const placed: [string, string][] = [];
    for (let i = 0; i < 400; i++) {
      // Text ids hash to any set; hex ids share their halves with earlier ones, so only the kind tells them apart.
      const id = i % 3 === 0 ? `conn-${i}` : i % 3 === 1 ? `0000000${i % 2}0000000${i % 2}` : hexId();
      const key = `k${i}`;
      t.set(id, key, i % 5 === 0);
      placed.push([id, key]);
      expect(t.get(id), id).toBe(key);
    }
    const latest = new Map(placed);
    for (const [id] of placed) {
      const got = t.get(id);
      if (got !== undefined) expect(got, id).toBe(latest.get(id));
    }
    // What the text kept is the id itself: a hex id with the same halves as a hashed one is not it.
    const text = 'AAECAwQFBgc=';
    t.set(text, 'text');
    expect(t.get(text)).toBe('text');
    expect(t.get('0000000000000000')).not.toBe('text');
  });
});
