/** Builders for WsEvents, for tests of the pipeline stages that come after parsing. */
import type { CloseEvent, ExceptionEvent, FrameEvent, OpenEvent, WsEvent } from '../../src/model.js';

let line = 0;
const base = (conn: string | undefined, time: number, extra: Partial<WsEvent> = {}) =>
  ({ conn, time, at: `t.log:${++line}`, process: '1@h', ...extra });

export const ev = {
  open: (conn: string | undefined, time: number, route = '/chat'): OpenEvent => ({ ...base(conn, time), kind: 'open', route }),
  frame: (conn: string | undefined, time: number, type: FrameEvent['type'], direction: FrameEvent['direction'] = 'in', extra: Partial<FrameEvent> = {}): FrameEvent =>
    ({ ...base(conn, time), kind: 'frame', type, direction, ...extra }),
  error: (conn: string | undefined, time: number, type: string, message: string, extra: Partial<ExceptionEvent> = {}): ExceptionEvent =>
    ({ ...base(conn, time), kind: 'exception', type, message, stack: `${type}: ${message}\n    at handle (/srv/app/handler.js:10:5)\n    at node:events:517:28`, fatal: false, ...extra }),
  close: (conn: string | undefined, time: number, code: number | null, reason = '', extra: Partial<CloseEvent> = {}): CloseEvent =>
    ({ ...base(conn, time), kind: 'close', code, reason, initiator: 'unknown', ...extra }),
};
