/**
 * The JSON-lines parser on lines written by REAL loggers (pino, bunyan, winston) with the
 * shapes services use around a ws server: each line kind becomes the right event.
 */
import bunyan from 'bunyan';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import winston from 'winston';
import { jsonParser } from '../../parsers/json.js';
import type { LineParser } from '../../parsers/parser.js';
import type { WsEvent } from '../../src/model.js';
import type { Report } from '../../src/report.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'wsclose-json-'));

/** The file's events and skips, each line given as text, and the same given as bytes (LineParser.bytes): both must agree. */
function parse(file: string, opts = {}): { events: WsEvent[]; skipped: Record<string, number> } {
  const run = (give: (p: LineParser, buf: Buffer, start: number, end: number, lineNo: number) => void) => {
    const events: WsEvent[] = [];
    const skipped: Record<string, number> = {};
    const p = jsonParser.create(file, { event: (e) => events.push(e), skip: (r) => { skipped[r] = (skipped[r] ?? 0) + 1; } }, opts);
    const buf = readFileSync(file);
    let lineNo = 0;
    for (let start = 0; start <= buf.length; lineNo++) {
      const nl = buf.indexOf(10, start);
      const end = nl < 0 ? buf.length : nl;
      give(p, buf, start, end, lineNo + 1);
      start = end + 1;
    }
    p.end();
    return { events, skipped };
  };
  const byText = run((p, buf, start, end, n) => p.line(buf.toString('utf8', start, end), n));
  const byBytes = run((p, buf, start, end, n) => p.bytes!(buf, start, end, n));
  expect(byBytes).toEqual(byText);
  return byText;
}

function typeError(): TypeError {
  try {
    (undefined as unknown as { id: number }).id;
  } catch (err) {
    return err as TypeError;
  }
  throw new Error('unreachable');
}

describe('pino', () => {
  it('reads open, typed messages, exceptions and closes with their fields', () => {
    const file = join(dir, 'pino.log');
    const log = pino(pino.destination({ dest: file, sync: true }));
    const conn = log.child({ connId: 'a1', route: '/chat?room=1', remoteAddress: '127.0.0.1', remotePort: 5000 });
    conn.info('ws connection opened');
    conn.info({ isBinary: true, size: 12 }, 'ws message received');
    conn.info({ isBinary: false, size: 3 }, 'sent reply');
    conn.error({ err: typeError() }, 'message handler failed');
    conn.info({ code: 1011, reason: 'internal error' }, 'ws connection closed');
    const { events, skipped } = parse(file);
    expect(skipped).toEqual({});
    expect(events.map((e) => e.kind)).toEqual(['open', 'frame', 'frame', 'exception', 'close']);
    for (const e of events) {
      expect(e.conn).toBe('a1');
      expect(e.route).toBe('/chat'); // the query is dropped: it may hold a token
      expect(e.process).toMatch(/^\d+@/);
      expect(e.time).toBeGreaterThan(1.7e12);
    }
    expect(events.map((e) => e.at)).toEqual([1, 2, 3, 4, 5].map((n) => `${file}:${n}`));
    expect(events[0]).toMatchObject({ kind: 'open', remote: '127.0.0.1' });
    expect(events[1]).toMatchObject({ kind: 'frame', direction: 'in', type: 'binary', size: 12 });
    expect(events[2]).toMatchObject({ kind: 'frame', direction: 'out', type: 'text', size: 3 });
    expect(events[3]).toMatchObject({ kind: 'exception', type: 'TypeError', fatal: false, handled: false });
    expect((events[3] as { stack: string }).stack).toMatch(/at .*json\.test\.ts/);
    expect(events[4]).toMatchObject({ kind: 'close', code: 1011, reason: 'internal error', initiator: 'unknown' });
  });

  it('maps ws receiver errors to the code ws sent, and fatal lines with no connection to a crash', () => {
    const file = join(dir, 'pino-errors.log');
    const log = pino(pino.destination({ dest: file, sync: true }));
    const err = Object.assign(new RangeError('Max payload size exceeded'), { code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' });
    log.child({ connId: 7 }).error({ err }, 'ws error');
    log.fatal({ err: typeError() }, 'uncaughtException');
    log.child({ connId: 7 }).warn({ err: new Error('cache miss') }, 'lookup failed, handled');
    const { events } = parse(file);
    expect(events[0]).toMatchObject({ kind: 'exception', conn: '7', code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', wireCode: 1009, type: 'RangeError' });
    expect(events[1]).toMatchObject({ kind: 'exception', conn: undefined, fatal: true, type: 'TypeError' });
    expect(events[2]).toMatchObject({ kind: 'exception', handled: true });
  });

  it('reads a startup line that states what routes accept', () => {
    const file = join(dir, 'pino-accepts.log');
    const log = pino(pino.destination({ dest: file, sync: true }));
    log.info({ accepts: { '/chat': 'text', '/upload': 'binary' } }, 'listening');
    log.info({ route: '/feed', accepts: 'json' }, 'route registered');
    const { events } = parse(file);
    expect(events).toEqual([
      expect.objectContaining({ kind: 'accepts', route: '/chat', accepts: 'text' }),
      expect.objectContaining({ kind: 'accepts', route: '/upload', accepts: 'binary' }),
      expect.objectContaining({ kind: 'accepts', route: '/feed', accepts: 'text' }),
    ]);
  });
});

describe('HTTP request errors beside WebSocket connections', () => {
  it('are not offered to a WebSocket that drops just after them', async () => {
    const file = join(dir, 'pino-http.log');
    const log = pino(pino.destination({ dest: file, sync: true }));
    const ws = log.child({ connId: 'w1', route: '/chat' });
    ws.info('ws connection opened');
    ws.info({ isBinary: false, size: 4 }, 'ws message received');
    // What pino-http writes for a failed request: req/res context, an err, no WebSocket key.
    log.error({ reqId: 'req-1', req: { method: 'GET', url: '/api/x' }, res: { statusCode: 500 }, err: new Error('upstream refused') }, 'request errored');
    ws.info({ code: 1006, reason: '' }, 'ws connection closed');
    const res = await runCli(['analyze', file, '-o', 'json']);
    const r = JSON.parse(res.stdout) as Report;
    expect(r.incidents).toHaveLength(1);
    expect(r.incidents[0]).toMatchObject({ connection: 'w1', rootCause: 'abnormal-closure', closeCode: 1006 });
    expect(r.incidents[0].exception).toBeUndefined();
  });
});

describe('bunyan', () => {
  it('reads ISO times, err.name and numeric levels', () => {
    const file = join(dir, 'bunyan.log');
    const log = bunyan.createLogger({ name: 'chat', streams: [{ path: file }], serializers: bunyan.stdSerializers });
    const c = log.child({ connectionId: 'b-9', path: '/feed' });
    c.info({ messageType: 'text', length: 5 }, 'message received');
    c.error({ err: typeError() }, 'handler failed');
    c.info({ closeCode: 1003, closeReason: 'binary not supported' }, 'closing connection');
    return new Promise<void>((resolve) => setTimeout(() => {
      const { events } = parse(file);
      expect(events.map((e) => e.kind)).toEqual(['frame', 'exception', 'close']);
      expect(events[0]).toMatchObject({ conn: 'b-9', route: '/feed', type: 'text', direction: 'in', size: 5 });
      expect(events[1]).toMatchObject({ type: 'TypeError' });
      expect(events[2]).toMatchObject({ code: 1003, reason: 'binary not supported', initiator: 'server' });
      expect(typeof events[0].time).toBe('number');
      resolve();
    }, 100));
  });
});

describe('winston', () => {
  it('reads string levels, message, and errors flattened by format.errors', async () => {
    const file = join(dir, 'winston.log');
    const log = winston.createLogger({
      format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
      transports: [new winston.transports.File({ filename: file })],
    });
    log.info('client connected', { socketId: 's1', url: 'ws://localhost:8080/ws' });
    log.info('received binary message', { socketId: 's1' });
    log.error(typeError(), { socketId: 's1' });
    log.info('client disconnected with code 1011', { socketId: 's1' });
    await new Promise<void>((resolve) => { log.on('finish', resolve); log.end(); });
    await new Promise((r) => setTimeout(r, 50));
    const { events } = parse(file);
    expect(events.map((e) => e.kind)).toEqual(['open', 'frame', 'exception', 'close']);
    expect(events[0]).toMatchObject({ conn: 's1', route: '/ws' });
    expect(events[1]).toMatchObject({ type: 'binary', direction: 'in' });
    expect(events[2]).toMatchObject({ type: 'TypeError', message: "Cannot read properties of undefined (reading 'id')" });
    // "disconnected" says the connection ended, not who sent the close frame (here the server did).
    expect(events[3]).toMatchObject({ code: 1011, initiator: 'unknown' });
  });

  it('reads an error field holding err.stack, at any level', async () => {
    const file = join(dir, 'winston-stack-field.log');
    const log = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.File({ filename: file })] });
    const stack = typeError().stack;
    log.warn('db query failed, served from cache', { socketId: 's1', error: stack });
    await new Promise<void>((resolve) => { log.on('finish', resolve); log.end(); });
    await new Promise((r) => setTimeout(r, 50));
    const { events } = parse(file);
    expect(events).toEqual([expect.objectContaining({
      kind: 'exception', conn: 's1', type: 'TypeError', message: "Cannot read properties of undefined (reading 'id')",
      stack, fatal: false, handled: true,
    })]);
  });
});

describe('a close written as a sentence', () => {
  it('gives its route, code and reason, and no initiator the words do not name', () => {
    const file = join(dir, 'pino-close-sentence.log');
    const log = pino({ level: 'info' }, pino.destination({ dest: file, sync: true })).child({ connId: 'c1' });
    log.info('connection on ws://chat.example/room?token=x closed with code 1003: text frames only');
    const { events } = parse(file);
    expect(events).toEqual([expect.objectContaining({ kind: 'close', conn: 'c1', route: '/room', code: 1003, reason: 'text frames only', initiator: 'unknown' })]);
  });
});

describe('a stack written into the message', () => {
  it('is read from the log\'s words, not from the frames\' names', () => {
    const file = join(dir, 'pino-stack-in-msg.log');
    const log = pino({ level: 'info' }, pino.destination({ dest: file, sync: true })).child({ connId: 'c1' });
    // A frame named `ignored` is no word of the log's saying the error was handled.
    function ignored(): never { throw new RangeError('Max payload size exceeded'); }
    let stack = '';
    try { ignored(); } catch (err) { stack = (err as Error).stack!; log.error(`ws error: ${stack}`); }
    const { events } = parse(file);
    expect(events).toEqual([expect.objectContaining({
      kind: 'exception', conn: 'c1', type: 'RangeError', message: 'Max payload size exceeded', stack, fatal: false, handled: false, wireCode: 1009,
    })]);
  });
});

describe('bad lines and overrides', () => {
  it('counts non-JSON lines by reason and keeps going', () => {
    const events: WsEvent[] = [];
    const skipped: Record<string, number> = {};
    const p = jsonParser.create('x.log', { event: (e) => events.push(e), skip: (r) => { skipped[r] = (skipped[r] ?? 0) + 1; } });
    const lines = ['garbage', '{"broken":', '[1,2]', '"str"', '', '{"connId":"z","msg":"ws close","code":1000}'];
    lines.forEach((l, i) => p.line(l, i + 1));
    expect(skipped).toEqual({ 'not-json': 4 });
    expect(events).toEqual([expect.objectContaining({ kind: 'close', conn: 'z', code: 1000, at: 'x.log:6' })]);
    // The same lines as bytes: a line the flat reader declines is decoded and read as text.
    lines.forEach((l, i) => p.bytes!(Buffer.from(`\n${l}\n`), 1, 1 + Buffer.byteLength(l), i + 7));
    expect(skipped).toEqual({ 'not-json': 8 });
    expect(events).toEqual([6, 12].map((n) => expect.objectContaining({ kind: 'close', conn: 'z', code: 1000, at: `x.log:${n}` })));
  });

  it('takes field names from the options', () => {
    const events: WsEvent[] = [];
    const p = jsonParser.create('y.log', { event: (e) => events.push(e), skip: () => {} },
      { fields: { conn: ['request.ws'], message: ['event'], code: ['status'] } });
    p.line('{"request":{"ws":"q1"},"event":"socket closed","status":4001}', 1);
    expect(events).toEqual([expect.objectContaining({ kind: 'close', conn: 'q1', code: 4001 })]);
  });

  it('detects its format from the first lines', () => {
    expect(jsonParser.detect(['{"level":30,"msg":"x"}', '{"level":30,"msg":"y"}'])).toBeGreaterThan(0.8);
    expect(jsonParser.detect(['2026-01-01 INFO hello', 'plain text'])).toBe(0);
  });
});
