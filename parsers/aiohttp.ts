/**
 * aiohttp `web.WebSocketResponse` services logging through the standard `logging` module (any
 * format python-logging.ts reads). Checked against 3.8.4 (Debian's python3-aiohttp, run:
 * samples/aiohttp) and the source at HEAD (2026-08, web_protocol.py, _websocket/reader_py.py):
 * - `aiohttp.server` ERROR `Error handling request` (`Error handling request from <remote>` since
 *   3.11.12) + traceback: the handler raised; aiohttp sends no close frame, the peer sees 1006.
 * - `aiohttp.access` (default `%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"`): a status 101
 *   line is written when the WebSocket handler returns, i.e. at the connection's end.
 * - `aiohttp.websocket` WARNING `Client protocols … don’t overlap server-known ones …`.
 * - aiohttp logs no frames: the rest is what the application logs about its `WSMsgType` messages,
 *   `ws.exception()` (WebSocketError texts, below, with the code aiohttp sent for each) and
 *   `ws.close_code`, which reads 1006 after aiohttp sent 1009/1007/1002 itself, and the client's
 *   answering code after the application closed (aiohttp's client answers 1000).
 * Lines name no connection: the log is read in order, one connection at a time.
 */
import type { WsEvent } from '../src/model.js';
import {
  CLOSE_TEXT, CLOSED_BY_CLIENT, CLOSING_BY_SERVER, codeInText, OPEN_TEXT, OUT_TEXT,
} from './fields.js';
import type { Parser, ParserSink } from './parser.js';
import { detectRecords, type PyRecord, pythonLogReader } from './python-logging.js';

/** WebSocketError texts (3.8.4 http_websocket.py, HEAD _websocket/reader_py.py) and the close code aiohttp sends with each. */
const WEBSOCKET_ERROR = /(\b(?:Decompressed )?[Mm]essage size \d{1,20} exceeds limit \d{1,20}|Decompressed message exceeds size limit \d{1,20}|Compressed message has too many deflate members)|(Invalid UTF-8 text message)|(Invalid close code: \d{1,10}|Invalid close frame: |Unexpected opcode=\d{1,5}|The opcode in non-fin frame is expected to be zero|Received frame with non-zero reserved bits|Received fragmented control frame|Control frame payload cannot be larger than 125 bytes|Continuation frame for non started message)/;
/** The code of each of WEBSOCKET_ERROR's groups, in order. */
const WEBSOCKET_ERROR_CODES = [1009, 1007, 1002];
const ERROR_HANDLING = /^Error handling request(?: from (\S{1,64}))?$/;
const ACCESS = /^(\S{1,64}) \[[^\]]{1,64}\] "[A-Z]{1,16} (\S{1,4096}) HTTP\/[\d.]{1,3}" (\d{3}) /;
const MSG_TYPE = /\bWSMsgType\.(TEXT|BINARY|PING|PONG|CONTINUATION)\b/;
const ADDRESS = /(?:^|[\s(=])(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7})(?=$|[\s,)])/;
const PATH = /(?:^|\s)(\/[^\s?#]{0,2048})/;

export const aiohttpParser: Parser = {
  name: 'aiohttp',
  description: 'aiohttp WebSocketResponse services under Python logging (3.8-3.13), and Python apps that log their WebSocket events',

  detect(lines) {
    const { records, score } = detectRecords(lines, (h) => h.logger.startsWith('aiohttp.') || h.message.includes('WSMsgType'));
    // Python logging without aiohttp's own lines yet (its access line comes at a connection's end): a weak claim.
    return score > 0 || lines.length === 0 ? score : 0.3 * (records / lines.length);
  },

  create(file, sink) {
    const reader = new AiohttpReader(sink);
    return pythonLogReader(file, (r) => reader.record(r), (reason) => sink.skip(reason));
  },
};

class AiohttpReader {
  /** The current connection of this keyless log: open from its first line until its close. */
  private open = false;
  private route: string | undefined;

  constructor(private readonly sink: ParserSink) {}

  // Events are built as literals, not spread from a shared base: spreading is slow on this hot path.
  record(r: PyRecord): void {
    const msg = r.message;
    if (r.logger === 'aiohttp.access') {
      const m = ACCESS.exec(msg);
      if (!m || m[3] !== '101') return;
      // The 101 line is written when the handler returns: the end of a connection nobody logged closing.
      if (this.open) this.close(r, this.route ?? pathOf(m[2]), null, 'unknown');
      this.open = false;
      return;
    }
    if (r.exception) {
      const ex = r.exception;
      const dropped = r.logger === 'aiohttp.server' && ERROR_HANDLING.test(msg);
      this.emit({
        kind: 'exception', time: r.time, conn: undefined, at: r.at, route: this.route,
        type: ex.type, message: ex.message, stack: ex.stack, fatal: false,
        handled: !dropped && r.level !== 'error' && r.level !== 'fatal',
        connectionClosed: /ConnectionClosed|ClientConnectionResetError|ConnectionResetError/.test(ex.type) || undefined,
      });
      // The handler raised: aiohttp drops the connection without a close frame.
      if (dropped && this.open) this.close(r, this.route, 1006, 'server', false);
      return;
    }
    if (r.logger.startsWith('aiohttp.')) this.note(r);
    else this.application(r);
  }

  /** What the application logs about its connections, read with the shared message vocabulary. */
  private application(r: PyRecord): void {
    const msg = r.message;
    const wsError = WEBSOCKET_ERROR.exec(msg);
    if (wsError) {
      this.emit({
        kind: 'exception', time: r.time, conn: undefined, at: r.at, route: this.route,
        type: 'WebSocketError', message: msg.slice(wsError.index), fatal: false,
        wireCode: WEBSOCKET_ERROR_CODES[wsError.findIndex((g, i) => i > 0 && g !== undefined) - 1],
      });
      return;
    }
    if (CLOSE_TEXT.test(msg)) {
      // The first close line wins: a later `ws.close_code` is the peer's answer to it.
      if (this.open) {
        const initiator = CLOSED_BY_CLIENT.test(msg) ? 'client' : CLOSING_BY_SERVER.test(msg) ? 'server' : 'unknown';
        this.close(r, this.route, codeInText(msg) ?? null, initiator);
      }
      return;
    }
    const type = MSG_TYPE.exec(msg);
    if (type && this.open) {
      this.emit({
        kind: 'frame', time: r.time, conn: undefined, at: r.at, route: this.route,
        direction: OUT_TEXT.test(msg) ? 'out' : 'in',
        type: type[1] === 'CONTINUATION' ? 'continuation' : (type[1].toLowerCase() as 'text' | 'binary' | 'ping' | 'pong'),
        size: sizeOf(msg),
      });
      return;
    }
    if (OPEN_TEXT.test(msg) && /\b(?:web ?socket|ws)\b/i.test(msg)) {
      this.open = true;
      this.route = pathOf(PATH.exec(msg)?.[1]);
      this.emit({ kind: 'open', time: r.time, conn: undefined, at: r.at, route: this.route, remote: ADDRESS.exec(msg)?.[1] });
      return;
    }
    this.note(r);
  }

  private note(r: PyRecord): void {
    if (this.open) this.emit({ kind: 'note', time: r.time, conn: undefined, at: r.at, route: this.route, text: r.message, level: r.level });
  }

  private close(r: PyRecord, route: string | undefined, code: number | null, initiator: 'server' | 'client' | 'unknown', clean?: boolean): void {
    this.open = false;
    this.emit({ kind: 'close', time: r.time, conn: undefined, at: r.at, route, code, reason: '', initiator, clean });
  }

  private emit(e: WsEvent): void {
    this.sink.event(e);
  }
}

function pathOf(p: string | undefined): string | undefined {
  if (!p) return undefined;
  const q = p.search(/[?#]/);
  return q < 0 ? p : p.slice(0, q);
}

function sizeOf(msg: string): number | undefined {
  const m = /\b(\d{1,12}) bytes?\b/.exec(msg);
  return m ? Number(m[1]) : undefined;
}
