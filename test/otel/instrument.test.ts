/**
 * instrumentWebSocketServer on a real ws server and client: ids from the option, a throwing
 * listener recorded on its receive span and rethrown, who started the close.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
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
