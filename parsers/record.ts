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
  CLOSE_TEXT, CLOSED_BY_CLIENT, CLOSING_BY_SERVER, codeInText, FATAL_TEXT, FRAME_TEXT, HANDLED_TEXT,
  FIELD, OPEN_TEXT, OUT_TEXT, pickAll, pickOne, toCode, toDirection, toFrameType, toInitiator, toLevel, toRoute, toTime,
  wireCodeOf,
} from './fields.js';
import type { FieldMap } from './parser.js';

type Rec = Record<string, unknown>;

/** Emits the events one record holds (an exception line that closes the connection holds two). */
export function recordEvents(rec: Rec, at: string, f: FieldMap, emit: (e: WsEvent) => void): void {
  const picked = pickAll(rec, f);
  const msgValue = picked[FIELD.message];
  const msg = typeof msgValue === 'string' ? msgValue : '';
  const level = toLevel(picked[FIELD.level]);
  const connValue = picked[FIELD.conn];
  const conn = connValue !== undefined && typeof connValue !== 'object' ? String(connValue) : remoteWithPort(picked);
  // Events are spelled out below, not spread from a shared object: spread copies make larger, slower objects.
  const time = toTime(picked[FIELD.time]);
  const proc = processOf(rec);
  const route = toRoute(picked[FIELD.route]);

  const accepts = acceptsOf(picked, route);
  if (accepts) {
    for (const [r, a] of accepts) emit({ time, conn, at, process: proc, route: r, kind: 'accepts', accepts: a });
    return;
  }

  const exception = exceptionOf(rec, picked, msg, level);
  // An error of an HTTP request (pino-http's req/res) is no WebSocket's, unless it killed the process.
  if (conn === undefined && exception && !exception.fatal && isHttpRequest(rec)) return;
  if (exception) {
    emit({
      time, conn, at, process: proc, route,
      kind: 'exception', type: exception.type, message: exception.message, stack: exception.stack, fatal: exception.fatal,
      handled: exception.handled, code: exception.code, wireCode: exception.wireCode, connectionClosed: exception.connectionClosed,
    });
  }

  const code = toCode(picked[FIELD.code]) ?? (msg ? codeInText(msg) : undefined);
  const reasonValue = picked[FIELD.reason];
  const reason = typeof reasonValue === 'string' ? reasonValue : '';
  if (CLOSE_TEXT.test(msg) || (code !== undefined && !exception && !FRAME_TEXT.test(msg))) {
    if (exception && code === undefined) return; // an error that mentions closing, without a code, is the exception only
    const initiator = toInitiator(picked[FIELD.initiator])
      ?? (CLOSED_BY_CLIENT.test(msg) ? 'client' : CLOSING_BY_SERVER.test(msg) ? 'server' : 'unknown');
    emit({ time, conn, at, process: proc, route, kind: 'close', code: code ?? null, reason, initiator });
    return;
  }
  if (exception) return;

  const frame = frameOf(rec, picked, f, msg, level);
  if (frame) {
    const size = picked[FIELD.size];
    emit({
      time, conn, at, process: proc, route,
      kind: 'frame', type: frame.type, direction: frame.direction, size: typeof size === 'number' ? size : undefined,
    });
    return;
  }
  if (OPEN_TEXT.test(msg) && conn !== undefined) {
    emit({ time, conn, at, process: proc, route, kind: 'open', remote: remoteOf(picked) });
    return;
  }
  if (conn !== undefined && msg) emit({ time, conn, at, process: proc, route, kind: 'note', text: msg, level });
}

function exceptionOf(rec: Rec, picked: unknown[], msg: string, level: string | undefined): Omit<ExceptionEvent, 'time' | 'conn' | 'at'> | undefined {
  const errValue = picked[FIELD.error];
  let type: string | undefined;
  let message: string | undefined;
  let stack: string | undefined;
  let code: unknown;
  if (errValue && typeof errValue === 'object') {
    const err = errValue as Rec;
    stack = str(err.stack) ?? str(err.stacktrace) ?? str(err.trace);
    message = str(err.message) ?? str(err.msg);
    type = str(err.type) ?? str(err.name) ?? str(err.class) ?? str(err.kind);
    code = err.code;
    if (!message && !stack && !type) return undefined; // winston's json format loses everything but the code
  } else if (typeof errValue === 'string' && (level === 'error' || level === 'fatal')) {
    message = errValue;
  } else if (typeof rec.stack === 'string') {
    // winston's errors({stack: true}) format flattens the error into the record.
    stack = rec.stack;
    message = msg;
    code = rec.code;
  } else {
    return undefined;
  }
  const first = stack ? /^([A-Za-z_$][\w$.]*(?:Error|Exception|Panic|Warning)?):\s?(.*)$/m.exec(stack) : null;
  type ??= first?.[1] ?? 'Error';
  message ??= first?.[2] ?? msg;
  const text = `${msg} ${message}`;
  const fatal = level === 'fatal' || FATAL_TEXT.test(msg);
  return {
    kind: 'exception', type, message, stack, fatal,
    handled: !fatal && (level === 'warn' || level === 'info' || level === 'debug' || HANDLED_TEXT.test(msg)),
    code: typeof code === 'string' ? code : undefined,
    wireCode: wireCodeOf(code, text),
    connectionClosed: /ConnectionClosed|ClosedChannelException|WebSocketException: The remote party closed/.test(`${type} ${stack ?? ''}`.slice(0, 4096)) || undefined,
  };
}

function frameOf(rec: Rec, picked: unknown[], f: FieldMap, msg: string, level: string | undefined): { type: FrameType; direction: 'in' | 'out' } | undefined {
  let type: FrameType | undefined;
  for (const name of f.type) {
    const v = pickOne(rec, name);
    if (v === undefined) continue;
    type = toFrameType(name, v);
    if (type) break;
  }
  if (!type) {
    // A type read from words only: not from warnings and errors that talk about a frame.
    if (!FRAME_TEXT.test(msg) || level === 'warn' || level === 'error' || level === 'fatal') return undefined;
    type = /\bbinary\b/i.test(msg) ? 'binary' : /\btext\b/i.test(msg) ? 'text' : undefined;
    if (!type) return undefined;
  }
  const direction = toDirection(picked[FIELD.direction]) ?? (OUT_TEXT.test(msg) ? 'out' : 'in');
  return { type, direction };
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
  return typeof port === 'number' || typeof port === 'string' ? `${address}:${port}` : /:\d+$/.test(address) && !address.includes('::') ? address : undefined;
}

function processOf(rec: Rec): string | undefined {
  const pid = rec.pid;
  if (typeof pid !== 'number' && typeof pid !== 'string') return undefined;
  const host = rec.hostname ?? rec.host;
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
