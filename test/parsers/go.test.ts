/**
 * The Go parser on the exact texts of gorilla/websocket 1.5.0 (conn.go), coder/websocket v1.8.15
 * (close.go, read.go, stringer.go) and Go 1.19 net/http and runtime, the records of zap, logrus,
 * zerolog and slog as the sample server wrote them, and live on a real gorilla
 * server built with Debian's Go when `go` is installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { goParser } from '../../parsers/go.js';
import { BlockFilter } from '../../src/prefilter.js';
import { detectParser } from '../../parsers/index.js';
import { topFrame } from '../../src/exception.js';
import type { CloseEvent, ExceptionEvent } from '../../src/model.js';
import { expectSampleVerdicts } from '../support/expect-verdict.js';
import { parseLines } from '../support/parse.js';

const T = '2026/11/24 17:48:34';

describe('gorilla/websocket texts', () => {
  // (*CloseError).Error() in conn.go: a label for registered codes, none for 1012-1014 and 3xxx/4xxx.
  const cases: [string, number, string][] = [
    ['websocket: close 1000 (normal)', 1000, ''],
    ['websocket: close 1001 (going away)', 1001, ''],
    ['websocket: close 1002 (protocol error): bad MASK', 1002, 'bad MASK'],
    ['websocket: close 1003 (unsupported data): binary only', 1003, 'binary only'],
    ['websocket: close 1005 (no status)', 1005, ''],
    ['websocket: close 1006 (abnormal closure): unexpected EOF', 1006, 'unexpected EOF'],
    ['websocket: close 1007 (invalid payload data)', 1007, ''],
    ['websocket: close 1008 (policy violation): token expired', 1008, 'token expired'],
    ['websocket: close 1009 (message too big)', 1009, ''],
    ['websocket: close 1010 (mandatory extension missing)', 1010, ''],
    ['websocket: close 1011 (internal server error): internal error', 1011, 'internal error'],
    ['websocket: close 1012', 1012, ''],
    ['websocket: close 1013: try later', 1013, 'try later'],
    ['websocket: close 1014', 1014, ''],
    ['websocket: close 1015 (TLS handshake error)', 1015, ''],
    ['websocket: close 3001: registered', 3001, 'registered'],
    ['websocket: close 4001: custom', 4001, 'custom'],
  ];
  it.each(cases)('reads "%s" as close %i', (text, code, reason) => {
    const { events } = parseLines(goParser, 'app.log', [`${T} 127.0.0.1:48794 /chat: read error: ${text}`]);
    expect(events).toHaveLength(1);
    const c = events[0] as CloseEvent;
    expect(c).toMatchObject({ kind: 'close', code, reason, conn: '127.0.0.1:48794', route: '/chat', at: 'app.log:1', initiator: 'unknown' });
    expect(c.clean).toBe(code === 1006 ? false : undefined);
    expect(c.time).toBe(Date.parse('2026-11-24T17:48:34'));
  });

  it('takes a close the server logs sending as initiated by the server', () => {
    const { events } = parseLines(goParser, 'app.log', [`${T} 127.0.0.1:1 /t: sending close: websocket: close 1003 (unsupported data): text frames only`]);
    expect(events[0]).toMatchObject({ kind: 'close', code: 1003, reason: 'text frames only', initiator: 'server' });
  });

  it('reads the read limit as the 1009 gorilla sent, with the error behind it', () => {
    const { events } = parseLines(goParser, 'app.log', [`${T} 127.0.0.1:9 /b: read error: websocket: read limit exceeded`]);
    expect(events.map((e) => e.kind)).toEqual(['exception', 'close']);
    expect(events[0]).toMatchObject({ type: 'websocket.ErrReadLimit', message: 'websocket: read limit exceeded', wireCode: 1009, conn: '127.0.0.1:9' });
    expect(events[1]).toMatchObject({ code: 1009, initiator: 'server' });
  });

  it.each([
    'websocket: RSV2 set, RSV3 set, bad opcode 7',
    'websocket: len > 125 for control, FIN not set on control',
    'websocket: bad close code 1005',
    'websocket: invalid utf8 payload in close frame',
  ])('reads the protocol error "%s" as the 1002 gorilla sent', (text) => {
    const { events } = parseLines(goParser, 'app.log', [`${T} 127.0.0.1:9 /b: read error: ${text}`]);
    expect(events[0]).toMatchObject({ kind: 'exception', message: text, wireCode: 1002 });
    expect(events[1]).toMatchObject({ kind: 'close', code: 1002, initiator: 'server' });
  });

  it('reads a dropped TCP connection as 1006 without a close frame', () => {
    const { events } = parseLines(goParser, 'app.log', [`${T} 127.0.0.1:55504 /text: read error: read tcp 127.0.0.1:44049->127.0.0.1:55504: read: connection reset by peer`]);
    expect(events).toEqual([expect.objectContaining({ kind: 'close', code: 1006, clean: false, conn: '127.0.0.1:55504' })]);
  });

  it('reads the chat example\'s keyless line shape', () => {
    const { events } = parseLines(goParser, 'app.log', [`${T} error: websocket: close 1003 (unsupported data)`]);
    expect(events[0]).toMatchObject({ kind: 'close', code: 1003, conn: undefined });
  });
});

describe('coder/websocket (nhooyr) texts', () => {
  it.each([
    ['failed to get reader: received close frame: status = StatusUnsupportedData and reason = "binary only"', 1003, 'binary only', 'unknown'],
    ['failed to get reader: WebSocket closed: sent close frame: status = StatusNormalClosure and reason = "bye"', 1000, 'bye', 'server'],
    ['failed to get reader: received close frame: status = StatusInternalError and reason = "deferred close"', 1011, 'deferred close', 'unknown'],
    ['failed to get reader: received close frame: status = StatusCode(4001) and reason = "say \\"hi\\""', 4001, 'say "hi"', 'unknown'],
    ['failed to get reader: received close frame: status = StatusServiceRestart and reason = ""', 1012, '', 'unknown'],
  ])('reads %s', (text, code, reason, initiator) => {
    const { events } = parseLines(goParser, 'app.log', [`${T} 127.0.0.1:5 /c: ${text}`]);
    expect(events).toEqual([expect.objectContaining({ kind: 'close', code, reason, initiator })]);
  });

  it.each([
    'failed to read: read limited at 1025 bytes', // nhooyr.io/websocket 1.8.7
    'failed to read: websocket: message too big: read limited at 1025 bytes', // coder/websocket 1.8.13+
  ])('reads the read limit "%s" as 1009', (text) => {
    const { events } = parseLines(goParser, 'app.log', [`${T} 127.0.0.1:5 /c: ${text}`]);
    expect(events[0]).toMatchObject({ kind: 'exception', type: 'websocket.ErrMessageTooBig', wireCode: 1009 });
    expect(events[1]).toMatchObject({ kind: 'close', code: 1009 });
  });

  it('reads a protocol error as 1002', () => {
    const { events } = parseLines(goParser, 'app.log', [`${T} 127.0.0.1:5 /c: failed to get reader: received unmasked frame from client`]);
    expect(events[0]).toMatchObject({ kind: 'exception', wireCode: 1002 });
    expect(events[1]).toMatchObject({ kind: 'close', code: 1002 });
  });
});

describe('std log and slog line shapes', () => {
  it('reads microseconds, a file:line prefix and a slog level', () => {
    const { events } = parseLines(goParser, 'app.log', [
      '2026/11/24 17:48:34.123456 hub.go:88: 127.0.0.1:7 /chat: websocket connected',
      '2026/11/24 17:48:35.5 INFO 127.0.0.1:7 /chat: received binary message (12 bytes)',
      '2026/11/24 17:48:36 ERROR 127.0.0.1:7 /chat: handler failed: unexpected end of JSON input',
      '2026/11/24 17:48:37 WARN 127.0.0.1:7 /chat: publish error: queue full',
    ]);
    expect(events.map((e) => e.kind)).toEqual(['open', 'frame', 'exception', 'exception']);
    expect(events[0]).toMatchObject({ conn: '127.0.0.1:7', route: '/chat', time: Date.parse('2026-11-24T17:48:34.123456') });
    expect(events[1]).toMatchObject({ type: 'binary', direction: 'in' });
    expect(events[2]).toMatchObject({ type: 'json.SyntaxError', message: 'unexpected end of JSON input' });
    expect(events[3]).toMatchObject({ type: 'error', message: 'queue full', handled: true });
  });

  it('keys IPv6 remote addresses', () => {
    const { events } = parseLines(goParser, 'app.log', [`${T} [::1]:61000 /chat: websocket connected`]);
    expect(events[0]).toMatchObject({ kind: 'open', conn: '[::1]:61000' });
  });

  it('counts lines that are not Go log lines, and goes on', () => {
    const { events, skipped } = parseLines(goParser, 'app.log', ['garbage', `${T} 127.0.0.1:7 /x: read error: websocket: close 1000 (normal)`]);
    expect(skipped).toEqual({ 'not-go-log': 1 });
    expect(events).toHaveLength(1);
  });
});

const PANIC = [
  `${T} http: panic serving 127.0.0.1:48816: assignment to entry in nil map`,
  'goroutine 16 [running]:',
  'net/http.(*conn).serve.func1()',
  '\t/usr/lib/go-1.19/src/net/http/server.go:1850 +0xbf',
  'panic({0x688b80, 0x746280})',
  '\t/usr/lib/go-1.19/src/runtime/panic.go:890 +0x262',
  'main.(*room).join(0xc0000a4000, {0xc00013a600, 0xf})',
  '\t/srv/chat/room.go:42 +0xae',
  'created by net/http.(*Server).Serve',
  '\t/usr/lib/go-1.19/src/net/http/server.go:3102 +0x4db',
];

describe('Go panics', () => {
  it('joins a recovered handler panic into one exception and ends its connection without a close frame', () => {
    const { events } = parseLines(goParser, 'app.log', PANIC);
    expect(events.map((e) => e.kind)).toEqual(['exception', 'close']);
    const e = events[0] as ExceptionEvent;
    expect(e).toMatchObject({ type: 'panic', message: 'assignment to entry in nil map', fatal: false, conn: '127.0.0.1:48816', at: 'app.log:1' });
    expect(e.stack!.split('\n')).toHaveLength(PANIC.length - 1);
    expect(events[1]).toMatchObject({ kind: 'close', code: 1006, clean: false, initiator: 'server', conn: '127.0.0.1:48816' });
  });

  it('joins the trace even when other connections\' lines interleave, and keeps their events in line order', () => {
    const lines = [...PANIC.slice(0, 4), `${T} 127.0.0.1:9 /chat: received text message (5 bytes)`, ...PANIC.slice(4)];
    const { events } = parseLines(goParser, 'app.log', lines);
    expect(events.map((e) => e.kind)).toEqual(['exception', 'close', 'frame']);
    expect((events[0] as ExceptionEvent).stack).toContain('/srv/chat/room.go:42');
    expect(events[2]).toMatchObject({ conn: '127.0.0.1:9', at: 'app.log:5' });
  });

  it('reads a panic outside a handler as the fatal end of the process, runtime errors by their type', () => {
    const { events } = parseLines(goParser, 'app.log', [
      `${T} 127.0.0.1:9 /chat: websocket connected`,
      'panic: runtime error: index out of range [5] with length 3',
      '',
      'goroutine 41 [running]:',
      'main.broadcast(...)',
      '\t/srv/chat/hub.go:17',
      'main.(*hub).run(0xc00009c000)',
      '\t/srv/chat/hub.go:30 +0x79',
      'created by main.main',
      '\t/srv/chat/main.go:12 +0xab',
    ]);
    expect(events.map((e) => e.kind)).toEqual(['open', 'exception']);
    expect(events[1]).toMatchObject({ type: 'runtime.Error', message: 'index out of range [5] with length 3', fatal: true, conn: undefined, at: 'app.log:2' });
    expect((events[1] as ExceptionEvent).stack).toContain('created by main.main');
  });

  it('names the first application frame: past GOROOT, std packages, the module cache and GOPATH', () => {
    const { events } = parseLines(goParser, 'app.log', PANIC);
    expect(topFrame((events[0] as ExceptionEvent).stack)).toBe('main.(*room).join (/srv/chat/room.go:42)');
    expect(topFrame([
      'goroutine 9 [running]:',
      'github.com/gorilla/websocket.(*Conn).NextReader(0xc0001)',
      '\t/root/go/pkg/mod/github.com/gorilla/websocket@v1.5.3/conn.go:1009 +0x10',
      'github.com/gorilla/websocket.(*Conn).ReadMessage(0xc0001)',
      '\t/usr/share/gocode/src/github.com/gorilla/websocket/conn.go:1093 +0x2f',
      'encoding/json.Unmarshal({0xc0002, 0x4, 0x4})',
      '\t/usr/local/go/src/encoding/json/decode.go:107 +0x85',
      'example.com/chat/internal/hub.(*Hub).handle(0xc0003, {0xc0002, 0x4, 0x4})',
      '\t/src/chat/internal/hub/hub.go:61 +0x1b',
      'created by example.com/chat/internal/hub.Run in goroutine 1',
      '\t/src/chat/internal/hub/hub.go:30 +0x9c',
    ].join('\n'))).toBe('example.com/chat/internal/hub.(*Hub).handle (/src/chat/internal/hub/hub.go:61)');
  });

  it('reads a runtime fatal error the same way', () => {
    const { events } = parseLines(goParser, 'app.log', ['fatal error: concurrent map writes', '', 'goroutine 7 [running]:']);
    expect(events[0]).toMatchObject({ kind: 'exception', type: 'panic', message: 'concurrent map writes', fatal: true });
  });
});

describe('zap\'s JSON records', () => {
  /** A record as zap 1.23's production encoder writes it (the sample's keys, in its order). */
  const zap = (level: string, msg: string, more: Record<string, unknown> = {}) => JSON.stringify({
    level, ts: 1795891437.3082485, caller: 'go-gorilla/main.go:113', msg, remote: '127.0.0.1:46008', path: '/text', ...more,
  });

  it('reads a record as the std log line `msg: error` says it: the close gorilla read, keyed by the remote address, routed by the path', () => {
    const { events, skipped } = parseLines(goParser, 'app.log', [
      zap('info', 'websocket connected'),
      zap('error', 'read error', { error: 'websocket: close 1003 (unsupported data): text frames only', stacktrace: 'main.logRead\n\t/srv/main.go:113' }),
    ]);
    expect(skipped).toEqual({});
    expect(events[1]).toEqual({ kind: 'close', code: 1003, reason: 'text frames only', initiator: 'unknown', clean: undefined, time: 1795891437308.2485, conn: '127.0.0.1:46008', at: 'app.log:2', route: '/text' });
  });

  it('reads the library\'s own errors in `error` as its text lines are read: a read limit is the 1009 it sent', () => {
    const { events } = parseLines(goParser, 'app.log', [zap('error', 'read error', { error: 'websocket: read limit exceeded' })]);
    expect(events.map((e) => [e.kind, e.conn, (e as { code?: number }).code ?? (e as { wireCode?: number }).wireCode])).toEqual([['exception', '127.0.0.1:46008', 1009], ['close', '127.0.0.1:46008', 1009]]);
  });

  it('reads the record\'s level: an error logged at info is no exception, at error it is', () => {
    const kinds = (level: string) => parseLines(goParser, 'app.log', [zap(level, 'upstream', { error: 'dial failed: connection refused' })]).events.map((e) => e.kind);
    expect(kinds('info')).not.toContain('exception');
    expect(kinds('error')).toEqual(['exception']);
  });

  it('is picked for zap\'s records with net/http\'s panic text among them, and not for pino\'s', () => {
    expect(detectParser([zap('info', 'websocket connected'), zap('error', 'read error', { error: 'websocket: close 1000 (normal)' }), ...PANIC])?.name).toBe('go');
    expect(goParser.detect(['{"level":30,"time":1,"msg":"ws connection opened","connId":"c1"}'])).toBe(0);
  });
});

describe('logrus\', zerolog\'s and slog\'s records', () => {
  const CLOSE = 'websocket: close 1003 (unsupported data): text frames only';
  /**
   * The close a server logs sending, as each logger wrote it in the sample's runs (say.go), and
   * its first record of a connection.
   */
  const SHAPES = [
    {
      logger: 'logrus, text',
      close: `time="2026-11-28T19:33:31Z" level=info msg="sending close" error="${CLOSE}" path=/text remote="127.0.0.1:53334"`,
      open: 'time="2026-11-28T19:33:31Z" level=info msg="websocket connected" path=/text remote="127.0.0.1:53334"',
      time: Date.parse('2026-11-28T19:33:31Z'),
    },
    {
      logger: 'logrus, JSON',
      close: `{"error":"${CLOSE}","level":"info","msg":"sending close","path":"/text","remote":"127.0.0.1:53334","time":"2026-11-28T19:33:31Z"}`,
      open: '{"level":"info","msg":"websocket connected","path":"/text","remote":"127.0.0.1:53334","time":"2026-11-28T19:33:31Z"}',
      time: Date.parse('2026-11-28T19:33:31Z'),
    },
    {
      logger: 'zerolog',
      close: `{"level":"info","remote":"127.0.0.1:53334","path":"/text","error":"${CLOSE}","time":"2026-11-28T19:33:31Z","message":"sending close"}`,
      open: '{"level":"info","remote":"127.0.0.1:53334","path":"/text","time":"2026-11-28T19:33:31Z","message":"websocket connected"}',
      time: Date.parse('2026-11-28T19:33:31Z'),
    },
    {
      logger: 'slog, text',
      close: `time=2026-11-28T19:33:31.412Z level=INFO msg="sending close" remote=127.0.0.1:53334 path=/text err="${CLOSE}"`,
      open: 'time=2026-11-28T19:33:31.412Z level=INFO msg="websocket connected" remote=127.0.0.1:53334 path=/text',
      time: Date.parse('2026-11-28T19:33:31.412Z'),
    },
    {
      logger: 'slog, JSON',
      close: `{"time":"2026-11-28T19:33:31.412345897Z","level":"INFO","msg":"sending close","remote":"127.0.0.1:53334","path":"/text","err":"${CLOSE}"}`,
      open: '{"time":"2026-11-28T19:33:31.412345897Z","level":"INFO","msg":"websocket connected","remote":"127.0.0.1:53334","path":"/text"}',
      time: Date.parse('2026-11-28T19:33:31.412Z'),
    },
  ];

  it.each(SHAPES)('$logger: reads the close the server sent as the std log line says it, keyed by the remote address, routed by the path', ({ close, open, time }) => {
    const { events, skipped } = parseLines(goParser, 'app.log', [open, close]);
    expect(skipped).toEqual({});
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ kind: 'open', conn: '127.0.0.1:53334', route: '/text', time, at: 'app.log:1' });
    expect(events[1]).toEqual({ kind: 'close', code: 1003, reason: 'text frames only', initiator: 'server', clean: undefined, time, conn: '127.0.0.1:53334', at: 'app.log:2', route: '/text' });
  });

  it.each(SHAPES)('$logger: picked by its records\' shape alone, before any library text', ({ open }) => {
    expect(detectParser(Array.from({ length: 50 }, () => open))?.name).toBe('go');
  });

  it('leaves JavaScript\'s records to the json and logfmt parsers: their times have milliseconds, their levels are not slog\'s', () => {
    const winston = '{"level":"info","message":"ws connected","timestamp":"2026-11-28T19:33:31.412Z","connId":"c1"}';
    const bunyan = '{"name":"chat","hostname":"vm","pid":1,"level":30,"msg":"ws connected","time":"2026-11-28T19:33:31.412Z","v":0}';
    const pinoLogfmt = 'level=30 time=1795714181883 pid=21452 hostname=vm connId=c1 route=/text msg="ws connection opened"';
    const heroku = 'time=2026-11-28T19:33:31.412Z level=info msg="ws connection opened" connId=c1';
    expect(detectParser([winston, winston])?.name).toBe('json');
    expect(detectParser([bunyan, bunyan])?.name).toBe('json');
    expect(detectParser([pinoLogfmt, pinoLogfmt])?.name).toBe('logfmt');
    expect(detectParser([heroku, heroku])?.name).toBe('logfmt');
  });

  it('keys a record by its remote field, not by an address in its error (logrus writes `error` before `remote`)', () => {
    const { events } = parseLines(goParser, 'app.log', [
      'time="2026-11-28T19:33:31Z" level=error msg="read error" error="read tcp 10.0.0.1:8080->10.0.0.2:5555: read: connection reset by peer" path=/text remote="10.0.0.2:5555"',
    ]);
    expect(events).toEqual([{ kind: 'close', code: 1006, reason: '', initiator: 'unknown', clean: false, time: Date.parse('2026-11-28T19:33:31Z'), conn: '10.0.0.2:5555', at: 'app.log:1', route: '/text' }]);
  });

  it('reads an error-level record\'s error as its exception, whatever words it has; at info level, no exception', () => {
    const line = (level: string) => `{"level":"${level}","remote":"127.0.0.1:53334","path":"/text","error":"connection refused","time":"2026-11-28T19:33:31Z","message":"upstream"}`;
    const { events } = parseLines(goParser, 'app.log', [line('error')]);
    expect(events).toEqual([{ kind: 'exception', type: 'Error', message: 'connection refused', stack: undefined, fatal: false, handled: false, code: undefined, wireCode: undefined, connectionClosed: undefined, time: Date.parse('2026-11-28T19:33:31Z'), conn: '127.0.0.1:53334', at: 'app.log:1', route: '/text', process: undefined }]);
    expect(parseLines(goParser, 'app.log', [line('info')]).events.map((e) => e.kind)).toEqual(['note']);
  });

  it('takes an HTTP request\'s own log for no connection\'s, its client\'s address keying nothing; an upgrade\'s 101 for its connection\'s', () => {
    // zerolog's hlog: AccessHandler's status, MethodHandler's method, RemoteAddrHandler's `ip` (r.RemoteAddr).
    const request = (status: number) => `{"level":"info","ip":"10.1.2.3:54321","method":"GET","url":"/chat","status":${status},"size":0,"duration":0.2,"time":"2026-11-28T19:33:31Z","message":"request"}`;
    expect(parseLines(goParser, 'app.log', [request(200), request(503)]).events).toEqual([]);
    expect(parseLines(goParser, 'app.log', [request(101)]).events).toMatchObject([{ kind: 'note', conn: '10.1.2.3:54321', route: '/chat' }]);
  });

  it('reads a record\'s own fields as the json parser does: a connection id, a frame\'s type', () => {
    const { events } = parseLines(goParser, 'app.log', [
      'time=2026-11-28T19:33:31.412Z level=INFO msg="message received" connId=c7 type=binary bytes=3 remote=127.0.0.1:53334 path=/text',
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'frame', conn: 'c7', route: '/text', direction: 'in', type: 'binary', size: 3, at: 'app.log:1' });
  });
});

describe('the prefilter of structured records', () => {
  /** What lineEvents reads from a record beyond the json parser's fields and words, alone in a message at warn level. */
  const TEXTS = [
    'websocket: read limit exceeded', 'websocket: RSV1 set, bad opcode 7', 'status = StatusPolicyViolation and reason = ""',
    'read limited at 1025 bytes', 'received unmasked frame from client', 'write: broken pipe', 'i/o timeout', 'unexpected EOF',
    'invalid character \'x\' looking for beginning of value', 'unexpected end of JSON input',
    'json: cannot unmarshal number into Go value of type string', 'dial failed: refused', 'Error: nope: x',
  ];
  const NOISE = '{"level":"info","ts":1795891437.3,"msg":"request","path":"/api/items/3","status":200,"duration":0.0012,"client_ip":"10.9.1.2","referrer":"https://a.example/"}';
  const SHAPES = [
    {
      syntax: 'JSON', start: '{', noise: NOISE,
      line: (msg: string, field?: [string, string]) => `{"level":"warn","ts":1795891437.3,"msg":${JSON.stringify(msg)}${field ? `,"${field[0]}":"${field[1]}"` : ''}}`,
    },
    {
      syntax: 'logfmt', start: 'time=', noise: 'time=2026-11-28T19:33:31.412Z level=INFO msg=request path=/api/items/3 status=200 duration=0.0012 client_ip=10.9.1.2 referrer=https://a.example/',
      line: (msg: string, field?: [string, string]) => `time=2026-11-28T19:33:31.412Z level=WARN msg=${JSON.stringify(msg)}${field ? ` ${field[0]}=${field[1]}` : ''}`,
    },
  ];

  /** Whether the go parser's prefilter, for an input whose lines start with `start`, lets `line` through among noise lines. */
  function kept(start: string, line: string, noise: string): boolean {
    const filter = new BlockFilter({ ...goParser.prefilter!(undefined, start), lineStart: start });
    const before = `${noise}\n`.repeat(3);
    const buf = Buffer.from(`${before}${line}\n${noise}\n`);
    const f = filter.scan(buf, 0, buf.length);
    const at = Buffer.byteLength(before);
    return Array.from(f.at.subarray(0, f.hits)).some((h) => h >= at && h < at + Buffer.byteLength(line));
  }

  describe.each(SHAPES)('$syntax', ({ start, line, noise }) => {
    it.each(TEXTS)('lets a record through whose message says only %j, an event with no connection', (text) => {
      expect(parseLines(goParser, 'app.log', [line(text)]).events.length).toBeGreaterThan(0);
      expect(kept(start, line(text), noise)).toBe(true);
    });

    it('lets a record through whose address, in a field no parser knows, keys it; not the request logs around it', () => {
      for (const addr of ['10.1.2.3:5555', '[fe80::1%eth0]:5555']) {
        const rec = line('hello', ['addr', addr]);
        expect(parseLines(goParser, 'app.log', [rec]).events[0]).toMatchObject({ kind: 'note', conn: addr });
        expect(kept(start, rec, noise)).toBe(true);
      }
      expect(parseLines(goParser, 'app.log', [noise]).events).toEqual([]);
      expect(kept(start, noise, noise)).toBe(false);
    });
  });
});

describe('detect', () => {
  it('picks the Go parser for Go log lines and leaves JSON and nginx alone', () => {
    expect(detectParser([`${T} 127.0.0.1:1 /x: websocket connected`, `${T} 127.0.0.1:1 /x: read error: websocket: close 1000 (normal)`])?.name).toBe('go');
    expect(detectParser(PANIC)?.name).toBe('go');
    expect(goParser.detect(['{"level":30,"msg":"ws connection opened"}'])).toBe(0);
    expect(goParser.detect(['2026/11/24 17:52:04 [info] 22259#22259: *5 upstream timed out'])).toBe(0);
  });
});

/** Debian's Go and gorilla/websocket, without network: GOPATH mode. */
const GOPATH = '/usr/share/gocode';
const haveGo = spawnSync('go', ['version']).status === 0 && ['github.com/gorilla/websocket/conn.go', 'nhooyr.io/websocket/conn.go', 'go.uber.org/zap/logger.go',
  'github.com/sirupsen/logrus/logger.go', 'github.com/rs/zerolog/log.go', 'golang.org/x/exp/slog/logger.go']
  .every((f) => existsSync(join(GOPATH, 'src', f)));

describe('live: a real gorilla/websocket and nhooyr.io/websocket server built with Debian\'s Go', () => {
  // A build cache kept between runs makes the rebuild take about a second.
  const cache = join(tmpdir(), 'wsclose-go-cache');
  let bin = '';
  beforeAll(() => {
    if (!haveGo) return;
    mkdirSync(cache, { recursive: true });
    bin = join(mkdtempSync(join(tmpdir(), 'wsclose-gobin-')), 'gows');
    execFileSync('go', ['build', '-o', bin, '.'], {
      cwd: 'samples/go-gorilla',
      env: { ...process.env, GO111MODULE: 'off', GOPATH, GOFLAGS: '', GOCACHE: cache },
    });
  });

  it.skipIf(!haveGo)('the std log: regenerates the sample and reaches the verdict of every connection', async () => {
    await liveRun([]);
  });

  /** Each structured logger of say.go, and how its first record starts. */
  const LOGGERS = [
    { logger: 'zap', first: /^\{"level":"info","ts":[\d.]+,"caller":"go-gorilla\/\w+\.go:\d+","msg":"websocket connected","remote":"127\.0\.0\.1:\d+","path":"\// },
    { logger: 'logrus', first: /^time="[\d-]+T[\d:]+Z" level=info msg="websocket connected" path=\/[\w/]+ remote="127\.0\.0\.1:\d+"\n/ },
    { logger: 'logrus-json', first: /^\{"level":"info","msg":"websocket connected","path":"\/[\w/]+","remote":"127\.0\.0\.1:\d+","time":"[\d-]+T[\d:]+Z"\}\n/ },
    { logger: 'zerolog', first: /^\{"level":"info","remote":"127\.0\.0\.1:\d+","path":"\/[\w/]+","time":"[\d-]+T[\d:]+Z","message":"websocket connected"\}\n/ },
    { logger: 'slog', first: /^time=[\d-]+T[\d:]+\.\d{3}Z level=INFO msg="websocket connected" remote=127\.0\.0\.1:\d+ path=\/[\w/]+\n/ },
    { logger: 'slog-json', first: /^\{"time":"[\d-]+T[\d:.]+Z","level":"INFO","msg":"websocket connected","remote":"127\.0\.0\.1:\d+","path":"\/[\w/]+"\}\n/ },
  ];

  it.skipIf(!haveGo).each(LOGGERS)('$logger\'s records, net/http\'s and the runtime\'s text among them: the same', async ({ logger, first }) => {
    const log = await liveRun(['-log', logger]);
    expect(log).toMatch(first);
    expect(log).toContain('http: panic serving');
  });

  /** Runs the built server (with `args`) and checks every connection's verdict; the log's text. */
  async function liveRun(args: string[]): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-go-'));
    execFileSync(bin, ['-out', dir, ...args], { timeout: 30_000 });
    const report = await expectSampleVerdicts(join(dir, 'server.log'), join(dir, 'server.expected.json'), 'go');
    expect(report.input.files[0].skipped).toEqual({});
    expect(report.input.connections).toMatchObject({ openAtEnd: 0, crashed: 3 });
    return readFileSync(join(dir, 'server.log'), 'utf8');
  }
  if (!haveGo) it.skip('needs golang-go, golang-github-gorilla-websocket-dev, golang-nhooyr-websocket-dev, golang-go.uber-zap-dev, golang-github-sirupsen-logrus-dev, golang-github-rs-zerolog-dev and golang-golang-x-exp-dev (apt-get install them; .ci/run does)', () => {});
});
