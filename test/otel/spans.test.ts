/**
 * The span mapping on spans made by a real SDK tracer, through the processor: the messaging.*
 * convention, a user mapping, a handler's own span under a message span, dd-trace's second
 * close span. (The ws helper's spans, dd-trace's OTLP form and Quarkus are covered in
 * processor.test.ts and parsers/otlp.test.ts.)
 */
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { ExceptionEvent, Verdict, WsEvent } from '../../src/model.js';
import { CloseCauseSpanProcessor, type CloseCauseSpanProcessorOptions } from '../../src/otel/processor.js';
import { SpanMapper } from '../../src/otel/spans.js';

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

  it('gives a message span the connection it names over the one it links to; others follow their links (dd-trace, Quarkus)', () => {
    const m = new SpanMapper();
    const span = (spanId: string, attributes: Record<string, unknown>, link?: string) =>
      ({ traceId: `t-${spanId}`, spanId, attributes, links: link ? [{ traceId: `t-${link}`, spanId: link }] : [] });
    expect(m.connect(span('00000000000000a1', { 'websocket.connection.id': 'A' }), 'receive')).toBe('A');
    // A relay: a message on B links to the message from A it forwards.
    expect(m.connect(span('00000000000000b1', { 'websocket.connection.id': 'B' }, '00000000000000a1'), 'send')).toBe('B');
    // dd-trace: a message span names no connection, its link to the handshake does.
    expect(m.connect(span('00000000000000c1', {}, '00000000000000a1'), 'receive')).toBe('A');
    // Quarkus: OPEN knows no connection id, CLOSE names one and links to OPEN.
    const open = m.connect(span('00000000000000d1', {}), 'open');
    expect(open).toBe('t-00000000000000d1/00000000000000d1');
    expect(m.connect(span('00000000000000e1', { 'connection.id': 'q-1' }, '00000000000000d1'), 'close')).toBe(open);
  });

  it('puts a relayed message on the connection it names, in the processor too', () => {
    const { tracer, verdicts } = setup();
    const a = tracer.startSpan('websocket.receive', { kind: SpanKind.CONSUMER, attributes: { 'websocket.connection.id': 'A', 'url.path': '/chat', 'websocket.message.type': 'text' } });
    a.end();
    const relay = tracer.startSpan('websocket.send', { kind: SpanKind.PRODUCER, links: [{ context: a.spanContext() }], attributes: { 'websocket.connection.id': 'B', 'url.path': '/chat', 'websocket.message.type': 'text' } });
    relay.recordException(new TypeError('send failed'));
    relay.end();
    tracer.startSpan('websocket.close', { kind: SpanKind.PRODUCER, attributes: { 'websocket.connection.id': 'A', 'websocket.close.code': 1000 } }).end();
    tracer.startSpan('websocket.close', { kind: SpanKind.PRODUCER, attributes: { 'websocket.connection.id': 'B', 'websocket.close.code': 1011 } }).end();
    expect(verdicts.map((v) => [v.connection, v.closeCode, v.exception?.type])).toEqual([['B', 1011, 'TypeError']]);
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
});

describe('exception text kept per connection', () => {
  it('cuts a recorded exception\'s type, message and stack that embed client input to bounds', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('t');
    const input = 'x'.repeat(1_000_000);
    const span = tracer.startSpan('websocket.receive', { attributes: { 'websocket.connection.id': 'c1', 'websocket.message.type': 'text' } });
    span.recordException({ name: `Bad${input}`, message: `bad input ${input}`, stack: `TypeError: bad input ${input}\n    at onMessage (server.mjs:10:5)` });
    span.end();
    const [s] = exporter.getFinishedSpans();
    const data = {
      traceId: s.spanContext().traceId, spanId: s.spanContext().spanId, name: s.name, kind: s.kind, startMs: 0, endMs: 1,
      attributes: s.attributes, links: [], status: s.status,
      events: s.events.map((e) => ({ name: e.name, timeMs: 1, attributes: e.attributes ?? {} })),
    };
    const events: WsEvent[] = [];
    new SpanMapper().events(data, 'receive', 'c1', (e) => events.push(e), false);
    expect(events).toHaveLength(1);
    const e = events[0] as ExceptionEvent;
    expect([e.kind, e.type.length, e.message.length, e.stack?.length]).toEqual(['exception', 201, 1025, 8193]);
    expect(e.type).toBe(`Bad${'x'.repeat(197)}…`);
    expect(e.message).toBe(`bad input ${'x'.repeat(1014)}…`);
    expect(e.stack).toBe(`TypeError: bad input ${'x'.repeat(8171)}…`);
  });
});
