// The span processor under load, in its own process (run with --expose-gc, so heap figures are
// exact), through a real BasicTracerProvider:
// 1. CONNECTIONS connections open at once, two messages each, then all close;
// 2. then, until SPANS spans in all, connections churn: a tenth of CONNECTIONS open at a time,
//    each with four messages and a close, one in ten throwing first.
// Heap is measured at each step: it must follow open connections, not spans. Every 997th span
// is hostile: attributes of the wrong type, a 64 KB path and exception type that differ each
// time (what a scanner or a bug puts in spans), a span whose getter throws; and the onIncident
// callback throws now and then. The host counts what reaches it. Prints one JSON line.
import { diag, DiagLogLevel, SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

const [dist, connections, spans, cap] = process.argv.slice(2);
const CONNECTIONS = Number(connections);
const SPANS = Number(spans);
const { CloseCauseSpanProcessor } = await import(`${dist}/src/otel/processor.js`);

let diagErrors = 0;
diag.setLogger({ error: () => { diagErrors++; }, warn() {}, info() {}, debug() {}, verbose() {} }, DiagLogLevel.ERROR);

let exported = 0;
let incidents = 0;
const processor = new CloseCauseSpanProcessor({
  maxConnections: cap === 'default' ? undefined : Number(cap),
  onIncident: () => {
    if (++incidents % 100 === 0) throw new Error('the host callback failed');
  },
});
const counter = { onStart() {}, onEnd() { exported++; }, forceFlush: async () => {}, shutdown: async () => {} };
const provider = new BasicTracerProvider({ spanProcessors: [processor, counter] });
const tracer = provider.getTracer('load');

const heap = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};

let made = 0;
let hostile = 0;
let hostExceptions = 0;
const BIG = 'x'.repeat(64 * 1024);
const WRONG = [
  { 'websocket.close.code': 'abc', 'websocket.message.type': ['text', 'binary'], 'websocket.message.length': -5 },
  { 'websocket.close.code': -1, 'websocket.message.length': Number.NaN, 'websocket.message.type': 'ゴミ' },
  { 'websocket.close.code': 1e308, 'websocket.message.type': true, 'websocket.close.reason': '\u0000\ud800' },
  { 'operation.name': 'websocket.close', 'websocket.close.code': 99999, 'websocket.close.reason': BIG },
];

/** What the host does: start and end spans, and carry on whatever a processor does. */
function emit(name, kind, attrs, error) {
  made++;
  try {
    const s = tracer.startSpan(name, { kind, attributes: attrs });
    if (error) s.recordException(error);
    s.end();
  } catch {
    hostExceptions++;
  }
}

/** A connection made of hostile spans: it ends at once, so its path and exception reach the summary. */
function hostileConnection() {
  hostile++;
  const id = `hostile-${hostile}`;
  const path = `/h${hostile}/${BIG}`;
  emit('websocket.receive', SpanKind.CONSUMER, { 'websocket.connection.id': id, 'url.path': path, ...WRONG[hostile % WRONG.length] });
  const error = new Error(`${BIG} #${hostile}`);
  error.name = `Hostile${hostile}${BIG}`;
  made++;
  try {
    const s = tracer.startSpan('websocket.close', { kind: SpanKind.PRODUCER, attributes: { 'websocket.connection.id': id, 'url.path': path, 'websocket.close.code': 1011 } });
    s.recordException(error);
    if (hostile % 2) Object.defineProperty(s, 'links', { get() { throw new Error('hostile span'); } });
    s.end();
  } catch {
    hostExceptions++;
  }
}

const attrs = (i) => ({ 'websocket.connection.id': `conn-${i}`, 'url.path': i % 2 ? '/chat' : '/json' });
const tick = () => { if (made % 997 === 0) hostileConnection(); };

const heap0 = heap();
const started = process.hrtime.bigint();
const close = (i, code) => emit('websocket.close', SpanKind.PRODUCER, { ...attrs(i), 'websocket.close.code': code, 'websocket.close.reason': '' });
const message = (i, k) => {
  const send = k % 3 === 0;
  emit(send ? 'websocket.send' : 'websocket.receive', send ? SpanKind.PRODUCER : SpanKind.CONSUMER,
    { ...attrs(i), 'websocket.message.type': 'text', 'websocket.message.length': 40 });
  tick();
};

// 1. All open at once.
for (let i = 0; i < CONNECTIONS; i++) message(i, 1);
const open = processor.stats();
const heapOpen = heap();
for (let i = 0; i < CONNECTIONS; i++) message(i, 2);
const heapBusy = heap();
for (let i = 0; i < CONNECTIONS; i++) close(i, 1000);
const afterConcurrent = processor.stats();
const heapClosed = heap();

// 2. Churn: batches of BATCH connections, each message round-robin, then closed.
const BATCH = Math.max(1, Math.floor(CONNECTIONS / 10));
const heapChurn = [];
let next = CONNECTIONS;
const quarter = Math.floor((SPANS - made) / 4);
let checkpoint = made + quarter;
while (made + BATCH * 6 <= SPANS) {
  const first = next;
  next += BATCH;
  for (let k = 0; k < 4; k++) for (let i = first; i < next; i++) message(i, k);
  for (let i = first; i < next; i++) {
    if (i % 10 === 0) {
      emit('websocket.receive', SpanKind.CONSUMER, { ...attrs(i), 'websocket.message.type': 'text' },
        new TypeError(`Cannot read properties of undefined (reading 'id') #${i}`));
    }
    close(i, i % 10 === 0 ? 1011 : 1000);
  }
  if (made >= checkpoint) {
    heapChurn.push(heap());
    checkpoint += quarter;
  }
}
while (made < SPANS) message(next, 0); // to the exact count: one connection left open
heapChurn.push(heap());
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const end = processor.stats();
const summary = processor.summary();

const timed = async (f) => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};
const forceFlushMs = await timed(() => processor.forceFlush());
const shutdownMs = await timed(() => provider.shutdown());

console.log(JSON.stringify({
  spans: made, exported, hostile, seconds, hostExceptions, diagErrors, incidents,
  connections: next,
  heap: { start: heap0, open: heapOpen, busy: heapBusy, closed: heapClosed, churn: heapChurn },
  open, afterConcurrent, end,
  summary: {
    closes: summary.closes, incidents: summary.incidents, byRootCause: summary.byRootCause,
    routes: Object.keys(summary.routes).length, longestRoute: Math.max(...Object.keys(summary.routes).map((r) => r.length)),
    signatures: Object.keys(summary.exceptions).length, longestSignature: Math.max(...Object.keys(summary.exceptions).map((r) => r.length)),
  },
  forceFlushMs, shutdownMs,
}));
