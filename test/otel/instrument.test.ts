/**
 * instrumentWebSocketServer on a real ws server and client: ids from the option, a throwing
 * listener recorded on its receive span and rethrown, an async listener's awaits inside its
 * receive span and its rejection recorded and left to Node, who started the close.
 */
import { EventEmitter, once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { node } from '@opentelemetry/sdk-node';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { instrumentWebSocketServer, type WsSocket } from '../../src/otel/instrument.js';

describe('instrumentWebSocketServer', () => {
  it('records a throwing listener on its receive span, rethrows, and marks a client-started close CONSUMER', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('t');
    const server = createServer();
    const wss = new WebSocketServer({ server });
    const traced = instrumentWebSocketServer(wss, { tracer, connectionId: (req) => `id-${req.headers['x-client']}` });
    const sockets: WsSocket[] = [];
    wss.on('connection', (ws) => {
      sockets.push(ws as unknown as WsSocket);
      ws.on('message', () => { throw new TypeError('handler bug'); });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/rpc?x=1`, { headers: { 'x-client': '7' } });
    await once(wss, 'connection');
    const ws = sockets[0];
    expect(traced.connectionId(ws)).toBe('id-7');
    // The listener throws inside the helper's receive span; the error still reaches the caller.
    expect(() => ws.emit('message', Buffer.from('{}'), false)).toThrow('handler bug');
    await once(client, 'open');
    client.close(1000, 'bye');
    await once(client, 'close');
    await new Promise((r) => setTimeout(r, 20));
    wss.close();
    server.close();

    const spans = exporter.getFinishedSpans();
    expect(spans.every((s) => s.attributes['websocket.connection.id'] === 'id-7' && s.attributes['url.path'] === '/rpc')).toBe(true);
    const receive = spans.find((s) => s.name === 'websocket.receive')!;
    expect(receive.attributes).toMatchObject({ 'websocket.message.type': 'text', 'websocket.message.length': 2 });
    expect(receive.status).toEqual({ code: SpanStatusCode.ERROR, message: 'handler bug' });
    expect(receive.events[0].attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'handler bug' });
    const close = spans.find((s) => s.name === 'websocket.close')!;
    expect(close.kind).toBe(SpanKind.CONSUMER);
    expect(close.attributes).toMatchObject({ 'websocket.close.code': 1000, 'websocket.close.reason': 'bye' });
    expect(close.events).toEqual([]);
  });
});

describe('instrumentWebSocketServer with async message listeners', () => {
  /**
   * A real server whose sockets get `listener` for 'message', traced by a NodeTracerProvider (its
   * context manager carries the active span across awaits); one client sends `message` after `before`.
   */
  async function serve(listener: (ws: WebSocket, data: Buffer) => Promise<void>, before: () => void = () => {}) {
    const exporter = new InMemorySpanExporter();
    const provider = new node.NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register();
    const server = createServer();
    const wss = new WebSocketServer({ server });
    instrumentWebSocketServer(wss, { tracer: provider.getTracer('t') });
    const sockets: WebSocket[] = [];
    wss.on('connection', (ws) => {
      sockets.push(ws);
      ws.on('message', (data: Buffer) => listener(ws, data));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    before();
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/chat`);
    await once(client, 'open');
    return {
      exporter, sockets, client,
      receives: () => exporter.getFinishedSpans().filter((s) => s.name === 'websocket.receive'),
      async stop() {
        client.terminate();
        wss.close();
        server.close();
        await provider.shutdown();
        trace.disable();
        context.disable();
      },
    };
  }
  const tick = () => new Promise((r) => setTimeout(r, 5));

  it('keeps the receive span active across awaits and ends it when the listener settles', async () => {
    let activeAfterAwait: string | undefined;
    const t = await serve(async (ws, data) => {
      await tick();
      const span = trace.getActiveSpan()!;
      activeAfterAwait = span.spanContext().spanId;
      try {
        JSON.parse(data.toString()).user.id;
      } catch (err) {
        span.recordException(err as Error);
        ws.close(1011);
      }
    });
    try {
      t.client.send('{"a":1}');
      await once(t.client, 'close');
      const [receive] = t.receives();
      expect(receive.spanContext().spanId).toBe(activeAfterAwait);
      expect(receive.events.map((e) => [e.name, e.attributes?.['exception.type'], e.attributes?.['exception.message']])).toEqual([
        ['exception', 'TypeError', "Cannot read properties of undefined (reading 'id')"],
      ]);
      expect(receive.status).toEqual({ code: SpanStatusCode.UNSET });
      // Ended once the listener's promise settled, after the await.
      expect(receive.duration[0] * 1e3 + receive.duration[1] / 1e6).toBeGreaterThanOrEqual(4);
    } finally {
      await t.stop();
    }
  });

  it('records a rejected listener promise on its receive span and leaves the rejection unhandled, as it is without the helper', async () => {
    const bug = new TypeError('async handler bug');
    const vitests = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    const unhandled = new Promise<unknown>((resolve) => process.once('unhandledRejection', resolve));
    const t = await serve(async () => {
      await tick();
      throw bug;
    });
    try {
      t.client.send('hi');
      expect(await unhandled).toBe(bug);
      const [receive] = t.receives();
      expect(receive.status).toEqual({ code: SpanStatusCode.ERROR, message: 'async handler bug' });
      expect(receive.events.map((e) => [e.name, e.attributes?.['exception.type'], e.attributes?.['exception.message']])).toEqual([
        ['exception', 'TypeError', 'async handler bug'],
      ]);
    } finally {
      for (const l of vitests) process.on('unhandledRejection', l);
      await t.stop();
    }
  });

  it('with events.captureRejections, a rejection still goes to the socket\'s error event, as it does without the helper', async () => {
    const bug = new RangeError('rejected under captureRejections');
    const errors: unknown[] = [];
    const t = await serve(async () => {
      await tick();
      throw bug;
    }, () => { EventEmitter.captureRejections = true; });
    EventEmitter.captureRejections = false;
    try {
      const failed = once(t.sockets[0], 'error');
      t.sockets[0].on('error', (err) => errors.push(err));
      t.client.send('hi');
      await failed;
      await tick();
      expect(errors).toEqual([bug]);
      const [receive] = t.receives();
      expect(receive.status).toEqual({ code: SpanStatusCode.ERROR, message: 'rejected under captureRejections' });
      expect(receive.events.map((e) => e.attributes?.['exception.message'])).toEqual(['rejected under captureRejections']);
    } finally {
      EventEmitter.captureRejections = false;
      await t.stop();
    }
  });
});
