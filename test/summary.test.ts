/**
 * Summaries merge: the summary of two inputs is the merge of their summaries, whatever the
 * split, including the timeline when it has to widen its buckets.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Analyzer } from '../src/analyzer.js';
import { jsonParser } from '../parsers/json.js';
import { ROOT_CAUSES, type RootCause, type Verdict } from '../src/model.js';
import { addVerdict, clientOf, emptySummary, mergeSummaries, ranked, Tally, type Summary } from '../src/summary.js';

function analyze(lines: string[]) {
  const a = new Analyzer();
  const p = jsonParser.create('chat.log', { event: (e) => a.push(e), skip: () => {} });
  lines.forEach((l, i) => p.line(l, i + 1));
  a.finish();
  return a;
}

describe('Summary', () => {
  it('merges two halves into the summary of the whole', () => {
    const lines = readFileSync('samples/ws-pino/chat.log', 'utf8').trim().split('\n');
    // Split between connections: every connection's lines stay in one half.
    const conns = [...new Set(lines.map((l) => (JSON.parse(l) as { connId: string }).connId))];
    const half = new Set(conns.slice(0, conns.length / 2));
    const a = lines.filter((l) => half.has((JSON.parse(l) as { connId: string }).connId));
    const b = lines.filter((l) => !half.has((JSON.parse(l) as { connId: string }).connId));
    // Both halves must know what routes accept as the whole does.
    const expect_ = '{"accepts":{"/text":"text","/binary":"binary","/json":"text","/buggy":"text"},"msg":"listening"}';
    const whole = analyze([expect_, ...lines]).summary;
    const merged = mergeSummaries(analyze([expect_, ...a]).summary, analyze([expect_, ...b]).summary);
    const strip = (s: typeof whole) => ({ ...s, exceptions: Object.values(s.exceptions).map(({ example, ...e }) => e).sort((x, y) => x.signature.localeCompare(y.signature)) });
    expect(strip(merged)).toEqual(strip(whole));
    expect(merged.closes).toBe(conns.length);
  });

  it('ranks by count, then by key', () => {
    expect(ranked({ b: { count: 2 }, a: { count: 2 }, c: { count: 5 } }).map((x) => x.count)).toEqual([5, 2, 2]);
    expect(ranked({ b: { count: 2, k: 'b' }, a: { count: 2, k: 'a' } }).map((x) => x.k)).toEqual(['a', 'b']);
  });
});

const T0 = Date.parse('2026-03-01T00:00:00Z');

function verdict(i: number, minute: number, cause: RootCause, code: number | null, timed: boolean): Verdict {
  return {
    connection: `c${i}`, route: `/r${i % 3}`, remote: `10.0.0.${i % 5}:${40000 + i}`, closeCode: code, closeReason: '', initiator: 'server',
    rootCause: cause, incident: cause !== 'normal', codeAgreement: code === 1011 && cause === 'data-type-mismatch' ? 'disagrees' : 'agrees',
    explanation: 'x', confidence: 0.9, evidence: [], fix: 'f', at: `f.log:${i}`,
    time: timed ? new Date(T0 + minute * 60_000 + (i % 60) * 1000).toISOString() : null,
  };
}

/**
 * Verdicts at random minutes up to `maxMinute`. `spread`: minutes drawn evenly, not biased to a
 * few small values as fast-check's integers are in some runs (there half the arrays of 2,000 held
 * under 1,441 distinct minutes, and in 1.6% of seeds all six runs did, so nothing widened).
 */
const verdicts = (maxMinute: number, minLength: number, maxLength: number, spread = false) => fc.array(fc.record({
  minute: spread ? fc.noBias(fc.integer({ min: 0, max: maxMinute })) : fc.integer({ min: 0, max: maxMinute }),
  cause: fc.constantFrom(...ROOT_CAUSES),
  code: fc.constantFrom(1000, 1003, 1006, 1011, null),
  timed: fc.boolean(),
}), { minLength, maxLength }).map((xs) => xs.map((x, i) => verdict(i, x.minute, x.cause, x.code, x.timed || x.minute % 7 !== 0)));

function summarize(vs: Verdict[]): Summary {
  const s = emptySummary();
  for (const v of vs) addVerdict(s, v);
  return s;
}

describe('Summary of any verdicts', () => {
  it('merges to the summary of the whole input, for any split', () => {
    // Up to ten days of minutes: more than 1440 buckets, so the timeline widens.
    const widths = new Set<number>();
    const split = (vs: Verdict[], cut: number) => {
      const k = vs.length ? cut % (vs.length + 1) : 0;
      const whole = summarize(vs);
      widths.add(whole.timeline.bucketMinutes);
      expect(mergeSummaries(summarize(vs.slice(0, k)), summarize(vs.slice(k)))).toEqual(whole);
      expect(mergeSummaries(summarize(vs.slice(k)), summarize(vs.slice(0, k))).timeline).toEqual(whole.timeline);
    };
    fc.assert(fc.property(verdicts(600, 0, 200), fc.nat(), split), { numRuns: 40 });
    // Ten days of minutes, 2000 closes: well over 1440 distinct minutes, so the timeline widens.
    fc.assert(fc.property(verdicts(14_400, 2000, 2200, true), fc.nat(), split), { numRuns: 6 });
    expect([...widths].some((w) => w > 1), 'some runs widened the buckets').toBe(true);
  });

  it('is the same summary, keys in the same order, counted by a Tally and read at any points', () => {
    // Each verdict's own explanation: a summary keeps the first of each disagreement.
    const explained = (vs: Verdict[]) => vs.map((v, i) => ({
      ...v, explanation: `because ${i}; then`, codeAgreement: (v.closeCode === 1000) === (v.rootCause === 'normal') ? 'agrees' as const : 'disagrees' as const,
    }));
    fc.assert(fc.property(verdicts(100, 0, 150).map(explained), fc.array(fc.nat(), { maxLength: 4 }), (vs, cuts) => {
      const reads = new Set(cuts.map((c) => c % (vs.length + 1)));
      const t = new Tally();
      for (let i = 0; i <= vs.length; i++) {
        // Read midway: what is added after a read comes after what was there, as one by one.
        if (reads.has(i)) expect(JSON.stringify(t.summary)).toBe(JSON.stringify(summarize(vs.slice(0, i))));
        if (i < vs.length) t.add(vs[i]);
      }
      expect(JSON.stringify(t.summary)).toBe(JSON.stringify(summarize(vs)));
    }), { numRuns: 300 });
  });

  it('widens at exactly 1441 buckets, whatever the order the summaries were built and merged in', () => {
    // 1440 minutes in one summary, the 1441st in another: a merged timeline (not cached) gains one bucket.
    const first = summarize(Array.from({ length: 1440 }, (_, m) => verdict(m, m, 'normal', 1000, true)));
    expect(first.timeline.bucketMinutes).toBe(1);
    const merged = mergeSummaries(first, summarize([]));
    addVerdict(merged, verdict(9999, 1439, 'normal', 1000, true)); // an existing bucket: no widening
    expect(merged.timeline.bucketMinutes).toBe(1);
    const fresh = mergeSummaries(summarize([]), summarize(Array.from({ length: 1439 }, (_, m) => verdict(m, m, 'normal', 1000, true))));
    addVerdict(fresh, verdict(1, 1439, 'normal', 1000, true)); // the 1440th bucket, added to an uncached count
    expect(fresh.timeline.bucketMinutes).toBe(1);
    addVerdict(fresh, verdict(2, 1440, 'normal', 1000, true)); // the 1441st
    expect(fresh.timeline.bucketMinutes).toBe(5);
  });

  it('counts closes per minute by root cause, and widens the buckets past 1440 of them', () => {
    const few = summarize([verdict(1, 0, 'unhandled-error', 1011, true), verdict(2, 0, 'normal', 1000, true), verdict(3, 5, 'unhandled-error', 1011, true)]);
    expect(few.timeline).toEqual({ bucketMinutes: 1, buckets: {
      '2026-03-01T00:00:00.000Z': { 'unhandled-error': 1, normal: 1 },
      '2026-03-01T00:05:00.000Z': { 'unhandled-error': 1 },
    } });
    const day = summarize(Array.from({ length: 1441 }, (_, m) => verdict(m, m, 'abnormal-closure', 1006, true)));
    expect(day.timeline.bucketMinutes).toBe(5);
    expect(Object.keys(day.timeline.buckets).length).toBe(289);
    expect(Object.values(day.timeline.buckets).reduce((n, c) => n + c['abnormal-closure']!, 0)).toBe(1441);
    expect(day.firstClose).toBe('2026-03-01T00:00:00.000Z');
    expect(day.lastClose).toBe(new Date(T0 + 1440 * 60_000 + 1000 * (1440 % 60)).toISOString());
  });

  it('keeps the codes of each root cause and the closes per client host', () => {
    const s = summarize([verdict(1, 0, 'data-type-mismatch', 1003, true), verdict(6, 0, 'data-type-mismatch', 1011, true), verdict(2, 0, 'normal', 1000, false)]);
    expect(s.codesByRootCause).toEqual({ 'data-type-mismatch': { 1003: 1, 1011: 1 }, normal: { 1000: 1 } });
    expect(s.clients['10.0.0.1']).toEqual({ closes: 2, incidents: 2, byRootCause: { 'data-type-mismatch': 2 } });
    expect([clientOf('[::1]:8080'), clientOf('10.1.2.3:443'), clientOf('::1'), clientOf(undefined)]).toEqual(['[::1]', '10.1.2.3', '::1', '(none)']);
  });

  it('reads a client host as the pattern host:port or [address]:port says, without running it', () => {
    const pattern = /^(\[[^\]]{1,64}\]|[^:]{1,255}):\d{1,5}$/;
    const part = fc.oneof(fc.constantFrom('[', ']', ':', '1', '8080', '::1', 'a', '\n', '١'), fc.string({ unit: fc.constantFrom('a', '1', ':', ']'), maxLength: 70 }));
    fc.assert(fc.property(fc.array(part, { maxLength: 12 }), (parts) => {
      const remote = parts.join('');
      expect(clientOf(remote)).toBe(remote ? pattern.exec(remote)?.[1] ?? remote : '(none)');
    }), { numRuns: 20_000 });
    for (const remote of ['[]:1', '[a]:123456', 'a'.repeat(255) + ':1', 'a'.repeat(256) + ':1', `[${':'.repeat(64)}]:1`, `[${':'.repeat(65)}]:1`, '[a]b]:1', ':80', 'a:']) {
      expect(clientOf(remote)).toBe(pattern.exec(remote)?.[1] ?? remote);
    }
  });

  it('counts closes by client up to 1000 hosts, the rest under (other), and merges the same way', () => {
    const vs = Array.from({ length: 1500 }, (_, i) => ({ ...verdict(i, 0, 'normal', 1000, true), remote: `10.0.${i >> 8}.${i & 255}:1` }));
    const s = summarize(vs);
    expect(Object.keys(s.clients).length).toBe(1001);
    expect(s.clients['(other)']).toEqual({ closes: 500, incidents: 0, byRootCause: { normal: 500 } });
    expect(s.clients['10.0.0.0']!.closes).toBe(1);
    const merged = mergeSummaries(summarize(vs.slice(0, 1200)), summarize(vs.slice(1200)));
    expect(merged.clients).toEqual(s.clients);
    addVerdict(merged, vs[0]);
    addVerdict(merged, { ...vs[0], remote: '10.9.9.9:1' });
    expect(merged.clients['10.0.0.0']!.closes).toBe(2);
    expect(merged.clients['(other)']!.closes).toBe(501);
  });

  it('reads a summary written before the timeline existed as one without it', () => {
    const old = summarize([verdict(1, 0, 'normal', 1000, true)]) as Partial<Summary>;
    delete old.timeline;
    delete old.codesByRootCause;
    delete old.clients;
    const merged = mergeSummaries(emptySummary(), old as Summary);
    expect(merged.closes).toBe(1);
    expect(merged.timeline.buckets).toEqual({});
  });
});
