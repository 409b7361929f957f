/**
 * End to end on real ws servers whose logs put into words what fields would hold: an exception's
 * stack written into the message (pino; winston's json format), and opens and closes written as
 * sentences. Real clients drive them; the built CLI reads each log; verdicts are asserted field by field.
 */
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import winston from 'winston';
import { WebSocket, WebSocketServer } from 'ws';
import type { Verdict } from '../src/model.js';
import type { Report } from '../src/report.js';
import { runCli } from './support/cli.js';
import { expectVerdict, type ExpectedVerdict } from './support/expect-verdict.js';

const dir = mkdtempSync(join(tmpdir(), 'wsclose-written-'));

/** What the server logs with: a logger's child per connection. */
interface Log { info(msg: string, fields?: object): void; error(msg: string): void }
interface Logger { child(connId: string): Log; end(): Promise<void> }

function pinoLogger(file: string): Logger {
  writeFileSync(file, '');
  const logger = pino({ level: 'info' }, pino.destination({ dest: file, sync: true }));
  return {
    child: (connId) => {
      const c = logger.child({ connId });
      return { info: (m, fields) => c.info(fields ?? {}, m), error: (m) => c.error(m) };
    },
    end: async () => {},
  };
}

function winstonLogger(file: string): Logger {
  const logger = winston.createLogger({
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.File({ filename: file })],
  });
  return {
    child: (connId) => {
      const c = logger.child({ connId });
      return { info: (m, fields) => c.info(m, fields), error: (m) => c.error(m) };
    },
    end: () => new Promise((resolve) => { logger.on('finish', () => setTimeout(resolve, 50)); logger.end(); }),
  };
}

/** Routes: text only (1003 for binary), a JSON handler, a handler with a bug; a handler's exception closes with 1011. */
const ROUTES: Record<string, (ws: WebSocket, data: Buffer, isBinary: boolean) => void> = {
  '/text'(ws, data, isBinary) {
    if (isBinary) ws.close(1003, 'text frames only');
    else ws.send(`echo:${data}`);
  },
  '/json'(ws, data) {
    ws.send(JSON.stringify({ op: (JSON.parse(data.toString()) as { op: string }).op }));
  },
  '/buggy'(ws, data) {
    ws.send(String((JSON.parse(data.toString()) as { user: { id: number } }).user.id));
  },
};

/** How a server logs a close. */
type CloseLog = (log: Log, code: number, reason: string) => void;

/** A ws server logging with `logger`: opens as a sentence, messages as fields, each error as words and `err.stack`, closes by `closeLog`. */
async function serve(logger: Logger, closeLog: CloseLog) {
  const server = createServer();
  const wss = new WebSocketServer({ server, maxPayload: 1024 });
  let next = 0;
  wss.on('connection', (ws, req) => {
    const connId = `c${++next}`;
    const log = logger.child(connId);
    const route = new URL(req.url!, 'http://localhost').pathname;
    log.info(`client connected to ${route}`);
    ws.send(connId);
    ws.on('message', (data: Buffer, isBinary) => {
      log.info('ws message received', { isBinary, size: data.length });
      try {
        ROUTES[route](ws, data, isBinary);
      } catch (err) {
        log.error(`message handler failed: ${(err as Error).stack}`);
        ws.close(1011, 'internal error');
      }
    });
    ws.on('error', (err) => log.error(`ws error: ${err.stack}`));
    ws.on('close', (code, reason) => closeLog(log, code, reason.toString()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => { wss.close(); server.close(() => resolve()); }),
  };
}

/** Sends `frames` to `route`, one by one, then closes with `close` (none: the server is to close); resolves with the connection's id once closed. */
function client(port: number, route: string, frames: (string | Buffer)[], close: [number, string] | undefined): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${route}`);
    let connId = '';
    ws.on('error', () => {});
    ws.once('message', async (id: Buffer) => {
      connId = id.toString();
      for (const f of frames) {
        ws.send(f, { binary: typeof f !== 'string' });
        await new Promise((r) => setTimeout(r, 20));
      }
      if (close) ws.close(...close);
    });
    ws.on('close', () => setTimeout(() => resolve(connId), 20));
  });
}

const JSON_OK = JSON.stringify({ op: 'join', user: { id: 1 } });
const BINARY = Buffer.from([0x00, 0x9f, 0x92, 0xff]);

interface Scenario {
  route: string;
  frames: (string | Buffer)[];
  /** The client's close, when the server does not close (1000 "bye" if not given). */
  close?: [number, string];
  expect: Omit<ExpectedVerdict, 'connection' | 'scenario' | 'route'> & { closeReason: string };
}

async function analyze(file: string): Promise<Map<string, Verdict>> {
  const res = await runCli(['analyze', file, '-o', 'ndjson']);
  expect(res.stderr).toBe('');
  const verdicts = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as Verdict);
  return new Map(verdicts.map((v) => [v.connection, v]));
}

async function run(logger: Logger, file: string, closeLog: CloseLog, scenarios: Record<string, Scenario>) {
  const server = await serve(logger, closeLog);
  const ids: Record<string, string> = {};
  // One after another: the learned profile of /json and /text needs their normal connections first.
  for (const [name, sc] of Object.entries(scenarios)) ids[name] = await client(server.port, sc.route, sc.frames, sc.close ?? (sc.expect.closeCode === 1000 ? [1000, 'bye'] : undefined));
  await server.close();
  await logger.end();
  const verdicts = await analyze(file);
  for (const [name, sc] of Object.entries(scenarios)) {
    const v = verdicts.get(ids[name]);
    expectVerdict(v, { connection: ids[name], scenario: name, route: sc.route, ...sc.expect });
    expect(v!.closeReason, name).toBe(sc.expect.closeReason);
  }
  return { verdicts, ids };
}

describe('an exception whose stack is written into the message', () => {
  const fields: CloseLog = (log, code, reason) => log.info('ws connection closed', { code, reason });
  const SCENARIOS: Record<string, Scenario> = {
    'json-normal': { route: '/json', frames: [JSON_OK], expect: { rootCause: 'normal', closeCode: 1000, codeAgreement: 'agrees', incident: false, closeReason: 'bye' } },
    'binary-to-json': {
      route: '/json', frames: [JSON_OK, BINARY],
      expect: { rootCause: 'data-type-mismatch', closeCode: 1011, codeAgreement: 'disagrees', incident: true, exceptionType: 'SyntaxError', closeReason: 'internal error' },
    },
    'buggy-bug': {
      route: '/buggy', frames: ['{"op":"x"}'],
      expect: { rootCause: 'unhandled-error', closeCode: 1011, codeAgreement: 'agrees', incident: true, exceptionType: 'TypeError', topFrame: /analyze\.written\.test\.ts:\d+\)$/, closeReason: 'internal error' },
    },
    // ws sends 1009 itself, emits the RangeError, and reports 1006 to the application.
    'too-big': {
      route: '/text', frames: ['x'.repeat(2000)],
      expect: { rootCause: 'message-too-big', closeCode: 1009, reportedCode: 1006, codeAgreement: 'agrees', incident: true, exceptionType: 'RangeError', closeReason: '' },
    },
  };

  it.each([
    ['pino', pinoLogger],
    ['winston (json format)', winstonLogger],
  ])('%s: the verdicts of an error logged as an object, and its exception in the summary', async (name, make) => {
    const file = join(dir, `stack-${name.split(' ')[0]}.log`);
    const { verdicts, ids } = await run(make(file), file, fields, SCENARIOS);
    const bug = verdicts.get(ids['buggy-bug'])!;
    expect(bug.exception).toMatchObject({ type: 'TypeError', message: "Cannot read properties of undefined (reading 'id')" });
    expect(bug.explanation).toBe('TypeError thrown while processing a text message');
    expect(verdicts.get(ids['too-big'])!.exception).toMatchObject({ type: 'RangeError', message: 'Max payload size exceeded' });
    const res = await runCli(['analyze', file, '-o', 'json']);
    const types = Object.values((JSON.parse(res.stdout) as Report).summary.exceptions).map((e) => `${e.type}: ${e.message}`).sort();
    expect(types).toEqual([
      'RangeError: Max payload size exceeded',
      'SyntaxError: Unexpected token \'\u0000\', "[payload]" is not valid JSON',
      "TypeError: Cannot read properties of undefined (reading 'id')",
    ]);
  });
});

describe('opens and closes written as sentences', () => {
  const SCENARIOS: Record<string, Scenario> = {
    'binary-to-text': {
      route: '/text', frames: ['hi', BINARY],
      expect: { rootCause: 'data-type-mismatch', closeCode: 1003, codeAgreement: 'agrees', incident: true, closeReason: 'text frames only' },
    },
    'text-normal': { route: '/text', frames: ['hi'], expect: { rootCause: 'normal', closeCode: 1000, codeAgreement: 'agrees', incident: false, closeReason: 'bye' } },
    // The client's reason has a word of the server's closing ("kicked"): it says nothing of who closed.
    'client-4000': {
      route: '/text', frames: ['hi'], close: [4000, 'kicked after 3 warnings'],
      expect: { rootCause: 'application', closeCode: 4000, codeAgreement: 'agrees', incident: true, closeReason: 'kicked after 3 warnings' },
    },
    'buggy-bug': {
      route: '/buggy', frames: ['{"op":"x"}'],
      expect: { rootCause: 'unhandled-error', closeCode: 1011, codeAgreement: 'agrees', incident: true, exceptionType: 'TypeError', closeReason: 'internal error' },
    },
  };

  it.each([
    ['pino', 'client disconnected (code CODE, reason: REASON)', pinoLogger],
    ['pino', 'closed connection with code CODE: REASON', pinoLogger],
    ['winston', 'ws closed code=CODE reason=REASON', winstonLogger],
  ])('%s, "%s": the route, the reason, and no initiator the words do not name', async (name, words, make) => {
    const file = join(dir, `sentences-${name}-${words.split(' ')[0]}.log`);
    const { verdicts } = await run(make(file), file, (log, code, reason) => log.info(words.replace('CODE', String(code)).replace('REASON', reason)), SCENARIOS);
    for (const v of verdicts.values()) expect(v.initiator, v.connection).toBe('unknown');
  });
});
