/**
 * Go services: lines of the std `log` package ("2026/11/24 17:48:34 msg", optionally with
 * microseconds, a `file.go:N: ` prefix and a slog level), keyed by the remote address a line names.
 * Also the records of Go's structured loggers, each read as the std log line `msg: error` would
 * be, with net/http's and the runtime's text lines among them. Run (samples/go-gorilla/say.go):
 * - zap 1.23's production encoder (Debian's golang-go.uber-zap-dev): `level`, `ts` (seconds),
 *   `caller`, `msg`, the fields, the error's text in `error`;
 * - logrus 1.9 (golang-github-sirupsen-logrus-dev): its text formatter as written to a file,
 *   `time="…" level=error msg="…" error="…"` then the fields sorted, or JSON, keys sorted;
 * - zerolog 1.26 (golang-github-rs-zerolog-dev): `level`, the fields, `error`, `time`, `message`;
 * - slog (golang.org/x/exp/slog, Go 1.21's log/slog): its text handler, `time=…
 *   level=ERROR msg=…` and the attributes (logfmt), or JSON in the same order; the error under
 *   whatever key the caller gives it (`err` in slog's docs).
 *
 * Texts checked in the source:
 * - gorilla/websocket 1.5.0 (Debian golang-github-gorilla-websocket-dev; unchanged at e064f32,
 *   2025-03) conn.go: `(*CloseError).Error()` = "websocket: close N (label): text", no label for
 *   1012-1014 and 3000-4999; ErrReadLimit "websocket: read limit exceeded" (it sends 1009);
 *   handleProtocolError "websocket: <details>" (it sends 1002).
 * - coder/websocket v1.8.15 (source) and nhooyr.io/websocket 1.8.7 (Debian, run): `CloseError.Error()` =
 *   `status = StatusX and reason = "..."`, `StatusCode(N)` for unnamed codes; "received close
 *   frame: ", "sent close frame: "; read limit "read limited at N bytes" (sends 1009), wrapped in
 *   ErrMessageTooBig "websocket: message too big" since 1.8.13; protocol errors "received ..." (1002).
 * - Go 1.19 net/http server.go: a handler panic is recovered and logged as
 *   "http: panic serving ADDR: VALUE" + the goroutine's stack. A panic elsewhere kills the
 *   process: "panic: VALUE" (or "fatal error: ...") then "goroutine N [running]:" and frames.
 * - encoding/json errors: "invalid character 'x' looking for beginning of value",
 *   "unexpected end of JSON input" (*SyntaxError), "json: cannot unmarshal ..." (*UnmarshalTypeError).
 */
import type { CloseEvent, ExceptionEvent, WsEvent } from '../src/model.js';
import { DEFAULT_FIELDS, FIELD, pickAll, type Picked, toLevel, toRoute, toTime } from './fields.js';
import { lineScore, shareOf } from './detect.js';
import { jsonObject } from './json-line.js';
import { logfmtParser, parseLogfmt } from './logfmt.js';
import type { Needle, Parser, Prefilter } from './parser.js';
import { jsonPrefilter, logfmtPrefilter } from './record-prefilter.js';
import { pickedEvents } from './record.js';
import { TraceJoiner, type TraceShape } from './stack.js';

/** Std log prefix: date, time, optional microseconds, optional `file.go:N: `. */
const LOG_PREFIX = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d:\d\d:\d\d(?:\.\d{1,9})?) (?:[\w./-]{1,200}\.go:\d{1,7}: )?/;
/** nginx's error log shares the date shape; its `[level] pid#tid:` tells it apart. */
const NGINX = /^\[\w{1,10}\] \d{1,10}#\d{1,10}: /;
const SLOG_LEVEL = /^(DEBUG|INFO|WARN|ERROR)(?:[+-]\d{1,2})? /;
const ADDRESS = /(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.%\w]{2,64}\]):\d{1,5}\b/;
const ROUTE = /(?:^|\s)(\/[^\s:]{0,200})(?=[:\s]|$)/;
/** A structured logger's record: JSON with a level's name, or logfmt starting as Go's loggers start theirs. */
const JSON_LEVEL = /"level":"[A-Za-z]{1,10}"/;
const LOGFMT_START = /^(?:time|ts|level|caller)=/;
/** A record's caller in a .go file: zap's `caller`, logrus's `file`, slog's `source` (text, or Go 1.21's JSON object). */
const GO_CALLER = /\b(?:"?(?:caller|file|source)"?[=:]"?[^"\s]{1,300}\.go:\d|"file":"[^"]{1,300}\.go","line":\d)/;
/**
 * The shapes only Go's loggers give a record: slog's level names before its message, logrus's
 * text start (its quoted time, its level names), and a time to the second as Go's RFC 3339 writes
 * it (logrus's and zerolog's default; JavaScript's ISO times always have milliseconds).
 */
const GO_RECORD = /level=(?:DEBUG|INFO|WARN|ERROR)(?:[+-]\d{1,2})? msg=|"level":"(?:DEBUG|INFO|WARN|ERROR)(?:[+-]\d{1,2})?","msg":|^time="[^"]{1,40}" level=(?:trace|debug|info|warning|error|fatal|panic) |"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)"/;
/** What only a Go service writes: the libraries' texts, net/http's and the runtime's, a Go logger's record. */
const MARKER = new RegExp(`websocket: close \\d|http: panic serving|^goroutine \\d+ \\[|^panic: |status = Status\\w+ and reason = |${GO_CALLER.source}|${GO_RECORD.source}`);

// Library texts.
const GORILLA_CLOSE = /websocket: close (\d{4})(?: \([A-Za-z ]{2,40}\))?(?:: (.{0,1000}))?$/;
const CODER_CLOSE = /status = (?:Status\w{1,40}|StatusCode\((\d{1,5})\)) and reason = "((?:[^"\\]|\\.){0,1000})"/;
const READ_LIMIT = /websocket: read limit exceeded|websocket: message too big|read limited at \d{1,20} bytes/;
const GORILLA_PROTOCOL = /websocket: ((?:RSV[123] set|len > 125 for control|FIN not set on control|data before FIN|continuation after FIN|bad opcode \d{1,3}|bad MASK)(?:, [\w >]{1,40}){0,8}|bad close code \d{1,5}|invalid utf8 payload in close frame)$/;
const CODER_PROTOCOL = /received (?:header with unexpected rsv bits set|unmasked frame from client|unknown opcode|control frame payload with invalid length|fragmented control frame|continuation frame without text or binary frame|new data message without finishing the previous message|invalid close payload)/;
const NET_DROP = /\b(?:connection reset by peer|broken pipe|use of closed network connection|i\/o timeout|unexpected EOF)\b|: EOF$/;
const JSON_ERROR = /invalid character '.{1,12}' (?:looking for beginning|after|in)\b.{0,80}|unexpected end of JSON input|json: cannot unmarshal .{1,200}/;
const ERROR_TEXT = /\b(?:error|failed|failure|err)\b[^:]{0,40}: (.{1,2000})$/i;

const CODER_STATUS: Record<string, number> = {
  StatusNormalClosure: 1000, StatusGoingAway: 1001, StatusProtocolError: 1002, StatusUnsupportedData: 1003,
  StatusNoStatusRcvd: 1005, StatusAbnormalClosure: 1006, StatusInvalidFramePayloadData: 1007,
  StatusPolicyViolation: 1008, StatusMessageTooBig: 1009, StatusMandatoryExtension: 1010,
  StatusInternalError: 1011, StatusServiceRestart: 1012, StatusTryAgainLater: 1013, StatusBadGateway: 1014,
  StatusTLSHandshake: 1015,
};

/** Lines of a goroutine dump: its header, frames (function line, then tab + file:line), "created by". */
const GO_TRACE: TraceShape = {
  continues(line) {
    if (line === '') return true;
    const c = line.charCodeAt(0);
    if (c === 9 /* \t */) return true; // "\t/path/file.go:12 +0x1f", "\tpanic: ..." of a re-panic
    if (c >= 48 && c <= 57) return false; // a timestamped log line
    return line.startsWith('goroutine ') || line.startsWith('created by ') || line.startsWith('[signal ')
      || line.startsWith('panic(') || line.startsWith('...additional frames elided...')
      || /^[\w.*/()$\[\]-]{1,300}\(.{0,2000}\)$/.test(line);
  },
};

export const goParser: Parser = {
  name: 'go',
  description: 'Go std log lines and zap, logrus, zerolog and slog records, gorilla/websocket and coder/websocket errors, panic traces',

  detect(lines) {
    return lineScore(lines, (line) => {
      const m = LOG_PREFIX.exec(line);
      // Untimed lines count when they are a goroutine dump's own: a tab-indented line must name a .go file.
      if (m) return !NGINX.test(line.slice(m[0].length));
      return isRecordLine(line) || line.startsWith('panic: ') || (GO_TRACE.continues(line, 1) && (line.charCodeAt(0) !== 9 || line.includes('.go:')));
    }, MARKER);
  },

  create(file, sink, _opts) {
    const joiner = new TraceJoiner((e) => sink.event(e));
    return joiner.reader(file, (text, at) => {
      const rec = recordOf(text);
      if (rec !== undefined) {
        for (const e of recordLineEvents(rec, text, at)) joiner.event(e);
        return;
      }
      const m = LOG_PREFIX.exec(text);
      if (!m) {
        if (text.startsWith('panic: ') || text.startsWith('fatal error: ')) {
          // The runtime's own output: the process is dying.
          const value = text.slice(text.indexOf(': ') + 2).replace(/ \[recovered\]$/, '');
          joiner.start(text, GO_TRACE, (lines) => [panicEvent(value, { time: undefined, conn: undefined, at }, lines, true)]);
        } else if (text.trim() !== '') {
          sink.skip('not-go-log');
        }
        return;
      }
      let msg = text.slice(m[0].length);
      const time = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}`);
      const lvl = SLOG_LEVEL.exec(msg);
      if (lvl) msg = msg.slice(lvl[0].length);
      const level = lvl ? toLevel(lvl[1]) : undefined;
      const conn = msg.includes(':') ? ADDRESS.exec(msg)?.[0] : undefined;
      const route = ROUTE.exec(msg.slice(0, 300))?.[1];
      const base = { time: Number.isNaN(time) ? undefined : time, conn, at, route };

      if (msg.startsWith('http: panic serving ')) {
        // net/http recovered a handler panic: that handler is gone, and with it the connection
        // (its deferred Close drops TCP without a close frame, so the peer sees 1006).
        const value = msg.slice(msg.indexOf(': ', 20) + 2);
        joiner.start(text, GO_TRACE, (lines) => [panicEvent(value, base, lines, false)]);
        if (conn) joiner.event({ ...base, kind: 'close', code: 1006, reason: '', initiator: 'server', clean: false });
        return;
      }
      for (const e of lineEvents(msg, base, level)) joiner.event(e);
    });
  },

  prefilter(_opts, lineStart) {
    return lineStart === '{' ? (jsonRecords ??= recordPrefilter(jsonPrefilter)) : (logfmtRecords ??= recordPrefilter(logfmtPrefilter));
  },

  lineStart(sample) {
    // Structured records only: the std log's lines start with a time, and a goroutine dump's with anything.
    const json = shareOf(sample, (_t, line) => line.charCodeAt(0) === 123 && isRecordLine(line));
    if (json >= 0.5) return '{';
    const logfmt = shareOf(sample, (_t, line) => line.charCodeAt(0) !== 123 && isRecordLine(line));
    return logfmt >= 0.5 ? logfmtParser.lineStart!(sample) : undefined;
  },
};

let jsonRecords: Prefilter | undefined;
let logfmtRecords: Prefilter | undefined;

/**
 * The fast path of structured records, JSON or logfmt: what a record must hold for its events
 * (record-prefilter.ts: a connection's keys, the close and frame words, ...), plus what
 * `lineEvents` reads beyond them (keep in step with its patterns): the libraries' texts, the
 * network's drops (beside the words' `connection reset` and `clos`), encoding/json's errors,
 * ERROR_TEXT's words at a word's start, and an address with its port, which keys a record
 * wherever it is written. The text between the records (net/http's panic lines, goroutine dumps,
 * the std log's lines) does not start as they do, so it is always read.
 */
function recordPrefilter(of: typeof jsonPrefilter): Prefilter {
  const atWordStart = (b: Uint8Array, start: number) => start === 0 || !isWordByte(b[start - 1]);
  const needles: Needle[] = [
    ...of(DEFAULT_FIELDS).needles,
    { text: 'websocket: ' }, { text: 'status = ' }, { text: 'read limited' }, { text: 'received ' },
    { text: 'broken pipe' }, { text: 'i/o timeout' }, { text: 'EOF' },
    { text: 'invalid character' }, { text: 'JSON input' }, { text: 'json: cannot' },
    { text: 'err', anyCase: true, check: atWordStart }, { text: 'fail', anyCase: true, check: atWordStart },
    // An IPv4 address's last byte and its port (a needle has two bytes or more), an IPv6 address's end.
    ...Array.from({ length: 10 }, (_, d) => ({ text: `.${d}`, followedBy: ['[0-9]{0,2}:[0-9]'] })), { text: ']:', followedBy: ['[0-9]'] },
  ];
  return { needles };
}

function isWordByte(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

type Base = Pick<WsEvent, 'time' | 'conn' | 'at' | 'route'>;

type Rec = Record<string, unknown>;

/** Whether a line looks like a structured logger's record, for `detect` and `lineStart`. */
function isRecordLine(line: string): boolean {
  return line.charCodeAt(0) === 123 /* { */ ? JSON_LEVEL.test(line) : LOGFMT_START.test(line);
}

/**
 * The record a JSON or logfmt line holds: any JSON object, each of its lines read alike whether
 * the prefilter lets it through or not (one without a message is read as the json parser would).
 */
function recordOf(text: string): Rec | undefined {
  if (text.charCodeAt(0) === 123) {
    const rec = jsonObject(text);
    return typeof rec === 'string' ? undefined : rec;
  }
  return LOGFMT_START.test(text) ? parseLogfmt(text, DEFAULT_FIELDS) : undefined;
}

/**
 * A record's events: its message and error as the std log line `msg: error` says them (the
 * usual `log.Printf("%s: %v", msg, err)`), keyed by its connection id or else the remote address
 * it names, routed by its path field; its other fields as the json parser reads them.
 */
function recordLineEvents(rec: Rec, text: string, at: string): WsEvent[] {
  if (isRequestLog(rec)) return [];
  const picked = pickAll(rec, DEFAULT_FIELDS);
  const values = picked.values;
  const msg = values[FIELD.message];
  const error = values[FIELD.error];
  const said = `${typeof msg === 'string' ? msg : ''}${typeof error === 'string' ? `: ${error}` : ''}`;
  const remote = values[FIELD.remote];
  const conn = values[FIELD.conn] ?? (typeof remote === 'string' && ADDRESS.test(remote) ? remote : ADDRESS.exec(text)?.[0]);
  const route = toRoute(values[FIELD.route]) ?? ROUTE.exec(said.slice(0, 300))?.[1];
  const base = { time: toTime(values[FIELD.time]), conn: conn === undefined ? undefined : String(conn), at, route };
  return lineEvents(said, base, toLevel(values[FIELD.level]), picked);
}

const HTTP_METHOD = /^(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|CONNECT|TRACE)$/;

/**
 * An HTTP request's own log, its method and its response's status (not an upgrade's 101), as
 * zerolog's hlog, echo and the like write one a request: no WebSocket's, as the json parser
 * takes pino-http's (record.ts), and the address it names (`r.RemoteAddr`, port and all) its
 * HTTP client's, which would otherwise key a connection of its own for every request.
 */
function isRequestLog(rec: Rec): boolean {
  const status = rec.status ?? rec.status_code ?? rec.statusCode;
  return typeof rec.method === 'string' && HTTP_METHOD.test(rec.method) && typeof status === 'number' && status >= 100 && status < 600 && status !== 101;
}

/** What one log message says, library texts first, then the shared message vocabulary (with a record's own fields, picked). */
function lineEvents(msg: string, base: Base, level: string | undefined, picked?: Picked): WsEvent[] {
  // Cheap substring tests first: most lines are the application's own and name no library text.
  const gorilla = msg.includes('websocket: ');
  let m = gorilla ? GORILLA_CLOSE.exec(msg) : null;
  if (m) return [close(base, Number(m[1]), m[2] ?? '', initiatorOf(msg))];
  m = msg.includes('status = ') ? CODER_CLOSE.exec(msg) : null;
  if (m) {
    const name = /status = (\w+)/.exec(msg)![1];
    const code = m[1] ? Number(m[1]) : CODER_STATUS[name];
    if (code !== undefined) return [close(base, code, m[2].replace(/\\(.)/g, '$1'), initiatorOf(msg))];
  }
  m = gorilla || msg.includes('read limited') ? READ_LIMIT.exec(msg) : null;
  if (m) {
    // The library sent 1009 itself; the application only sees this error.
    const type = m[0].startsWith('websocket: read') ? 'websocket.ErrReadLimit' : 'websocket.ErrMessageTooBig';
    return [libraryError(base, type, msg.slice(m.index), 1009), close(base, 1009, '', 'server')];
  }
  m = (gorilla ? GORILLA_PROTOCOL.exec(msg) : null) ?? (msg.includes('received ') ? CODER_PROTOCOL.exec(msg) : null);
  if (m) return [libraryError(base, 'error', msg.slice(m.index), 1002), close(base, 1002, '', 'server')];
  if (NET_DROP.test(msg)) {
    return [{ ...base, kind: 'close', code: 1006, reason: '', initiator: 'unknown', clean: false }];
  }
  m = msg.includes('JSON') || msg.includes('json: ') || msg.includes('invalid character') ? JSON_ERROR.exec(msg) : null;
  if (m) {
    const type = m[0].startsWith('json: cannot') ? 'json.UnmarshalTypeError' : 'json.SyntaxError';
    return [exception(base, type, msg.slice(m.index), level)];
  }
  m = ERROR_TEXT.exec(msg);
  if (m && level !== 'info' && level !== 'debug') return [exception(base, 'error', m[1], level)];

  // The record's own fields as picked, or none for a text line, with the line's message, time, level, key and route.
  const p = picked ?? pickAll(NO_FIELDS, DEFAULT_FIELDS);
  const v = p.values;
  v[FIELD.message] = msg;
  v[FIELD.time] = base.time;
  v[FIELD.level] = level;
  v[FIELD.conn] = base.conn;
  v[FIELD.route] = base.route;
  const out: WsEvent[] = [];
  pickedEvents(p, base.at, (e) => out.push(e));
  return out;
}

const NO_FIELDS: Rec = {};

/** A close the line says the server sent ("sending close: ...", coder's "sent close frame"); else the code read. */
function initiatorOf(msg: string): CloseEvent['initiator'] {
  return /\b(?:send(?:ing)?|sent|clos(?:e|ing) with)\b/i.test(msg) ? 'server' : 'unknown';
}

function close(base: Base, code: number, reason: string, initiator: CloseEvent['initiator']): CloseEvent {
  return { ...base, kind: 'close', code, reason, initiator, clean: code === 1006 ? false : undefined };
}

function exception(base: Base, type: string, message: string, level: string | undefined): ExceptionEvent {
  return { ...base, kind: 'exception', type, message, fatal: false, handled: level === 'warn' || undefined };
}

function libraryError(base: Base, type: string, message: string, wireCode: number): ExceptionEvent {
  return { ...base, kind: 'exception', type, message, fatal: false, wireCode };
}

/** A panic: its value is the message, the goroutine dump after its first line the stack; a runtime error names its own type. */
function panicEvent(value: string, base: Base, lines: string[], fatal: boolean): ExceptionEvent {
  const runtime = value.startsWith('runtime error: ');
  return {
    ...base, kind: 'exception', fatal,
    type: runtime ? 'runtime.Error' : 'panic',
    message: runtime ? value.slice(15) : value,
    stack: lines.length > 1 ? lines.slice(1).join('\n') : undefined,
  };
}
