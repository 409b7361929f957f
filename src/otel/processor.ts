/**
 * CloseCauseSpanProcessor: wsclose inside a service. It maps WebSocket spans to WsEvents
 * (spans.ts), feeds the Analyzer the CLI uses, and writes each close's verdict onto the close
 * span before it is exported.
 *
 * The verdict is written in `onEnding` (sdk-trace-base >= 2.3.0), the last moment a span is
 * writable: the correlator judges a connection synchronously when its close event is pushed.
 * On SDKs without `onEnding`, spans in `onEnd` are read-only, so the verdict goes out as a
 * separate `websocket.close.verdict` span linked to the close span.
 *
 * Safe to host: the SDK does not catch a processor's exceptions (they would reach the
 * service's code and starve the processors after this one), so every hook is guarded and
 * reports through OTel's diag logger; state is bounded by the correlator's cap and idle TTL;
 * nothing is buffered, so forceFlush and shutdown resolve at once (or as `next`'s do).
 */
import {
  diag, trace, type Context, type HrTime, type MeterProvider, type TracerProvider,
} from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Analyzer } from '../analyzer.js';
import { proofOf, verdictOf, type Judgement } from '../classifier.js';
import type { CorrelatorStats } from '../correlator.js';
import type { Accepts, Evidence, FrameType, Verdict, WsEvent } from '../model.js';
import type { Summary } from '../summary.js';
import { IncidentCounter } from './metrics.js';
import { FRAMED, IN_TABLE, KEYED, NOT_NOTED, RecentEntries, type NotedSpan } from './ids.js';
import { mayHoldException, SpanMapper, type SpanData, type SpanMapping, type SpanRole } from './spans.js';

export interface CloseCauseSpanProcessorOptions {
  /** What each route accepts, as `--expect` says it: `{ '/chat': 'text' }`. */
  expect?: Record<string, Accepts>;
  /** Where your own spans keep connection ids, close codes, message types. */
  mapping?: SpanMapping;
  /** Open connections tracked at most; the least recently active is evicted (counted). */
  maxConnections?: number;
  /** A connection with no span for this long is evicted (counted). */
  idleTtlMs?: number;
  /** For `websocket.close.incidents`; the global one by default. */
  meterProvider?: MeterProvider;
  /** For the verdict span on SDKs without onEnding; the global one by default. */
  tracerProvider?: TracerProvider;
  /** Called with the verdict of every connection that closed as an incident; its errors, thrown or a returned promise's rejection, go to diag. */
  onIncident?: (verdict: Verdict) => void | PromiseLike<unknown>;
  showPayloads?: boolean;
  /**
   * The processor every span goes to after this one (your exporter's BatchSpanProcessor), called
   * straight from each hook: the SDK then dispatches to one processor, not two, about 20 ns less
   * a span (bench/otel-processor.js). Its hooks get what they would get beside this one, after
   * it and unguarded (its errors are its own); `forceFlush` and `shutdown` are passed on to it.
   */
  next?: SpanProcessor;
}

export const VERDICT_SPAN = 'websocket.close.verdict';

const EVIDENCE_MAX = 400;

export class CloseCauseSpanProcessor implements SpanProcessor {
  private readonly analyzer: Analyzer;
  private readonly mapper: SpanMapper;
  private readonly counter: IncidentCounter;
  private readonly push: (e: WsEvent) => void;
  /** The entries of the WebSocket spans started last: most end before the next few start. */
  private readonly recent: RecentEntries<NotedSpan>;
  /** A WebSocket span has started: until then a span's parent is not looked at. */
  private sawWebSocket = false;
  /** The judgement of the connection a close being pushed ended, and its verdict if it is an incident. */
  private judgement: Judgement | undefined;
  private verdict: Verdict | undefined;
  private sawOnEnding = false;
  private stopped = false;
  /** `opts.next`, in a field of its own: read in every hook of every span. */
  private readonly next: SpanProcessor | undefined;

  constructor(private readonly opts: CloseCauseSpanProcessorOptions = {}) {
    this.next = opts.next;
    this.mapper = new SpanMapper(opts.mapping);
    this.recent = new RecentEntries(this.mapper.ids);
    this.counter = new IncidentCounter(opts.meterProvider);
    this.analyzer = new Analyzer({
      expect: Object.entries(opts.expect ?? {}),
      showPayloads: opts.showPayloads,
      recheck: false,
      maxIncidents: 0,
      // Frames are pushed with their span's `traceId/spanId`, made for each: rings keep it only
      // for the last inbound frame, the one a verdict may show.
      correlator: { maxConnections: opts.maxConnections ?? 10_000, ttlMs: opts.idleTtlMs ?? 60 * 60 * 1000, lastAtOnly: true },
      onJudgement: (j) => this.judged(j),
    });
    this.push = (e) => this.analyzer.push(e);
  }

  /**
   * Every span a service makes passes here: one that is no WebSocket span costs a few attribute
   * reads and, when it has a parent, a look at it. Nothing is built for a span until it matters.
   */
  onStart(span: Span, parentContext: Context): void {
    if (!this.stopped) {
      try {
        const role = this.mapper.role(span.name, span.attributes);
        if (role !== undefined) this.started(span, role);
        else if (this.sawWebSocket) {
          const parentId = parentIdOf(span);
          if (parentId !== undefined) this.joined(span, parentId, parentContext);
        }
      } catch (err) {
        diag.error('wsclose: CloseCauseSpanProcessor.onStart failed', err);
      }
    }
    this.next?.onStart(span, parentContext);
  }

  onEnding(span: Span): void {
    this.sawOnEnding = true;
    if (!this.stopped) {
      try {
        const j = this.ending(span);
        if (j) span.setAttributes(this.attributesOf(j));
      } catch (err) {
        diag.error('wsclose: CloseCauseSpanProcessor.onEnding failed', err);
      }
    }
    this.next?.onEnding?.(span);
  }

  onEnd(span: ReadableSpan): void {
    if (!this.sawOnEnding && !this.stopped) {
      try {
        const j = this.ending(span);
        if (j) this.verdictSpan(span, j);
      } catch (err) {
        diag.error('wsclose: CloseCauseSpanProcessor.onEnd failed', err);
      }
    }
    this.next?.onEnd(span);
  }

  /** The same summary object the CLI builds, as of now. */
  summary(): Summary {
    return structuredClone(this.analyzer.summary);
  }

  /** Connections tracked now, and those evicted by the cap or the idle TTL. */
  stats(): CorrelatorStats & { tracked: number } {
    return { ...this.analyzer.correlator.stats, tracked: this.analyzer.correlator.size };
  }

  /** Nothing of this processor's is buffered: `next`'s flush, if any. */
  forceFlush(): Promise<void> {
    return this.next ? this.next.forceFlush() : Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    return this.next ? this.next.shutdown() : Promise.resolve();
  }

  /**
   * A WebSocket span starts: it joins its connection, and a message span's frame is pushed now,
   * before any child span can end (so a handler's exception comes after the frame it failed on).
   */
  private started(span: Span, role: SpanRole): void {
    const mapper = this.mapper;
    const attrs = span.attributes;
    const type = this.frameTypeOf(role, attrs);
    const conn = this.connectionOf(span, role);
    this.sawWebSocket = true;
    if (type === undefined) {
      // A close span's children find it among the spans noted last, or through the span once it has
      // ended; the spans that open a connection (and untyped messages) are linked to by id, so take an entry.
      if (role === 'close') this.recent.note(span, conn, KEYED);
      else this.inTable(span, conn);
      return;
    }
    // Not flattened: most die young (see `lastAtOnly`), and the one kept per connection is
    // flattened if a verdict shows it.
    const ctx = span.spanContext();
    const at = `${ctx.traceId}/${ctx.spanId}`;
    this.analyzer.push(mapper.frameOf(attrs, span.name, role as 'receive' | 'send', type, conn, ms(span.startTime), at));
    // Noted after the push with no table entry (placed there only if it outlives its place),
    // under the connection's own key: a service may make the attribute's text anew for every span.
    this.recent.note(span, this.analyzer.correlator.lastKey ?? conn, FRAMED);
  }

  /** The connection of a WebSocket span, from its fields as they are (see `SpanMapper.connect`). */
  private connectionOf(span: ReadableSpan, role: SpanRole): string {
    const mapper = this.mapper;
    const attrs = span.attributes;
    const ctx = span.spanContext();
    const links = span.links;
    const named = mapper.named(attrs);
    let linked: string | undefined;
    if (links.length > 0 && mapper.followsLinks(role, named)) {
      for (let i = 0; i < links.length && linked === undefined; i++) linked = mapper.ids.get(links[i].context.spanId);
    }
    const first = links.length > 0 ? links[0].context : undefined;
    return mapper.keyOf(ctx.traceId, ctx.spanId, parentIdOf(span), named, role, linked, first?.traceId, first?.spanId);
  }

  /**
   * A span that is no WebSocket span joins its parent's connection, if the parent has one (a
   * handler's own span), and is noted for its end. A parent still running in this process has a
   * connection only if it was noted at its start, and is then among the spans noted last or has
   * outlived its place there (and was placed in the table). A message span that ended (a late
   * child's parent) had no entry: its connection is read from the span, which the child's context
   * holds. So only a parent of another kind that ended, or a remote one, is looked up in the
   * table, whose lines are cold (a read is a miss, about 250 ns here).
   */
  private joined(span: Span, parentId: string, parentContext: Context): void {
    const parent = trace.getSpan(parentContext);
    let key: string | undefined;
    if (parent !== undefined && parent.isRecording() && !this.recent.outlived(parent)) {
      if (this.recent.peek(parent) === NOT_NOTED) return;
      key = this.recent.key;
    } else {
      key = this.endedKey(parent) ?? this.mapper.ids.get(parentId);
    }
    if (key !== undefined) this.inTable(span, key);
  }

  /** Sets a span's id in the table under its connection (spans link to it or run under it), and notes it so. */
  private inTable(span: Span, key: string): void {
    this.mapper.ids.set(span.spanContext().spanId, key);
    this.recent.note(span, key, IN_TABLE);
  }

  /** The connection of an ended span of this process that was noted by its key (a framed message span, a close span), else undefined. */
  private endedKey(span: unknown): string | undefined {
    const s = span as Partial<ReadableSpan>;
    if (s.attributes === undefined || s.name === undefined) return undefined; // not this SDK's span (a remote parent)
    const role = this.mapper.role(s.name, s.attributes);
    if (role === undefined || (role !== 'close' && this.frameTypeOf(role, s.attributes) === undefined)) return undefined;
    return this.connectionOf(s as ReadableSpan, role);
  }

  /** The type of the frame a message span stands for, if it says: its frame then goes at its start. */
  private frameTypeOf(role: SpanRole, attrs: ReadableSpan['attributes']): FrameType | undefined {
    return role === 'receive' || role === 'send' ? this.mapper.frameType(attrs) : undefined;
  }

  /** Pushes what a finished span adds; returns the judgement its close produced, if any. */
  private ending(span: ReadableSpan): Judgement | undefined {
    const mapper = this.mapper;
    const noted = this.recent.take(span);
    if (noted === FRAMED || noted === KEYED) {
      // A message span whose frame went at its start: only an error it records is added.
      if (noted === FRAMED && !mayHoldException(span.events.length, span.status, span.attributes)) return undefined;
      return this.judging(spanData(span, true), mapper.role(span.name, span.attributes), this.recent.key!, noted === KEYED);
    }
    let conn: string;
    let framed = false;
    // A span noted at its start with an entry: its key is at hand, and its entry was never marked
    // in flight (only a framed span that outlived its place is), so the table's cold lines are not read.
    if (noted === IN_TABLE) conn = this.recent.key!;
    else {
      // Only a span noted at its start can have an entry: the table's lines are cold, and most spans never had one.
      const entry = this.recent.outlived(span) ? mapper.ids.find(span.spanContext().spanId) : -1;
      if (entry < 0) {
        // The hot path: a span on no connection (WebSocket spans were registered at their start)
        // that records no error. A span that only became a WebSocket one after its start and
        // records nothing is not read: it would only add an open.
        if (span.events.length === 0 && span.status.code !== 2) return undefined;
        const role = mapper.role(span.name, span.attributes);
        if (!role) return undefined;
        const data = spanData(span, true);
        return this.judging(data, role, mapper.connect(data, role), true);
      }
      conn = mapper.ids.key(entry);
      framed = mapper.ids.take(entry);
    }
    const attrs = span.attributes;
    // A message span whose frame went at its start (its role is known: only message spans are
    // marked so) that records no error: nothing to add, and its role is not read again.
    if (framed && !mayHoldException(span.events.length, span.status, attrs)) return undefined;
    const role = mapper.role(span.name, attrs);
    // A handler's span that records no error: nothing to add either.
    if (role === undefined && !mayHoldException(span.events.length, span.status, attrs)) return undefined;
    return this.judging(spanData(span, true), role, conn, !framed);
  }

  /** Pushes a finished span's events; returns the judgement its close produced, if any. */
  private judging(data: SpanData, role: SpanRole | undefined, conn: string, withFrame: boolean): Judgement | undefined {
    this.judgement = undefined;
    this.verdict = undefined;
    this.mapper.events(data, role, conn, this.push, withFrame);
    const j = this.judgement;
    this.judgement = undefined;
    return j;
  }

  /**
   * Every ended connection: kept for the close span being ended; an incident's verdict is
   * written, counted and called back. A normal close's is not: its attributes need only its
   * judgement (its evidence between open and close is mostly nothing).
   */
  private judged(j: Judgement): void {
    this.judgement = j;
    const v = (this.verdict = j.incident ? verdictOf(j) : undefined);
    if (!v) return;
    this.counter.add(v);
    if (this.opts.onIncident) {
      try {
        const done = this.opts.onIncident(v);
        // An async callback's rejection would reach the host as an unhandled rejection (and end it).
        if (typeof done?.then === 'function') done.then(undefined, incidentFailed);
      } catch (err) {
        incidentFailed(err);
      }
    }
  }

  /** The verdict's attributes for the close span that ended connection `j`. */
  private attributesOf(j: Judgement): Record<string, string | number> {
    const v = this.verdict;
    this.verdict = undefined;
    return v ? verdictAttributes(v) : judgementAttributes(j);
  }

  private verdictSpan(close: ReadableSpan, j: Judgement): void {
    const tracer = (this.opts.tracerProvider ?? trace.getTracerProvider()).getTracer('wsclose');
    tracer.startSpan(VERDICT_SPAN, {
      startTime: close.endTime,
      links: [{ context: close.spanContext() }],
      attributes: { ...this.attributesOf(j), 'websocket.connection.id': j.inc.connection },
    }).end(close.endTime);
  }
}

/** The attributes a close span carries its verdict in. */
export function verdictAttributes(v: Verdict): Record<string, string | number> {
  return closeAttributes(v, v.evidence);
}

/** The same attributes from a judgement, its verdict unwritten: only its proof is made (for a normal close, mostly nothing). */
export function judgementAttributes(j: Judgement): Record<string, string | number> {
  return closeAttributes(j, proofOf(j));
}

/** A verdict's attributes from its cause and its evidence (beyond the open and the close, the proof). */
function closeAttributes(
  v: Pick<Verdict, 'rootCause' | 'confidence' | 'codeAgreement' | 'explanation'>, evidence: Evidence[],
): Record<string, string | number> {
  const proof = evidence.filter((e) => e.kind !== 'open' && e.kind !== 'close').map((e) => e.summary);
  let text = proof.length ? proof.join(' → ') : v.explanation;
  if (text.length > EVIDENCE_MAX) text = `${text.slice(0, EVIDENCE_MAX - 1)}…`;
  return {
    'websocket.close.root_cause': v.rootCause,
    'websocket.close.root_cause.confidence': v.confidence,
    'websocket.close.code_agreement': v.codeAgreement,
    'websocket.close.evidence': text,
  };
}

function incidentFailed(err: unknown): void {
  diag.error('wsclose: onIncident callback failed', err);
}

/** A span's parent span id: `parentSpanContext` since SDK 2.0; `parentSpanId`, read only when that is absent, in 1.x. */
function parentIdOf(span: ReadableSpan): string | undefined {
  const parent = span.parentSpanContext;
  return parent !== undefined ? parent.spanId : (span as { parentSpanId?: string }).parentSpanId;
}

const NONE: never[] = [];

function spanData(span: ReadableSpan, ended: boolean): SpanData {
  const ctx = span.spanContext();
  const startMs = ms(span.startTime);
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: parentIdOf(span),
    name: span.name,
    kind: span.kind,
    startMs,
    endMs: ended ? ms(span.endTime) : startMs,
    attributes: span.attributes,
    // Most spans have neither: one shared empty list spares two allocations per span (never written).
    events: span.events.length === 0 ? NONE : span.events.map((e) => ({ name: e.name, timeMs: ms(e.time), attributes: e.attributes ?? {} })),
    links: span.links.length === 0 ? NONE : span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })),
    status: span.status,
  };
}

function ms(t: HrTime): number {
  return t[0] * 1e3 + t[1] / 1e6;
}
