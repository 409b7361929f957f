/**
 * Traces a `ws` WebSocketServer the way Datadog's dd-trace does (websocket.receive / send /
 * close spans linked to the handshake span, websocket.message.* and websocket.close.*
 * attributes), plus a `websocket.connection.id` attribute on every span. For services with no
 * working WebSocket instrumentation: opentelemetry-instrumentation-ws 0.5.0 does not patch
 * server sockets and never records the close code (shared/research/otel.md §5.2).
 *
 * Checked against ws 8.23.0: 'message' is (data, isBinary), 'close' is (code, reason: Buffer);
 * a library error ('error', err with a WS_ERR_* code) is followed by close(err's status code)
 * and a local 1006. Listeners run inside the receive span, so the application's own spans
 * and recordException calls land on it; an async listener's too, after its awaits: the span
 * ends when every promise the listeners returned has settled.
 */
import { captureRejectionSymbol, EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import {
  context, SpanKind, SpanStatusCode, trace, type Attributes, type Link, type Tracer,
} from '@opentelemetry/api';

/** The parts of a `ws` WebSocket the helper touches (structural, so wsclose needs no `ws` types). */
export interface WsSocket {
  emit(event: string | symbol, ...args: unknown[]): boolean;
  rawListeners(event: string | symbol): Function[];
  send(data: unknown, ...rest: unknown[]): void;
  close(code?: number, reason?: unknown): void;
  terminate(): void;
  /** ws's own flag: the peer's close frame has arrived. */
  _closeFrameReceived?: boolean;
}

export interface WsServer {
  on(event: 'connection', listener: (ws: WsSocket, req: IncomingMessage) => void): unknown;
}

export interface InstrumentOptions {
  /** The tracer to use; `trace.getTracer('wsclose')` by default. */
  tracer?: Tracer;
  /** A connection id from the upgrade request; by default a process-unique counter. */
  connectionId?: (req: IncomingMessage) => string;
}

export interface InstrumentedServer {
  /** The id the helper gave this connection (the `websocket.connection.id` of its spans). */
  connectionId(ws: WsSocket): string | undefined;
}

export const CONNECTION_ID = 'websocket.connection.id';

let instances = 0;

export function instrumentWebSocketServer(wss: WsServer, opts: InstrumentOptions = {}): InstrumentedServer {
  const ids = new WeakMap<WsSocket, string>();
  const prefix = `${process.pid.toString(36)}.${(instances++).toString(36)}.`;
  let next = 0;
  wss.on('connection', (ws, req) => {
    const tracer = opts.tracer ?? trace.getTracer('wsclose');
    const id = opts.connectionId?.(req) ?? `${prefix}${++next}`;
    ids.set(ws, id);
    traceConnection(tracer, ws, req, id);
  });
  return { connectionId: (ws) => ids.get(ws) };
}

function traceConnection(tracer: Tracer, ws: WsSocket, req: IncomingMessage, id: string): void {
  const route = new URL(req.url ?? '/', 'http://localhost').pathname;
  const common: Attributes = { [CONNECTION_ID]: id, 'url.path': route };
  const handshake = tracer.startSpan(`GET ${route}`, {
    kind: SpanKind.SERVER,
    attributes: {
      ...common, 'http.request.method': 'GET', 'http.upgraded': 'websocket', 'http.response.status_code': 101,
      'network.peer.address': req.socket.remoteAddress, 'network.peer.port': req.socket.remotePort,
    },
  });
  handshake.end();
  const links: Link[] = [{ context: handshake.spanContext() }];
  let closeStarted: number | undefined;
  let serverInitiated = false;
  let error: { err: Error; time: number } | undefined;
  // Whether `emit` hands a listener's rejected promise to the socket (events.captureRejections, read
  // as ws's constructor reads it, a moment ago).
  const captures = EventEmitter.captureRejections;

  const { emit, send, close, terminate } = ws;
  ws.close = function (code, reason) {
    if (closeStarted === undefined) {
      closeStarted = Date.now();
      serverInitiated = !ws._closeFrameReceived;
    }
    close.call(this, code, reason);
  };
  ws.terminate = function () {
    if (closeStarted === undefined) {
      closeStarted = Date.now();
      serverInitiated = true;
    }
    terminate.call(this);
  };
  ws.send = function (data, ...rest) {
    const options = typeof rest[0] === 'object' && rest[0] !== null ? rest[0] as { binary?: boolean } : undefined;
    const span = tracer.startSpan('websocket.send', {
      kind: SpanKind.PRODUCER, links,
      attributes: {
        ...common, 'websocket.message.type': (options?.binary ?? typeof data !== 'string') ? 'binary' : 'text',
        'websocket.message.length': byteLength(data),
      },
    });
    try {
      send.call(this, data, ...rest);
    } finally {
      span.end();
    }
  };
  ws.emit = function (event, ...args) {
    if (event === 'message') return receive(this, args);
    if (event === 'error') error = { err: args[0] as Error, time: Date.now() };
    if (event === 'close') closed(args[0] as number, args[1]);
    return emit.call(this, event, ...args);
  };

  /**
   * Calls the 'message' listeners as `emit` does, but keeps what they return: `emit` drops it,
   * and the span must outlive an async listener's promise.
   */
  function receive(socket: WsSocket, args: unknown[]): boolean {
    const span = tracer.startSpan('websocket.receive', {
      kind: SpanKind.CONSUMER, links,
      attributes: {
        ...common, 'websocket.message.type': args[1] ? 'binary' : 'text', 'websocket.message.length': byteLength(args[0]),
      },
    });
    const failed = (err: unknown) => {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
    };
    // This call, and each promise still pending: the span ends when none is left.
    let pending = 1;
    const settled = () => {
      if (--pending === 0) span.end();
    };
    const listeners = socket.rawListeners('message');
    try {
      context.with(trace.setSpan(context.active(), span), () => {
        for (const listener of listeners) {
          const result = Reflect.apply(listener, socket, args) as PromiseLike<unknown> | undefined;
          if (typeof result?.then !== 'function') continue;
          pending++;
          result.then(settled, (err: unknown) => {
            failed(err);
            settled();
            // Its fate without the helper: an unhandled rejection (rethrown, from the promise this
            // handler makes), or what Node's captureRejections does with it.
            if (!captures) throw err;
            process.nextTick(() => {
              const handler = (socket as { [captureRejectionSymbol]?: Function })[captureRejectionSymbol];
              if (typeof handler === 'function') handler.call(socket, err, 'message', ...args);
              else socket.emit('error', err);
            });
          });
        }
      });
      return listeners.length > 0;
    } catch (err) {
      failed(err);
      throw err;
    } finally {
      settled();
    }
  }

  function closed(code: number, reason: unknown): void {
    const text = Buffer.isBuffer(reason) ? reason.toString() : typeof reason === 'string' ? reason : '';
    const span = tracer.startSpan('websocket.close', {
      kind: serverInitiated ? SpanKind.PRODUCER : SpanKind.CONSUMER, links,
      startTime: closeStarted,
      attributes: { ...common, 'websocket.close.code': code, ...(text ? { 'websocket.close.reason': text } : {}) },
    });
    if (error) {
      // The library's error closed the connection: the status keeps its message where an
      // exporter drops event attributes (Zipkin).
      span.recordException(error.err, error.time);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.err.message });
    }
    span.end();
  }
}

function byteLength(data: unknown): number | undefined {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (Buffer.isBuffer(data) || ArrayBuffer.isView(data)) return data.byteLength;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (Array.isArray(data)) return data.reduce((n: number, b: Buffer) => n + b.length, 0);
  return undefined;
}
