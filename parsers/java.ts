/**
 * Java services: Spring WebSocket, Apache Tomcat and Eclipse Jetty, in the usual line shapes:
 * logback/log4j (`2026-11-24 17:54:16.123 [thread] ERROR logger - message`, level and thread in
 * either order), Spring Boot (`... ERROR 4242 --- [thread] s.w.s.h.Logger : message`), Tomcat's
 * OneLineFormatter (`24-Nov-2026 17:54:16.123 SEVERE [thread] class.method message`) and
 * java.util.logging's two-line SimpleFormatter. Stack traces ("at ...", "Caused by:",
 * "... N more") are joined into the exception of the line before them.
 *
 * The same records as JSON, one a line, as services in containers write them: logback's
 * LogstashEncoder (logstash-logback-encoder; Spring Boot's `logstash` structured format has its
 * keys): `message`, `@timestamp`, `level`, `thread_name`, `logger_name`, the trace's text in
 * `stack_trace`; ECS (Spring Boot's `ecs`, log4j2's EcsLayout): `log.level`, `process.thread.name`,
 * `log.logger`, `error.stack_trace`, the keys dotted (Spring Boot 3.4, log4j2) or nested (Spring
 * Boot 3.5 on); GELF (Spring Boot's `gelf`): `short_message`, `_level_name`, `_process_thread_name`,
 * `_log_logger`, `_error_stack_trace`; log4j2's LogstashJsonEventLayoutV1: `exception.stacktrace`;
 * log4j2's JsonLayout: `instant`, `thread`, `loggerName`, the trace as `thrown`'s frames.
 * Their messages are read as the lines' are; the record's own fields (an MDC's session id, a
 * code) are read as the JSON parser reads a record's. Keys checked in the source: spring-boot
 * 3.4.0, 3.5.0 and main (`*StructuredLogFormatter`), log4j2 2.19 and 2.x (`EcsLayout.json`,
 * `LogstashJsonEventLayoutV1.json`), logstash-logback-encoder 7.2 and log4j2 2.19's JsonLayout (run:
 * Debian's).
 *
 * Connection keys: Spring's `StandardWebSocketSession[id=.., uri=..]`, `session <id>` in the
 * message, Tomcat's `session [<id>]`; a keyless line inherits the session its thread logged last
 * for what the libraries' texts say of it (Tomcat's own error report, a close status), not for
 * the shared vocabulary's words (see `lineEvents`).
 *
 * Texts checked in the source:
 * - Spring Framework spring-websocket (main, 2026-08; stable since 5.0): CloseStatus.toString
 *   "CloseStatus[code=1011, reason=null]"; ExceptionWebSocketHandlerDecorator logs "Closing
 *   session due to exception for <session>" and closes with SERVER_ERROR (1011);
 *   TextWebSocketHandler closes a binary message with 1003 "Binary messages not supported",
 *   BinaryWebSocketHandler text with "Text messages not supported".
 * - Apache Tomcat 10.1.60 (Debian libtomcat10-embed-java, run): CloseReason.toString
 *   "CloseReason: code [1006], reason [..]"; PojoEndpointBase "No error handling configured for
 *   [<class>] and the following error occurred"; after it the session closes with
 *   "An unrecoverable IOException occurred so the connection was closed" (wsFrame.ioeTriggeredClose):
 *   1006 locally, while the peer receives 1002.
 * - Eclipse Jetty 12 websocket-core CloseStatus.toString "{1011=SERVER_ERROR,reason}".
 */
import type { CloseEvent, ExceptionEvent, FrameType, WsEvent } from '../src/model.js';
import { DEFAULT_FIELDS, FIELD, pickAll, type Picked, toLevel, toRoute, toTime, valueAt } from './fields.js';
import { lineScore, shareOf } from './detect.js';
import { jsonObject } from './json-line.js';
import type { Parser, Prefilter } from './parser.js';
import { jsonPrefilter } from './record-prefilter.js';
import { pickedEvents, recordEvents } from './record.js';
import { isAtFrame, MAX_TRACE_LINES, throwableLine, TraceJoiner, type TraceShape } from './stack.js';

const MONTHS: Record<string, string> = {
  Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12',
};
/** ISO-like (logback, log4j, Spring Boot) or Tomcat's dd-MMM-yyyy; a time of day alone (log4j2's default). */
const STAMP = /^(?:(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d(?:[.,]\d{1,9})?)(Z|[+-]\d\d:?\d\d)?|(\d\d)-([A-Z][a-z]{2})-(\d{4}) (\d\d:\d\d:\d\d(?:\.\d{1,9})?)|(\d\d:\d\d:\d\d[.,]\d{1,9}))\s+/;
/** java.util.logging's SimpleFormatter first line: "Nov 24, 2026 5:54:16 PM class method". */
const JUL_HEAD = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) (\d{1,2}):(\d\d):(\d\d) ([AP]M) (\S{1,300})(?: \S{1,200})?$/;
const JUL_BODY = /^(SEVERE|WARNING|INFO|CONFIG|FINE|FINER|FINEST): (.*)$/;
const LEVEL = /^(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|SEVERE|FINE|FINER|FINEST|CONFIG)$/;

const SPRING_SESSION = /(\w{0,40}Session)\[id=([^,\]\s]{1,64})(?:, uri=([^\]\s]{1,500}))?\]/;
const SESSION_ID = /\bsession(?:[ _]?id)?(?:[=:]\s?| \[| )([0-9a-f]{1,32}|[\w-]{0,64}\d[\w-]{0,64})\b/i;
const ROUTE = /(?:^|\s)(\/[^\s:]{0,200})(?=[:\s]|$)/;

const CLOSE_STATUS = /CloseStatus\[code=(\d{4}), reason=(.{0,1000}?)\]/;
const CLOSE_REASON = /CloseReason: code \[(\d{4})\], reason \[(.{0,1000})\]/;
const JETTY_CLOSE = /\{(\d{4})=[A-Z_]{2,30},(.{0,1000}?)\}/;
const SPRING_HANDLER_ERROR = 'Closing session due to exception for ';
const TOMCAT_IOE_CLOSE = 'An unrecoverable IOException occurred so the connection was closed';
const SPRING_MESSAGE = /^(Handling|Sending) (Text|Binary|Ping|Pong)Message payload=\[.{0,120}?, byteCount=(\d{1,12})/;

/** A Java stack trace after its first line: frames, causes, suppressed, elisions. */
const JAVA_TRACE: TraceShape = {
  continues(line) {
    if (isAtFrame(line)) return true;
    const t = line.trimStart();
    return t.startsWith('Caused by: ') || t.startsWith('Suppressed: ') || /^\.\.\. \d{1,9} (?:more|common frames omitted)$/.test(t);
  },
};

interface LogLine {
  time: number | undefined;
  level: string | undefined;
  thread: string | undefined;
  msg: string;
  at: string;
  /** A JSON record's own connection and route fields. */
  conn?: string;
  route?: string;
}

/** Where the JSON layouts write the thread and the trace's text (the keys dotted or nested, see above). */
const THREAD_KEYS = ['thread_name', 'process.thread.name', '_process_thread_name', 'thread'];
const TRACE_KEYS = ['stack_trace', 'error.stack_trace', '_error_stack_trace', 'exception.stacktrace', 'thrown.extendedStackTrace'];
/** A JSON line of one of the layouts: a logger's and a thread's key, whichever way written. */
const JSON_LOGGER = /"(?:logger_name|log\.logger|logger|_log_logger|loggerName)"\s*:/;
const JSON_THREAD = /"(?:thread_name|process\.thread\.name|_process_thread_name)"\s*:|"thread"\s*:\s*(?:\{\s*"name"\s*:|")/;

export const javaParser: Parser = {
  name: 'java',
  description: 'Java logs (logback, log4j, Spring Boot, Tomcat/JUL) with Spring, Tomcat and Jetty WebSocket texts and stack traces',

  detect(lines) {
    return lineScore(
      lines,
      (line) => !!headerOf(line, '') || isJavaJson(line) || JUL_HEAD.test(line) || JUL_BODY.test(line) || isAtFrame(line) || line.trimStart().startsWith('Caused by: '),
      /CloseStatus\[code=|CloseReason: code \[|\bat [\w$.]{1,200}\([\w$]{1,100}\.java:\d|WebSocketSession\[id=|\[(?:main|http-nio-[\w-]{1,40})\]|\\tat [\w$.]{1,200}\([\w$]{1,100}\.java:\d|"(?:thread_name|process\.thread\.name|_process_thread_name)"\s*:/,
    );
  },

  create(file, sink, _opts) {
    const joiner = new TraceJoiner((e) => sink.event(e));
    const threads = new Map<string, string>();
    let pending: LogLine | undefined;
    let julHead: { time: number | undefined } | undefined;

    /**
     * The events of a record: `trace` is the first line of the trace that follows its line, or,
     * for a JSON record, the whole trace its field holds.
     */
    const resolve = (line: LogLine, trace: string | undefined, json?: Picked) => {
      const spring = SPRING_SESSION.exec(line.msg);
      let conn = line.conn ?? spring?.[2] ?? SESSION_ID.exec(line.msg)?.[1];
      const route = line.route ?? (spring?.[3] ? toRoute(spring[3]) : undefined) ?? ROUTE.exec(line.msg.slice(0, 300))?.[1];
      let inherited = false;
      if (line.thread) {
        if (conn) remember(threads, line.thread, conn);
        else inherited = (conn = threads.get(line.thread)) !== undefined;
      }
      const base = { time: line.time, conn, at: line.at, route };
      if (trace !== undefined) {
        const first = throwableLine(firstLine(trace))!;
        const thrown = (lines: string[]): ExceptionEvent[] => [{
          ...base, kind: 'exception', type: first.type, message: first.message, stack: lines.join('\n'), fatal: false,
          handled: line.level === 'warn' || line.level === 'info' || line.level === 'debug' || undefined,
        }];
        if (json) joiner.event(thrown(traceLines(trace))[0]);
        else joiner.start(trace, JAVA_TRACE, thrown);
        if (conn && line.msg.startsWith(SPRING_HANDLER_ERROR)) {
          // ExceptionWebSocketHandlerDecorator closes the session with SERVER_ERROR right after.
          joiner.event({ ...base, kind: 'close', code: 1011, reason: '', initiator: 'server' });
        }
        return;
      }
      for (const e of lineEvents(line.msg, base, line.level, json, inherited)) joiner.event(e);
    };

    return joiner.reader(file, (text, at) => {
      if (pending && throwableLine(text)) {
        resolve(pending, text);
        pending = undefined;
        return;
      }
      if (pending) resolve(pending, undefined);
      pending = undefined;
      // A JSON line of one of the layouts; not any JSON, such as a payload a text log dumped.
      if (isJavaJson(text)) {
        const rec = jsonObject(text.trimStart());
        if (typeof rec !== 'string') {
          const picked = pickAll(rec, DEFAULT_FIELDS);
          resolve(jsonLine(rec, picked, at), javaTrace(rec), picked);
          return;
        }
      }
      const head = headerOf(text, at);
      if (head) {
        pending = head;
        return;
      }
      const jul = JUL_HEAD.exec(text);
      if (jul) {
        const h = jul[4] === '12' ? 0 : Number(jul[4]);
        const hour = String(jul[7] === 'PM' ? h + 12 : h).padStart(2, '0');
        julHead = { time: toTime(`${jul[3]}-${MONTHS[jul[1]] ?? '01'}-${jul[2].padStart(2, '0')}T${hour}:${jul[5]}:${jul[6]}`) };
        return;
      }
      const body = julHead ? JUL_BODY.exec(text) : null;
      if (body) {
        pending = { time: julHead!.time, level: toLevel(body[1]), thread: undefined, msg: body[2], at };
        julHead = undefined;
        return;
      }
      if (text.trim() !== '') sink.skip('not-java-log');
    }, () => {
      if (pending) resolve(pending, undefined);
      pending = undefined;
    });
  },

  prefilter() {
    return (jsonPrefilterOf ??= javaJsonPrefilter());
  },

  lineStart(sample) {
    // The JSON layouts only: a text shape's lines start with a time, in many forms, and its traces' with anything.
    return shareOf(sample, (_t, line) => isJavaJson(line)) >= 0.5 ? '{' : undefined;
  },
};

let jsonPrefilterOf: Prefilter | undefined;

/**
 * The fast path of the JSON layouts. A record yields an event, or tells which session its
 * thread serves, only when it names a session (`session` in any case: SPRING_SESSION,
 * SESSION_ID) or holds what a JSON record's events need (record-prefilter.ts: a connection's
 * keys, the close and frame words, an escaped line break before a trace's frame), a trace's
 * key, a Spring message line (SPRING_MESSAGE) or a Jetty close status (JETTY_CLOSE). The lines
 * a thread logs after its session's yield nothing of their own (see `resolve`), so they may
 * be skipped.
 */
function javaJsonPrefilter(): Prefilter {
  const jetty = Array.from({ length: 10 }, (_, d) => ({ text: `{${d}`, followedBy: ['[0-9]{3}=[A-Z_]{2}'] }));
  return {
    needles: [
      ...jsonPrefilter(DEFAULT_FIELDS).needles, { text: 'session', anyCase: true }, { text: 'Message payload=' },
      { text: 'stack_trace' }, { text: 'stacktrace' }, { text: '"thrown"' }, ...jetty,
    ],
    lineStart: '{',
  };
}

function isJavaJson(line: string): boolean {
  return line.trimStart().startsWith('{"') && JSON_THREAD.test(line) && JSON_LOGGER.test(line);
}

/** A JSON record as the line it stands for: its fields picked as the JSON parser picks them, the thread read off its layout's key. */
function jsonLine(rec: Record<string, unknown>, json: Picked, at: string): LogLine {
  const v = json.values;
  // GELF's message and level name (its `level` is syslog's number).
  const msg = v[FIELD.message] ?? rec.short_message;
  const conn = v[FIELD.conn];
  return {
    // log4j2's JsonLayout: its `instant`, or before 2.11 `timeMillis`.
    time: toTime(v[FIELD.time]) ?? instantTime(rec.instant) ?? toTime(rec.timeMillis),
    level: toLevel(rec._level_name ?? v[FIELD.level]),
    thread: text(rec, THREAD_KEYS),
    msg: typeof msg === 'string' ? msg : '',
    at,
    conn: conn !== undefined && typeof conn !== 'object' ? String(conn) : undefined,
    route: toRoute(v[FIELD.route]),
  };
}

/** The trace a JSON record's layout wrote, when its first line names a throwable. */
function javaTrace(rec: Record<string, unknown>): string | undefined {
  const trace = text(rec, TRACE_KEYS) ?? thrownTrace(rec.thrown);
  return trace !== undefined && throwableLine(firstLine(trace)) ? trace : undefined;
}

function instantTime(v: unknown): number | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const { epochSecond, nanoOfSecond } = v as Record<string, unknown>;
  return typeof epochSecond === 'number' ? toTime(epochSecond * 1000 + (typeof nanoOfSecond === 'number' ? Math.floor(nanoOfSecond / 1e6) : 0)) : undefined;
}

/**
 * log4j2 JsonLayout's `thrown` (`name`, `message`, `extendedStackTrace` of frames, `cause`) as
 * `Throwable.printStackTrace` writes it, its causes under it, as many lines as a trace keeps.
 */
function thrownTrace(thrown: unknown): string | undefined {
  const lines: string[] = [];
  for (let t = thrown; t !== null && typeof t === 'object' && lines.length < MAX_TRACE_LINES; t = (t as Record<string, unknown>).cause) {
    const { name, message, extendedStackTrace: frames, commonElementCount: common } = t as Record<string, unknown>;
    if (typeof name !== 'string') break;
    lines.push(`${lines.length > 0 ? 'Caused by: ' : ''}${name}${typeof message === 'string' ? `: ${message}` : ''}`);
    if (Array.isArray(frames)) for (let i = 0; i < frames.length && lines.length < MAX_TRACE_LINES; i++) lines.push(`\tat ${frameText(frames[i])}`);
    if (typeof common === 'number' && common > 0) lines.push(`\t... ${common} more`);
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/** A frame of `thrown` as StackTraceElement.toString writes it. */
function frameText(frame: unknown): string {
  const { class: cls, method, file, line } = (frame ?? {}) as Record<string, unknown>;
  const where = line === -2 ? 'Native Method' : typeof file !== 'string' ? 'Unknown Source' : typeof line === 'number' && line >= 0 ? `${file}:${line}` : file;
  return `${String(cls)}.${String(method)}(${where})`;
}

function text(rec: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const v = valueAt(rec, key);
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 ? text : text.slice(0, nl);
}

/** A trace's lines, as many as a trace read line by line keeps, without the line break that ends the last. */
function traceLines(trace: string): string[] {
  const lines = trace.split('\n', MAX_TRACE_LINES + 1);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.slice(0, MAX_TRACE_LINES);
}

/** Time, level, thread and message of a one-line log record, or undefined when the line is not one. */
function headerOf(text: string, at: string): LogLine | undefined {
  const m = STAMP.exec(text);
  if (!m) return undefined;
  let time: number | undefined;
  if (m[1]) time = toTime(`${m[1]}T${m[2].replace(',', '.')}${m[3] ?? ''}`);
  else if (m[4]) time = toTime(`${m[6]}-${MONTHS[m[5]] ?? '01'}-${m[4]}T${m[7]}`);
  let level: string | undefined;
  let thread: string | undefined;
  let i = m[0].length;
  // Level, pid, "---", [thread] and [app] come in varying order before the logger name.
  for (let tokens = 0; tokens < 8 && i < text.length; tokens++) {
    if (text.charCodeAt(i) === 91 /* [ */) {
      const end = text.indexOf(']', i);
      if (end < 0 || end - i > 120) return undefined;
      thread = text.slice(i + 1, end).trim();
      i = skipSpaces(text, end + 1);
      continue;
    }
    let end = text.indexOf(' ', i);
    if (end < 0) end = text.length;
    const token = text.slice(i, end);
    if (!level && LEVEL.test(token)) level = toLevel(token === 'SEVERE' ? 'error' : token === 'WARNING' ? 'warn' : token);
    else if (!(token === '---' || /^\d{1,10}$/.test(token))) break;
    i = skipSpaces(text, end);
  }
  if (!level) return undefined;
  // The logger (or class.method), then " - " or " : " in the logback and Spring Boot shapes.
  let end = text.indexOf(' ', i);
  if (end < 0) end = text.length;
  let msgStart = skipSpaces(text, end);
  if (text.startsWith('- ', msgStart) || text.startsWith(': ', msgStart)) msgStart += 2;
  return { time, level, thread, msg: text.slice(msgStart), at };
}

function skipSpaces(text: string, i: number): number {
  while (text.charCodeAt(i) === 32) i++;
  return i;
}

function remember(threads: Map<string, string>, thread: string, conn: string): void {
  threads.delete(thread);
  threads.set(thread, conn);
  if (threads.size > 4096) threads.delete(threads.keys().next().value as string);
}

type Base = Pick<WsEvent, 'time' | 'conn' | 'at' | 'route'>;

/**
 * What one message says: close texts of the libraries, Spring's message lines, then the shared
 * vocabulary (for a JSON record, with its own fields, `json`, and the connection and route found
 * here). A connection `inherited` from the line's thread is given to the libraries' texts only: a
 * pooled thread serves other requests after a session's, and their lines ("pool connection
 * closed") are no session's.
 */
function lineEvents(msg: string, base: Base, level: string | undefined, json: Picked | undefined, inherited: boolean): WsEvent[] {
  let m = CLOSE_REASON.exec(msg);
  if (m) {
    const close: CloseEvent = { ...base, kind: 'close', code: Number(m[1]), reason: m[2], initiator: 'unknown' };
    if (close.code === 1006 && m[2] === TOMCAT_IOE_CLOSE) {
      // Tomcat reports 1006 to the endpoint but cannot send it: the peer received 1002.
      return [{ ...base, kind: 'frame', direction: 'out', type: 'close', code: 1002, reason: TOMCAT_IOE_CLOSE }, { ...close, initiator: 'server', clean: false }];
    }
    return [close];
  }
  m = CLOSE_STATUS.exec(msg) ?? JETTY_CLOSE.exec(msg);
  if (m) {
    return [{ ...base, kind: 'close', code: Number(m[1]), reason: m[2] === 'null' ? '' : m[2], initiator: 'unknown' }];
  }
  m = SPRING_MESSAGE.exec(msg);
  if (m) {
    return [{ ...base, kind: 'frame', direction: m[1] === 'Handling' ? 'in' : 'out', type: m[2].toLowerCase() as FrameType, size: Number(m[3]) }];
  }
  if (msg.startsWith('New ') && SPRING_SESSION.test(msg)) return [{ ...base, kind: 'open' }];
  const out: WsEvent[] = [];
  const push = (e: WsEvent) => out.push(e);
  const conn = inherited ? undefined : base.conn;
  if (json) {
    json.values[FIELD.message] = msg;
    json.values[FIELD.time] = base.time;
    json.values[FIELD.level] = level;
    json.values[FIELD.conn] = conn;
    json.values[FIELD.route] = base.route;
    pickedEvents(json, base.at, push);
  } else {
    recordEvents({ msg, time: base.time, level, connId: conn, route: base.route }, base.at, DEFAULT_FIELDS, push);
  }
  return out;
}
