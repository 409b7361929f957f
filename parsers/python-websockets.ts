/**
 * Python `websockets` servers logging through the standard `logging` module (any format
 * python-logging.ts reads). Checked against 10.4 (Debian's python3-websockets, legacy server,
 * run: samples/python-websockets) and the source of 14.2 and 17.0.1 (new asyncio server):
 * - DEBUG frames `< TEXT 'hi' [2 bytes]`, `> BINARY 01 02 [2 bytes]`, `< CLOSE 1000 (OK) bye [5 bytes]`
 *   (frames.py `Frame.__str__`: `OPCODE data [metadata]`; metadata `text`/`binary` hint, `N bytes`,
 *   `continued`); close explanations changed in 12.0 (`unsupported type` → `unsupported data`,
 *   `unexpected error` → `internal error`), which is why only the code is read from them.
 * - DEBUG state `= connection is CONNECTING|OPEN|CLOSING|CLOSED`, handshake `< GET /path HTTP/1.1`,
 *   `> HTTP/1.1 101 Switching Protocols`, 10.x `! failing connection with code N`.
 * - INFO `connection open`; INFO `connection closed` in the legacy server (≤ 13) and again from 17.0
 *   (protocol.py), absent in 13.0–16.x's new server, where `= connection is CLOSED` ends a connection.
 * - ERROR `connection handler failed` (+ traceback): the library then closes with 1011 itself,
 *   unless the traceback ends in ConnectionClosedError/OK: the connection had failed first.
 * - ConnectionClosed texts (exceptions.py, ≥ 10): `sent 1009 (message too big); no close frame received`,
 *   `received 1011 (internal error); then sent 1011 (internal error)`, `no close frame received or sent`.
 * Lines name no connection unless the application follows the documented LoggerAdapter recipe
 * (`{websocket.id} {X-Forwarded-For} message`) or puts the remote address first, or the records
 * are JSON (python-json-logger's, structlog's): they write websockets' own
 * `extra={"websocket": self}` as the connection object's repr, whose address names the connection while it lives (a new
 * connection, CONNECTING or its request, starts anew on an address used before). Without a key
 * the log is read in order, one connection at a time (events carry no `conn`).
 *
 * Also uvicorn serving an ASGI app (FastAPI, Starlette) on websockets, in its default format
 * (python-logging.ts) or any other a `--log-config` gives its loggers (the formats above, JSON
 * among them): it hands its `uvicorn.error` logger to websockets, whose `connection open` and
 * `connection closed` come through it. Checked against uvicorn 0.17.6 (Debian's, run:
 * samples/asgi) and main (2025-09; its websockets, websockets-sansio and wsproto protocols):
 * - `ADDR - "WebSocket /path" [accepted]` opens a connection (ADDR `127.0.0.1:5555`, or 0.17's
 *   `('127.0.0.1', 5555)`); `… 403` is a handshake the app refused.
 * - ERROR `Exception in ASGI application` + traceback: the app raised; uvicorn closes the
 *   transport without a close frame, so the client sees 1006. A `WebSocketDisconnect` there is
 *   the client's own close reaching an app that did not catch it (its code in the message up to
 *   Starlette 0.2x).
 * - Starlette's `receive_text()` (and `receive_json()`) read `message["text"]`: a binary frame
 *   makes it raise `KeyError: 'text'`, `receive_bytes()` a text frame `KeyError: 'bytes'`, and
 *   `receive_json()`'s own `json.loads` fails only on a text frame. At INFO that traceback is the
 *   only trace of the frame, so it is read as the frame's evidence too.
 *
 * And daphne (Django Channels' server; Debian's 4.0.0, run: samples/asgi, and main, 2026-06):
 * its access log's `HOST:PORT - - [date] "WSCONNECTING|WSCONNECT|WSREJECT|WSDISCONNECT /path" - -`
 * (python-logging.ts) keys each connection by its client; `Exception inside application: …` with
 * its traceback, logged by server.py's application_checker once a second and naming no
 * connection, is followed by the 1011 daphne sends (ws_protocol.py `handle_exception`), so the
 * connection that ends next is its own.
 */
import { starletteLacked } from '../src/exception.js';
import type { FrameType, WsEvent } from '../src/model.js';
import { messageText, SAYS, toRoute } from './fields.js';
import type { Parser, ParserSink } from './parser.js';
import { DAPHNE_ACCESS, detectRecords, type PyRecord, pythonLogReader, UVICORN } from './python-logging.js';
import type { PyException } from './python-traceback.js';

/** The connection object's repr, `<websockets.legacy.server.WebSocketServerProtocol object at 0x7fe9287522d0>`. */
const OBJECT_REPR = /^<[\w.]{1,200} object at (0x[0-9a-f]{1,16})>$/;
const UUID_PREFIX = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}) (?:(?:None|-|[0-9a-fA-F.:]{2,45}(?:, ?[0-9a-fA-F.:]{2,45}){0,4}) )?/;
const ADDRESS_PREFIX = /^(?:(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})|\[([0-9a-fA-F:.]{2,45})\]:(\d{1,5})|\('([^']{1,64})', (\d{1,5})(?:, \d+, \d+)?\)) /;
const FRAME = /^([<>]) (TEXT|BINARY|CONT|CLOSE|PING|PONG) (.*)$/;
const CLOSE_DATA = /^(\d{4}) \([^)]{0,60}\)(?: (.*))?$/;
const REQUEST = /^< GET (\S{1,4096}) HTTP\/1\.1$/;
const RESPONSE = /^> HTTP\/1\.1 (\d{3})\b/;
const STATE = /^= connection is (CONNECTING|OPEN|CLOSING|CLOSED)$/;
const FAILING = /^! failing connection with code (\d{4})$/;
const CLOSED_TEXT = /^(sent|received) (\d{4}) \([^)]{0,60}\)(?: (.{0,256}?))?; (?:no close frame (?:received|sent)|then (?:sent|received) (\d{4}) \([^)]{0,60}\)(?: (.{0,256}))?)$/;
const ERRORS_WITH_TRACEBACK = /^(?:connection handler failed|Error in connection handler|opening handshake failed|closing handshake failed|data transfer failed|Error in data transfer|keepalive ping failed|unexpected internal error|parser failed|process_request failed|process_response failed)$/;
const SHAPES = /^(?:[<>] (?:TEXT|BINARY|CLOSE|PING|PONG|GET) |= connection is |connection (?:open|closed|handler failed)$|! failing connection|Exception in ASGI application$)|"WebSocket \/\S{0,4096}" \[accepted\]$/;
/** uvicorn's handshake line: the client's address, the path, and `[accepted]` or a refusal's status. */
const UVICORN_HANDSHAKE = /^(.{1,100}) - "WebSocket (\/\S{0,4096})" (\[accepted\]|\d{3})$/;
/** Starlette's receive_json() failing in its json.loads: the text frame it took did not parse. */
const STARLETTE_JSON = /starlette\/websockets\.py", line \d{1,6}, in receive_json\n {4}return json\.loads\(text\)\n/;
/** Codes websockets sends itself when it rejects a frame (max_size, invalid UTF-8, protocol). */
const LIBRARY_CODES = new Set([1002, 1007, 1009]);
/** A connection's close waits this many records for its other closing line. */
const CLOSE_WAIT = 64;
/** Named connections tracked at most. */
const MAX_KEYED = 100_000;

const TYPES: Record<string, FrameType> = {
  TEXT: 'text', BINARY: 'binary', CONT: 'continuation', CLOSE: 'close', PING: 'ping', PONG: 'pong',
};

interface Close { code: number | null; reason: string; initiator: 'server' | 'client' | 'unknown'; clean: boolean }

interface Conn {
  key: string | undefined;
  route?: string;
  request?: PyRecord;
  opened: boolean;
  /** INFO `connection open` was read for it. */
  infoOpen: boolean;
  rejected: boolean;
  /** The first close frame: its sender initiated the close. */
  first?: Close;
  failCode?: number;
  /** What `connection handler failed` said about the close, when its traceback was a ConnectionClosed. */
  handler?: Close;
  handlerFailed: boolean;
  /** The closing lines seen: `= connection is CLOSED` and INFO `connection closed`. */
  stateClosed?: PyRecord;
  infoClosed?: PyRecord;
  closedAtRecord: number;
}

/** What a ConnectionClosed text says about the close: who closed first, with which code. */
export function closedText(text: string): Close | undefined {
  if (text === 'no close frame received or sent') return { code: 1006, reason: '', initiator: 'unknown', clean: false };
  const m = CLOSED_TEXT.exec(text);
  if (!m) return undefined;
  const clean = m[4] !== undefined;
  return { code: Number(m[2]), reason: m[3] ?? '', initiator: m[1] === 'sent' ? 'server' : 'client', clean };
}

export const pythonWebsocketsParser: Parser = {
  name: 'python-websockets',
  description: 'Python websockets server logs (standard logging; 10.x legacy and 14.x-17.x formats), and uvicorn or daphne serving FastAPI, Starlette or Channels apps',

  detect(lines) {
    return detectRecords(lines, (h) => h.logger.startsWith('websockets.') || h.logger === DAPHNE_ACCESS || SHAPES.test(h.message)).score;
  },

  create(file, sink) {
    return new WebsocketsReader(file, sink).reader;
  },
};

class WebsocketsReader {
  readonly reader;
  /** The current connection of a log without keys. */
  private current: Conn | undefined;
  private readonly keyed = new Map<string, Conn>();
  /** Connections whose close waits for their other closing line, oldest first. */
  private readonly closing = new Set<Conn>();
  private records = 0;
  /** DEBUG lines were seen: a connection without a close frame logged had none. */
  private debug = false;
  /** daphne's app exception waiting for the connection that ends next, and when it was read. */
  private pending: PyRecord | undefined;
  private pendingAt = 0;

  constructor(file: string, private readonly sink: ParserSink) {
    const lines = pythonLogReader(file, (r) => this.record(r), (reason) => sink.skip(reason));
    this.reader = {
      line: lines.line,
      end: () => {
        lines.end();
        this.flushPending();
        for (const c of this.closing) this.emitClose(c);
      },
    };
  }

  private record(r: PyRecord): void {
    this.records++;
    for (const c of this.closing) {
      if (this.records - c.closedAtRecord <= CLOSE_WAIT) break;
      this.emitClose(c);
    }
    if (this.pending && this.records - this.pendingAt > CLOSE_WAIT) this.flushPending();
    if (r.logger === DAPHNE_ACCESS) {
      this.daphneAccess(r);
      return;
    }
    const uvicorn = isUvicorn(r.logger);
    if (!uvicorn && !r.logger.startsWith('websockets')) {
      if (!this.daphneFailure(r)) this.application(r);
      return;
    }
    if (r.level === 'debug') this.debug = true;
    let msg = r.message;
    let key: string | undefined;
    // uvicorn's lines begin with no key of the recipe's: its handshake's address is its client's, not a prefix.
    const id = uvicorn ? null : UUID_PREFIX.exec(msg);
    const a = uvicorn || id ? null : ADDRESS_PREFIX.exec(msg);
    if (id) {
      key = id[1];
      msg = msg.slice(id[0].length);
    } else if (a) {
      const host = a[1] ?? a[3] ?? a[5];
      key = `${host.includes(':') ? `[${host}]` : host}:${a[2] ?? a[4] ?? a[6]}`;
      msg = msg.slice(a[0].length);
    } else key = objectKey(r);
    if (uvicorn && this.uvicorn(r, key)) return;
    const c0 = msg.charCodeAt(0);
    if (c0 === 60 /* < */ || c0 === 62 /* > */) this.arrow(r, key, msg);
    else if (c0 === 61 /* = */) this.state(r, key, msg);
    else if (msg === 'connection open') {
      // Without DEBUG lines, a second `connection open` is the next connection.
      const conn = this.conn(key, (c) => c.infoOpen || this.isClosing(c));
      conn.infoOpen = true;
      this.open(r, conn);
    } else if (msg === 'connection closed') this.closed(r, this.conn(key), 'info');
    else if (c0 === 33 /* ! */) {
      const m = FAILING.exec(msg);
      if (m) this.conn(key).failCode = Number(m[1]);
    } else if (r.exception && ERRORS_WITH_TRACEBACK.test(msg)) this.failure(r, key, r.exception);
    else if (uvicorn) this.application(r);
  }

  /** uvicorn's own lines (the rest of its logger's are websockets' or the app's); false when the line is none of them. */
  private uvicorn(r: PyRecord, key: string | undefined): boolean {
    const hs = UVICORN_HANDSHAKE.exec(r.message);
    if (hs) {
      const conn = this.handshake(key, hs[2]);
      if (hs[3] === '[accepted]') this.open(r, conn);
      else conn.rejected = true;
      return true;
    }
    // Its message ends with a line break (`"Exception in ASGI application\n"`), which a JSON record keeps.
    if (r.message.trimEnd() !== 'Exception in ASGI application' || !r.exception) return false;
    this.appFailure(r, key, DROPPED);
    return true;
  }

  /** An ASGI server's handshake line: the next connection under `key`, on the path's route. */
  private handshake(key: string | undefined, path: string): Conn {
    const conn = this.conn(key, (c) => c.opened || c.rejected || this.isClosing(c));
    conn.route = toRoute(path);
    return conn;
  }

  /** daphne's access log: a connection's handshake, acceptance, refusal and end, named by its client's address. */
  private daphneAccess(r: PyRecord): void {
    const key = String(r.fields!.client);
    const space = r.message.indexOf(' ');
    const action = r.message.slice(0, space);
    if (action === 'WSCONNECTING') this.handshake(key, r.message.slice(space + 1)).request = r;
    else if (action === 'WSCONNECT') this.open(r, this.conn(key));
    else if (action === 'WSREJECT') this.conn(key).rejected = true;
    else if (action === 'WSDISCONNECT') {
      // The app's exception daphne logged before sending 1011 is this connection's: its client closed after it.
      if (this.pending) this.appFailure(this.pending, key, SERVER_ERROR);
      this.pending = undefined;
      this.closed(r, this.conn(key), 'info');
    }
  }

  /**
   * daphne's `Exception inside application: …` (server.py's application_checker, once a second):
   * it names no connection; after it daphne sends 1011, so the next connection to end is its own.
   * A WebSocketDisconnect is logged after its connection ended: a consequence, named by none.
   */
  private daphneFailure(r: PyRecord): boolean {
    if (!r.exception || !r.message.startsWith('Exception inside application: ')) return false;
    this.flushPending();
    if (isDisconnect(r.exception.type)) this.appFailure(r, undefined, SERVER_ERROR);
    else {
      this.pending = r;
      this.pendingAt = this.records;
    }
    return true;
  }

  /** An exception that found no connection ending after it goes as it is, naming none. */
  private flushPending(): void {
    if (this.pending) this.appFailure(this.pending, undefined, SERVER_ERROR);
    this.pending = undefined;
  }

  /**
   * The app's exception an ASGI server logged, on its connection: the frame Starlette's receive
   * shows, the exception, and the close the server then makes (`close`), or, for a
   * WebSocketDisconnect, the client's own.
   */
  private appFailure(r: PyRecord, key: string | undefined, close: Close): void {
    const ex = r.exception!;
    const conn = key === undefined ? this.current : this.keyed.get(key);
    // At INFO no frame is logged: Starlette's receive, failing, shows which type the frame was (at DEBUG, websockets logs it).
    if (!this.debug && conn?.opened) {
      const lacked = starletteLacked(ex.stack);
      const type = lacked === 'text' ? 'binary' : lacked === 'bytes' || STARLETTE_JSON.test(ex.stack) ? 'text' : undefined;
      if (type) this.emit({ kind: 'frame', time: r.time, conn: key, at: r.at, route: conn.route, direction: 'in', type });
    }
    // The client's close, reaching an app that did not catch it: its code, when Starlette printed one.
    const disconnect = isDisconnect(ex.type);
    this.emit({
      kind: 'exception', time: r.time, conn: key, at: r.at, route: conn?.route,
      type: ex.type, message: ex.message, stack: ex.stack, fatal: false, connectionClosed: disconnect || undefined,
    });
    if (conn) {
      const code = disconnect && /^\d{4}$/.test(ex.message) ? Number(ex.message) : null;
      conn.handler = disconnect ? { code, reason: '', initiator: 'client', clean: true } : close;
    }
  }

  /** Frames, the request line and the response status line. */
  private arrow(r: PyRecord, key: string | undefined, msg: string): void {
    const f = FRAME.exec(msg);
    if (f) {
      this.frame(r, this.conn(key), f[1] === '<' ? 'in' : 'out', TYPES[f[2]], f[3]);
      return;
    }
    const req = REQUEST.exec(msg);
    if (req) {
      const conn = this.conn(key, (c) => c.opened || c.request !== undefined || this.isClosing(c));
      conn.request = r;
      conn.route = toRoute(req[1]);
      return;
    }
    const res = RESPONSE.exec(msg);
    if (res) {
      const conn = this.conn(key, (c) => this.isClosing(c));
      if (res[1] === '101') this.open(r, conn);
      else conn.rejected = true;
    }
    // Header lines (`< Host: …`) say nothing about the close.
  }

  private state(r: PyRecord, key: string | undefined, msg: string): void {
    const m = STATE.exec(msg);
    if (!m) return;
    switch (m[1]) {
      case 'CONNECTING':
        this.conn(key, () => true);
        break;
      case 'OPEN':
        this.open(r, this.conn(key, (c) => this.isClosing(c)));
        break;
      case 'CLOSED':
        this.closed(r, this.conn(key), 'state');
        break;
    }
  }

  /** The connection a line belongs to: the current one of its key, or a new one when `starts` says this line begins the next. */
  private conn(key: string | undefined, starts?: (current: Conn) => boolean): Conn {
    const existing = key === undefined ? this.current : this.keyed.get(key);
    if (existing && !starts?.(existing)) return existing;
    if (existing && this.closing.has(existing)) this.emitClose(existing);
    const conn: Conn = { key, opened: false, infoOpen: false, rejected: false, handlerFailed: false, closedAtRecord: 0 };
    if (key === undefined) this.current = conn;
    else {
      this.keyed.delete(key);
      this.keyed.set(key, conn);
      // Bounded: the oldest named connection that never closed (a log cut short) is forgotten.
      if (this.keyed.size > MAX_KEYED) this.keyed.delete(this.keyed.keys().next().value as string);
    }
    return conn;
  }

  private isClosing(conn: Conn | undefined): boolean {
    return conn !== undefined && (conn.stateClosed !== undefined || conn.infoClosed !== undefined);
  }

  private open(r: PyRecord, conn: Conn): void {
    if (conn.opened) return;
    conn.opened = true;
    const at = conn.request ?? r;
    this.emit({ kind: 'open', time: at.time, conn: conn.key, at: at.at, route: conn.route });
  }

  private frame(r: PyRecord, conn: Conn, direction: 'in' | 'out', type: FrameType, data: string): void {
    if (!conn.opened && !conn.rejected) this.open(r, conn); // the log starts mid-connection
    const meta = data.lastIndexOf(' [');
    const size = meta < 0 ? undefined : /^ \[(?:text, |binary, )?(\d{1,12}) bytes?\b/.exec(data.slice(meta));
    const e: WsEvent = {
      kind: 'frame', time: r.time, conn: conn.key, at: r.at, route: conn.route, direction, type,
      size: size ? Number(size[1]) : undefined,
    };
    if (type === 'close') {
      const close = CLOSE_DATA.exec(meta < 0 ? data : data.slice(0, meta));
      e.code = close ? Number(close[1]) : undefined;
      e.reason = close?.[2] ?? '';
      conn.first ??= { code: e.code ?? 1005, reason: e.reason, initiator: direction === 'out' ? 'server' : 'client', clean: true };
    }
    this.emit(e);
  }

  private failure(r: PyRecord, key: string | undefined, ex: PyException): void {
    const conn = key === undefined ? this.current : this.keyed.get(key);
    const closedFirst = /ConnectionClosed/.test(ex.type);
    const close = closedFirst ? closedText(ex.message) : undefined;
    const sentItself = close?.initiator === 'server' && close.code !== null && LIBRARY_CODES.has(close.code);
    this.emit({
      kind: 'exception', time: r.time, conn: key, at: r.at, route: conn?.route,
      type: ex.type, message: ex.message, stack: ex.stack, fatal: false,
      connectionClosed: closedFirst || undefined,
      wireCode: sentItself ? close!.code! : undefined,
    });
    if (!conn) return;
    if (close) conn.handler = close;
    else if (!closedFirst) conn.handlerFailed = true;
  }

  /** A line of the application's own loggers: its tracebacks are exceptions, the rest notes. */
  private application(r: PyRecord): void {
    const conn = this.current;
    if (r.exception) {
      const ex = r.exception;
      this.emit({
        kind: 'exception', time: r.time, conn: undefined, at: r.at, route: conn?.route,
        type: ex.type, message: ex.message, stack: ex.stack, fatal: false,
        handled: r.level !== 'error' && r.level !== 'fatal', connectionClosed: /ConnectionClosed/.test(ex.type) || undefined,
      });
    } else if (conn?.opened && !this.isClosing(conn)) {
      this.emit({ kind: 'note', time: r.time, conn: undefined, at: r.at, route: conn.route, text: r.message, level: r.level });
      // The app saying it closes with a code: the one record of it at INFO, where no close frame is logged.
      const said = messageText(r.message);
      if (!this.debug && said.code !== undefined && said.says(SAYS.close)) {
        conn.first ??= { code: said.code, reason: said.reason?.reason ?? '', initiator: said.says(SAYS.closedByClient) ? 'client' : 'server', clean: true };
      }
    }
  }

  private closed(r: PyRecord, conn: Conn, line: 'state' | 'info'): void {
    if (line === 'state') conn.stateClosed ??= r;
    else conn.infoClosed ??= r;
    if (!conn.opened) {
      // A rejected handshake, or a connection already judged: nothing more to say about it.
      if (conn.key !== undefined && this.keyed.get(conn.key) === conn) this.keyed.delete(conn.key);
      return;
    }
    // A keyed connection's close is complete with both closing lines, or INFO without DEBUG (no CLOSED
    // line will come). A keyless one waits for the next connection: 17.x logs the handler's
    // ConnectionClosed failure after both lines.
    if (conn.key !== undefined && ((conn.stateClosed && conn.infoClosed) || (line === 'info' && !this.debug))) {
      this.emitClose(conn);
      return;
    }
    conn.closedAtRecord = this.records;
    this.closing.add(conn);
  }

  private emitClose(conn: Conn): void {
    this.closing.delete(conn);
    if (conn.key !== undefined && this.keyed.get(conn.key) === conn) this.keyed.delete(conn.key);
    const last = [conn.stateClosed, conn.infoClosed].filter((x) => x !== undefined).sort((a, b) => atLine(b) - atLine(a))[0];
    if (!conn.opened || !last) return;
    conn.opened = false; // a connection closes once
    const close: Close = conn.first
      ?? (conn.failCode !== undefined ? failed(conn.failCode) : undefined)
      ?? conn.handler
      ?? (conn.handlerFailed ? { code: 1011, reason: '', initiator: 'server', clean: true } : undefined)
      ?? (this.debug ? { code: 1006, reason: '', initiator: 'unknown', clean: false } : { code: null, reason: '', initiator: 'unknown', clean: true });
    this.emit({
      kind: 'close', time: last.time, conn: conn.key, at: last.at, route: conn.route,
      code: close.code, reason: close.reason, initiator: close.initiator, clean: close.clean,
    });
  }

  private emit(e: WsEvent): void {
    this.sink.event(e);
  }
}

/** What uvicorn does after the app raised: it closes the transport, no close frame (its client sees 1006). */
const DROPPED: Close = { code: 1006, reason: '', initiator: 'server', clean: false };
/** What daphne does: it sends 1011 (ws_protocol.py `handle_exception`). */
const SERVER_ERROR: Close = { code: 1011, reason: '', initiator: 'server', clean: true };

function isDisconnect(type: string): boolean {
  return /(?:^|\.)WebSocketDisconnect$/.test(type);
}

/** The connection object's address, where a JSON record carries it (websockets' `extra={"websocket": self}`). */
function objectKey(r: PyRecord): string | undefined {
  const ws = r.fields?.websocket;
  return typeof ws === 'string' ? OBJECT_REPR.exec(ws)?.[1] : undefined;
}

/** uvicorn's records: its default format's (no logger named), or its loggers' (`uvicorn.error`, `uvicorn.access`) in any other. */
function isUvicorn(logger: string): boolean {
  return logger === UVICORN || logger.startsWith('uvicorn.');
}

/** `! failing connection with code N`: the server fails it, except 1006, which says the TCP connection was lost. */
function failed(code: number): Close {
  return code === 1006 ? { code, reason: '', initiator: 'unknown', clean: false } : { code, reason: '', initiator: 'server', clean: true };
}

function atLine(r: PyRecord): number {
  return Number(r.at.slice(r.at.lastIndexOf(':') + 1));
}
