/**
 * HAR files with WebSocket entries: Chrome DevTools' export and Playwright's recordHar
 * (checked with Playwright 1.65.1 on Chromium 156). A WebSocket entry has `_resourceType:
 * "websocket"` (or a ws:// URL) and `_webSocketMessages: [{type, time, opcode, data}]`, `type`
 * being `send`, `receive` or Chrome's `error`. This is the client's view: `send` is a frame the
 * server received. Chrome reports no close frame and no close code to DevTools (CDP's
 * webSocketClosed carries only a time), so a HAR connection ends with no code; what it shows
 * is which data types the client sent, in what order. `time` is epoch seconds (DevTools) or
 * milliseconds (Playwright).
 */
import type { Direction } from '../src/model.js';
import { toFrameType, toRoute, toTime } from './fields.js';
import { JsonStream, type JsonPath } from './json-stream.js';
import type { Parser } from './parser.js';

interface Message {
  at: string;
  type?: string;
  time?: unknown;
  opcode?: number;
  size?: number;
  /** Chrome's own text for an `error` message (not a payload). */
  error?: string;
}

interface Entry {
  at: string;
  started?: string;
  url?: string;
  resourceType?: string;
  status?: number;
  messages: Message[];
}

const HAR_START = /^\s*\{\s*"log"\s*:\s*\{/;

export const harParser: Parser = {
  name: 'har',
  description: 'HAR export (browser devtools, Playwright) with WebSocket messages',

  detect(lines) {
    const head = lines.slice(0, 4).join('\n');
    return HAR_START.test(head) && /"(?:version|creator|entries)"/.test(head.slice(0, 4096)) ? 1 : 0;
  },

  create(file, sink) {
    let entry: Entry | undefined;
    let message: Message | undefined;

    const emit = (e: Entry) => {
      const isWs = e.resourceType === 'websocket' || /^wss?:/i.test(e.url ?? '');
      if (!isWs || e.status !== 101) return; // a refused upgrade never opened
      const url = e.url?.split('?', 1)[0]; // the query may hold a token
      const conn = `${url} @ ${e.started}`;
      const route = toRoute(url);
      const base = { conn, route };
      let last = toTime(e.started);
      sink.event({ ...base, kind: 'open', time: last, at: e.at });
      for (const m of e.messages) {
        const time = toTime(m.time) ?? last;
        last = time;
        if (m.type === 'error') {
          sink.event({ ...base, kind: 'note', time, at: m.at, text: `browser reported a WebSocket error: ${m.error ?? ''}`, level: 'error' });
          continue;
        }
        const type = toFrameType('opcode', m.opcode);
        const direction: Direction | undefined = m.type === 'send' ? 'in' : m.type === 'receive' ? 'out' : undefined;
        if (!type || !direction) {
          sink.skip('har-unknown-message');
          continue;
        }
        sink.event({ ...base, kind: 'frame', time, at: m.at, direction, type, size: m.size });
      }
      // The browser knew the code; the HAR does not: the close is there, its code is not.
      sink.event({ ...base, kind: 'close', time: last, at: e.at, code: null, reason: '', initiator: 'unknown' });
    };

    const json = new JsonStream({
      open(path, lineNo) {
        if (isEntry(path)) entry = { at: `${file}:${lineNo}`, messages: [] };
        else if (entry && isMessage(path)) entry.messages.push((message = { at: `${file}:${lineNo}` }));
      },
      close(path) {
        if (isEntry(path) && entry) {
          emit(entry);
          entry = undefined;
        } else if (isMessage(path)) {
          message = undefined;
        }
      },
      value(path, v) {
        if (!entry || path.length < 4 || path[0] !== 'log' || path[1] !== 'entries') return;
        const key = path.at(-1);
        if (message && path.length === 6) {
          if (key === 'type' && typeof v === 'string') message.type = v;
          else if (key === 'time') message.time = v;
          else if (key === 'opcode' && typeof v === 'number') message.opcode = v;
          else if (key === 'data' && typeof v === 'string') {
            if (message.type === 'error') message.error = v;
            else message.size = message.opcode === 2 ? base64Size(v) : Buffer.byteLength(v);
          }
          return;
        }
        if (path.length === 4) {
          if (key === 'startedDateTime' && typeof v === 'string') entry.started = v;
          else if (key === '_resourceType' && typeof v === 'string') entry.resourceType = v;
        } else if (path.length === 5 && key === 'url' && path[3] === 'request' && typeof v === 'string') {
          entry.url = v;
        } else if (path.length === 5 && key === 'status' && path[3] === 'response' && typeof v === 'number') {
          entry.status = v;
        }
      },
    });

    let reported = false;
    return {
      line(text, lineNo) {
        json.line(text, lineNo);
        if (!json.ok && !reported) {
          reported = true;
          sink.skip('not-json');
        }
      },
      end() {},
    };
  },
};

/** `log.entries[i]` */
function isEntry(path: JsonPath): boolean {
  return path.length === 3 && path[0] === 'log' && path[1] === 'entries';
}

/** `log.entries[i]._webSocketMessages[j]` */
function isMessage(path: JsonPath): boolean {
  return path.length === 5 && path[3] === '_webSocketMessages' && path[1] === 'entries';
}

/** Bytes a base64 string decodes to (binary messages are base64 in a HAR). */
function base64Size(s: string): number {
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return Math.floor((s.length * 3) / 4) - pad;
}
