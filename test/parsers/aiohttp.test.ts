/**
 * The aiohttp parser on real lines of Debian's aiohttp 3.8.4 (the committed sample), on texts
 * of later releases taken from aiohttp's source (version named), and, where /usr/bin/python3
 * imports aiohttp, a live run of the sample's server.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aiohttpParser } from '../../parsers/aiohttp.js';
import { pythonWebsocketsParser } from '../../parsers/python-websockets.js';
import type { WsEvent } from '../../src/model.js';
import type { Report } from '../../src/report.js';
import { runCli } from '../support/cli.js';
import { type ExpectedVerdict, expectVerdicts } from '../support/expect-verdict.js';
import { ofKind, parseAll } from '../support/parse.js';
import { pythonCanImport, runPython } from '../support/python.js';

const sample = readFileSync('samples/aiohttp/server.log', 'utf8').split('\n');

/** The lines of the connection the application logged open with this scenario, up to the next one. */
function connection(scenario: string): string[] {
  const start = sample.findIndex((l) => l.includes(`?scenario=${scenario} `));
  const next = sample.findIndex((l, i) => i > start && l.includes('websocket connection opened'));
  return sample.slice(start, next < 0 ? undefined : next);
}

const parse = (lines: string[]): WsEvent[] => parseAll(aiohttpParser, 'aio.log', lines);


describe('aiohttp 3.8.4: connections, read in order without keys', () => {
  it('a normal close: open, the message, the close the application logged; the access line adds nothing', () => {
    const lines = connection('text-normal');
    expect(lines.at(-1)).toMatch(/aiohttp\.access INFO 127\.0\.0\.1 \[.*\] "GET \/text\?scenario=text-normal HTTP\/1\.1" 101 /);
    const events = parse(lines);
    expect(events.map((e) => e.kind)).toEqual(['open', 'frame', 'close']);
    expect(events.every((e) => e.conn === undefined)).toBe(true);
    expect(events[0]).toMatchObject({ route: '/text', remote: '127.0.0.1', at: 'aio.log:1' });
    expect(events[1]).toMatchObject({ direction: 'in', type: 'text', size: 5 });
    expect(events[2]).toMatchObject({ code: 1000, at: 'aio.log:3' });
  });

  it('the application closed with 1003: its own line wins over ws.close_code, which is the client\'s answer', () => {
    const lines = connection('binary-to-text');
    expect(lines.some((l) => l.endsWith('websocket connection closed with code 1000'))).toBe(true);
    const events = parse(lines);
    expect(events.map((e) => e.kind)).toEqual(['open', 'frame', 'close']);
    expect(events[1]).toMatchObject({ type: 'binary', size: 3 });
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: 1003, initiator: 'server', at: 'aio.log:3' });
  });

  it('the handler raised: `Error handling request` is the exception, and the connection ends with 1006, no close frame', () => {
    const events = parse(connection('handler-bug'));
    expect(events.map((e) => e.kind)).toEqual(['open', 'frame', 'exception', 'close']);
    const ex = ofKind(events, 'exception')[0];
    expect(ex).toMatchObject({ type: 'KeyError', message: "'user'", fatal: false, handled: false, route: '/json', at: 'aio.log:3' });
    expect(ex.stack).toContain('aiohttp/web_protocol.py');
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: 1006, clean: false, initiator: 'server', at: 'aio.log:3' });
  });

  it('max_msg_size: the WebSocketError text the application logged carries the 1009 aiohttp sent; close_code says 1006', () => {
    const events = parse(connection('too-big'));
    expect(events.map((e) => e.kind)).toEqual(['open', 'exception', 'close']);
    expect(ofKind(events, 'exception')[0]).toMatchObject({ type: 'WebSocketError', message: 'Message size 2000 exceeds limit 1024', wireCode: 1009 });
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: 1006 });
  });
});

describe('aiohttp: texts of other releases, from the source', () => {
  it('3.11.12 and later name the remote: `Error handling request from <remote>` (web_protocol.py)', () => {
    const events = parse([
      '2026-11-26 17:29:20,451 chat INFO websocket connection opened /json from 10.1.2.3',
      '2026-11-26 17:29:20,452 aiohttp.server ERROR Error handling request from 10.1.2.3',
      'Traceback (most recent call last):',
      '  File "/srv/app/server.py", line 34, in handler',
      '    data = json.loads(msg.data)',
      'json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)',
    ]);
    expect(events.map((e) => e.kind)).toEqual(['open', 'exception', 'close']);
    expect(ofKind(events, 'exception')[0]).toMatchObject({ type: 'json.decoder.JSONDecodeError', handled: false });
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: 1006, clean: false });
  });

  it.each([
    ['3.8.4 http_websocket.py', 'Decompressed message size 4096 exceeds limit 1024', 1009],
    ['HEAD _websocket/reader_py.py', 'Decompressed message exceeds size limit 1024', 1009],
    ['HEAD _websocket/reader_py.py', 'Compressed message has too many deflate members', 1009],
    ['3.8.4 and HEAD', 'Invalid UTF-8 text message', 1007],
    ['3.8.4 and HEAD', 'Invalid close code: 999', 1002],
    ['3.8.4 and HEAD', 'Received frame with non-zero reserved bits', 1002],
    ['3.8.4 and HEAD', 'Control frame payload cannot be larger than 125 bytes', 1002],
    ['HEAD _websocket/reader_py.py', 'Continuation frame for non started message', 1002],
  ])('WebSocketError (%s): %s → %d', (_where, text, code) => {
    const events = parse([
      'INFO:chat:websocket connection opened /ws from 127.0.0.1',
      `WARNING:chat:ws connection closed with exception ${text}`,
    ]);
    expect(ofKind(events, 'exception')[0]).toMatchObject({ type: 'WebSocketError', message: text, wireCode: code });
  });

  it('an access line with status 101 ends a connection nobody logged closing; other requests are not connections', () => {
    const events = parse([
      'INFO:chat:websocket connection opened /ws from 127.0.0.1',
      'INFO:aiohttp.access:127.0.0.1 [26/Nov/2026:17:29:20 +0000] "GET /ws HTTP/1.1" 101 0 "-" "Python/3.11 aiohttp/3.8.4"',
      'INFO:aiohttp.access:127.0.0.1 [26/Nov/2026:17:29:21 +0000] "GET /health HTTP/1.1" 200 2 "-" "curl/7.88.1"',
      'WARNING:aiohttp.websocket:Client protocols [\'chat.v2\'] don’t overlap server-known ones (\'chat.v1\',)',
    ]);
    expect(events.map((e) => [e.kind, e.at])).toEqual([['open', 'aio.log:1'], ['close', 'aio.log:2']]);
    expect(ofKind(events, 'close')[0]).toMatchObject({ code: null, route: '/ws' });
  });
});

describe('aiohttp: detect', () => {
  it('claims aiohttp logs, weakly claims other Python logging, and leaves websockets logs to their parser', () => {
    expect(aiohttpParser.detect(sample.slice(0, 50))).toBeGreaterThan(0.6);
    expect(aiohttpParser.detect(['INFO:chat:websocket connection opened /ws from 127.0.0.1'])).toBeCloseTo(0.3);
    const ws = readFileSync('samples/python-websockets/server.log', 'utf8').split('\n').slice(0, 50);
    expect(aiohttpParser.detect(ws)).toBeLessThan(pythonWebsocketsParser.detect(ws));
    expect(aiohttpParser.detect(readFileSync('samples/ws-pino/chat.log', 'utf8').split('\n').slice(0, 50))).toBe(0);
  });
});

const HAVE = pythonCanImport('aiohttp');
const WHY = HAVE ? '' : ' (skipped: /usr/bin/python3 cannot import aiohttp; apt-get install python3-aiohttp)';
if (!HAVE) console.warn(`aiohttp live test${WHY}`);

const HAVE_JSON = HAVE && pythonCanImport('pythonjsonlogger');
const WHY_JSON = HAVE_JSON ? '' : `${WHY || ' (skipped'}; apt-get install python3-pythonjsonlogger)`;
const HAVE_STRUCTLOG = HAVE && pythonCanImport('structlog');
const WHY_STRUCTLOG = HAVE_STRUCTLOG ? '' : `${WHY || ' (skipped'}; apt-get install python3-structlog)`;

describe('aiohttp: a live run of the sample server on this machine', () => {
  it.skipIf(!HAVE)(`the bare basicConfig format: every scenario reaches its verdict, and the file is said to be read in order${WHY}`, async () => {
    await liveRun('default', /^INFO:chat:websocket connection opened /);
  });

  it.skipIf(!HAVE_JSON)(`python-json-logger's JSON records: every scenario reaches its verdict, and the file is said to be read in order${WHY_JSON}`, async () => {
    await liveRun('json', /^\{"asctime": "[-\d :,]{23}", "name": "chat", "levelname": "INFO", "message": "websocket connection opened /);
  });

  it.skipIf(!HAVE_STRUCTLOG)(`structlog's JSON records: every scenario reaches its verdict, and the file is said to be read in order${WHY_STRUCTLOG}`, async () => {
    await liveRun('structlog', /^\{"event": "websocket connection opened \/text\?scenario=[\w-]+ from 127\.0\.0\.1", "level": "info", "logger": "chat", "timestamp": "/);
  });

  /** The sample server's log in `format` (its first line matching `first`), each connection judged as expected. */
  async function liveRun(format: string, first: RegExp): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-aiohttp-'));
    const log = join(dir, 'server.log');
    await runPython(['samples/aiohttp/generate.py', dir, '--name', log, '--format', format]);
    expect(readFileSync(log, 'utf8')).toMatch(first);
    const res = await runCli(['analyze', log, '-o', 'json']);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as Report;
    expect(report.input.files[0]).toMatchObject({ parser: 'aiohttp', keyless: true });
    const expected = JSON.parse(readFileSync(join(dir, 'server.expected.json'), 'utf8')) as ExpectedVerdict[];
    expect(expected.length).toBe(7);
    expectVerdicts(report, expected);
  }
});
