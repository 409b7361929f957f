/**
 * tshark's decoding of a packet capture, checked against TShark 4.0.17: `-T json` (one
 * pretty-printed array, read line by line without holding it) and `-T ek` (one packet per
 * line after an index line). The connection is the TCP stream; the server is the side that
 * sent the HTTP 101, else the side whose frames are unmasked (RFC 6455 §5.1). Frames give the
 * exact opcode, length and close code; a stream that ends with FIN or RST and no close frame
 * is a 1006. Read with the handshake and the TCP ends in view:
 *   tshark -r cap.pcapng -Y "websocket or http.request or http.response.code == 101 or tcp.flags.fin == 1 or tcp.flags.reset == 1" -T json
 */
import type { Direction, FrameType, WsEvent } from '../src/model.js';
import { toFrameType, toRoute, toTime } from './fields.js';
import type { Parser } from './parser.js';

/** The display filter that keeps what a verdict needs: frames, handshakes, and TCP ends. */
export const TSHARK_FILTER = 'websocket or http.request or http.response.code == 101 or tcp.flags.fin == 1 or tcp.flags.reset == 1';

interface WsFrame {
  opcode?: number;
  masked?: boolean;
  length?: number;
  code?: number;
  reason?: string;
}

interface Packet {
  at: string;
  time?: number;
  src?: string;
  dst?: string;
  srcPort?: string;
  dstPort?: string;
  stream?: string;
  flags?: number;
  uri?: string;
  status?: number;
  frames: WsFrame[];
}

interface Stream {
  conn: string;
  route?: string;
  /** `address:port` of the side that answered 101 (or sent unmasked frames). */
  server?: string;
  client?: string;
  opened: boolean;
  /** The first close frame: its code is the connection's. */
  close?: { direction: Direction; code: number | null; reason: string; at: string; time?: number };
}

/** Ended streams remembered so their last segments (FIN/ACK after the close) are not read as new. */
const ENDED_KEPT = 4096;
const TCP_FIN = 0x01;
const TCP_RST = 0x04;

export const tsharkParser: Parser = {
  name: 'tshark',
  description: 'tshark -T json or -T ek decoding of a packet capture (WebSocket dissector)',

  detect(lines) {
    for (const line of lines) {
      const t = line.trimStart();
      if (t === '' || t === '[' || t === '{') continue;
      if (t.startsWith('{"index":{"_index":"packets-') || t.startsWith('"_index": "packets-')) return 1;
      if (t.startsWith('{"timestamp":"') && t.includes('"layers":{"frame":')) return 1;
      return 0;
    }
    return 0;
  },

  create(file, sink, opts) {
    const streams = new Map<string, Stream>();
    const ended = new Set<string>();
    const end = (key: string) => {
      streams.delete(key);
      ended.add(key);
      if (ended.size > ENDED_KEPT) ended.delete(ended.values().next().value as string);
    };
    const position = (lineNo: number, frameNo: string | undefined) =>
      `${file}:${opts?.capturePositions && frameNo ? frameNo : lineNo}`;

    const emit = (st: Stream, p: Packet, e: Record<string, unknown> & { kind: WsEvent['kind'] }) =>
      sink.event({ time: p.time, conn: st.conn, at: p.at, route: st.route, ...e } as WsEvent);

    const sideOf = (st: Stream, p: Packet, f?: WsFrame): Direction => {
      if (st.server) return `${p.src}:${p.srcPort}` === st.server ? 'out' : 'in';
      return f?.masked ? 'in' : 'out';
    };

    const open = (st: Stream, p: Packet) => {
      if (st.opened) return;
      st.opened = true;
      emit(st, p, { kind: 'open', remote: st.client });
    };

    const finish = (st: Stream, key: string, p: Packet, byFlags: boolean) => {
      end(key);
      const c = st.close;
      if (c) {
        // Where the code was read: the first close frame.
        emit(st, p, { kind: 'close', time: c.time, at: c.at, code: c.code, reason: c.reason,
          initiator: c.direction === 'out' ? 'server' : 'client' });
        return;
      }
      // FIN or RST without a close frame: the peer sees 1006.
      const initiator = byFlags ? (sideOf(st, p) === 'out' ? 'server' : 'client') : 'unknown';
      emit(st, p, { kind: 'close', code: 1006, reason: '', initiator, clean: false });
    };

    const packet = (p: Packet) => {
      if (p.stream === undefined) {
        sink.skip('no-tcp-stream');
        return;
      }
      const key = p.stream;
      if (ended.has(key)) return;
      let st = streams.get(key);
      if (!st) {
        // Only a handshake or a frame makes a WebSocket connection of a stream.
        if (p.uri === undefined && p.status !== 101 && p.frames.length === 0) return;
        st = { conn: `tcp.stream==${key}`, opened: false };
        streams.set(key, st);
      }
      if (p.uri !== undefined) {
        st.route ??= toRoute(p.uri.split('?', 1)[0]); // the query may hold a token
        st.client ??= `${p.src}:${p.srcPort}`;
      }
      if (p.status === 101) {
        st.server = `${p.src}:${p.srcPort}`;
        st.client ??= `${p.dst}:${p.dstPort}`;
        open(st, p);
      }
      for (const f of p.frames) {
        const type: FrameType | undefined = f.opcode === undefined ? undefined : toFrameType('opcode', f.opcode);
        if (!type) {
          sink.skip('unknown-opcode');
          continue;
        }
        if (!st.server) {
          // No handshake in the capture: the unmasked side is the server.
          st.server = f.masked ? `${p.dst}:${p.dstPort}` : `${p.src}:${p.srcPort}`;
          st.client = f.masked ? `${p.src}:${p.srcPort}` : `${p.dst}:${p.dstPort}`;
        }
        open(st, p);
        const direction = sideOf(st, p, f);
        emit(st, p, { kind: 'frame', direction, type, size: f.length, code: f.code, reason: f.reason });
        if (type !== 'close') continue;
        if (!st.close) st.close = { direction, code: f.code ?? null, reason: f.reason ?? '', at: p.at, time: p.time };
        else if (st.close.direction !== direction) return finish(st, key, p, false); // the close handshake is complete
      }
      if (p.flags !== undefined && (p.flags & (TCP_FIN | TCP_RST)) !== 0) {
        if (st.opened) return finish(st, key, p, true);
        end(key); // an upgrade that was refused: never a WebSocket connection
      }
    };

    const json = jsonPackets(position, packet);
    return {
      line(text, lineNo) {
        if (json.inArray() || text.charCodeAt(0) !== 123 /* { */) return json.line(text, lineNo);
        const pk = ekPacket(text, lineNo, position, (reason) => sink.skip(reason));
        if (pk) packet(pk);
      },
      end() {
        // The capture stopped during a close handshake: the close frame already says how it ended.
        for (const [key, st] of streams) {
          if (st.close) finish(st, key, { at: st.close.at, frames: [] }, false);
        }
      },
    };
  },
};

type Position = (lineNo: number, frameNo: string | undefined) => string;

/**
 * `-T json`: pretty-printed, one key per line, packets at depth 1 of the top array. Only the
 * keys a verdict needs are read; repeated "websocket" keys (several frames in one segment)
 * each start a frame at their `websocket.fin`.
 */
function jsonPackets(position: Position, onPacket: (p: Packet) => void) {
  let depth = 0;
  let startLine = 0;
  let frameNo: string | undefined;
  let p: Packet | undefined;
  let frame: WsFrame | undefined;

  const field = (key: string, value: string) => {
    if (!p) return;
    switch (key) {
      case 'frame.number': frameNo = value; break;
      case 'frame.time_epoch': p.time = toTime(value); break;
      case 'ip.src': case 'ipv6.src': p.src = value; break;
      case 'ip.dst': case 'ipv6.dst': p.dst = value; break;
      case 'tcp.srcport': p.srcPort = value; break;
      case 'tcp.dstport': p.dstPort = value; break;
      case 'tcp.stream': p.stream = value; break;
      case 'tcp.flags': p.flags = Number.parseInt(value, 16); break;
      case 'http.request.uri': p.uri = value; break;
      case 'http.response.code': p.status = Number(value); break;
      case 'websocket.fin':
        frame = {};
        p.frames.push(frame);
        break;
      default:
        if (frame) wsField(frame, key.slice(10), value);
    }
  };

  return {
    inArray: () => depth > 0,
    line(text: string, lineNo: number) {
      const t = text.trim();
      if (t === '') return;
      const c = t.charCodeAt(0);
      const last = t.charCodeAt(t.length - 1);
      if (c === 125 /* } */ || c === 93 /* ] */) {
        depth--;
        if (depth === 1 && p) {
          p.at = position(startLine, frameNo);
          onPacket(p);
          p = undefined;
        }
        return;
      }
      if (last === 123 /* { */ || last === 91 /* [ */) {
        depth++;
        if (depth === 2) {
          startLine = lineNo;
          frameNo = undefined;
          frame = undefined;
          p = { at: '', frames: [] };
        }
        return;
      }
      if (c !== 34 /* " */ || depth < 2) return;
      const k = t.indexOf('": ', 1);
      if (k < 0) return;
      const key = t.slice(1, k);
      if (!WANTED.has(key)) return;
      const raw = t.slice(k + 3, t.endsWith(',') ? -1 : undefined);
      field(key, raw.includes('\\') ? unquote(raw) : raw.slice(1, -1));
    },
  };
}

const WANTED = new Set([
  'frame.number', 'frame.time_epoch', 'ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport',
  'tcp.stream', 'tcp.flags', 'http.request.uri', 'http.response.code', 'websocket.fin', 'websocket.opcode',
  'websocket.mask', 'websocket.payload_length', 'websocket.payload_length_ext_16', 'websocket.payload_length_ext_64',
  'websocket.payload.close.status_code', 'websocket.payload.close.reason',
]);

/** A websocket field, by its name after `websocket.` (json) or `websocket_websocket_` (ek). */
function wsField(f: WsFrame, name: string, value: unknown): void {
  switch (name) {
    case 'opcode': f.opcode = Number(value); break;
    case 'mask': f.masked = value === true || value === '1'; break;
    case 'payload_length': f.length ??= Number(value); break;
    case 'payload_length_ext_16': case 'payload_length_ext_64': f.length = Number(value); break;
    case 'payload.close.status_code': case 'payload_close_status_code': f.code = Number(value); break;
    case 'payload.close.reason': case 'payload_close_reason': f.reason = String(value); break;
  }
}

function unquote(raw: string): string {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'string' ? v : raw;
  } catch {
    return raw;
  }
}

type Layers = Record<string, Record<string, unknown> | Record<string, unknown>[] | undefined>;

/** `-T ek`: a packet per line (`{"timestamp":…,"layers":{…}}`); the index lines between carry nothing. */
function ekPacket(text: string, lineNo: number, position: Position, skip: (reason: string) => void): Packet | undefined {
  if (text.startsWith('{"index":')) return undefined;
  let rec: { timestamp?: string; layers?: Layers };
  try {
    rec = JSON.parse(text) as typeof rec;
  } catch {
    skip('not-json');
    return undefined;
  }
  const l = rec.layers;
  if (!l || typeof l !== 'object') {
    skip('not-a-packet');
    return undefined;
  }
  const frame = one(l.frame);
  const ip = one(l.ip) ?? one(l.ipv6);
  const tcp = one(l.tcp);
  const http = one(l.http);
  const pre = l.ip ? 'ip_ip_' : 'ipv6_ipv6_';
  const p: Packet = {
    at: position(lineNo, str(frame?.frame_frame_number)),
    time: toTime(frame?.frame_frame_time_epoch ?? rec.timestamp),
    src: str(ip?.[`${pre}src`]),
    dst: str(ip?.[`${pre}dst`]),
    srcPort: str(tcp?.tcp_tcp_srcport),
    dstPort: str(tcp?.tcp_tcp_dstport),
    stream: str(tcp?.tcp_tcp_stream),
    flags: typeof tcp?.tcp_tcp_flags === 'string' ? Number.parseInt(tcp.tcp_tcp_flags, 16) : undefined,
    uri: str(http?.http_http_request_uri),
    status: http?.http_http_response_code !== undefined ? Number(http.http_http_response_code) : undefined,
    frames: [],
  };
  const ws = l.websocket;
  for (const w of Array.isArray(ws) ? ws : ws ? [ws] : []) {
    const f: WsFrame = {};
    for (const [k, v] of Object.entries(w)) if (k.startsWith('websocket_websocket_')) wsField(f, k.slice(20), v);
    p.frames.push(f);
  }
  return p;
}

function one(v: Record<string, unknown> | Record<string, unknown>[] | undefined): Record<string, unknown> | undefined {
  return Array.isArray(v) ? v.at(-1) : v;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
}
