// A real `ws` chat server logging with a real pino logger, and the clients that drive every
// scenario of the core issue against it. Used by the tests and by generate.mjs, which writes
// the committed sample. Each scenario states the verdict a correct analyzer must reach.
import { createServer } from 'node:http';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import pino from 'pino';
import { WebSocket, WebSocketServer } from 'ws';

const ROUTES = {
  // Text only: a binary frame is answered with 1003, as RFC 6455 asks.
  '/text'(ws, data, isBinary) {
    if (isBinary) return ws.close(1003, 'text frames only');
    ws.send(`echo:${data}`);
  },
  // Binary only.
  '/binary'(ws, data, isBinary) {
    if (!isBinary) return ws.close(1003, 'binary frames only');
    ws.send(data, { binary: true });
  },
  // Parses every message as JSON without checking the frame type: a binary frame makes
  // JSON.parse throw and the wrapper answers 1011, the tangled case.
  '/json'(ws, data) {
    const msg = JSON.parse(data.toString());
    ws.send(JSON.stringify({ ok: true, op: msg.op }));
  },
  // A handler with a bug (reads msg.user.id without a user) and a handled, retried failure.
  '/buggy'(ws, data, _isBinary, log) {
    const msg = JSON.parse(data.toString());
    if (msg.op === 'retry') {
      try {
        throw new Error('upstream timeout after 250 ms');
      } catch (err) {
        log.warn({ err }, 'upstream call failed, handled; will retry');
      }
      return;
    }
    ws.send(JSON.stringify({ ok: true, user: msg.user.id }));
  },
};

/**
 * `logFile` is a path, or a file descriptor (1: stdout, as a container runs it); `destination`
 * replaces it with another pino destination (a transport that writes another format). `now`
 * (optional) is pino's clock, for logs that must span minutes without taking minutes.
 * `instrument(wss)`, when given, traces the server (wsclose's instrumentWebSocketServer) and
 * returns `{ connectionId(ws) }`: the log then uses the spans' connection ids.
 */
export async function startServer({ logFile, destination, now, instrument, base }) {
  const timestamp = now ? { timestamp: () => `,"time":${now()}` } : {};
  // `base: null` leaves out pino's pid and hostname.
  const bases = base === undefined ? {} : { base };
  const logger = pino({ level: 'info', ...timestamp, ...bases }, destination ?? pino.destination({ dest: logFile, sync: true }));
  const server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });
  const traced = instrument?.(wss);
  let next = 0;
  wss.on('connection', (ws, req) => {
    const url = new URL(req.url, 'http://localhost');
    const connId = traced?.connectionId(ws) ?? `c${++next}`;
    const log = logger.child({
      connId, route: url.pathname, remoteAddress: req.socket.remoteAddress, remotePort: req.socket.remotePort,
    });
    log.info('ws connection opened');
    ws.send(JSON.stringify({ connId }));
    if (url.searchParams.get('token') === 'expired') {
      log.warn('auth failed: token expired');
      ws.close(1008, 'unauthorized');
    }
    ws.on('message', (data, isBinary) => {
      log.info({ isBinary, size: data.length }, 'ws message received');
      const handler = ROUTES[url.pathname];
      try {
        handler?.(ws, data, isBinary, log);
      } catch (err) {
        log.error({ err }, 'message handler failed');
        // What a traced service does: the error goes on the active span (the receive span).
        trace.getActiveSpan()?.recordException(err);
        trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
        ws.close(1011, 'internal error');
      }
    });
    ws.on('error', (err) => log.error({ err, wsCode: err.code }, 'ws error'));
    ws.on('close', (code, reason) => log.info({ code, reason: reason.toString() }, 'ws connection closed'));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    logger,
    wss,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => server.close(resolve));
      logger.flush?.();
    },
  };
}

const json = (o) => JSON.stringify(o);
const binary = () => Buffer.from([0x00, 0x9f, 0x92, 0x96, 0xff, 0x10, 0x20, 0x30]);

/**
 * Scenarios: what a client does, and the verdict expected for its connection.
 * `send` items are [data, isBinary]; `end` is how the client finishes: close, close-no-status,
 * terminate, or wait (for the server to close).
 */
export const SCENARIOS = {
  'text-normal': { route: '/text', send: [['hello', false], ['how are you', false]], end: 'close',
    expect: { rootCause: 'normal', closeCode: 1000, codeAgreement: 'agrees', incident: false } },
  'binary-to-text': { route: '/text', send: [['hi', false], [binary(), true]], end: 'wait',
    expect: { rootCause: 'data-type-mismatch', closeCode: 1003, codeAgreement: 'agrees', incident: true} },
  'binary-normal': { route: '/binary', send: [[binary(), true], [binary(), true]], end: 'close',
    expect: { rootCause: 'normal', closeCode: 1000, codeAgreement: 'agrees', incident: false } },
  'text-to-binary': { route: '/binary', send: [['not bytes', false]], end: 'wait',
    expect: { rootCause: 'data-type-mismatch', closeCode: 1003, codeAgreement: 'agrees', incident: true} },
  'json-normal': { route: '/json', send: [[json({ op: 'join', room: 'a' }), false], [json({ op: 'say', text: 'hi' }), false]], end: 'close',
    expect: { rootCause: 'normal', closeCode: 1000, codeAgreement: 'agrees', incident: false } },
  'binary-to-json': { route: '/json', send: [[json({ op: 'join' }), false], [binary(), true]], end: 'wait',
    expect: { rootCause: 'data-type-mismatch', closeCode: 1011, codeAgreement: 'disagrees', incident: true, exceptionType: 'SyntaxError' } },
  'buggy-normal': { route: '/buggy', send: [[json({ op: 'whoami', user: { id: 7 } }), false]], end: 'close',
    expect: { rootCause: 'normal', closeCode: 1000, codeAgreement: 'agrees', incident: false } },
  'buggy-bug': { route: '/buggy', send: [[json({ op: 'whoami', user: { id: 7 } }), false], [json({ op: 'whoami' }), false]], end: 'wait',
    expect: { rootCause: 'unhandled-error', closeCode: 1011, codeAgreement: 'agrees', incident: true, exceptionType: 'TypeError', topFrame: /server\.mjs/ } },
  'handled-then-normal': { route: '/buggy', send: [[json({ op: 'retry' }), false], [json({ op: 'whoami', user: { id: 1 } }), false]], end: 'close',
    expect: { rootCause: 'normal', closeCode: 1000, codeAgreement: 'agrees', incident: false } },
  'too-big': { route: '/binary', send: [[Buffer.alloc(100 * 1024, 7), true]], end: 'wait',
    expect: { rootCause: 'message-too-big', closeCode: 1009, reportedCode: 1006, codeAgreement: 'agrees', incident: true } },
  'invalid-utf8': { route: '/text', send: [[Buffer.from([0x68, 0xc3, 0x28]), false]], end: 'wait',
    expect: { rootCause: 'invalid-payload', closeCode: 1007, reportedCode: 1006, codeAgreement: 'agrees', incident: true } },
  'dropped': { route: '/text', send: [['bye?', false]], end: 'terminate',
    expect: { rootCause: 'abnormal-closure', closeCode: 1006, codeAgreement: 'agrees', incident: true } },
  'expired-token': { route: '/text?token=expired', send: [], end: 'wait',
    expect: { rootCause: 'policy-violation', closeCode: 1008, codeAgreement: 'agrees', incident: true} },
};

/** The verdict a run of a scenario calls for, as the samples' *.expected.json files hold it. */
export function expectedFor({ name, connId }) {
  const { exceptionType, topFrame, ...fields } = SCENARIOS[name].expect;
  return { connection: connId, scenario: name, route: SCENARIOS[name].route.split('?')[0], ...fields,
    ...(exceptionType ? { exceptionType } : {}), ...(topFrame ? { topFrame: topFrame.source } : {}) };
}

/** Orders expected verdicts by the server's connection counter (c1, c2, ... c10). */
export function byConnection(a, b) {
  return Number(a.connection.slice(1)) - Number(b.connection.slice(1));
}

/**
 * Runs one scenario with a real ws client; resolves with the server's connection id and the
 * client's local port (a capture names the connection by it). Other servers' scenario tables
 * (samples/tshark) use the same client.
 */
export function runClient(port, name, { delayMs = 0, scenarios = SCENARIOS } = {}) {
  const sc = scenarios[name];
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${sc.route}`);
    let connId;
    let localPort;
    ws.once('open', () => { localPort = ws._socket.localPort; });
    const timer = setTimeout(() => reject(new Error(`scenario ${name} timed out`)), 10_000);
    ws.on('error', () => {}); // the server cutting us off is part of several scenarios
    ws.once('message', async (first) => {
      connId = JSON.parse(first.toString()).connId;
      for (const [data, isBinary] of sc.send) {
        if (ws.readyState !== WebSocket.OPEN) break;
        ws.send(data, { binary: isBinary });
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      }
      // Let the server answer the last message before finishing.
      await new Promise((r) => setTimeout(r, 20 + delayMs));
      if (sc.end === 'close' && ws.readyState === WebSocket.OPEN) ws.close(1000, 'done');
      if (sc.end === 'close-no-status' && ws.readyState === WebSocket.OPEN) ws.close(); // a close frame without a code: 1005
      if (sc.end === 'terminate') ws.terminate();
    });
    ws.on('close', () => {
      clearTimeout(timer);
      // The server logs its close after ours completes; give it a moment.
      setTimeout(() => resolve({ name, connId, localPort }), 30);
    });
  });
}

/** Drives every scenario `copies` times concurrently, so log lines of connections interleave. */
export async function runAll(port, { copies = 1, delayMs = 5 } = {}) {
  const names = Object.keys(SCENARIOS);
  const runs = [];
  for (let i = 0; i < copies; i++) for (const name of names) runs.push(runClient(port, name, { delayMs }));
  return Promise.all(runs);
}
