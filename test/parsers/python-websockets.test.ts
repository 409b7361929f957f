/**
 * The Python websockets parser on real lines: Debian's 10.4 (legacy server) and releases 14.2
 * and 17.0.1 (new asyncio server), each from the committed samples that the real library
 * wrote; uvicorn 0.17.6 and daphne 4.0 serving a FastAPI app (Debian's, samples/asgi); and, where
 * /usr/bin/python3 imports them, live runs of the samples' servers.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aiohttpParser } from '../../parsers/aiohttp.js';
import { jsonParser } from '../../parsers/json.js';
import { closedText, pythonWebsocketsParser } from '../../parsers/python-websockets.js';
import type { CloseEvent, FrameEvent, WsEvent } from '../../src/model.js';
import type { Report } from '../../src/report.js';
import { runCli } from '../support/cli.js';
import { type ExpectedVerdict, expectSampleVerdicts, expectVerdicts } from '../support/expect-verdict.js';
import { ofKind, parseAll, parseLines } from '../support/parse.js';
import { pythonCanImport, runPython } from '../support/python.js';

const v10 = readFileSync('samples/python-websockets/server.log', 'utf8').split('\n');
const v14 = readFileSync('samples/python-websockets/v14.2/server.log', 'utf8').split('\n');
const v17 = readFileSync('samples/python-websockets/v17.0.1/server.log', 'utf8').split('\n');
const uvicorn = readFileSync('samples/asgi/uvicorn/server.log', 'utf8').split('\n');
const daphne = readFileSync('samples/asgi/daphne/server.log', 'utf8').split('\n');

/** The lines of the connection whose request names this scenario, up to the next connection. */
function connection(log: string[], scenario: string): string[] {
  const get = log.findIndex((l) => l.includes(`?scenario=${scenario} `));
  const start = get - 1; // `= connection is CONNECTING`
  const next = log.findIndex((l, i) => i > get && l.endsWith('= connection is CONNECTING'));
  return log.slice(start, next < 0 ? undefined : next);
}

const parse = (lines: string[]): WsEvent[] => parseAll(pythonWebsocketsParser, 'ws.log', lines);

const frames = (events: WsEvent[]) => events.filter((e): e is FrameEvent => e.kind === 'frame');

describe('python-websockets: frame lines', () => {
  it.each([
    ['10.4', "2026-11-26 17:26:35,205 websockets.server DEBUG < TEXT 'hello' [5 bytes]", { direction: 'in', type: 'text', size: 5 }],
    ['10.4', '2026-11-26 17:26:35,373 websockets.server DEBUG < BINARY 89 50 4e 47 0d 0a 1a 0a [8 bytes]', { direction: 'in', type: 'binary', size: 8 }],
    ['10.4', "DEBUG:websockets.server:> TEXT 'echo:hi' [7 bytes]", { direction: 'out', type: 'text', size: 7 }],
    ['10.4', '2026-11-26 17:26:35,259 websockets.server DEBUG > CLOSE 1003 (unsupported type) text frames only [18 bytes]', { direction: 'out', type: 'close', code: 1003, reason: 'text frames only', size: 18 }],
    ['14.2', '2026-11-26 17:30:02,905 websockets.server DEBUG > CLOSE 1009 (message too big) frame exceeds limit of 1024 bytes [35 bytes]', { direction: 'out', type: 'close', code: 1009, reason: 'frame exceeds limit of 1024 bytes', size: 35 }],
    ['14.2', '2026-11-26 17:30:02,786 websockets.server DEBUG < CLOSE 1011 (internal error) [2 bytes]', { direction: 'in', type: 'close', code: 1011, reason: '', size: 2 }],
    // frames.py (14.2, 17.0.1) marks a payload that does not match the opcode's usual type.
    ['14.2 (frames.py)', "2026-11-26 17:30:02,905 websockets.server DEBUG < BINARY 'abc' [text, 3 bytes]", { direction: 'in', type: 'binary', size: 3 }],
    ['14.2 (frames.py)', "2026-11-26 17:30:02,905 websockets.server DEBUG < CONT 'def' [3 bytes, continued]", { direction: 'in', type: 'continuation', size: 3 }],
    ['17.0.1 (frames.py)', '2026-11-26 17:30:02,905 websockets.server DEBUG < PING 7a 1f 3c 09 [binary, 4 bytes]', { direction: 'in', type: 'ping', size: 4 }],
  ])('%s: %s', (_version, line, want) => {
    // A frame line needs a connection: the request and response lines before it.
    const events = parse([
      '2026-11-26 17:26:35,199 websockets.server DEBUG < GET /chat HTTP/1.1',
      '2026-11-26 17:26:35,204 websockets.server DEBUG > HTTP/1.1 101 Switching Protocols',
      line,
    ]);
    expect(events[0]).toMatchObject({ kind: 'open', route: '/chat', at: 'ws.log:1', conn: undefined });
    expect(frames(events)).toHaveLength(1);
    expect(frames(events)[0]).toMatchObject({ ...want, at: 'ws.log:3', route: '/chat' });
  });
});

describe('python-websockets: connections, read in order without keys', () => {
  it('10.4: a normal close, begun by the client', () => {
    const lines = connection(v10, 'text-normal');
    const events = parse(lines);
    expect(events.map((e) => e.kind)).toEqual(['open', 'frame', 'frame', 'frame', 'frame', 'close']);
    expect(events.every((e) => e.conn === undefined)).toBe(true);
    expect(events[0]).toMatchObject({ route: '/text', at: 'ws.log:2' });
    const close = ofKind(events, 'close')[0];
    expect(close).toMatchObject({ code: 1000, reason: 'bye', initiator: 'client', clean: true });
    // The close is read at the connection's last closing line: INFO `connection closed`.
    expect(lines[Number(close.at.split(':')[1]) - 1]).toMatch(/INFO connection closed$/);
  });

  it('10.4: the handler raised and the library sent 1011 itself', () => {
    const events = parse(connection(v10, 'handler-bug'));
    const ex = ofKind(events, 'exception')[0];
    expect(ex).toMatchObject({ type: 'KeyError', message: "'user'", fatal: false, route: '/json' });
    expect(ex.connectionClosed).toBeUndefined();
    expect(ex.stack).toMatch(/^Traceback \(most recent call last\):\n {2}File .*legacy\/server\.py/);
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: 1011, initiator: 'server' });
  });

  it('10.4: max_size: the ConnectionClosedError that follows is a consequence, with the code the library sent', () => {
    const events = parse(connection(v10, 'too-big'));
    const ex = ofKind(events, 'exception')[0];
    expect(ex).toMatchObject({
      type: 'websockets.exceptions.ConnectionClosedError', message: 'sent 1009 (message too big); no close frame received',
      connectionClosed: true, wireCode: 1009,
    });
    expect(ex.stack).toContain('websockets.exceptions.PayloadTooBig: over size limit (? > 1024 bytes)');
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: 1009, initiator: 'server', clean: true });
    // The exception came after `= connection is CLOSED` and before `connection closed`: it is read before the close.
    expect(events.findIndex((e) => e.kind === 'exception')).toBeLessThan(events.findIndex((e) => e.kind === 'close'));
  });

  it('10.4: a dropped TCP connection (`! failing connection with code 1006`) closes with 1006, no close frame', () => {
    const events = parse(connection(v10, 'dropped'));
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: 1006, clean: false, initiator: 'unknown' });
    expect(ofKind(events, 'exception')[0]).toMatchObject({ message: 'no close frame received or sent', connectionClosed: true });
    expect(ofKind(events, 'exception')[0].wireCode).toBeUndefined();
  });

  it('14.2: no INFO `connection closed`: `= connection is CLOSED` ends the connection', () => {
    expect(v14.some((l) => l.endsWith('INFO connection closed'))).toBe(false);
    const lines = connection(v14, 'binary-to-json');
    const events = parse(lines);
    expect(events.map((e) => e.kind)).toEqual(['open', 'frame', 'exception', 'frame', 'frame', 'close']);
    expect(ofKind(events, 'exception')[0]).toMatchObject({ type: 'UnicodeDecodeError' });
    expect(frames(events).map((f) => [f.direction, f.type, f.code])).toEqual([['in', 'binary', undefined], ['out', 'close', 1011], ['in', 'close', 1011]]);
    const close = ofKind(events, 'close')[0] as CloseEvent;
    expect(close).toMatchObject({ code: 1011, initiator: 'server' });
    expect(lines[Number(close.at.split(':')[1]) - 1]).toMatch(/= connection is CLOSED$/);
  });

  it('14.2: a dropped connection logs only EOFs, and the handler failure after CLOSED still joins it', () => {
    const events = parse(connection(v14, 'dropped'));
    expect(events.map((e) => e.kind)).toEqual(['open', 'frame', 'frame', 'exception', 'close']);
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: 1006, clean: false });
  });

  it('17.0.1: `connection closed` is back, and the ConnectionClosed failure logged after it joins the connection', () => {
    const lines = connection(v17, 'too-big');
    const closedAt = lines.findIndex((l) => l.endsWith('INFO connection closed'));
    const failedAt = lines.findIndex((l) => l.endsWith('ERROR connection handler failed'));
    expect(closedAt).toBeGreaterThan(0);
    expect(failedAt).toBeGreaterThan(closedAt);
    const events = parse(lines);
    expect(events.map((e) => e.kind)).toEqual(['open', 'frame', 'exception', 'close']);
    expect(ofKind(events, 'exception')[0]).toMatchObject({
      message: 'sent 1009 (message too big) frame exceeds limit of 1024 bytes; no close frame received', wireCode: 1009, connectionClosed: true,
    });
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: 1009, reason: 'frame exceeds limit of 1024 bytes', initiator: 'server' });
  });

  it('INFO level only (no DEBUG lines): the codes come from what the library does and says', () => {
    // What the same 10.4 run logs at INFO: the DEBUG lines are simply not written.
    const info = v10.filter((l) => !/ DEBUG /.test(l));
    const events = parse(info);
    const closes = ofKind(events, 'close');
    expect(ofKind(events, 'open')).toHaveLength(8);
    expect(closes.map((c) => c.code)).toEqual([null, null, null, 1011, 1011, 1009, 1006, null]);
    expect(closes[3]).toMatchObject({ initiator: 'server' });
    expect(closes[6]).toMatchObject({ clean: false });
  });

  it('splits two connections at the second `connection open` when nothing else tells them apart', () => {
    const events = parse(['INFO:websockets.server:connection open', 'INFO:websockets.server:connection open', 'INFO:websockets.server:connection closed']);
    expect(events.map((e) => [e.kind, e.at])).toEqual([['open', 'ws.log:1'], ['open', 'ws.log:2'], ['close', 'ws.log:3']]);
  });
});

describe('uvicorn serving FastAPI/Starlette on websockets, in uvicorn\'s default format', () => {
  /** The sample's lines from the handshake of the connection on `route` whose `n`th it is, to the next handshake. */
  function connection(route: string, n = 0): string[] {
    const starts = uvicorn.flatMap((l, i) => (l.endsWith(`"WebSocket ${route}" [accepted]`) ? [i] : []));
    const next = uvicorn.findIndex((l, i) => i > starts[n] && l.endsWith('[accepted]'));
    return uvicorn.slice(starts[n], next < 0 ? undefined : next);
  }

  it('opens at the handshake uvicorn accepted (0.17\'s address as a tuple, or as later versions write it) and reads websockets\' INFO lines through its logger', () => {
    for (const accepted of [`INFO:     ('127.0.0.1', 48732) - "WebSocket /text?room=1" [accepted]`, 'INFO:     127.0.0.1:48732 - "WebSocket /text?room=1" [accepted]']) {
      const events = parse([accepted, 'INFO:     connection open', 'INFO:     connection closed']);
      expect(events.map((e) => [e.kind, e.at, e.route, e.conn])).toEqual([['open', 'ws.log:1', '/text', undefined], ['close', 'ws.log:3', '/text', undefined]]);
      // At INFO nothing says the close's code.
      expect(ofKind(events, 'close')[0]).toMatchObject({ code: null, initiator: 'unknown' });
    }
  });

  it('reads `Exception in ASGI application` as the app\'s exception, and the connection uvicorn then dropped as a 1006 the server caused', () => {
    const events = parse(connection('/json', 3)); // json-bug: KeyError('op') in the app
    expect(events.map((e) => e.kind)).toEqual(['open', 'exception', 'close']);
    expect(ofKind(events, 'exception')[0]).toMatchObject({ type: 'KeyError', message: "'op'", fatal: false, conn: undefined, route: '/json' });
    expect(ofKind(events, 'exception')[0].stack).toMatch(/samples\/asgi\/app\.py", line \d+, in json_route\n/);
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: 1006, initiator: 'server', clean: false, route: '/json' });
  });

  it('reads Starlette\'s KeyError(\'text\') in receive_text() and receive_json() as the binary frame it was given, and its json.loads failing as a text frame', () => {
    const binary = parse(connection('/text', 1));
    expect(binary.map((e) => e.kind)).toEqual(['open', 'frame', 'exception', 'close']);
    expect(binary[1]).toMatchObject({ direction: 'in', type: 'binary', at: binary[2].at });
    expect(parse(connection('/json', 2))[1]).toMatchObject({ kind: 'frame', type: 'binary' }); // receive_json
    const bad = parse(connection('/json', 1));
    expect(bad.map((e) => [e.kind, (e as { type?: string }).type])).toEqual([['open', undefined], ['frame', 'text'], ['exception', 'json.decoder.JSONDecodeError'], ['close', undefined]]);
    // A KeyError('text') of the app's own making is no frame's.
    const own = connection('/text', 1).map((l) => l.replace(/starlette\/websockets\.py/, 'app/ws.py'));
    expect(parse(own).map((e) => e.kind)).toEqual(['open', 'exception', 'close']);
  });

  it('reads an uncaught WebSocketDisconnect as the client\'s close with its code, a consequence of it', () => {
    const events = parse(connection('/nocatch'));
    expect(ofKind(events, 'exception')[0]).toMatchObject({ type: 'starlette.websockets.WebSocketDisconnect', message: '1000', connectionClosed: true });
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: 1000, initiator: 'client', clean: true });
  });

  it('takes the code the app says it closes with, where no close frame is logged', () => {
    const events = parse(connection('/strict'));
    expect(ofKind(events, 'note')[0]).toMatchObject({ text: 'binary frames are not accepted on /strict, closing with 1003', level: 'warn' });
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: 1003, initiator: 'server', clean: true });
  });

  it('in a JSON log, names each line by the connection object its record carries, uvicorn\'s exception (its message ending in a line break) among them', () => {
    const json = readFileSync('samples/asgi/uvicorn-json/server.log', 'utf8').split('\n');
    const events = parse(json);
    const failed = json.findIndex((l) => l.includes('"message": "Exception in ASGI application\\n"')) + 1;
    const [exception] = ofKind(events, 'exception');
    expect(exception).toMatchObject({ at: `ws.log:${failed}`, type: 'KeyError', message: "'text'" });
    const key = /object at (0x[0-9a-f]+)>/.exec(json[failed - 1])![1];
    expect(json[failed - 2]).toContain(key); // `connection open` just before it
    expect(exception.conn).toBe(key);
    expect(ofKind(events, 'close').find((c) => c.conn === key)).toMatchObject({ code: 1006, initiator: 'server', clean: false, route: '/text' });
  });

  it('is picked for uvicorn\'s log, whose prefix is not the basicConfig default\'s', () => {
    expect(pythonWebsocketsParser.detect(uvicorn.slice(0, 50))).toBeGreaterThan(0.6);
    expect(pythonWebsocketsParser.detect(uvicorn.slice(0, 50))).toBeGreaterThan(aiohttpParser.detect(uvicorn.slice(0, 50)));
    // `INFO:root:…` is basicConfig's; `INFO: msg` with one space is neither.
    for (const line of ['INFO: 127.0.0.1:1 - "WebSocket /x" [accepted]', 'INFO:      127.0.0.1:1 - "WebSocket /x" [accepted]']) {
      expect(parseLines(pythonWebsocketsParser, 'ws.log', [line]), line).toEqual({ events: [], skipped: { 'not-python-log': 1 } });
    }
    expect(parse(['INFO:root:127.0.0.1:1 - "WebSocket /x" [accepted]'])).toEqual([]);
    expect(parse(['INFO:     127.0.0.1:1 - "WebSocket /x" [accepted]']).map((e) => e.kind)).toEqual(['open']);
  });
});

describe('daphne serving the same app: its access log and its exceptions', () => {
  /** The sample's lines of the connection on `route` whose `n`th it is: from its WSCONNECTING to the next one. */
  function connection(route: string, n = 0): string[] {
    const starts = daphne.flatMap((l, i) => (l.endsWith(`"WSCONNECTING ${route}" - -`) ? [i] : []));
    const next = daphne.findIndex((l, i) => i > starts[n] && l.includes('"WSCONNECTING '));
    return daphne.slice(starts[n], next < 0 ? undefined : next);
  }

  it('keys a connection by the client\'s address its access lines name, from WSCONNECTING to WSDISCONNECT', () => {
    const lines = connection('/text');
    const events = parse(lines);
    const client = lines[0].split(' ')[0];
    expect(client).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(events.map((e) => [e.kind, e.conn, e.at])).toEqual([['open', client, 'ws.log:1'], ['close', client, 'ws.log:3']]);
    expect(events[0]).toMatchObject({ route: '/text', time: expect.any(Number) });
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: null, initiator: 'unknown' }); // nothing logs its code
  });

  it('joins `Exception inside application`, which names no connection, to the connection that ends next, closed with the 1011 daphne sent', () => {
    const lines = connection('/text', 1);
    const events = parse(lines);
    const client = lines[0].split(' ')[0];
    expect(events.map((e) => [e.kind, e.conn])).toEqual([['open', client], ['frame', client], ['exception', client], ['close', client]]);
    const failed = lines.findIndex((l) => / ERROR {4}Exception inside application: 'text'$/.test(l)) + 1;
    expect(ofKind(events, 'exception')[0]).toMatchObject({ type: 'KeyError', message: "'text'", at: `ws.log:${failed}`, route: '/text' });
    expect(events[1]).toMatchObject({ type: 'binary', direction: 'in', at: `ws.log:${failed}` });
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: 1011, initiator: 'server', clean: true });
  });

  it('takes a WebSocketDisconnect logged after its connection ended for a consequence, named by none; an exception no connection ends after names none', () => {
    const events = parse(connection('/nocatch'));
    expect(ofKind(events, 'exception')[0]).toMatchObject({ type: 'starlette.websockets.WebSocketDisconnect', conn: undefined, connectionClosed: true });
    const alone = parse(['2026-11-28 20:33:28,325 ERROR    Exception inside application: boom', 'Traceback (most recent call last):', '  File "/srv/app.py", line 1, in f', 'ValueError: boom']);
    expect(alone).toMatchObject([{ kind: 'exception', type: 'ValueError', conn: undefined }]);
  });
});

describe('python-websockets: keys', () => {
  it('takes the connection id of the documented LoggerAdapter recipe', () => {
    const id = '3a457045-453f-4479-b0c2-8646e9836524';
    const events = parse([
      `DEBUG:websockets.server:${id} None = connection is CONNECTING`,
      `DEBUG:websockets.server:${id} None < GET /text?scenario=x HTTP/1.1`,
      `DEBUG:websockets.server:${id} 10.0.0.7 > HTTP/1.1 101 Switching Protocols`,
      `DEBUG:websockets.server:${id} None < BINARY 01 02 03 [3 bytes]`,
      `DEBUG:websockets.server:${id} None > CLOSE 1003 (unsupported type) text frames only [18 bytes]`,
      `INFO:websockets.server:${id} None connection closed`,
      'INFO:chat:unrelated',
      `DEBUG:websockets.server:${id} None = connection is CLOSED`,
    ]);
    expect(events.map((e) => [e.kind, e.conn, e.at])).toEqual([
      ['open', id, 'ws.log:2'], ['frame', id, 'ws.log:4'], ['frame', id, 'ws.log:5'], ['close', id, 'ws.log:8'],
    ]);
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: 1003, reason: 'text frames only', initiator: 'server', route: '/text' });
  });

  it('forgets a named connection whose handshake was rejected', () => {
    const id = '3a457045-453f-4479-b0c2-8646e9836524';
    const events = parse([
      `DEBUG:websockets.server:${id} None < GET /admin HTTP/1.1`,
      `DEBUG:websockets.server:${id} None > HTTP/1.1 403 Forbidden`,
      `DEBUG:websockets.server:${id} None = connection is CLOSED`,
      `INFO:websockets.server:${id} None connection closed`,
      `DEBUG:websockets.server:${id} None < CLOSE 1000 (OK) [2 bytes]`,
    ]);
    // No open and no close for the rejected handshake; a later line of that id starts afresh (still open at the end).
    expect(events.map((e) => [e.kind, e.at])).toEqual([['open', 'ws.log:5'], ['frame', 'ws.log:5']]);
  });

  it('takes a remote address with its port in front of the message', () => {
    const events = parse([
      "INFO:websockets.server:('127.0.0.1', 54321) connection open",
      '2026-11-26 17:26:35,205 websockets.server DEBUG [::1]:40000 < TEXT \'x\' [1 byte]',
    ]);
    expect(events.map((e) => e.conn)).toEqual(['127.0.0.1:54321', '[::1]:40000', '[::1]:40000']);
  });
});

describe('closedText (exceptions.py ConnectionClosed.__str__, 10.4 to 17.0.1)', () => {
  it.each([
    ['no close frame received or sent', { code: 1006, initiator: 'unknown', clean: false }],
    ['sent 1009 (message too big); no close frame received', { code: 1009, initiator: 'server', clean: false }],
    ['received 1001 (going away); no close frame sent', { code: 1001, initiator: 'client', clean: false }],
    ['received 1011 (internal error); then sent 1011 (internal error)', { code: 1011, initiator: 'client', clean: true }],
    ['received 1011 (unexpected error); then sent 1011 (unexpected error)', { code: 1011, initiator: 'client', clean: true }],
    ['sent 1003 (unsupported data) binary only; then received 1003 (unsupported data) binary only', { code: 1003, reason: 'binary only', initiator: 'server', clean: true }],
  ])('%s', (text, want) => {
    expect(closedText(text)).toMatchObject(want);
  });

  it('reads nothing from other texts', () => {
    expect(closedText("'user'")).toBeUndefined();
  });
});

describe('python-websockets: detect', () => {
  it('claims logs of websockets in either format, and nothing else', () => {
    expect(pythonWebsocketsParser.detect(v10.slice(0, 50))).toBeGreaterThan(0.9);
    expect(pythonWebsocketsParser.detect(['DEBUG:websockets.server:= connection is OPEN', 'INFO:chat:hello'])).toBeGreaterThan(0.6);
    expect(pythonWebsocketsParser.detect(readFileSync('samples/aiohttp/server.log', 'utf8').split('\n').slice(0, 50))).toBe(0);
    expect(pythonWebsocketsParser.detect(readFileSync('samples/ws-pino/chat.log', 'utf8').split('\n').slice(0, 50))).toBe(0);
    expect(pythonWebsocketsParser.detect(v10.slice(0, 50))).toBeGreaterThan(aiohttpParser.detect(v10.slice(0, 50)));
    expect(jsonParser.detect(v10.slice(0, 50))).toBe(0);
  });
});

const HAVE = pythonCanImport('websockets');
const WHY = HAVE ? '' : ' (skipped: /usr/bin/python3 cannot import websockets; apt-get install python3-websockets)';
if (!HAVE) console.warn(`python-websockets live tests${WHY}`);
const HAVE_JSON = HAVE && pythonCanImport('pythonjsonlogger');
const WHY_JSON = HAVE_JSON ? '' : `${WHY || ' (skipped'}; apt-get install python3-pythonjsonlogger)`;
const HAVE_STRUCTLOG = HAVE && pythonCanImport('structlog');
const WHY_STRUCTLOG = HAVE_STRUCTLOG ? '' : `${WHY || ' (skipped'}; apt-get install python3-structlog)`;

describe('python-websockets: a live run of the sample server on this machine', () => {
  async function generate(args: string[]): Promise<{ report: Report; text: string; expected: ExpectedVerdict[]; log: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-pyws-'));
    const log = join(dir, 'server.log');
    await runPython(['samples/python-websockets/generate.py', dir, '--name', log, ...args]);
    const res = await runCli(['analyze', log, '-o', 'json']);
    expect(res.code).toBe(0);
    const text = await runCli(['analyze', log]);
    const expected = JSON.parse(readFileSync(join(dir, 'server.expected.json'), 'utf8')) as ExpectedVerdict[];
    return { report: JSON.parse(res.stdout) as Report, text: text.stdout, expected, log };
  }

  function check(report: Report, expected: ExpectedVerdict[]): void {
    expect(expected.length).toBe(8);
    expectVerdicts(report, expected);
  }

  it.skipIf(!HAVE)(`the bare basicConfig format, one connection at a time: read in order, and said so${WHY}`, async () => {
    const { report, text, expected, log } = await generate(['--format', 'default']);
    expect(readFileSync(log, 'utf8')).toMatch(/^INFO:websockets\.server:server listening on /);
    expect(report.input.files[0]).toMatchObject({ parser: 'python-websockets', keyless: true });
    // The text report wraps at 80 columns: compare its words.
    expect(text.replace(/\s+/g, ' ')).toContain(`${log} names no connection: read in order, one connection at a time`);
    check(report, expected);
  });

  it.skipIf(!HAVE_JSON)(`python-json-logger's JSON records, all clients at once: each connection named by its object's address${WHY_JSON}`, async () => {
    const { report, expected, log } = await generate(['--format', 'json']);
    const lines = readFileSync(log, 'utf8').split('\n');
    expect(JSON.parse(lines[0])).toMatchObject({ name: 'websockets.server', levelname: 'INFO', message: expect.stringMatching(/^server listening on /) });
    expect(Object.keys(JSON.parse(lines[1]))).toEqual(['asctime', 'name', 'levelname', 'message', 'websocket']);
    expectKeyedAtOnce(report, expected, lines);
  });

  it.skipIf(!HAVE_STRUCTLOG)(`structlog's JSON records (its stdlib recipe), all clients at once: the same${WHY_STRUCTLOG}`, async () => {
    const { report, expected, log } = await generate(['--format', 'structlog']);
    const lines = readFileSync(log, 'utf8').split('\n');
    expect(JSON.parse(lines[0])).toMatchObject({ logger: 'websockets.server', level: 'info', event: expect.stringMatching(/^server listening on /) });
    expect(Object.keys(JSON.parse(lines[1]))).toEqual(['event', 'level', 'logger', 'websocket', 'timestamp']);
    expectKeyedAtOnce(report, expected, lines);
  });

  /** Connections served at once (their lines interleave), each named by its object's address and judged as expected. */
  function expectKeyedAtOnce(report: Report, expected: ExpectedVerdict[], lines: string[]): void {
    const objects = lines.map((l) => /object at (0x[0-9a-f]+)/.exec(l)?.[1]).filter(Boolean);
    let switches = 0;
    for (let i = 1; i < objects.length; i++) if (objects[i] !== objects[i - 1]) switches++;
    expect(switches).toBeGreaterThan(8);
    expect(report.input.files[0].parser).toBe('python-websockets');
    expect(report.input.files[0].keyless).toBeUndefined();
    check(report, expected);
  }

  it.skipIf(!HAVE_JSON)(`python-json-logger's JSON records with the LoggerAdapter recipe's ids, all clients at once${WHY_JSON}`, async () => {
    const { report, expected } = await generate(['--format', 'json', '--ids']);
    expect(report.input.files[0].parser).toBe('python-websockets');
    expect(report.input.files[0].keyless).toBeUndefined();
    check(report, expected);
  });

  it.skipIf(!HAVE)(`the LoggerAdapter recipe's ids, all clients at once: lines interleave, keys tell them apart${WHY}`, async () => {
    const { report, expected, log } = await generate(['--ids']);
    const ids = readFileSync(log, 'utf8').split('\n').map((l) => /[0-9a-f]{8}-[0-9a-f-]{27}/.exec(l)?.[0]).filter(Boolean);
    let switches = 0;
    for (let i = 1; i < ids.length; i++) if (ids[i] !== ids[i - 1]) switches++;
    expect(switches).toBeGreaterThan(8);
    expect(report.input.files[0].keyless).toBeUndefined();
    check(report, expected);
  });
});


describe('python-websockets: a live run of the keepalive sample on this machine', () => {
  it.skipIf(!HAVE)(`a client that stops answering pings: websockets' 1011 "keepalive ping timeout" judged a lost connection; one that answers, a normal close${WHY}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-keepalive-'));
    const log = join(dir, 'server.log');
    await runPython(['samples/python-websockets/keepalive.py', dir, '--name', log]);
    expect(readFileSync(log, 'utf8')).toMatch(/ DEBUG > CLOSE 1011 \(\w+ error\) keepalive ping timeout \[\d+ bytes\]\n/);
    const report = await expectSampleVerdicts(log, join(dir, 'server.expected.json'), 'python-websockets');
    expect(report.incidents.map((v) => [v.rootCause, v.closeCode, v.closeReason])).toEqual([['abnormal-closure', 1011, 'keepalive ping timeout']]);
  });
});

const HAVE_UVICORN = pythonCanImport('uvicorn') && pythonCanImport('fastapi') && pythonCanImport('websockets');
const WHY_UVICORN = HAVE_UVICORN ? '' : ' (skipped: /usr/bin/python3 cannot import uvicorn, fastapi and websockets; apt-get install python3-uvicorn python3-fastapi python3-websockets)';
if (!HAVE_UVICORN) console.warn(`uvicorn live tests${WHY_UVICORN}`);

describe('uvicorn: a live run of the sample FastAPI app on this machine', () => {
  it.skipIf(!HAVE_UVICORN).each([
    ['INFO, uvicorn\'s default format', []],
    ['DEBUG (--log-level debug: websockets\' frames and close codes)', ['--debug']],
    ['INFO, a --log-config giving its loggers the common format', ['--format', 'common']],
  ])(`at %s: every connection judged as its scenario calls for${WHY_UVICORN}`, async (_, args) => {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-uvicorn-'));
    const log = join(dir, 'server.log');
    await runPython(['samples/asgi/generate.py', dir, '--name', log, ...args]);
    const report = await expectSampleVerdicts(log, join(dir, 'server.expected.json'), 'python-websockets');
    expect(report.input.files[0]).toMatchObject({ skipped: {}, keyless: true });
    expect(readFileSync(log, 'utf8')).toMatch(args[0] === '--format' ? /^[\d-]+ [\d:,]+ uvicorn\.error INFO Started server process \[\d+\]\n/ : /^INFO:     Started server process \[\d+\]\n/);
    // What the clients saw: uvicorn sent no close frame after the app raised.
    const expected = JSON.parse(readFileSync(join(dir, 'server.expected.json'), 'utf8')) as (ExpectedVerdict & { peerSaw: number })[];
    expect(expected.filter((e) => e.peerSaw === 1006).map((e) => e.scenario)).toEqual(['binary-to-text', 'bad-json', 'binary-to-json', 'json-bug']);
  });
});

describe('uvicorn: a live run with python-json-logger\'s JSON through a --log-config', () => {
  it.skipIf(!HAVE_UVICORN || !HAVE_JSON)(`names each connection by websockets' connection object, which uvicorn's own records carry too${WHY_UVICORN || WHY_JSON}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-uvicorn-json-'));
    const log = join(dir, 'server.log');
    await runPython(['samples/asgi/generate.py', dir, '--name', log, '--format', 'json']);
    const report = await expectSampleVerdicts(log, join(dir, 'server.expected.json'), 'python-websockets');
    expect(report.input.files[0].skipped).toEqual({});
    expect(report.input.files[0].keyless).toBeUndefined();
    expect(JSON.parse(readFileSync(log, 'utf8').split('\n')[0])).toMatchObject({ name: 'uvicorn.error', levelname: 'INFO', message: expect.stringMatching(/^Started server process/) });
  });
});

const HAVE_DAPHNE = pythonCanImport('daphne') && pythonCanImport('fastapi') && pythonCanImport('websockets');
const WHY_DAPHNE = HAVE_DAPHNE ? '' : ' (skipped: /usr/bin/python3 cannot import daphne, fastapi and websockets; apt-get install python3-daphne python3-fastapi python3-websockets)';

describe('daphne: a live run of the sample FastAPI app on this machine', () => {
  it.skipIf(!HAVE_DAPHNE)(`names each connection by its client's address, and gives the app's exceptions the 1011 its clients saw${WHY_DAPHNE}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-daphne-'));
    const log = join(dir, 'server.log');
    await runPython(['samples/asgi/generate.py', dir, '--name', log, '--server', 'daphne']);
    const report = await expectSampleVerdicts(log, join(dir, 'server.expected.json'), 'python-websockets');
    expect(report.input.files[0].skipped).toEqual({});
    expect(readFileSync(log, 'utf8')).toMatch(/^[\d-]+ [\d:,]+ INFO {5}Starting server at tcp:port=\d+:interface=127\.0\.0\.1\n/);
    const expected = JSON.parse(readFileSync(join(dir, 'server.expected.json'), 'utf8')) as (ExpectedVerdict & { peerSaw: number })[];
    expect(expected.filter((e) => e.peerSaw === 1011).map((e) => e.scenario)).toEqual(['binary-to-text', 'bad-json', 'binary-to-json', 'json-bug', 'binary-to-strict']);
  }, 60_000);
});
