/**
 * Turns one structured log record (a parsed JSON object or logfmt line) into WsEvents.
 * Opens, messages, closes and exceptions are recognized by their fields and message text,
 * not by one fixed message string.
 */
import type {
  Accepts, ExceptionEvent, FrameType, WsEvent,
} from '../src/model.js';
import { parseAccepts } from '../src/profile.js';
import {
  FIELD, type MessageText, messageText, own, type Picked, pickAll, SAYS, toCode, toDirection, toInitiator, toLevel, toRoute, toTime,
  wireCodeOf,
} from './fields.js';
import { withCrashText } from './node-crash.js';
import type { FieldMap, LineParser, ParserSink } from './parser.js';
import { type WrittenException, writtenException } from './stack.js';

type Rec = Record<string, unknown>;

/**
 * A reader of lines that each hold one record (`parse`: logfmt's, winston's), with Node crash
 * reports between them; one `emit` for all its records.
 */
export function recordLines(file: string, sink: ParserSink, unread: string, parse: (text: string) => Rec | undefined, f: FieldMap): LineParser {
  const emit = (e: WsEvent) => sink.event(e);
  return withCrashText(file, sink, unread, parse, (rec, lineNo) => recordEvents(rec, `${file}:${lineNo}`, f, emit));
}

/** Emits the events one record holds (an exception line that closes the connection holds two). */
export function recordEvents(rec: Rec, at: string, f: FieldMap, emit: (e: WsEvent) => void): void {
  pickedEvents(pickAll(rec, f), at, emit);
}

/** The events of a record from its picked fields (pickAll, or json-fields.ts for a flat JSON line). */
export function pickedEvents(picked: Picked, at: string, emit: (e: WsEvent) => void): void {
  const values = picked.values;
  const msgValue = values[FIELD.message];
  const msg = picked.said ?? messageText(typeof msgValue === 'string' ? msgValue : '');
  const level = toLevel(values[FIELD.level]);
  const connValue = values[FIELD.conn];
  const conn = connValue !== undefined && typeof connValue !== 'object' ? String(connValue) : remoteWithPort(values);
  // Events are spelled out below, not spread from a shared object: spread copies make larger, slower objects.
  const time = toTime(values[FIELD.time]);
  const proc = processOf(picked.pid, picked.host);
  const route = toRoute(values[FIELD.route]);

  const accepts = acceptsOf(values, route);
  if (accepts) {
    for (const [r, a] of accepts) emit({ time, conn, at, process: proc, route: r, kind: 'accepts', accepts: a });
    return;
  }

  const rec = picked.rec;
  // Only a parsed record can hold one: the flat reader leaves records with an error or a stack to JSON.parse.
  const exception = rec && exceptionOf(rec, values, msg, level);
  // An error of an HTTP request (pino-http's req/res) is no WebSocket's, unless it killed the process.
  if (conn === undefined && exception && !exception.fatal && isHttpRequest(rec)) return;
  if (exception) {
    emit({
      time, conn, at, process: proc, route,
      kind: 'exception', type: exception.type, message: exception.message, stack: exception.stack, fatal: exception.fatal,
      handled: exception.handled, code: exception.code, wireCode: exception.wireCode, connectionClosed: exception.connectionClosed,
    });
  }

  const code = toCode(values[FIELD.code]) ?? msg.code;
  if (msg.says(SAYS.close) || (code !== undefined && !exception && !msg.says(SAYS.frame))) {
    if (exception && code === undefined) return; // an error that mentions closing, without a code, is the exception only
    const reasonValue = values[FIELD.reason];
    const said = msg.reason;
    const reason = typeof reasonValue === 'string' ? reasonValue : said?.reason ?? '';
    // Who closed, from the log's own words: not from a reason ("kicked after 3 warnings") the client sent.
    const words = said ? messageText(said.before) : msg;
    const initiator = toInitiator(values[FIELD.initiator])
      ?? (words.says(SAYS.closedByClient) ? 'client' : words.says(SAYS.closingByServer) ? 'server' : 'unknown');
    emit({ time, conn, at, process: proc, route: route ?? msg.route, kind: 'close', code: code ?? null, reason, initiator });
    return;
  }
  if (exception) return;

  const type = frameTypeOf(picked, msg, level);
  if (type) {
    const size = values[FIELD.size];
    const direction = toDirection(values[FIELD.direction]) ?? (msg.says(SAYS.out) ? 'out' : 'in');
    emit({
      time, conn, at, process: proc, route,
      kind: 'frame', type, direction, size: typeof size === 'number' ? size : undefined,
    });
    return;
  }
  if (conn !== undefined && msg.says(SAYS.open)) {
    emit({ time, conn, at, process: proc, route: route ?? msg.route, kind: 'open', remote: own(remoteOf(values)) });
    return;
  }
  if (conn !== undefined && msg.text) emit({ time, conn, at, process: proc, route, kind: 'note', text: msg.text, level });
}

function exceptionOf(rec: Rec, picked: unknown[], msg: MessageText, level: string | undefined): Omit<ExceptionEvent, 'time' | 'conn' | 'at'> | undefined {
  const errValue = picked[FIELD.error];
  let type: string | undefined;
  let message: string | undefined;
  let stack: string | undefined;
  let code: unknown;
  // The words the exception was logged with, for what they say of it (handled, fatal, a wire code).
  let said = msg;
  let written: WrittenException | undefined;
  if (errValue && typeof errValue === 'object') {
    const err = errValue as Rec;
    stack = str(err.stack) ?? str(err.stacktrace) ?? str(err.trace);
    message = str(err.message) ?? str(err.msg);
    type = str(err.type) ?? str(err.name) ?? str(err.class) ?? str(err.kind);
    code = err.code;
    if (!message && !stack && !type) return undefined; // winston's json format loses everything but the code
  } else if (typeof errValue === 'string' && (written = writtenException(errValue))) {
    // An error field holding `err.stack`.
    ({ type, message, stack } = written);
  } else if (typeof errValue === 'string' && (level === 'error' || level === 'fatal')) {
    message = errValue;
  } else if (typeof rec.stack === 'string') {
    // winston's errors({stack: true}) format flattens the error into the record.
    stack = rec.stack;
    message = msg.text;
    code = rec.code;
  } else {
    // The trace written into the message: `log.error('handler failed: ' + err.stack)`.
    written = writtenException(msg.text);
    if (!written) return undefined;
    ({ type, message, stack } = written);
    // Frame names ("at Handled.skipped") are no words of the log's.
    said = messageText(written.before);
  }
  const first = stack ? /^([A-Za-z_$][\w$.]*(?:Error|Exception|Panic|Warning)?):\s?(.*)$/m.exec(stack) : null;
  type ??= first?.[1] ?? 'Error';
  message ??= first?.[2] ?? msg.text;
  const text = `${said.text} ${message}`;
  const fatal = level === 'fatal' || said.says(SAYS.fatal);
  return {
    kind: 'exception', type, message, stack, fatal,
    handled: !fatal && (level === 'warn' || level === 'info' || level === 'debug' || said.says(SAYS.handled)),
    code: typeof code === 'string' ? code : undefined,
    wireCode: wireCodeOf(code, text),
    connectionClosed: /ConnectionClosed|ClosedChannelException|WebSocketException: The remote party closed/.test(`${type} ${stack ?? ''}`.slice(0, 4096)) || undefined,
  };
}

function frameTypeOf(picked: Picked, msg: MessageText, level: string | undefined): FrameType | undefined {
  if (picked.frameType) return picked.frameType;
  // A type read from words only: not from warnings and errors that talk about a frame.
  if (!msg.says(SAYS.frame) || level === 'warn' || level === 'error' || level === 'fatal') return undefined;
  return msg.says(SAYS.binary) ? 'binary' : msg.says(SAYS.text) ? 'text' : undefined;
}

function isHttpRequest(rec: Rec): boolean {
  return typeof rec.req === 'object' || typeof rec.res === 'object' || rec.reqId !== undefined || rec.requestId !== undefined;
}

function remoteOf(picked: unknown[]): string | undefined {
  const address = picked[FIELD.remote];
  return typeof address === 'string' ? address : undefined;
}

/** The remote address with its port: the connection's key where the log names none (built only then). */
function remoteWithPort(picked: unknown[]): string | undefined {
  const address = remoteOf(picked);
  if (address === undefined) return undefined;
  const port = picked[FIELD.port];
  return own(typeof port === 'number' || typeof port === 'string' ? `${address}:${port}` : /:\d+$/.test(address) && !address.includes('::') ? address : undefined);
}

function processOf(pid: unknown, host: unknown): string | undefined {
  if (typeof pid !== 'number' && typeof pid !== 'string') return undefined;
  // One string per process, shared by its events: they are kept per open connection.
  if (pid === lastProcess.pid && host === lastProcess.host) return lastProcess.name;
  const name = typeof host === 'string' ? `${pid}@${host}` : String(pid);
  lastProcess = { pid, host, name };
  return name;
}

let lastProcess: { pid: unknown; host: unknown; name: string } = { pid: undefined, host: undefined, name: '' };

/** A startup line that states what endpoints accept: `{route, accepts}` or `{accepts: {route: type}}`. */
function acceptsOf(picked: unknown[], route: string | undefined): [string, Accepts][] | undefined {
  const v = picked[FIELD.accepts];
  if (typeof v === 'string' && route) {
    const a = parseAccepts(v);
    return a ? [[route, a]] : undefined;
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const out: [string, Accepts][] = [];
    for (const [r, t] of Object.entries(v as Rec)) {
      const a = typeof t === 'string' ? parseAccepts(t) : undefined;
      if (a && r.startsWith('/')) out.push([r, a]);
    }
    return out.length ? out : undefined;
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
