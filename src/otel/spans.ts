/**
 * WebSocket spans → WsEvents. One mapping, used by the span processor inside a service and by
 * the trace-file parsers on the command line, so a trace gives the verdict its log would.
 *
 * No semantic convention for WebSocket exists yet (open-telemetry/semantic-conventions#2841).
 * The conventions read here were checked by running or reading the producers
 * (shared/research/otel.md §5):
 * - Datadog dd-trace 5.132 (JS; Python and PHP alike): `websocket.receive|send|close`, in its
 *   OTLP export the operation is the attribute `operation.name` and the span name is the
 *   resource (`websocket /chat`); `websocket.message.type|length`, `websocket.close.code|reason`
 *   (number, or string in PHP); every message span links to the handshake span, which is the
 *   connection. A close span of kind CONSUMER was started by the peer.
 * - Quarkus WebSockets Next: `OPEN <route>` / `CLOSE <route>`, `connection.id` on CLOSE, a link
 *   from CLOSE to OPEN, `url.path`; no close code.
 * - opentelemetry-instrumentation-ws 0.5.0: `WS open` spans the life of a client socket and is
 *   meant to carry `ws.close.code|reason|wasClean` (never set with ws 8), so only one with an
 *   error event is read; the upgrade spans of a server carry no close at all and are not read.
 * - `messaging.*` with `messaging.system` websocket/ws (receive/process → in, send/publish →
 *   out), and a user-supplied mapping.
 * Exceptions are `exception` span events, dd-trace's `error.*` attributes, or an ERROR status.
 */
import { toCode, toFrameType, toRoute, wireCodeOf } from '../../parsers/fields.js';
import { WS_ERROR_WIRE_CODES } from '../codes.js';
import type { ExceptionEvent, FrameEvent, FrameType, Initiator, WsEvent } from '../model.js';
import { clip } from '../redact.js';
import { SpanIds } from './ids.js';

/** What a span is on its connection. `lifetime` spans open at their start and close at their end. */
export type SpanRole = 'open' | 'receive' | 'send' | 'close' | 'lifetime';

export type Attributes = Record<string, unknown>;

/** @opentelemetry/api SpanKind numbering (OTLP files are one higher; parsers convert). */
export const KIND = { internal: 0, server: 1, client: 2, producer: 3, consumer: 4 } as const;

/** A finished span, as the SDK hands it to a processor or a trace file stores it. */
export interface SpanData {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  /** Epoch milliseconds (fractions kept). */
  startMs: number;
  endMs: number;
  attributes: Attributes;
  events: { name: string; timeMs: number; attributes: Attributes }[];
  links: { traceId: string; spanId: string }[];
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
}

/** Where a service's own spans keep what the built-in conventions do not cover. */
export interface SpanMapping {
  /** Span (or `operation.name`) names and the role each plays: `{ 'chat.message': 'receive' }`. */
  names?: Record<string, SpanRole>;
  /** Attributes that hold a connection id, tried in order. */
  connection?: string[];
  route?: string[];
  closeCode?: string[];
  closeReason?: string[];
  /** text|binary (or an opcode, or isBinary). */
  messageType?: string[];
  messageSize?: string[];
}

interface Fields {
  connection: string[];
  route: string[];
  closeCode: string[];
  closeReason: string[];
  messageType: string[];
  messageSize: string[];
}

const DEFAULTS: Fields = {
  connection: ['websocket.connection.id', 'connection.id', 'websocket.session.id'],
  route: ['url.path', 'http.route', 'http.target'],
  closeCode: ['websocket.close.code', 'ws.close.code'],
  closeReason: ['websocket.close.reason', 'ws.close.reason'],
  messageType: ['websocket.message.type'],
  messageSize: ['websocket.message.length', 'messaging.message.body.size'],
};

const NAMES: Record<string, SpanRole> = {
  'websocket.receive': 'receive',
  'websocket.send': 'send',
  'websocket.close': 'close',
  'WS open': 'lifetime',
};

export class SpanMapper {
  private readonly fields: Fields;
  private readonly names: Map<string, SpanRole>;
  /** 1 for the first character (ASCII) of every name in `names`, so most spans skip the Map. */
  private readonly firsts = new Uint8Array(128);
  /** spanId → connection key, for children and linked spans (bounded). */
  readonly ids: SpanIds;
  /** The last route attribute read, and its route: most message spans repeat their connection's. */
  private routeIn: string | undefined;
  private routeOut: string | undefined;

  constructor(mapping: SpanMapping = {}) {
    this.fields = {
      connection: [...(mapping.connection ?? []), ...DEFAULTS.connection],
      route: [...(mapping.route ?? []), ...DEFAULTS.route],
      closeCode: [...(mapping.closeCode ?? []), ...DEFAULTS.closeCode],
      closeReason: [...(mapping.closeReason ?? []), ...DEFAULTS.closeReason],
      messageType: [...(mapping.messageType ?? []), ...DEFAULTS.messageType],
      messageSize: [...(mapping.messageSize ?? []), ...DEFAULTS.messageSize],
    };
    this.names = new Map(Object.entries({ ...NAMES, ...mapping.names }));
    for (const name of this.names.keys()) this.firsts[name.length === 0 ? 0 : name.charCodeAt(0) & 127] = 1;
    this.ids = new SpanIds();
  }

  /** The role of a span, or undefined for the (many) spans that are not WebSocket ones. Cheap. */
  role(name: string, attrs: Attributes): SpanRole | undefined {
    const op = attrs['operation.name'];
    const key = typeof op === 'string' ? op : name;
    if (key.length === 0 || this.firsts[key.charCodeAt(0) & 127] === 1) {
      const byName = this.names.get(key);
      if (byName) return byName;
    }
    const c = name.charCodeAt(0);
    if (c === 79 /* O */ && name.startsWith('OPEN /')) return 'open';
    if (c === 67 /* C */ && name.startsWith('CLOSE /')) return 'close';
    const upgraded = attrs['http.upgraded'];
    if (upgraded === 'websocket' || upgraded === '1' || upgraded === true) return 'open';
    const system = attrs['messaging.system'];
    if (system === 'websocket' || system === 'ws') return messagingRole(attrs);
    return undefined;
  }

  /** A span that is no WebSocket span but runs under one (a handler's own span) joins its connection: its key, if any. */
  inherit(spanId: string, parentSpanId: string | undefined): string | undefined {
    const key = parentSpanId === undefined ? undefined : this.ids.get(parentSpanId);
    if (key !== undefined) this.ids.set(spanId, key);
    return key;
  }

  /**
   * The connection of a WebSocket span: a linked span already known (dd-trace's handshake,
   * Quarkus' OPEN; see `followsLinks`), a connection-id attribute, a known parent, the first link,
   * the span itself when it opens the connection, else its trace. The span is placed in the table
   * under it, for its children and the spans that link to it.
   */
  connect(span: Pick<SpanData, 'traceId' | 'spanId' | 'parentSpanId' | 'links' | 'attributes'>, role: SpanRole): string {
    const named = this.named(span.attributes);
    let linked: string | undefined;
    if (this.followsLinks(role, named)) for (const l of span.links) if ((linked = this.ids.get(l.spanId)) !== undefined) break;
    const first = span.links.length > 0 ? span.links[0] : undefined;
    const key = this.keyOf(span.traceId, span.spanId, span.parentSpanId, named, role, linked, first?.traceId, first?.spanId);
    this.ids.set(span.spanId, key);
    return key;
  }

  /**
   * Whether a span's links are looked up for its connection. A message span that names its
   * connection follows none: its links lead to its connection's handshake (dd-trace's shape, and
   * instrumentWebSocketServer's), the same connection, and each lookup is a read of the table's
   * cold lines (about 300 ns a span). The spans that open and close one follow theirs: Quarkus'
   * CLOSE names a connection id its OPEN does not know.
   */
  followsLinks(role: SpanRole, named: string | undefined): boolean {
    return named === undefined || (role !== 'receive' && role !== 'send');
  }

  /** The connection id a span's attributes name, as text, if any. */
  named(attrs: Attributes): string | undefined {
    const id = pick(attrs, this.fields.connection);
    return typeof id === 'string' ? id : typeof id === 'number' ? String(id) : undefined;
  }

  /**
   * `connect` once the links were looked up (`linked`: the key of the first known one) and the
   * connection id read (`named`), from the span's fields as they are, so the span processor builds
   * nothing; the span is not placed in the table (the processor notes it after its frame).
   */
  keyOf(
    traceId: string, spanId: string, parentSpanId: string | undefined, named: string | undefined, role: SpanRole,
    linked: string | undefined, linkTraceId: string | undefined, linkSpanId: string | undefined,
  ): string {
    if (linked !== undefined) return linked;
    if (named !== undefined) return named;
    if (parentSpanId !== undefined) {
      const key = this.ids.get(parentSpanId);
      if (key !== undefined) return key;
    }
    if (linkSpanId !== undefined) return `${linkTraceId}/${linkSpanId}`;
    return role === 'open' || role === 'lifetime' ? `${traceId}/${spanId}` : traceId;
  }

  /** The inbound or outbound frame a message span stands for, if its type is known. */
  frame(span: SpanData, role: SpanRole, conn: string): WsEvent | undefined {
    if (role !== 'receive' && role !== 'send') return undefined;
    const type = this.frameType(span.attributes);
    return type && this.frameOf(span.attributes, span.name, role, type, conn, span.startMs, at(span));
  }

  /** The frame of a message span whose type is known, from the span's fields as they are. */
  frameOf(attrs: Attributes, name: string, role: 'receive' | 'send', type: FrameType, conn: string, time: number, at: string): FrameEvent {
    const size = Number(pick(attrs, this.fields.messageSize));
    return {
      kind: 'frame', direction: role === 'receive' ? 'in' : 'out', type,
      size: Number.isFinite(size) ? size : undefined,
      time, conn, at, route: this.routeOf(attrs, name),
    };
  }

  /** The message type a span states, if any (at start, so its frame is pushed before any child ends). */
  frameType(attrs: Attributes): FrameType | undefined {
    for (const name of this.fields.messageType) {
      const v = attrs[name];
      if (v === 'text' || v === 'binary') return v; // the common case, without toFrameType's lowercasing
      if (v !== undefined) return toFrameType(name, v);
    }
    return undefined;
  }

  /**
   * The events a finished span holds, in time order: the open, the frame (unless already
   * taken at start), its exceptions, and the close.
   */
  events(span: SpanData, role: SpanRole | undefined, conn: string, emit: (e: WsEvent) => void, withFrame = true): void {
    // A lifetime span with no close code and no error holds nothing to judge (instrumentation-ws
    // 0.5.0 never records the code): reading it would only count an `unknown` close.
    if (role === 'lifetime' && pick(span.attributes, this.fields.closeCode) === undefined && !span.events.some(isException)) return;
    // Worked out at the first event emitted: a message span whose frame went at its start
    // usually emits none at its end. Fields are written out, not spread: spreading costs.
    let place: Place | undefined;
    const where = (): Place => (place ??= { conn, at: at(span), route: role ? this.routeOf(span.attributes, span.name) : undefined });
    if (role === 'open' || role === 'lifetime') {
      const p = where();
      const remote = str(span.attributes['network.peer.address']) ?? str(span.attributes['net.peer.ip']) ?? str(span.attributes['client.address']);
      emit({ conn, at: p.at, route: p.route, kind: 'open', time: span.startMs, remote });
    }
    if (withFrame && role) {
      const f = this.frame(span, role, conn);
      if (f) emit(f);
    }
    exceptions(span, where, emit);
    if (role === 'close' || role === 'lifetime') {
      const p = where();
      const a = span.attributes;
      const code = toCode(pick(a, this.fields.closeCode)) ?? null;
      const reason = pick(a, this.fields.closeReason);
      const clean = a['ws.close.wasClean'];
      emit({
        conn, at: p.at, route: p.route, kind: 'close', time: span.endMs, code, reason: typeof reason === 'string' ? reason : '',
        initiator: initiatorOf(span, role),
        clean: typeof clean === 'boolean' ? clean : code === 1006 ? false : undefined,
      });
    }
  }

  /** The route: a route attribute, dd-trace's resource (`websocket /chat`), Quarkus' `OPEN /chat`. */
  private routeOf(a: Attributes, name: string): string | undefined {
    const v = pick(a, this.fields.route);
    if (typeof v === 'string') {
      if (v !== this.routeIn) {
        this.routeIn = v;
        this.routeOut = toRoute(v); // cuts the query (it may hold a token) and overlong client-chosen paths
      }
      return this.routeOut;
    }
    const named = routeInName(str(a['resource.name']) ?? name);
    if (named) return named;
    return toRoute(a['messaging.destination.name'] ?? a['messaging.destination'] ?? a['url.full'] ?? a['http.url']);
  }
}

/**
 * Maps the spans of one batch (an OTLP request, a Jaeger trace, a Zipkin list) in the order the
 * events happened: a batch holds spans in end order, children before their parents.
 */
export function mapSpans(mapper: SpanMapper, spans: SpanData[], emit: (e: WsEvent) => void): void {
  const byStart = spans.slice().sort((a, b) => a.startMs - b.startMs);
  const out: WsEvent[] = [];
  const push = (e: WsEvent) => out.push(e);
  for (const span of byStart) {
    const role = mapper.role(span.name, span.attributes);
    const conn = role ? mapper.connect(span, role) : mapper.inherit(span.spanId, span.parentSpanId);
    if (conn !== undefined) mapper.events(span, role, conn, push);
  }
  // A stable sort: events at one instant keep the open → frame → exception → close order of one span.
  out.sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
  for (const e of out) emit(e);
}

function messagingRole(attrs: Attributes): SpanRole | undefined {
  const op = attrs['messaging.operation.type'] ?? attrs['messaging.operation'] ?? attrs['messaging.operation.name'];
  switch (op) {
    case 'receive': case 'process': case 'deliver': return 'receive';
    case 'send': case 'publish': case 'create': return 'send';
    default: return undefined;
  }
}

/**
 * Whether a span could hold an exception: `exceptions` emits nothing for one that has no events,
 * no error attributes and no error status message. Read from the span as it is, before anything is built.
 */
export function mayHoldException(eventCount: number, status: { code: number; message?: string }, a: Attributes): boolean {
  return eventCount > 0 || hasError(a, status.code === 2 ? str(status.message) : undefined);
}

/** A span with no exception event still records one: dd-trace's `error.*` attributes, or an error status's message. */
function hasError(a: Attributes, statusMessage: string | undefined): boolean {
  return statusMessage !== undefined || str(a['error.type']) !== undefined || str(a['error.message']) !== undefined
    || str(a['error.msg']) !== undefined || a['error.stack'] !== undefined;
}

function isException(e: { name: string }): boolean {
  return e.name === 'exception';
}

/** Where a span's events happened: the fields every event of one span shares. */
interface Place {
  conn: string;
  at: string;
  route?: string;
}

function exceptions(span: SpanData, where: () => Place, emit: (e: WsEvent) => void): void {
  let found = false;
  // Zipkin keeps only an event's name: the status message is then all that is left of it.
  const statusMessage = span.status.code === 2 ? str(span.status.message) : undefined;
  for (const ev of span.events) {
    if (!isException(ev)) continue;
    found = true;
    const a = ev.attributes;
    emit(exception(where(), ev.timeMs, str(a['exception.type']), str(a['exception.message']) ?? statusMessage, str(a['exception.stacktrace'])));
  }
  if (found) return;
  const a = span.attributes;
  if (hasError(a, statusMessage)) {
    emit(exception(where(), span.endMs, str(a['error.type']), str(a['error.message']) ?? str(a['error.msg']) ?? statusMessage, str(a['error.stack'])));
  }
}

/**
 * What an exception keeps of its text: its message and stack may echo a client's message (up to
 * ws's maxPayload), and a connection holds its exceptions until its close, so each is cut (a
 * verdict shows the message's start and the top frame; 8 KB holds a stack of Node's ten frames).
 */
const TYPE_MAX = 200;
const MESSAGE_MAX = 1024;
const STACK_MAX = 8192;

function exception(base: Place, time: number, type: string | undefined, message: string | undefined, fullStack: string | undefined): ExceptionEvent {
  const stack = clip(fullStack, STACK_MAX);
  const first = stack ? /^([A-Za-z_$][\w$.]{0,200}):\s?(.*)$/m.exec(stack) : null;
  const t = clip(type, TYPE_MAX) ?? first?.[1] ?? 'Error';
  const msg = clip(message ?? first?.[2], MESSAGE_MAX) ?? '';
  // The SDK's recordException writes an error's `code` as its type: ws's WS_ERR_* codes land there.
  const code = t in WS_ERROR_WIRE_CODES ? t : undefined;
  return {
    conn: base.conn, at: base.at, route: base.route, kind: 'exception', time, type: code && first ? first[1] : t, message: msg, stack, fatal: false,
    code, wireCode: wireCodeOf(code, msg),
  };
}

function initiatorOf(span: SpanData, role: SpanRole): Initiator {
  if (role === 'lifetime') return 'unknown';
  if (span.kind === KIND.consumer) return 'client';
  if (span.kind === KIND.producer) return 'server';
  return 'unknown';
}

function routeInName(name: string): string | undefined {
  const i = name.indexOf(' /');
  if (i < 0 || i > 16) return undefined;
  const head = name.slice(0, i);
  return head === 'websocket' || head === 'OPEN' || head === 'CLOSE' || head === 'GET' ? name.slice(i + 1) : undefined;
}

function pick(a: Attributes, names: string[]): unknown {
  for (const n of names) {
    const v = a[n];
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function at(span: SpanData): string {
  return `${span.traceId}/${span.spanId}`;
}
