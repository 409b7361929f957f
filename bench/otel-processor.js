// Cost per span of the OpenTelemetry SDK pipeline with and without CloseCauseSpanProcessor,
// in one run, on a real BasicTracerProvider. Two pipelines: `bare`, whose last processor only
// touches each span (the baseline is the SDK's own start/attributes/end cost: the strictest
// comparison), and `otlp`, a BatchSpanProcessor whose exporter serializes each batch with the
// OTLP/HTTP JSON serializer (what an exporter does, without the network). Three loops: a
// service's ordinary spans (HTTP-like, none of them WebSocket spans, half with a parent),
// WebSocket spans as instrumentWebSocketServer makes them (a handshake, 18 messages, a close),
// and the ordinary spans amid WebSocket traffic (1% message spans: the span id table in use),
// where each message span is also timed alone: its code and data have gone cold between two.
// That loop runs last, on code the WebSocket loop has compiled, as in a service that has run a
// while: at 1 in 100, V8 takes a few thousand message spans to optimize their code, and they
// cost about twice as much before.
// Target (issue 8): < 1 µs added per span, < 5% on the span-heavy loop; each line says which it
// meets. Beside them, an empty processor (three hooks that do nothing): the least any processor
// adds, so `beyond empty` is the processor's own work; and wsclose's processor `chained`, the
// pipeline's processor given as its `next`, so that the SDK dispatches to one processor, not two.
// Method: CPU time of the whole process (GC and compiler threads included). On a shared machine
// the speed drifts and a collection lands in one side's run or another's, which moved long runs
// by hundreds of ns a span. So each side keeps its tracer for the whole run (steady state, as in
// a service) and the sides run in many short rounds, in turn, their order rotated each round;
// a round gives paired differences (taken a few ms apart, so drift cancels), and their median
// is printed with the interquartile range as the spread. A collection of the old generation
// lands in one round of one side: the median leaves it out, so `all in` adds every round's CPU
// time up per side (what a service pays, drift included).
// Usage: npm run build && node bench/otel-processor.js [rounds] [pipelines, e.g. bare or bare,otlp]
// To judge a change: WSCLOSE_OTHER=<another build's dist folder> adds that build's processor as a
// fifth side, and each line then ends with this build's cost against it, paired per round (two
// builds run as two processes differ by more than most changes: the machine's speed drifts).
import { context, SpanKind, trace } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CloseCauseSpanProcessor } from '../dist/src/index.js';

const OTHER = process.env.WSCLOSE_OTHER;
const OtherProcessor = OTHER ? (await import(pathToFileURL(resolve(OTHER, 'src', 'index.js')).href)).CloseCauseSpanProcessor : undefined;

const ROUNDS = Number(process.argv[2] || 61);
const ONLY = process.argv[3]?.split(',');
/** Iterations per round: a few ms each. */
const SPANS = 4096;

/** Stands for the exporter: touches every ended span once. */
function sink() {
  let n = 0;
  return { onStart() {}, onEnd(s) { n += s.attributes ? 1 : 0; }, forceFlush: async () => {}, shutdown: async () => {}, get count() { return n; } };
}

const PIPELINES = {
  bare: () => sink(),
  otlp: () => new BatchSpanProcessor({
    export(spans, done) {
      JsonTraceSerializer.serializeRequest(spans);
      done({ code: 0 });
    },
    shutdown: async () => {},
  }, { maxQueueSize: 8192, maxExportBatchSize: 512, scheduledDelayMillis: 1 }),
};

const EMPTY = { onStart() {}, onEnding() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} };

/**
 * Each side's processors, given the pipeline's (`last`): none of its own, `empty` (the do-nothing
 * processor), `wsclose` or `other` (WSCLOSE_OTHER's) listed before it, or `chained`, wsclose's
 * alone, handing each span to the pipeline's processor itself (its `next` option).
 */
const SIDE_PROCESSORS = {
  none: (last) => [last],
  empty: (last) => [EMPTY, last],
  wsclose: (last) => [new CloseCauseSpanProcessor(), last],
  chained: (last) => [new CloseCauseSpanProcessor({ next: last })],
  other: (last) => [new OtherProcessor(), last],
};

function tracerWith(pipeline, side) {
  const last = PIPELINES[pipeline]();
  return { tracer: new BasicTracerProvider({ spanProcessors: SIDE_PROCESSORS[side](last) }).getTracer('bench'), last };
}

/** Spans each tracer made so far in the loops that run connections whole. */
const spansOf = new Map();
/** Per tracer, each open connection's attributes and link to its handshake span. */
const handshakes = new Map();
/**
 * Per tracer and kind of span, the wall time (ns) and count of the spans timed alone (start to
 * end) since last read: in the amid loop, what a message span costs when the spans between have
 * left the processor's code and data cold (a CPU-time total cannot tell it apart at 1 in 100); in
 * the WebSocket loop, what a handshake, a message and a close each cost (one connection in 8 timed).
 */
const timings = new Map();
/** Adds the time since `t0` to `tracer`'s spans of `kind`. */
function timed(tracer, kind, t0) {
  const took = Number(process.hrtime.bigint() - t0);
  let kinds = timings.get(tracer);
  if (!kinds) timings.set(tracer, (kinds = new Map()));
  const m = kinds.get(kind);
  if (m) {
    m.ns += took;
    m.count++;
  } else kinds.set(kind, { ns: took, count: 1 });
}
/** A service's request: its server span and, under it, a database span. */
function request(tracer, i) {
  const parent = tracer.startSpan('GET /users/:id', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/users/:id', 'url.path': `/users/${i}`, 'http.response.status_code': 200 } });
  tracer.startSpan('SELECT users', { attributes: { 'db.system': 'postgresql', 'db.operation.name': 'SELECT' } }, trace.setSpan(context.active(), parent)).end();
  parent.end();
}

const loops = {
  'service spans (no WebSocket)': (tracer, n) => {
    for (let i = 0; i < n; i++) {
      request(tracer, i);
    }
    return n * 2;
  },
  // 500 connections open at a time, as instrumentWebSocketServer traces them: the handshake, 18
  // messages and the close (which is judged), each carrying the connection's attributes (made
  // once per connection) and linked to the handshake. A tracer's spans are counted on across
  // calls, so its connections run whole.
  'WebSocket message spans': (tracer, n) => {
    const from = spansOf.get(tracer) ?? 0;
    spansOf.set(tracer, from + n);
    let open = handshakes.get(tracer);
    if (!open) handshakes.set(tracer, (open = []));
    for (let i = from; i < from + n; i++) {
      const k = Math.floor(i / 500);
      const step = k % 20;
      const timing = i % 8 === 0;
      if (step === 0) {
        const common = { 'websocket.connection.id': `c${i % 500}.${Math.floor(k / 20)}`, 'url.path': '/chat' };
        const attributes = { ...common, 'http.request.method': 'GET', 'http.upgraded': 'websocket', 'http.response.status_code': 101 };
        const t0 = timing ? process.hrtime.bigint() : 0n;
        const handshake = tracer.startSpan('GET /chat', { kind: SpanKind.SERVER, attributes });
        handshake.end();
        if (timing) timed(tracer, 'handshake', t0);
        open[i % 500] = { common, links: [{ context: handshake.spanContext() }] };
        continue;
      }
      const { common, links } = open[i % 500];
      const last = step === 19;
      const attributes = last ? { ...common, 'websocket.close.code': 1000 } : { ...common, 'websocket.message.type': 'text', 'websocket.message.length': 42 };
      const t0 = timing ? process.hrtime.bigint() : 0n;
      tracer.startSpan(last ? 'websocket.close' : 'websocket.receive', { kind: SpanKind.CONSUMER, links, attributes }).end();
      if (timing) timed(tracer, last ? 'close' : 'message', t0);
    }
    return n;
  },
  // The same spans in a service that also serves WebSockets: one request in 50 is a message on one
  // of 200 connections instead (about 1% of the spans), so the span id table is in use and a
  // span's parent and own id may be looked up in it: what the ordinary spans of such a service pay.
  'service spans amid WebSocket traffic': (tracer, n) => {
    const from = spansOf.get(tracer) ?? 0;
    spansOf.set(tracer, from + n);
    let spans = 0;
    for (let i = from; i < from + n; i++) {
      if (i % 50 === 0) {
        const conn = `c${(i / 50) % 200}`;
        const attributes = { 'websocket.connection.id': conn, 'url.path': '/chat', 'websocket.message.type': 'text', 'websocket.message.length': 42 };
        const t0 = process.hrtime.bigint();
        tracer.startSpan('websocket.receive', { kind: SpanKind.CONSUMER, attributes }).end();
        timed(tracer, 'message', t0);
        spans++;
        continue;
      }
      request(tracer, i);
      spans += 2;
    }
    return spans;
  },
};

/** The mean ns of each kind of span `tracer` timed since the last call. */
function timedNs(tracer) {
  const kinds = timings.get(tracer) ?? new Map();
  timings.delete(tracer);
  return new Map([...kinds].map(([kind, m]) => [kind, m.ns / m.count]));
}

/**
 * CPU time of this process (not wall time), so other load on the machine disturbs it less. The
 * loop yields every 256 iterations so a batch processor exports as it would in a service.
 */
async function nsPerSpan(loop, { tracer, last }, n) {
  const t0 = process.cpuUsage();
  let spans = 0;
  for (let done = 0; done < n; done += 256) {
    spans += loop(tracer, 256);
    await new Promise((r) => setImmediate(r));
  }
  await last.forceFlush();
  const t = process.cpuUsage(t0);
  return ((t.user + t.system) * 1000) / spans;
}

const sorted = (xs) => xs.slice().sort((a, b) => a - b);
const quantile = (xs, q) => sorted(xs)[Math.floor((xs.length - 1) * q)];
const median = (xs) => quantile(xs, 0.5);
/** The median and interquartile range of a list of ns. */
const spread = (xs) => `${ns(median(xs))} [${ns(quantile(xs, 0.25)).trim()}..${ns(quantile(xs, 0.75)).trim()}]`;

const ns = (x) => x.toFixed(0).padStart(5);
const met = (ok) => (ok ? 'met' : 'NOT met');
const SIDES = ['none', 'empty', 'wsclose', 'chained', ...(OTHER ? ['other'] : [])];

for (const pipeline of ONLY ?? Object.keys(PIPELINES)) {
  for (const [name, loop] of Object.entries(loops)) {
    const tracers = Object.fromEntries(SIDES.map((side) => [side, tracerWith(pipeline, side)]));
    // Warm up every side so the JIT has compiled them before timing.
    for (const side of SIDES) await nsPerSpan(loop, tracers[side], SPANS * 8);
    const runs = Object.fromEntries(SIDES.map((side) => [side, []]));
    const added = [];
    const chained = [];
    const againstOther = [];
    const beyondEmpty = [];
    const emptyAdds = [];
    /** Per kind of span timed alone, per side, its mean ns in each round. */
    const kinds = new Map();
    for (const side of SIDES) timedNs(tracers[side].tracer); // not the warm-up's
    for (let r = 0; r < ROUNDS; r++) {
      const t = {};
      for (let k = 0; k < SIDES.length; k++) {
        const side = SIDES[(r + k) % SIDES.length];
        t[side] = await nsPerSpan(loop, tracers[side], SPANS);
        runs[side].push(t[side]);
        for (const [kind, ns] of timedNs(tracers[side].tracer)) {
          if (!kinds.has(kind)) kinds.set(kind, Object.fromEntries(SIDES.map((s) => [s, []])));
          kinds.get(kind)[side][r] = ns;
        }
      }
      added.push(t.wsclose - t.none);
      chained.push(t.chained - t.none);
      beyondEmpty.push(t.wsclose - t.empty);
      emptyAdds.push(t.empty - t.none);
      if (OTHER) againstOther.push(t.wsclose - t.other);
    }
    const mean = (side) => runs[side].reduce((x, y) => x + y, 0) / ROUNDS;
    const a = median(runs.none);
    const plus = median(added);
    const pct = (plus / a) * 100;
    console.log(`${pipeline.padEnd(5)} ${name.padEnd(30)} SDK ${ns(a)} ns/span   with wsclose ${ns(median(runs.wsclose))}`
      + `   added ${spread(added)} ns (${pct.toFixed(1)}%), beyond the empty processor ${spread(beyondEmpty)} (${((median(beyondEmpty) / a) * 100).toFixed(1)}%)`
      + `   [empty processor adds ${spread(emptyAdds)}]   all in: added ${ns(mean('wsclose') - mean('none')).trim()}, beyond empty ${ns(mean('wsclose') - mean('empty')).trim()}   target < 1 µs: ${met(plus < 1000)}, < 5%: ${met(pct < 5)}`
      + (OTHER ? `   against ${OTHER}: ${spread(againstOther)} ns, all in ${ns(mean('wsclose') - mean('other')).trim()}` : ''));
    const chainedPct = (median(chained) / a) * 100;
    console.log(`${pipeline.padEnd(5)}   chained (the pipeline's processor as wsclose's \`next\`, one processor for the SDK): with wsclose ${ns(median(runs.chained))}`
      + `   added ${spread(chained)} ns (${chainedPct.toFixed(1)}%)   all in: added ${ns(mean('chained') - mean('none')).trim()}   target < 1 µs: ${met(median(chained) < 1000)}, < 5%: ${met(chainedPct < 5)}`);
    for (const [kind, by] of kinds) {
      // A round holds no span of a kind its loop makes more rarely than a round's length (handshakes, closes).
      const minus = (x, y) => by[x].map((v, i) => v - by[y][i]).filter((v) => !Number.isNaN(v));
      const timedIn = (side) => by[side].filter((v) => v !== undefined);
      console.log(`${pipeline.padEnd(5)}   a ${kind} span among them, timed alone: SDK ${ns(median(timedIn('none')))} ns   with wsclose ${ns(median(timedIn('wsclose')))}`
        + `   added ${spread(minus('wsclose', 'none'))} ns, chained ${spread(minus('chained', 'none'))}   [empty processor adds ${ns(median(minus('empty', 'none'))).trim()}]`
        + (OTHER ? `   against ${OTHER}: ${spread(minus('wsclose', 'other'))} ns` : ''));
    }
  }
}
