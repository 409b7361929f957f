/**
 * Fuzzes every parser in the registry (so parsers added later are covered without listing
 * them) with hostile logs: random bytes, invalid UTF-8, NULs, CRs, half-written and 10,000-deep
 * JSON, lines of every format mixed, timestamps in every format and none. A parser never
 * throws and never hangs; what it emits is well formed; and the pipeline and every renderer
 * take whatever it emits. The seed is fixed so a failure replays.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARSERS } from '../../parsers/index.js';
import type { WsEvent } from '../../src/model.js';
import { Analyzer } from '../../src/analyzer.js';
import { buildReport } from '../../src/analyze.js';
import { corpusWindow, sampleCorpus } from '../support/corpus.js';
import { deepJson, hostileLine, hostileLines } from '../support/hostile-lines.js';
import { renderers, type Renderer } from '../support/outputs.js';

const SEED = 7007;
const RUNS = 200;
/** One run reads at most ~40 lines; even the 10,000-deep ones take milliseconds. */
const RUN_BOUND_MS = 2_000;

const KINDS = new Set(['open', 'frame', 'exception', 'close', 'note', 'accepts']);
const FRAME_TYPES = new Set(['text', 'binary', 'ping', 'pong', 'close', 'continuation']);

/** The inputs each fuzz target ran, printed at the end for the report. */
const counts: Record<string, { seeds: number; runs: number; lines: number; events: number; skipped: Record<string, number>; slowestMs: number }> = {};

function checkEvent(e: WsEvent, file: string, maxLine: number): void {
  expect(KINDS.has(e.kind), e.kind).toBe(true);
  const m = /^(.*):(\d+)$/.exec(e.at);
  if (m) {
    expect(m[1]).toBe(file);
    expect(Number(m[2])).toBeGreaterThanOrEqual(1);
    expect(Number(m[2])).toBeLessThanOrEqual(maxLine);
  } else {
    // Trace files keep ids they cannot read as given, and a span whose trace id was lost still names itself by its span id.
    expect(e.at, 'at is file:line or traceId/spanId').toMatch(/^[^/]*\/.+$/s);
  }
  // No time is undefined (or NaN, which trace files use for a span without one); a time is one a Date can hold.
  expect(e.time === undefined || Number.isNaN(e.time) || !Number.isNaN(new Date(e.time).getTime()), `time ${e.time} is a valid Date`).toBe(true);
  expect(e.conn === undefined || typeof e.conn === 'string').toBe(true);
  if (e.kind === 'close') expect(e.code === null || (Number.isInteger(e.code) && e.code >= 0 && e.code <= 65535), `code ${e.code}`).toBe(true);
  if (e.kind === 'frame') {
    expect(FRAME_TYPES.has(e.type)).toBe(true);
    expect(['in', 'out']).toContain(e.direction);
  }
  if (e.kind === 'exception') expect(typeof e.type === 'string' && typeof e.message === 'string').toBe(true);
}

const corpus = sampleCorpus();

/** Hostile lines, and, where the parser has a sample, mutated windows of it with hostile lines spliced in. */
function inputsFor(name: string): fc.Arbitrary<string[]> {
  const seeds = corpus.get(name);
  if (!seeds) return hostileLines;
  const window = corpusWindow(seeds);
  return fc.oneof(
    hostileLines,
    window,
    fc.tuple(window, fc.array(fc.tuple(fc.nat(), hostileLine), { maxLength: 4 })).map(([w, extra]) => {
      const out = [...w];
      for (const [i, l] of extra) out.splice(i % (out.length + 1), 0, l);
      return out;
    }),
  );
}

describe.each(PARSERS.map((p) => [p.name, p] as const))('the %s parser on hostile input', (name, parser) => {
  let outputs: Renderer[] = [];
  beforeAll(async () => {
    outputs = await renderers();
  });

  it('never throws or hangs; emits well-formed events; the pipeline and every renderer take them', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(3);
    const c = (counts[name] = { seeds: corpus.get(name)?.length ?? 0, runs: 0, lines: 0, events: 0, skipped: {}, slowestMs: 0 });
    const file = `fuzz-${name}.log`;
    fc.assert(
      fc.property(inputsFor(name), (lines) => {
        const started = performance.now();
        const score = parser.detect(lines);
        expect(score >= 0 && score <= 1, `detect gave ${score}`).toBe(true);
        const events: WsEvent[] = [];
        const lp = parser.create(file, {
          event: (e) => events.push(e),
          skip: (reason) => {
            expect(typeof reason === 'string' && reason.length > 0).toBe(true);
            c.skipped[reason] = (c.skipped[reason] ?? 0) + 1;
          },
        });
        lines.forEach((l, i) => lp.line(l, i + 1));
        lp.end();
        for (const e of events) checkEvent(e, file, Math.max(1, lines.length));

        const analyzer = new Analyzer();
        for (const e of events) analyzer.push(e);
        analyzer.finish();
        const report = buildReport(analyzer, [{ name: file, parser: name, lines: lines.length, bytes: 0, events: events.length, skipped: {} }]);
        JSON.parse(JSON.stringify(report));
        for (const r of outputs) {
          const out = r.render(report);
          if (typeof out === 'string') expect(out.length, r.name).toBeGreaterThan(0);
        }
        const ms = performance.now() - started;
        expect(ms, 'one run').toBeLessThan(RUN_BOUND_MS);
        c.runs++;
        c.lines += lines.length;
        c.events += events.length;
        c.slowestMs = Math.max(c.slowestMs, ms);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(c.runs).toBeGreaterThanOrEqual(RUNS);
  });

  it('reads megabyte lines of one repeated character, and 10,000-deep JSON, in bounded time', async () => {
    const big = 1_000_000;
    const lines = [deepJson(10_000), `{"msg":"x","a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`];
    for (const ch of ['a', ' ', '\t', '{', '[', '"', '\\', ':', '=', '0', '\u0000', '\ufffd', '\r']) {
      lines.push(ch.repeat(big), `{"msg":"${ch.repeat(big)}`, `{"msg":"ws connection closed","connId":"c1","code":1011,"err":{"stack":"Error: x\\n    at ${ch.repeat(big)}"}}`);
    }
    let slowest = 0;
    const events: WsEvent[] = [];
    const lp = parser.create('big.log', { event: (e) => events.push(e), skip: () => {} });
    parser.detect(lines);
    lines.forEach((l, i) => {
      const t = performance.now();
      lp.line(l, i + 1);
      slowest = Math.max(slowest, performance.now() - t);
    });
    lp.end();
    const t = performance.now();
    const analyzer = new Analyzer();
    for (const e of events) analyzer.push(e);
    analyzer.finish();
    const report = buildReport(analyzer, [{ name: 'big.log', parser: name, lines: lines.length, bytes: 0, events: events.length, skipped: {} }]);
    for (const r of outputs) await r.render(report);
    const pipelineMs = performance.now() - t;
    console.log(`fuzz parser ${name}: ${lines.length} lines of 1 MB or 10,000 levels, ${events.length} events, slowest line ${slowest.toFixed(0)} ms, pipeline and renderers ${pipelineMs.toFixed(0)} ms`);
    expect(slowest).toBeLessThan(1_000);
    expect(pipelineMs).toBeLessThan(2_000);
  });
});

afterAll(() => {
  for (const [name, c] of Object.entries(counts)) {
    console.log(`fuzz parser ${name}: ${c.runs} runs (${c.seeds} sample lines as seeds), ${c.lines} lines, ${c.events} events, skipped ${JSON.stringify(c.skipped)}, slowest run ${c.slowestMs.toFixed(0)} ms`);
  }
});
