/**
 * fast-check generators of what buggy programs and attackers write into logs: random bytes,
 * invalid UTF-8, NUL bytes, CR, deep JSON, half-written records, lines of every supported
 * format mixed in one file, and timestamps in every format and none.
 */
import fc from 'fast-check';

/** Timestamps as loggers write them, plus broken and absent ones. */
export const timestamp: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '2026-11-24T17:45:13.213Z', '2026-11-24T17:45:13Z', '2026-11-24T17:45:13.213+01:00', '2026-11-24T17:45:13.213456789Z',
    '2026-11-24 17:45:13,213', '2026-11-24 17:45:13.213', '2026/11/24 17:45:13', 'Nov 24 17:45:13', 'Tue, 24 Nov 2026 17:45:13 GMT',
    '24/Nov/2026:17:45:13 +0000', '2026-11-24T17:45:13.213+0000', '17:45:13.213', '1764006313', '1764006313213', '1764006313213456',
    '1764006313213456789', '1764006313.213', '', 'yesterday', '9999-99-99T99:99:99Z', '-1', 'NaN', '0',
  ),
  fc.constantFrom(1764006313, 1764006313213, 1764006313213456, 1764006313213456789, 0, -5, 1e308, Number.MAX_SAFE_INTEGER, 0.5),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: 0, max: 2 ** 31 }),
  fc.constant(undefined),
);

const WORDS = [
  'ws connection opened', 'ws connection closed', 'ws message received', 'message handler failed', 'connection closed with 1011',
  'client disconnected', 'closing code=1003', 'uncaughtException', 'sent message', 'upstream failed, handled; will retry',
  'new connection', 'connection handler failed', 'Traceback (most recent call last):', 'panic: runtime error', 'code 1006',
  'accepted', 'closed 1000 (normal)', 'invalid UTF-8', 'Message size 70000 exceeds limit', 'status:1009', 'x',
];

const textish = fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));

const errorObject = fc.record({
  type: fc.oneof(fc.constantFrom('TypeError', 'SyntaxError', 'Error', 'ConnectionClosedError'), fc.string({ maxLength: 10 })),
  message: textish,
  stack: fc.oneof(
    fc.constant('TypeError: x\n    at handler (/app/server.mjs:10:5)\n    at node:internal/x:1:1'),
    fc.constant(`Error: y\n    at a${' '.repeat(2000)}\n    at${'\t'.repeat(2000)}z`),
    fc.string({ maxLength: 200 }),
  ),
  code: fc.oneof(fc.constantFrom('WS_ERR_INVALID_UTF8', 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 'ECONNRESET'), fc.integer()),
}, { requiredKeys: [] });

/** A structured record with the fields the JSON and logfmt conventions look at, some of them wrong-typed. */
export const record: fc.Arbitrary<Record<string, unknown>> = fc.record({
  msg: textish,
  level: fc.oneof(fc.constantFrom(10, 20, 30, 40, 50, 60, 'info', 'warn', 'error', 'fatal', 'CRITICAL', 'dbg'), fc.jsonValue()),
  time: timestamp,
  connId: fc.oneof(fc.constantFrom('c1', 'c2', 'c3'), fc.integer({ min: 0, max: 3 }), fc.jsonValue()),
  route: fc.oneof(fc.constantFrom('/chat', '/json?token=x', 'ws://h:1/a', 'not a path'), fc.jsonValue()),
  code: fc.oneof(fc.constantFrom(1000, 1003, 1006, 1011, 4001, '1011', 999, 70000, -1), fc.jsonValue()),
  isBinary: fc.oneof(fc.boolean(), fc.jsonValue()),
  size: fc.oneof(fc.nat(), fc.jsonValue()),
  remoteAddress: fc.constantFrom('127.0.0.1', '::1', '10.0.0.1:5555'),
  remotePort: fc.nat(65535),
  pid: fc.constantFrom(1, 2),
  err: fc.oneof(errorObject, fc.string(), fc.jsonValue()),
  accepts: fc.oneof(fc.constantFrom('text', 'binary', 'any'), fc.dictionary(fc.constantFrom('/chat', '/x', 'y'), fc.constantFrom('text', 'binary', 'nope'))),
}, { requiredKeys: [] });

const logfmtValue = (v: unknown) => (typeof v === 'string' && /[\s"=]/.test(v) ? JSON.stringify(v) : String(v));

/** Lines in the shapes of the formats wsclose reads (and some it does not), with random content. */
export const formattedLine: fc.Arbitrary<string> = fc.oneof(
  record.map((r) => JSON.stringify(r)),
  record.map((r) => Object.entries(r).map(([k, v]) => `${k}=${logfmtValue(typeof v === 'object' ? JSON.stringify(v) : v)}`).join(' ')),
  fc.tuple(timestamp, textish).map(([t, m]) => `${String(t)} websockets.server INFO ${m}`),
  fc.tuple(timestamp, textish).map(([t, m]) => `${String(t)} [ERROR] ${m}`),
  fc.tuple(timestamp, textish).map(([t, m]) => `${String(t)} ERROR 1 --- [nio-8080-exec-1] o.s.w.s.h.LoggingWebSocketHandlerDecorator : ${m}`),
  fc.tuple(timestamp, textish).map(([t, m]) => `time="${String(t)}" level=error msg="${m}" conn=c1`),
  fc.tuple(fc.nat(99), timestamp, textish).map(([n, t, m]) => `${n}\t${String(t)}\t127.0.0.1\t127.0.0.1\t${n}\t1\t0x8\t${m}`),
  fc.constantFrom(
    'Traceback (most recent call last):', '  File "/app/server.py", line 12, in handler', 'ValueError: bad', 'goroutine 1 [running]:',
    'panic: runtime error: invalid memory address or nil pointer dereference', '\tat com.example.Chat.onMessage(Chat.java:42)',
    '    at handler (/app/server.mjs:10:5)', 'Unhandled exception. System.InvalidOperationException: x', '{"resourceSpans":[]}',
    '{"log":{"entries":[]}}', '{"_source":{"layers":{"websocket":{}}}}', '}', '{', '[]', 'null', '""', '{"msg":', '{"a":1}{"b":2}',
  ),
);

/** JSON nested `depth` levels, inside a record that otherwise looks like a close line. */
export function deepJson(depth: number): string {
  return `{"msg":"ws connection closed","connId":"deep","code":1011,"err":${'{"e":'.repeat(depth)}1${'}'.repeat(depth)},"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

/** Lines that are not text: random bytes decoded the way the reader decodes them (invalid UTF-8 becomes U+FFFD), NULs, CRs. */
export const garbageLine: fc.Arbitrary<string> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8').replace(/\n/g, ' ')),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => s.replace(/\n/g, ' ')),
  fc.tuple(formattedLine, fc.nat(50)).map(([l, n]) => `${l.slice(0, n)}\u0000${l.slice(n)}`),
  formattedLine.map((l) => `${l}\r`),
  formattedLine.map((l) => l.replace(/ /g, '\r')),
  formattedLine.chain((l) => fc.nat(l.length).map((n) => l.slice(0, n))), // half-written
);

/** One line of a hostile log. */
export const hostileLine: fc.Arbitrary<string> = fc.oneof(
  { weight: 16, arbitrary: formattedLine },
  { weight: 12, arbitrary: garbageLine },
  { weight: 1, arbitrary: fc.constantFrom(deepJson(10_000), '{"msg":"x","a":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}', '', ' ', '\t') },
);

/** A hostile log: lines of mixed formats; the first ones decide what `--format auto` picks. */
export const hostileLines: fc.Arbitrary<string[]> = fc.array(hostileLine, { minLength: 1, maxLength: 60, size: 'max' });

/** A hostile file as bytes: lines joined by LF or CRLF, with raw invalid UTF-8 and NULs spliced in. */
export const hostileFile: fc.Arbitrary<Buffer> = fc.tuple(
  hostileLines,
  fc.boolean(),
  fc.array(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })), { maxLength: 4 }),
  fc.boolean(),
).map(([lines, crlf, splices, trailingNewline]) => {
  let buf = Buffer.from(lines.join(crlf ? '\r\n' : '\n') + (trailingNewline && lines.length ? '\n' : ''), 'utf8');
  for (const [pos, bytes] of splices) {
    const at = buf.length ? pos % buf.length : 0;
    buf = Buffer.concat([buf.subarray(0, at), Buffer.from(bytes), buf.subarray(at)]);
  }
  return buf;
});
