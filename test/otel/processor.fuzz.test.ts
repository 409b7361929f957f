/**
 * Fuzzes the span processor inside a real BasicTracerProvider with hostile spans: WebSocket
 * span names with attributes of every type and size, exception events with odd attributes,
 * error statuses, parents and links to spans that never were. The host never sees an
 * exception, every span reaches the next processor, and what the processor writes is well
 * formed. The seed is fixed so a failure replays.
 */
import { diag, DiagLogLevel, SpanKind, SpanStatusCode, type Attributes, type AttributeValue } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT_CAUSES } from '../../src/model.js';
import { CloseCauseSpanProcessor } from '../../src/otel/processor.js';

const NAMES = ['websocket.receive', 'websocket.send', 'websocket.close', 'WS open', 'websocket /chat', 'OPEN /chat', 'CLOSE /chat', 'GET /chat', 'db.query', ''];
const KEYS = [
  'websocket.connection.id', 'connection.id', 'websocket.session.id', 'url.path', 'http.route', 'http.target', 'url.full',
  'websocket.close.code', 'ws.close.code', 'websocket.close.reason', 'websocket.message.type', 'websocket.message.length',
  'operation.name', 'resource.name', 'messaging.system', 'messaging.operation', 'error.type', 'error.message', 'error.stack',
];

const value: fc.Arbitrary<AttributeValue> = fc.oneof(
  fc.constantFrom('c1', 'c2', '/chat', 'text', 'binary', 'websocket.close', 'ws', 'receive', '1011', 'ws://h/chat?token=x'),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom(1000, 1003, 1011, 4001, 0, -1, 65536, 1e308, Number.NaN, 2 ** 53),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.constant('x'.repeat(100_000)),
);
const attributes: fc.Arbitrary<Attributes> = fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), value, { maxKeys: 8 });

const hostileSpan = fc.record({
  name: fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 20 })),
  kind: fc.constantFrom(SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER),
  attributes,
  exception: fc.option(fc.tuple(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.option(fc.string({ maxLength: 200 }), { nil: undefined }))
    .map(([name, message, stack]) => Object.assign(new Error(message), { name, stack })), { nil: undefined }),
  event: fc.option(attributes, { nil: undefined }),
  error: fc.boolean(),
  link: fc.boolean(),
});

describe('CloseCauseSpanProcessor on hostile spans', () => {
  let runs = 0;
  let spans = 0;
  let judged = 0;
  let diagErrors = 0;
  afterAll(() => console.log(`fuzz span processor: ${runs} runs, ${spans} spans, ${judged} verdicts written, ${diagErrors} errors kept inside (diag)`));

  it('never throws into the host; every span is exported; what it writes is well formed', () => {
    diag.setLogger({ error: () => { diagErrors++; }, warn() {}, info() {}, debug() {}, verbose() {} }, DiagLogLevel.ERROR);
    try {
      fc.assert(
        fc.property(fc.array(hostileSpan, { minLength: 1, maxLength: 40, size: 'max' }), fc.boolean(), (list, showPayloads) => {
          const exporter = new InMemorySpanExporter();
          const processor = new CloseCauseSpanProcessor({ maxConnections: 5, idleTtlMs: 1000, showPayloads });
          const provider = new BasicTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
          const tracer = provider.getTracer('fuzz');
          let previous: ReturnType<typeof tracer.startSpan> | undefined;
          for (const s of list) {
            const span = tracer.startSpan(s.name, {
              kind: s.kind, attributes: s.attributes,
              links: s.link && previous ? [{ context: previous.spanContext() }] : [],
            });
            if (s.exception) span.recordException(s.exception);
            if (s.event) span.addEvent('exception', s.event);
            if (s.error) span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
            span.end();
            previous = span;
          }
          const out = exporter.getFinishedSpans();
          expect(out).toHaveLength(list.length);
          for (const span of out) {
            const cause = span.attributes['websocket.close.root_cause'];
            if (cause === undefined) continue;
            judged++;
            expect(ROOT_CAUSES).toContain(cause);
            const confidence = span.attributes['websocket.close.root_cause.confidence'] as number;
            expect(confidence > 0 && confidence <= 1).toBe(true);
            expect(String(span.attributes['websocket.close.evidence']).length).toBeLessThanOrEqual(400);
          }
          JSON.stringify(processor.summary());
          expect(processor.stats().tracked).toBeLessThanOrEqual(5);
          runs++;
          spans += list.length;
        }),
        { numRuns: 300, seed: 7007 },
      );
    } finally {
      diag.disable();
    }
  });
});
