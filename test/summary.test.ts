/** Summaries merge: the summary of two inputs is the merge of their summaries. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Analyzer } from '../src/analyzer.js';
import { jsonParser } from '../parsers/json.js';
import { mergeSummaries, ranked } from '../src/summary.js';

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
