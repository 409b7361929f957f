/**
 * The span mapping on spans made by a real SDK tracer, through the processor: the messaging.*
 * convention, a user mapping, a handler's own span under a message span, dd-trace's second
 * close span. (The ws helper's spans, dd-trace's OTLP form and Quarkus are covered in
 * processor.test.ts and parsers/otlp.test.ts.)
 */
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { FrameEvent, Verdict } from '../../src/model.js';
import { CloseCauseSpanProcessor, type CloseCauseSpanProcessorOptions } from '../../src/otel/processor.js';
import { Correlator, type Incident } from '../../src/correlator.js';
import { SPAN_PLACES, SpanFrame, SpanMapper } from '../../src/otel/spans.js';

function setup(opts: CloseCauseSpanProcessorOptions = {}) {
  const verdicts: Verdict[] = [];
  const exporter = new InMemorySpanExporter();
  const processor = new CloseCauseSpanProcessor({ ...opts, onIncident: (v) => verdicts.push(v) });
  const tracer = new BasicTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] }).getTracer('t');
  return { tracer, verdicts, exporter, processor };
}

describe('span mapping', () => {
  it('recognizes WebSocket spans by name, operation.name, Quarkus names, the upgrade, messaging.system', () => {
    const m = new SpanMapper();
    expect(m.role('websocket.receive', {})).toBe('receive');
    expect(m.role('websocket /chat', { 'operation.name': 'websocket.close' })).toBe('close');
    expect(m.role('OPEN /chat', {})).toBe('open');
    expect(m.role('CLOSE /chat', {})).toBe('close');
    expect(m.role('GET /chat', { 'http.upgraded': 'websocket' })).toBe('open');
    expect(m.role('chat receive', { 'messaging.system': 'websocket', 'messaging.operation.type': 'process' })).toBe('receive');
    expect(m.role('WS connect', { 'messaging.system': 'ws', 'messaging.operation': 'connect' })).toBeUndefined();
    expect(m.role('GET /users', { 'http.route': '/users' })).toBeUndefined();
    expect(m.role('OPENING /x', {})).toBeUndefined();
  });

  it('reads messaging.* spans: message size, type, and a close from the user mapping', () => {
    const { tracer, verdicts } = setup({
      mapping: { names: { 'chat.disconnect': 'close' }, connection: ['chat.session'], closeCode: ['chat.close_code'], messageType: ['chat.frame'] },
    });
    const conn = { 'chat.session': 's-9', 'url.path': '/rpc' };
    tracer.startSpan('rpc process', { kind: SpanKind.CONSUMER, attributes: { ...conn, 'messaging.system': 'websocket', 'messaging.operation.type': 'process', 'chat.frame': 'text', 'messaging.message.body.size': 40 } }).end();
    const handler = tracer.startSpan('rpc process', { kind: SpanKind.CONSUMER, attributes: { ...conn, 'messaging.system': 'websocket', 'messaging.operation.type': 'process', 'chat.frame': 'text' } });
    handler.recordException(new TypeError("Cannot read properties of undefined (reading 'id')"));
    handler.setStatus({ code: SpanStatusCode.ERROR });
    handler.end();
    tracer.startSpan('chat.disconnect', { kind: SpanKind.PRODUCER, attributes: { ...conn, 'chat.close_code': 1011 } }).end();
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({ connection: 's-9', route: '/rpc', rootCause: 'unhandled-error', closeCode: 1011, initiator: 'server', exception: { type: 'TypeError' } });
  });

  it("puts an exception on a handler's own span on the connection of the message span around it", () => {
    const { tracer, verdicts, exporter } = setup();
    const conn = { 'websocket.connection.id': 'h1', 'url.path': '/json' };
    tracer.startSpan('websocket.receive', { kind: SpanKind.CONSUMER, attributes: { ...conn, 'websocket.message.type': 'text' } }).end();
    const receive = tracer.startSpan('websocket.receive', { kind: SpanKind.CONSUMER, attributes: { ...conn, 'websocket.message.type': 'binary' } });
    // No connection attribute: only its parent, the receive span, ties it to the connection.
    const parse = tracer.startSpan('parse message', {}, trace.setSpan(context.active(), receive));
    parse.recordException(new SyntaxError('Unexpected token \u0000 in JSON at position 0'));
    parse.end();
    receive.end(); // the parent ends after its child
    const close = tracer.startSpan('websocket.close', { kind: SpanKind.PRODUCER, attributes: { ...conn, 'websocket.close.code': 1011 } });
    close.end();
    expect(verdicts[0]).toMatchObject({ connection: 'h1', rootCause: 'data-type-mismatch', closeCode: 1011, codeAgreement: 'disagrees', exception: { type: 'SyntaxError' } });
    expect(verdicts[0].evidence.map((e) => e.kind)).toEqual(['frame', 'exception', 'close']);
    const exported = exporter.getFinishedSpans().find((s) => s.name === 'websocket.close')!;
    expect(exported.attributes['websocket.close.root_cause']).toBe('data-type-mismatch');
  });

  it("judges dd-trace's second close span of a connection once, and leaves it unannotated", () => {
    const { tracer, verdicts, exporter, processor } = setup();
    const conn = { 'websocket.connection.id': 'd1' };
    tracer.startSpan('websocket.receive', { kind: SpanKind.CONSUMER, attributes: { ...conn, 'websocket.message.type': 'binary' } }).end();
    for (let i = 0; i < 2; i++) tracer.startSpan('websocket.close', { kind: SpanKind.PRODUCER, attributes: { ...conn, 'websocket.close.code': 1003, 'websocket.close.reason': 'binary not supported' } }).end();
    expect(verdicts).toHaveLength(1);
    const closes = exporter.getFinishedSpans().filter((s) => s.name === 'websocket.close');
    expect(closes.map((s) => s.attributes['websocket.close.root_cause'])).toEqual(['data-type-mismatch', undefined]);
    expect(processor.stats().duplicateCloses).toBe(1);
  });

  it('keeps the place of a message span\'s frame as numbers and gives back its traceId/spanId', () => {
    const ids: [string, string][] = [
      ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'],
      ['00000000000000000000000000000001', '0000000000000000'],
      ['ffffffffffffffffffffffffffffffff', 'ffffffffffffffff'],
    ];
    for (const [traceId, spanId] of ids) {
      const nums = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
      const f = new SpanFrame('in', 'text', 5, 1, 'c', '/chat', traceId, spanId);
      expect(SPAN_PLACES.encode(f, nums, 2)).toBe(true);
      expect(SPAN_PLACES.decode(nums, 2)).toBe(`${traceId}/${spanId}`);
      expect(f.at).toBe(`${traceId}/${spanId}`);
    }
    // Ids that are not the SDK's lowercase hex are kept as text: the codec declines them.
    const nums = [0, 0, 0, 0];
    expect(SPAN_PLACES.encode(new SpanFrame('in', 'text', 5, 1, 'c', '/chat', '0AF7651916CD43DD8448EB211C80319C', 'b7ad6b7169203331'), nums, 0)).toBe(false);
    expect(SPAN_PLACES.encode(new SpanFrame('in', 'text', 5, 1, 'c', '/chat', 'trace-1', 'span-1'), nums, 0)).toBe(false);
    expect(SPAN_PLACES.encode({ kind: 'frame', direction: 'in', type: 'text', time: 1, conn: 'c', at: 'x/y' }, nums, 0)).toBe(false);
  });

  it('hands the correlator\'s incident the frames of spans whole, places included', () => {
    const out: Incident[] = [];
    const c = new Correlator((i) => out.push(i), { ringSize: 4, place: SPAN_PLACES });
    const frames = Array.from({ length: 7 }, (_, i) => new SpanFrame(i % 3 ? 'in' : 'out', i % 2 ? 'binary' : 'text', i, 1000 + i, 'c1', '/chat',
      i === 5 ? 'trace-not-hex' : `${String(i).repeat(32)}`, `${String(i + 1).repeat(16)}`));
    for (const f of frames) c.push(f);
    c.push({ kind: 'close', conn: 'c1', time: 2000, at: 'a/b', code: 1000, reason: '', initiator: 'client' });
    const [inc] = out;
    const fields = (f: FrameEvent) => ({ kind: f.kind, direction: f.direction, type: f.type, size: f.size, time: f.time, conn: f.conn, route: f.route, at: f.at });
    expect(inc.recent.map((e) => fields(e as FrameEvent))).toEqual(frames.slice(-4).map(fields));
    expect(inc.recent.map((e) => e.at)).toEqual([
      '33333333333333333333333333333333/4444444444444444', '44444444444444444444444444444444/5555555555555555',
      'trace-not-hex/6666666666666666', '66666666666666666666666666666666/7777777777777777',
    ]);
    expect(inc.lastInbound).toBe(frames[5]);
    expect(inc.recent).toContain(frames[5]);
  });
});
