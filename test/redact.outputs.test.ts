/**
 * Secrets and payloads planted in a real log and in real spans never reach any output (every
 * CLI format, found from its help, so formats added later are covered; and what the span
 * processor writes: close-span attributes, its summary, the onIncident verdicts) unless
 * --show-payloads: a real ws server logging with a real pino logger and traced through a real
 * OpenTelemetry SDK (instrumentWebSocketServer, CloseCauseSpanProcessor), driven by real ws
 * clients that send credentials in the URL, in headers and in messages, and a handler that
 * echoes them into errors, notes, recorded exceptions, close reasons and the line of a stack
 * frame as careless servers do. With --show-payloads each secret does reach the output, so the planting is real and the
 * test can fail.
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the sample's scripts are plain JavaScript
import { otlpBody } from '../samples/otel/traced.mjs';
import type { Verdict } from '../src/model.js';
import { instrumentWebSocketServer } from '../src/otel/instrument.js';
import { CloseCauseSpanProcessor } from '../src/otel/processor.js';
import type { Report } from '../src/report.js';
import { runCli } from './support/cli.js';
import { outputKinds } from './support/outputs.js';

/** Distinctive values, so a match in the output can only be a leak. */
const SECRETS = {
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsInJvbGUiOiJhZG1pbiJ9.c2lnLXNlY3JldC03NzE5',
  bearer: 'tok7f3a9c1e2b4d8e6f',
  cookie: 'sess0c00k1e9931abc',
  password: 'hunter2Pa55w0rd',
  apiKey: 'AKIA0TEST0ZX81QQ',
  email: 'alice.secret@example.org',
  payload: 'card-4111-1111-1111-1111',
  basic: 'YWxpY2U6czNjcjN0cGFzcw',
  stripe: 'sk_live_51HXYZSECRETKEY0a9',
  pw: 'Sup3rS3cret',
  github: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  framePassword: 'fr4meHunter2',
};

/** `err` with `context` printed after its first frame, on that frame's line, as some error reporters print it. */
function withContext(err: Error, context: object): Error {
  err.stack = err.stack!.replace(/\n.*/, (frame) => `${frame} ${JSON.stringify(context)}`);
  return err;
}

const dir = mkdtempSync(join(tmpdir(), 'wsclose-redact-'));
const logFile = join(dir, 'leaky.log');
const traceFile = join(dir, 'leaky.otlp.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A server that logs what it should not: full URLs, credentials in messages, payload echoes. */
async function leakyServer(tracer: ReturnType<BasicTracerProvider['getTracer']>): Promise<{ port: number; close(): Promise<void> }> {
  const logger = pino({ level: 'info' }, pino.destination({ dest: logFile, sync: true }));
  const server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ server });
  instrumentWebSocketServer(wss, { tracer });
  let next = 0;
  wss.on('connection', (ws, req) => {
    const url = new URL(req.url!, 'http://localhost');
    const log = logger.child({ connId: `c${++next}`, route: req.url, remoteAddress: req.socket.remoteAddress });
    log.info('ws connection opened');
    ws.on('close', (code, reason) => log.info({ code, reason: reason.toString() }, 'ws connection closed'));
    if (url.pathname === '/login') {
      log.warn(`auth failed for ${SECRETS.email}: Authorization: ${req.headers.authorization}; Cookie: ${req.headers.cookie}`);
      ws.close(1008, `invalid api_key=${SECRETS.apiKey}`);
      return;
    }
    if (url.pathname === '/key') return ws.close(1008, `invalid key ${SECRETS.stripe}`);
    if (url.pathname === '/pw') return ws.close(4001, `login pw=${SECRETS.pw}`);
    ws.on('message', (data, isBinary) => {
      log.info({ isBinary, size: (data as Buffer).length }, 'ws message received');
      log.info(`received: ${data.toString()}`);
      try {
        if (url.pathname === '/json') JSON.parse(data.toString());
        if (url.pathname === '/buggy') throw new Error(`login failed for ${SECRETS.email} with password=${SECRETS.password} and {"token":"${SECRETS.jwt}"}`);
        if (url.pathname === '/basic') throw new Error(`upstream said 401 to Authorization: Basic ${SECRETS.basic}`);
        if (url.pathname === '/frame') throw withContext(new Error(`upstream refused ${SECRETS.github}`), { password: SECRETS.framePassword });
        if (url.pathname === '/admin') throw new Error(`forbidden for Authorization: Bearer ${req.headers.authorization?.slice(7)}; Cookie: ${req.headers.cookie}`);
      } catch (err) {
        log.error({ err }, 'message handler failed');
        trace.getActiveSpan()?.recordException(err as Error); // listeners run inside the receive span
        ws.close(1011, `bad message: ${data.toString().slice(0, 80)}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    async close() {
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function client(port: number, path: string, send?: string, headers: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    const timer = setTimeout(() => reject(new Error(`${path} timed out`)), 10_000);
    ws.on('error', () => {});
    ws.on('open', () => { if (send) ws.send(send); });
    ws.on('close', () => {
      clearTimeout(timer);
      setTimeout(resolve, 30);
    });
  });
}

describe('secrets planted in a real ws + pino log', () => {
  let kinds: string[] = [];
  const outputs: Record<string, string> = {};
  const shown: Record<string, string> = {};

  beforeAll(async () => {
    const exporter = new InMemorySpanExporter();
    const verdicts: Verdict[] = [];
    const processor = new CloseCauseSpanProcessor({ onIncident: (v) => verdicts.push(v) });
    const provider = new BasicTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
    const server = await leakyServer(provider.getTracer('leaky'));
    await client(server.port, `/login?access_token=${SECRETS.jwt}&api_key=${SECRETS.apiKey}`, undefined, {
      Authorization: `Bearer ${SECRETS.bearer}`,
      Cookie: `session=${SECRETS.cookie}; theme=dark`,
    });
    await client(server.port, '/json', `password=${SECRETS.password} ${SECRETS.payload}`);
    await client(server.port, '/json', `{"password":"${SECRETS.password}","card":"${SECRETS.payload}"`);
    await client(server.port, '/buggy', `{"op":"login","email":"${SECRETS.email}"}`);
    await client(server.port, '/basic', 'hello');
    await client(server.port, '/admin', 'hello', { Authorization: `Bearer ${SECRETS.bearer}`, Cookie: `session=${SECRETS.cookie}; theme=dark` });
    await client(server.port, '/key');
    await client(server.port, '/pw');
    await client(server.port, '/frame', 'hello');
    await server.close();
    const spans = exporter.getFinishedSpans();
    writeFileSync(traceFile, otlpBody(spans));
    // What the processor writes: the verdict attributes on close spans, its summary, the verdicts it hands over.
    const written = spans.map((s: ReadableSpan) => Object.fromEntries(Object.entries(s.attributes).filter(([k]) => k.startsWith('websocket.close.') && !['websocket.close.code', 'websocket.close.reason'].includes(k))));
    outputs['processor: close-span attributes'] = JSON.stringify(written);
    outputs['processor: summary'] = JSON.stringify(processor.summary());
    outputs['processor: onIncident verdicts'] = JSON.stringify(verdicts);
    await provider.shutdown();
    kinds = await outputKinds();
    for (const kind of kinds) {
      for (const [input, file] of [['log', logFile], ['spans', traceFile]]) {
        outputs[`${kind} of the ${input}`] = (await runCli(['analyze', file, '-o', kind])).stdout;
        shown[`${kind} of the ${input}`] = (await runCli(['analyze', file, '-o', kind, '--show-payloads'])).stdout;
      }
    }
  });

  it('judges every planted connection as an incident, from the log and from the spans, so their evidence is in every report', () => {
    for (const input of ['log', 'spans']) {
      const r = JSON.parse(outputs[`json of the ${input}`]) as Report;
      expect(r.summary.closes, input).toBe(9);
      expect(r.summary.incidents, input).toBe(9);
      expect(r.summary.byRootCause['policy-violation'], input).toBe(2);
      expect(r.summary.byRootCause.application, input).toBe(1);
    }
    expect(JSON.parse(outputs['processor: onIncident verdicts'])).toHaveLength(9);
  });

  it('keeps what a reader needs around what it redacts: the close reasons\' words, the first application frame', () => {
    for (const input of ['log', 'spans']) {
      const reasons = (JSON.parse(outputs[`json of the ${input}`]) as Report).incidents.map((v) => v.closeReason);
      expect(reasons, input).toContain('invalid key [redacted-token]');
      expect(reasons, input).toContain('login pw=[redacted]');
    }
    // From the log: this server's spans give its connections no exception (the test below records one on a span).
    const r = JSON.parse(outputs['json of the log']) as Report;
    const frame = r.incidents.find((v) => v.exception?.message === 'upstream refused [redacted-token]')!.exception!;
    expect(frame.topFrame).toMatch(/^WebSocket\.<anonymous> \(.*redact\.outputs\.test\.ts:\d+:\d+\) \{"\[payload\]":"\[payload\]"\}$/);
    expect(Object.values(r.summary.exceptions).find((e) => e.message === frame.message)!.topFrame).toBe(frame.topFrame);
  });

  it.each(Object.entries(SECRETS))('%s never appears in any output without --show-payloads', (name, secret) => {
    expect(Object.keys(outputs).length).toBe(2 * kinds.length + 3);
    for (const [where, text] of Object.entries(outputs)) {
      expect(text.length, where).toBeGreaterThan(100);
      expect(text, `${name} leaks in ${where}`).not.toContain(secret);
    }
  });

  it.each(Object.entries(SECRETS))('%s is in the output with --show-payloads (the planting reached the report)', (_, secret) => {
    expect(Object.values(shown).some((text) => text.includes(secret))).toBe(true);
  });

  it('the spans carried the secrets wsclose kept out (the exported span attributes are the application\'s own)', () => {
    const leakedBySpans = Object.entries(SECRETS).filter(([, s]) => Object.entries(shown).some(([where, t]) => where.endsWith('spans') && t.includes(s)));
    expect(leakedBySpans.map(([n]) => n)).toEqual(expect.arrayContaining(['email', 'password', 'apiKey', 'payload']));
  });
});

describe('secrets in an exception a handler records on its span', () => {
  it('stay out of the close span\'s evidence attribute, and its first application frame stays readable', () => {
    const exporter = new InMemorySpanExporter();
    const processor = new CloseCauseSpanProcessor();
    const provider = new BasicTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('leaky');
    const attrs = { 'websocket.connection.id': 'f1', 'url.path': '/frame' };
    const message = tracer.startSpan('websocket.receive', { attributes: { ...attrs, 'websocket.message.type': 'text' } });
    message.recordException({
      name: 'Error', message: `upstream refused ${SECRETS.github}`,
      stack: `Error: upstream refused ${SECRETS.github}\n    at onMessage (/srv/app/server.mjs:23:5) {"password":"${SECRETS.framePassword}"}\n    at WebSocket.emit (node:events:519:28)`,
    });
    message.end();
    tracer.startSpan('websocket.close', { attributes: { ...attrs, 'websocket.close.code': 1011 } }).end();
    const close = exporter.getFinishedSpans().find((s) => s.name === 'websocket.close')!;
    expect(close.attributes['websocket.close.evidence']).toBe(
      'received text frame → Error: upstream refused [redacted-token] at onMessage (/srv/app/server.mjs:23:5) {"[payload]":"[payload]"}',
    );
  });
});
