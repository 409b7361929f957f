/**
 * The span processor inside a real service: a real NodeSDK with CloseCauseSpanProcessor and an
 * in-memory exporter, a real ws server traced by instrumentWebSocketServer, real ws clients
 * playing every scenario at once. The exported close spans, the onIncident verdicts and the
 * websocket.close.incidents metric are asserted; then the same spans, serialized by the real
 * OTLP JSON serializer and in the Collector's file form, go through the built CLI, and the log
 * of the same run too: all give the verdicts the scenarios call for.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode, context, diag, DiagLogLevel, trace, type DiagLogger } from '@opentelemetry/api';
import type { DataPoint, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import * as sdkV1 from '@opentelemetry/sdk-trace-base-v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the sample's scripts are plain JavaScript
import { collectorLines, otlpBody, runTraced } from '../../samples/otel/traced.mjs';
import { analyzeFiles } from '../../src/analyze.js';
import { verdictOf, type Judgement } from '../../src/classifier.js';
import type { Verdict } from '../../src/model.js';
import { CloseCauseSpanProcessor, judgementAttributes, verdictAttributes, VERDICT_SPAN } from '../../src/otel/processor.js';
import { INCIDENTS_METRIC } from '../../src/otel/metrics.js';
import type { Report } from '../../src/report.js';
import { SPAN_AT } from '../support/expect-verdict.js';
import {
  analyzeFile, expectedFor, expectScenarioVerdicts, scenarios, type Run,
} from '../support/traced-scenarios.js';


describe('CloseCauseSpanProcessor in a real NodeSDK, on a traced ws server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-otel-'));
  const logFile = join(dir, 'chat.log');
  let traced: {
    runs: Run[]; spans: ReadableSpan[]; metrics: ResourceMetrics[]; incidents: Verdict[];
    processor: CloseCauseSpanProcessor; shutdown(): Promise<void>;
  };

  beforeAll(async () => {
    writeFileSync(logFile, '');
    traced = await runTraced({ logFile, copies: 2, delayMs: 3 });
  });
  afterAll(() => traced.shutdown());

  const closeSpanOf = (connId: string) => {
    const closes = traced.spans.filter((s) => s.name === 'websocket.close' && s.attributes['websocket.connection.id'] === connId);
    expect(closes, connId).toHaveLength(1);
    return closes[0];
  };

  it('writes each verdict onto its close span before export, attribute by attribute', () => {
    expect(traced.runs.length).toBe(Object.keys(scenarios).length * 2);
    for (const run of traced.runs) {
      const e = expectedFor(run);
      const a = closeSpanOf(run.connId).attributes;
      const where = `${run.name} (${run.connId})`;
      expect(a['websocket.close.code'], where).toBe(e.reportedCode ?? e.closeCode);
      expect(a['websocket.close.root_cause'], where).toBe(e.rootCause);
      expect(a['websocket.close.code_agreement'], where).toBe(e.codeAgreement);
      expect(a['websocket.close.root_cause.confidence'], where).toBeGreaterThan(0);
      expect(a['websocket.close.root_cause.confidence'], where).toBeLessThanOrEqual(1);
      expect(typeof a['websocket.close.evidence'], where).toBe('string');
      if (e.exceptionType) expect(a['websocket.close.evidence'], where).toContain(`${e.exceptionType}: `);
    }
    const bug = traced.runs.find((r) => r.name === 'buggy-bug')!;
    expect(closeSpanOf(bug.connId).attributes['websocket.close.evidence']).toMatch(/^received text frame \(\d+ bytes\) → TypeError: Cannot read properties of undefined \(reading 'id'\) at .*server\.mjs:\d+\)$/);
    const mismatch = traced.runs.find((r) => r.name === 'binary-to-json')!;
    expect(closeSpanOf(mismatch.connId).attributes['websocket.close.evidence']).toMatch(/^received binary frame \(8 bytes\) → SyntaxError: /);
  });

  it('spans carry what dd-trace records, plus the connection id', () => {
    const run = traced.runs.find((r) => r.name === 'binary-to-text')!;
    const mine = traced.spans.filter((s) => s.attributes['websocket.connection.id'] === run.connId);
    const handshake = mine.find((s) => s.kind === SpanKind.SERVER)!;
    expect(handshake.name).toBe('GET /text');
    expect(handshake.attributes).toMatchObject({ 'http.upgraded': 'websocket', 'http.response.status_code': 101, 'url.path': '/text' });
    const receives = mine.filter((s) => s.name === 'websocket.receive');
    expect(receives.map((s) => s.attributes['websocket.message.type'])).toEqual(['text', 'binary']);
    expect(receives[1].attributes['websocket.message.length']).toBe(8);
    expect(receives.every((s) => s.kind === SpanKind.CONSUMER)).toBe(true);
    const close = closeSpanOf(run.connId);
    expect(close.kind).toBe(SpanKind.PRODUCER); // the server started the close
    expect(close.attributes['websocket.close.reason']).toBe('text frames only');
    for (const s of [...receives, close]) expect(s.links[0].context.spanId).toBe(handshake.spanContext().spanId);
  });

  it('calls onIncident with the verdict of every incident, and of nothing else', () => {
    expectScenarioVerdicts({ incidents: traced.incidents, summary: traced.processor.summary() } as Report, traced.runs, SPAN_AT);
    expect(traced.incidents.every((v) => v.incident)).toBe(true);
    expect(traced.incidents.length).toBe(traced.runs.filter((r) => scenarios[r.name].expect.incident).length);
  });

  it('counts websocket.close.incidents by code, root cause and route', () => {
    const metric = traced.metrics.flatMap((rm) => rm.scopeMetrics).flatMap((sm) => sm.metrics)
      .filter((m) => m.descriptor.name === INCIDENTS_METRIC).at(-1)!;
    expect(metric).toBeDefined();
    const got: Record<string, number> = {};
    for (const dp of metric.dataPoints as DataPoint<number>[]) {
      const a = dp.attributes;
      got[`${a['websocket.close.root_cause']}|${a['websocket.close.code']}|${a['http.route']}`] = dp.value;
    }
    const want: Record<string, number> = {};
    for (const run of traced.runs) {
      const e = expectedFor(run);
      if (!e.incident) continue;
      const key = `${e.rootCause}|${e.closeCode}|${e.route}`;
      want[key] = (want[key] ?? 0) + 1;
    }
    expect(got).toEqual(want);
  });

  it('sums the same summary the CLI builds', () => {
    const s = traced.processor.summary();
    const want: Record<string, number> = {};
    for (const run of traced.runs) want[scenarios[run.name].expect.rootCause] = (want[scenarios[run.name].expect.rootCause] ?? 0) + 1;
    expect(s.closes).toBe(traced.runs.length);
    expect(s.byRootCause).toEqual(want);
    expect(s.disagreements['data-type-mismatch@1011']?.count).toBe(2);
    expect(traced.processor.stats()).toMatchObject({ tracked: 0, evictedIdle: 0, evictedCap: 0 });
  });

  function expectSameVerdicts(report: Report, at: RegExp): void {
    expectScenarioVerdicts(report, traced.runs, at);
    expect(report.summary.byRootCause).toEqual(traced.processor.summary().byRootCause);
  }

  it('gives the same verdicts from the spans serialized by JsonTraceSerializer (one OTLP/HTTP body)', async () => {
    const file = join(dir, 'body.json');
    writeFileSync(file, otlpBody(traced.spans));
    expect(JSON.parse(otlpBody(traced.spans)).resourceSpans[0].scopeSpans[0].spans.some(
      (s: { attributes: { value: { intValue?: unknown } }[] }) => s.attributes.some((a) => typeof a.value.intValue === 'number'),
    )).toBe(true);
    const report = await analyzeFile(file);
    expect(report.input.files[0]).toMatchObject({ parser: 'otlp', skipped: {} });
    expectSameVerdicts(report, SPAN_AT);
  });

  it('and as the Collector file exporter writes them (batches per line, intValue as strings)', async () => {
    const file = join(dir, 'collector.jsonl');
    const text = collectorLines(traced.spans);
    writeFileSync(file, text);
    expect(text.trim().split('\n').length).toBeGreaterThan(3);
    expect(text).toMatch(/"intValue":"1011"/);
    const report = await analyzeFile(file);
    expect(report.input.files[0]).toMatchObject({ parser: 'otlp', skipped: {} });
    expectSameVerdicts(report, SPAN_AT);
  });

  it('and the log of the same run gives them too', async () => {
    const report = await analyzeFile(logFile);
    expect(report.input.files[0].parser).toBe('json');
    expectSameVerdicts(report, /:\d+$/);
  });
});

describe('the verdict attributes of a close span', () => {
  // A normal close's verdict is not written: its attributes come from its judgement, and must be
  // those its verdict would give. Every connection of every bundled sample, normal or not.
  const logs = ['samples/ws-pino/chat.log', 'samples/python-websockets/server.log', 'samples/aiohttp/server.log', 'samples/go-gorilla/server.log',
    'samples/java-tomcat/server.log', 'samples/node-crash/crash.log', 'samples/logfmt/chat.log', 'samples/tshark/cap.json.gz',
    'samples/otel/chat.otlp.jsonl'];
  it.each(logs)('are the same from the judgement as from the verdict: %s', async (log) => {
    const judgements: Judgement[] = [];
    await analyzeFiles([log], { onJudgement: (j) => judgements.push(j) });
    expect(judgements.filter((j) => !j.incident).length).toBeGreaterThan(0);
    for (const j of judgements) expect(judgementAttributes(j), j.inc.connection).toEqual(verdictAttributes(verdictOf(j)));
  });
});

describe('CloseCauseSpanProcessor as a guest in the SDK', () => {
  function provider(processors: SpanProcessor[]) {
    return new BasicTracerProvider({ spanProcessors: processors }).getTracer('test');
  }
  /** Where evidence points at a span: `traceId/spanId`. */
  const at = (span: { spanContext(): { traceId: string; spanId: string } }) => `${span.spanContext().traceId}/${span.spanContext().spanId}`;
  /** The server closes connection `id` with 1011. */
  const close1011 = (tracer: ReturnType<typeof provider>, id: string) =>
    tracer.startSpan('websocket.close', { kind: SpanKind.PRODUCER, attributes: { 'websocket.connection.id': id, 'websocket.close.code': 1011 } }).end();
  /** A tracer whose spans go through a processor, and the incidents it calls back with. */
  function watched() {
    const incidents: Verdict[] = [];
    const processor = new CloseCauseSpanProcessor({ onIncident: (v) => incidents.push(v) });
    return { incidents, processor, tracer: provider([processor]) };
  }
  /** A text message on connection `id`, started (not ended). */
  const textMessage = (tracer: ReturnType<typeof provider>, id: string) =>
    tracer.startSpan('websocket.receive', { attributes: { 'websocket.connection.id': id, 'websocket.message.type': 'text' } });
  /** `n` text messages, started and ended, on `conns` other connections taking turns: they take the places of spans noted before. */
  const busy = (tracer: ReturnType<typeof provider>, n: number, conns: number) => {
    for (let i = 0; i < n; i++) textMessage(tracer, `busy${i % conns}`).end();
  };
  /** A binary message on connection `id` of the JSON route, started (not ended). */
  const binaryMessage = (tracer: ReturnType<typeof provider>, id: string) =>
    tracer.startSpan('websocket.receive', { attributes: { 'websocket.connection.id': id, 'url.path': '/json', 'websocket.message.type': 'binary' } });
  /** A handler's JSON.parse failing on a span, as it records it. */
  const parseFailed = (span: { recordException(e: { name: string; message: string; stack: string }): void }) =>
    span.recordException({ name: 'SyntaxError', message: 'Unexpected token', stack: 'SyntaxError: Unexpected token\n    at onMessage (server.mjs:23:5)' });
  /** A verdict's connection, root cause, code agreement and exception type. */
  const gist = (v: Verdict) => [v.connection, v.rootCause, v.codeAgreement, v.exception?.type];
  /** The evidence of a verdict before its close, as [kind, at] pairs. */
  const before = (v: Verdict) => v.evidence.filter((e) => e.kind !== 'close').map((e) => [e.kind, e.at]);

  it('on SDK 1.x (no onEnding, parentSpanId), sends the verdict as a span linked to the close span, with a handler child\'s exception', () => {
    const exporter = new sdkV1.InMemorySpanExporter();
    let p: sdkV1.BasicTracerProvider | undefined;
    const processor = new CloseCauseSpanProcessor({ tracerProvider: { getTracer: (name) => p!.getTracer(name) } });
    // Typed for SDK 2.x: 1.x spans have no instrumentationScope.
    p = new sdkV1.BasicTracerProvider({ spanProcessors: [processor as unknown as sdkV1.SpanProcessor, new sdkV1.SimpleSpanProcessor(exporter)] });
    const tracer = p.getTracer('test');
    const attrs = { 'websocket.connection.id': 'k1', 'url.path': '/json' };
    const message = tracer.startSpan('websocket.receive', { kind: SpanKind.CONSUMER, attributes: { ...attrs, 'websocket.message.type': 'text' } });
    // The handler's own span: the exception is on it, not on the message span.
    const handler = tracer.startSpan('handle', {}, trace.setSpan(context.active(), message));
    handler.recordException({ name: 'TypeError', message: 'user is undefined', stack: 'TypeError: user is undefined\n    at onMessage (server.mjs:31:9)' });
    handler.end();
    message.end();
    tracer.startSpan('websocket.close', { kind: SpanKind.PRODUCER, attributes: { ...attrs, 'websocket.close.code': 1011 } }).end();
    const spans = exporter.getFinishedSpans();
    expect((spans.find((s) => s.name === 'handle') as { parentSpanId?: string }).parentSpanId).toBe(message.spanContext().spanId);
    const closed = spans.find((s) => s.name === 'websocket.close')!;
    expect(closed.attributes['websocket.close.root_cause']).toBeUndefined();
    const verdict = spans.find((s) => s.name === VERDICT_SPAN)!;
    expect(verdict.links.map((l) => l.context.spanId)).toEqual([closed.spanContext().spanId]);
    expect(verdict.attributes).toEqual({
      'websocket.close.root_cause': 'unhandled-error', 'websocket.close.root_cause.confidence': 0.9, 'websocket.close.code_agreement': 'agrees',
      'websocket.close.evidence': 'received text frame → TypeError: user is undefined at onMessage (server.mjs:31)', 'websocket.connection.id': 'k1',
    });
  });

  it('hands every span to the processor given as `next`, as the SDK would beside it: the same close spans exported, flushed and shut down through it', async () => {
    /** A 1011 after a binary frame failed JSON.parse, a 1003 on a text route, and a normal close, with an ordinary span between. */
    const play = (tracer: ReturnType<typeof provider>) => {
      const message = binaryMessage(tracer, 'j1');
      const child = tracer.startSpan('JSON.parse', {}, trace.setSpan(context.active(), message));
      parseFailed(child);
      child.end();
      message.end();
      close1011(tracer, 'j1');
      tracer.startSpan('GET /healthz', { kind: SpanKind.SERVER }).end();
      tracer.startSpan('websocket.receive', { attributes: { 'websocket.connection.id': 't1', 'url.path': '/text', 'websocket.message.type': 'binary' } }).end();
      tracer.startSpan('websocket.close', { attributes: { 'websocket.connection.id': 't1', 'url.path': '/text', 'websocket.close.code': 1003 } }).end();
      textMessage(tracer, 'n1').end();
      tracer.startSpan('websocket.close', { attributes: { 'websocket.connection.id': 'n1', 'websocket.close.code': 1000 } }).end();
    };
    const closes = (spans: ReadableSpan[]) => spans.filter((s) => s.name === 'websocket.close').map((s) => s.attributes);
    const beside = new InMemorySpanExporter();
    play(provider([new CloseCauseSpanProcessor({ expect: { '/text': 'text' } }), new SimpleSpanProcessor(beside)]));
    // Each hook a processor gets, and the span, beside this one and as its `next`: the same calls in the same order.
    const recorder = (calls: string[]): SpanProcessor => ({
      onStart: (s) => calls.push(`start ${s.name}`), onEnding: (s) => calls.push(`ending ${s.name}`), onEnd: (s) => calls.push(`end ${s.name}`),
      forceFlush: async () => { calls.push('flush'); }, shutdown: async () => { calls.push('shutdown'); },
    });
    const [besideCalls, nextCalls] = [[] as string[], [] as string[]];
    play(provider([new CloseCauseSpanProcessor(), recorder(besideCalls)]));
    const recorded = new CloseCauseSpanProcessor({ next: recorder(nextCalls) });
    play(provider([recorded]));
    await recorded.forceFlush();
    await recorded.shutdown();
    expect(besideCalls).toHaveLength(3 * 8);
    expect(nextCalls).toEqual([...besideCalls, 'flush', 'shutdown']);

    const exporter = new InMemorySpanExporter();
    // Exported only when flushed: a flush that reaches it shows.
    const next = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 });
    const processor = new CloseCauseSpanProcessor({ expect: { '/text': 'text' }, next });
    play(provider([processor]));
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    await processor.forceFlush();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(beside.getFinishedSpans().map((s) => s.name));
    expect(spans).toHaveLength(8);
    const [j1, t1, n1] = closes(spans);
    expect(j1['websocket.connection.id']).toBe('j1');
    expect(j1['websocket.close.root_cause']).toBe('data-type-mismatch');
    expect(j1['websocket.close.code_agreement']).toBe('disagrees');
    expect(j1['websocket.close.evidence']).toMatch(/^received binary frame.* → SyntaxError: Unexpected token at onMessage \(server\.mjs:23\)$/);
    expect(t1['websocket.close.root_cause']).toBe('data-type-mismatch');
    expect(t1['websocket.close.code_agreement']).toBe('agrees');
    expect(n1['websocket.close.root_cause']).toBe('normal');
    expect(n1['websocket.close.code_agreement']).toBe('agrees');
    for (const a of [j1, t1, n1]) expect(typeof a['websocket.close.root_cause.confidence']).toBe('number');
    expect(closes(spans)).toEqual(closes(beside.getFinishedSpans()));
    expect(processor.summary()).toMatchObject({ closes: 3, incidents: 2 });

    await processor.shutdown();
    // The exporter was shut down through it (an InMemorySpanExporter shut down forgets its spans and takes no more).
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    textMessage(provider([processor]), 'after').end();
    await processor.forceFlush();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('joins a handler\'s late child span and a failing message span to their connection, and points at their exact ids', () => {
    const { incidents, tracer } = watched();
    // The connection id's text is made anew for every span, as a service may do.
    const attrs = (n: number) => ({ 'websocket.connection.id': ['k', n].join(''), 'url.path': '/json' });
    const msg = tracer.startSpan('websocket.receive', { kind: SpanKind.CONSUMER, attributes: { ...attrs(3), 'websocket.message.type': 'binary', 'websocket.message.length': 8 } });
    msg.end();
    // Other connections' spans in between: the message span is no longer among the last few started.
    for (let i = 0; i < 10; i++) textMessage(tracer, `other${i}`).end();
    // The handler's own span, a child of the message span, started after that span ended.
    const child = tracer.startSpan('JSON.parse', {}, trace.setSpan(context.active(), msg));
    parseFailed(child);
    child.end();
    tracer.startSpan('websocket.close', { kind: SpanKind.PRODUCER, attributes: { ...attrs(3), 'websocket.close.code': 1011 } }).end();
    // Another connection's message fails on its own span (dd-trace's error attributes).
    const failing = tracer.startSpan('websocket.receive', { attributes: { ...attrs(4), 'websocket.message.type': 'text' } });
    failing.setAttributes({ 'error.type': 'TypeError', 'error.message': 'boom' });
    failing.end();
    tracer.startSpan('websocket.close', { kind: SpanKind.PRODUCER, attributes: { ...attrs(4), 'websocket.close.code': 1011 } }).end();
    expect(incidents.map((v) => v.connection)).toEqual(['k3', 'k4']);
    const evidence = incidents.map(before);
    expect(evidence).toEqual([
      [['frame', at(msg)], ['exception', at(child)]],
      [['frame', at(failing)], ['exception', at(failing)]],
    ]);
    expect(incidents.map((v) => v.exception?.type)).toEqual(['SyntaxError', 'TypeError']);
    for (const v of incidents) for (const e of v.evidence) expect(e.at).toMatch(SPAN_AT);
  });

  it('joins a late child to its message span long after the span left the recent spans, through the context it starts in', () => {
    const { incidents, tracer } = watched();
    const msg = binaryMessage(tracer, 'late');
    msg.end();
    // Hundreds of WebSocket spans since: every slot of the recent spans was taken many times over.
    busy(tracer, 400, 7);
    const child = tracer.startSpan('JSON.parse', {}, trace.setSpan(context.active(), msg));
    // Its own child: placed in the table under the connection when its parent joined it.
    const grandchild = tracer.startSpan('decode', {}, trace.setSpan(context.active(), child));
    grandchild.recordException({ name: 'SyntaxError', message: 'Unexpected token', stack: 'SyntaxError: Unexpected token\n    at decode (server.mjs:9:5)' });
    grandchild.end();
    child.end();
    close1011(tracer, 'late');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ connection: 'late', rootCause: 'data-type-mismatch' });
    expect(incidents[0].exception?.type).toBe('SyntaxError');
    expect(before(incidents[0])).toEqual([['frame', at(msg)], ['exception', at(grandchild)]]);
  });

  it('finds a handler\'s span and its message span at their end though many spans started while they ran', () => {
    const { incidents, tracer } = watched();
    const msg = binaryMessage(tracer, 'slow');
    const handler = tracer.startSpan('handle', {}, trace.setSpan(context.active(), msg));
    // An async handler: other connections' messages and their handlers' spans start and end meanwhile.
    for (let i = 0; i < 40; i++) {
      const other = textMessage(tracer, `busy${i % 5}`);
      tracer.startSpan('handle', {}, trace.setSpan(context.active(), other)).end();
      other.end();
    }
    handler.recordException({ name: 'TypeError', message: 'x is undefined', stack: 'TypeError: x is undefined\n    at handle (server.mjs:40:7)' });
    handler.end();
    msg.end();
    close1011(tracer, 'slow');
    expect(incidents.map((v) => v.connection)).toEqual(['slow']);
    expect(before(incidents[0])).toEqual([
      ['frame', at(msg)], ['exception', at(handler)],
    ]);
    expect(incidents[0].exception?.type).toBe('TypeError');
  });

  it('joins a child started under a running message span that other spans pushed out of the recent ones', () => {
    const { incidents, tracer } = watched();
    const msg = binaryMessage(tracer, 'held');
    busy(tracer, 12, 3);
    // Still running, no longer among the spans noted last: its children are looked up in the table.
    const child = tracer.startSpan('JSON.parse', {}, trace.setSpan(context.active(), msg));
    // A running span never noted (no WebSocket span above it) has no connection to give its own child.
    const plain = tracer.startSpan('GET /health');
    const under = tracer.startSpan('SELECT 1', {}, trace.setSpan(context.active(), plain));
    under.recordException({ name: 'Error', message: 'not this one' });
    under.end();
    plain.end();
    parseFailed(child);
    child.end();
    msg.end();
    close1011(tracer, 'held');
    expect(incidents.map((v) => [v.connection, v.rootCause, v.exception?.type])).toEqual([['held', 'data-type-mismatch', 'SyntaxError']]);
    expect(before(incidents[0])).toEqual([['frame', at(msg)], ['exception', at(child)]]);
  });

  it('joins a late child to its message span by the span its context holds, though the table has forgotten every entry since', () => {
    const { incidents, tracer } = watched();
    const msg = binaryMessage(tracer, 'forgotten');
    msg.end();
    // More handshakes since than the table holds (32,768 entries): each has an entry, so every earlier one is gone.
    for (let i = 0; i < 40_000; i++) {
      tracer.startSpan('GET /other', { kind: SpanKind.SERVER, attributes: { 'websocket.connection.id': 'busy', 'http.upgraded': 'websocket' } }).end();
    }
    const child = tracer.startSpan('JSON.parse', {}, trace.setSpan(context.active(), msg));
    parseFailed(child);
    child.end();
    close1011(tracer, 'forgotten');
    expect(incidents.map(gist)).toEqual([['forgotten', 'data-type-mismatch', 'disagrees', 'SyntaxError']]);
    expect(before(incidents[0])).toEqual([['frame', at(msg)], ['exception', at(child)]]);
  });

  it('adds the error of a message span that outlived its place, after its frame, to its connection', () => {
    const { incidents, tracer } = watched();
    const msg = binaryMessage(tracer, 'long');
    // Its place among the spans noted last is taken while it runs: it is placed in the table then.
    busy(tracer, 12, 3);
    parseFailed(msg);
    msg.setStatus({ code: SpanStatusCode.ERROR });
    msg.end();
    close1011(tracer, 'long');
    expect(incidents.map(gist)).toEqual([['long', 'data-type-mismatch', 'disagrees', 'SyntaxError']]);
    expect(before(incidents[0])).toEqual([['frame', at(msg)], ['exception', at(msg)]]);
  });

  it('joins a close handler\'s span to its connection, before the close is judged, and a late one after', () => {
    const { incidents, processor, tracer } = watched();
    tracer.startSpan('websocket.receive', { attributes: { 'websocket.connection.id': 'closing', 'url.path': '/json', 'websocket.message.type': 'text' } }).end();
    const close = tracer.startSpan('websocket.close', { kind: SpanKind.PRODUCER, attributes: { 'websocket.connection.id': 'closing', 'websocket.close.code': 1011 } });
    // The close handler's own span fails while the close span runs: it comes before the close.
    const cleanup = tracer.startSpan('cleanup', {}, trace.setSpan(context.active(), close));
    cleanup.recordException({ name: 'TypeError', message: 'session is undefined', stack: 'TypeError: session is undefined\n    at onClose (server.mjs:51:9)' });
    cleanup.end();
    close.end();
    // A span started under the close span after it ended is the connection's, after its close.
    const late = tracer.startSpan('flush', {}, trace.setSpan(context.active(), close));
    late.recordException({ name: 'Error', message: 'too late' });
    late.end();
    expect(incidents.map((v) => [v.connection, v.rootCause, v.exception?.type])).toEqual([['closing', 'unhandled-error', 'TypeError']]);
    expect(before(incidents[0]).filter(([kind]) => kind === 'exception')).toEqual([['exception', at(cleanup)]]);
    expect(processor.stats().afterClose).toBe(1);
  });

  it.each(['beside it', 'its next'])('never throws into the host: its own errors go to diag, spans still reach the exporter\'s processor, %s', (where) => {
    const errors: unknown[][] = [];
    const logger = { error: (...a: unknown[]) => errors.push(a), warn() {}, info() {}, debug() {}, verbose() {} } as DiagLogger;
    diag.setLogger(logger, DiagLogLevel.ERROR);
    try {
      const exporter = new InMemorySpanExporter();
      const onIncident = () => { throw new Error('callback bug'); };
      const exporting = new SimpleSpanProcessor(exporter);
      const tracer = provider(where === 'its next' ? [new CloseCauseSpanProcessor({ onIncident, next: exporting })]
        : [new CloseCauseSpanProcessor({ onIncident }), exporting]);
      const attrs = { 'websocket.connection.id': 'k2' };
      // A span whose attributes make the mapping itself throw (a getter that fails).
      const hostile = tracer.startSpan('websocket.close', { attributes: attrs });
      Object.defineProperty(hostile, 'links', { get() { throw new Error('hostile span'); } });
      expect(() => hostile.end()).not.toThrow();
      expect(() => tracer.startSpan('websocket.close', { attributes: { ...attrs, 'websocket.close.code': 1011 } }).end()).not.toThrow();
      expect(exporter.getFinishedSpans()).toHaveLength(2);
      expect(errors.map((e) => String(e[0]))).toEqual([
        'wsclose: CloseCauseSpanProcessor.onEnding failed', 'wsclose: onIncident callback failed',
      ]);
    } finally {
      diag.disable();
    }
  });

  it('sends an async onIncident\'s rejection to diag, not to the host as an unhandled rejection', async () => {
    const errors: unknown[][] = [];
    diag.setLogger({ error: (...a: unknown[]) => errors.push(a), warn() {}, info() {}, debug() {}, verbose() {} } as DiagLogger, DiagLogLevel.ERROR);
    try {
      const failure = new Error('alert webhook 503');
      const calls: string[] = [];
      const tracer = provider([new CloseCauseSpanProcessor({ onIncident: async (v) => { calls.push(v.connection); throw failure; } })]);
      close1011(tracer, 'a1');
      await new Promise((r) => setTimeout(r, 10));
      expect(calls).toEqual(['a1']);
      expect(errors).toEqual([['wsclose: onIncident callback failed', failure]]);
    } finally {
      diag.disable();
    }
  });

  it("says so on a close whose connection was evicted before it, at half the confidence", () => {
    /** A binary frame that made the handler's JSON.parse throw on connection `id`, then others' messages, then its 1011. */
    const closeSpan = (maxConnections: number) => {
      const exporter = new InMemorySpanExporter();
      const tracer = provider([new CloseCauseSpanProcessor({ maxConnections }), new SimpleSpanProcessor(exporter)]);
      const message = (id: string, type: string) => tracer.startSpan('websocket.receive', { kind: SpanKind.CONSUMER, attributes: { 'websocket.connection.id': id, 'url.path': '/chat', 'websocket.message.type': type } });
      const bad = message('a', 'binary');
      bad.recordException(new SyntaxError('Unexpected token \'\u0000\', "\u0000" is not valid JSON'));
      bad.end();
      for (const id of ['b', 'c']) message(id, 'text').end();
      close1011(tracer, 'a');
      return exporter.getFinishedSpans().find((span) => span.name === 'websocket.close')!.attributes;
    };
    const kept = closeSpan(100);
    expect(kept['websocket.close.root_cause']).toBe('data-type-mismatch');
    expect(kept['websocket.close.root_cause.confidence']).toBe(0.75);
    const evicted = closeSpan(2);
    expect(evicted['websocket.close.root_cause']).toBe('unhandled-error');
    expect(evicted['websocket.close.root_cause.confidence']).toBe(0.2);
    expect(evicted['websocket.close.code_agreement']).toBe('agrees');
    expect(evicted['websocket.close.evidence']).toBe('the server sent 1011 and no exception on this connection was seen; its events before it was evicted (over the tracked connections cap, or idle past the TTL) are gone');
  });

  it('bounds memory: connections beyond the cap and idle ones are evicted and counted', async () => {
    const processor = new CloseCauseSpanProcessor({ maxConnections: 10, idleTtlMs: 1000 });
    const tracer = provider([processor]);
    const t0 = Date.now();
    for (let i = 0; i < 25; i++) {
      tracer.startSpan('websocket.receive', { startTime: t0, attributes: { 'websocket.connection.id': `c${i}`, 'websocket.message.type': 'text' } }).end(t0);
    }
    expect(processor.stats()).toMatchObject({ tracked: 10, evictedCap: 15 });
    // Idle connections go once input time passes the TTL (the correlator sweeps every 1024 events).
    for (let i = 0; i < 1100; i++) {
      tracer.startSpan('websocket.receive', { startTime: t0 + 5000, attributes: { 'websocket.connection.id': 'busy', 'websocket.message.type': 'text' } }).end(t0 + 5000);
    }
    expect(processor.stats().evictedIdle).toBe(9);
    expect(processor.stats().tracked).toBe(1);
    await expect(Promise.race([processor.forceFlush().then(() => 'ok'), new Promise((r) => setTimeout(r, 50, 'hung'))])).resolves.toBe('ok');
    await expect(Promise.race([processor.shutdown().then(() => 'ok'), new Promise((r) => setTimeout(r, 50, 'hung'))])).resolves.toBe('ok');
  });
});
