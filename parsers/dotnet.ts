/**
 * ASP.NET Core services under Microsoft.Extensions.Logging's default console formatter:
 * `fail: Category[eventId]` (after an optional timestamp) then the message, scopes (`=> ...`) and
 * the exception, each line indented by six spaces (or on one line with `SingleLine`). A whole
 * entry is one record; the runtime's own crash output ("Unhandled exception. Type: message" and
 * frames) kills the process.
 *
 * Texts checked in the source (dotnet is not installable here, so nothing was run):
 * - dotnet/runtime SimpleConsoleFormatter.cs (stored commit 04da5a1): level names trce dbug info
 *   warn fail crit, `: Category[eventId]`, six-space message padding, exception.ToString() padded.
 * - dotnet/runtime Exception.cs (20dcbe5): "Type: message", inner exceptions as " ---> ..." and
 *   "   --- End of inner exception stack trace ---", frames "   at ...".
 * - dotnet/runtime WebSocketCloseStatus.cs (02f0b04): NormalClosure 1000, EndpointUnavailable 1001,
 *   ProtocolError 1002, InvalidMessageType 1003, Empty 1005, InvalidPayloadData 1007,
 *   PolicyViolation 1008, MessageTooBig 1009, MandatoryExtension 1010, InternalServerError 1011.
 * - dotnet/runtime System.Net.WebSockets Strings.resx (0046881): "The remote party closed the
 *   WebSocket connection without completing the close handshake." and the frame errors after
 *   which ManagedWebSocket closes with ProtocolError (1002).
 * - dotnet/aspnetcore Kestrel: `Connection id "{ConnectionId}", Request id "{TraceIdentifier}": An
 *   unhandled exception was thrown by the application.` (Microsoft.AspNetCore.Server.Kestrel[13]);
 *   no close frame follows, so the peer sees 1006.
 */
import type { CloseEvent, ExceptionEvent, WsEvent } from '../src/model.js';
import { CLOSE_TEXT, DEFAULT_FIELDS, toLevel, toTime } from './fields.js';
import { lineScore } from './detect.js';
import type { Parser } from './parser.js';
import { recordEvents } from './record.js';
import { isAtFrame, TraceJoiner, type TraceShape } from './stack.js';

const HEADER = /^(.{0,40}?)(trce|dbug|info|warn|fail|crit): ([^\s[\]]{1,300})\[(\d{1,10})\](?: (.*))?$/;
const PAD = '      ';
/** `Type: message`; Win32Exception and its subclasses (WebSocketException) add their HRESULT. */
const EXCEPTION_START = /^([A-Za-z_][\w.`+]{0,300}(?:Exception|Error))(?: \(0x[0-9A-Fa-f]{8}\))?(?:: (.*))?$/;
const KESTREL_ID = /\b0H[0-9A-V]{11}\b/;
const APP_ID = /\b(?:connection|socket|session|client)(?:[ _]?id)?[=: ]\s?"?([\w-]{0,64}\d[\w-]{0,64})\b/i;
const ROUTE = /RequestPath:(\/\S{0,300})|(?:^|\s)(\/[^\s:"]{0,200})(?=[:\s"]|$)/;

const CLOSE_STATUS: Record<string, number> = {
  NormalClosure: 1000, EndpointUnavailable: 1001, ProtocolError: 1002, InvalidMessageType: 1003, Empty: 1005,
  InvalidPayloadData: 1007, PolicyViolation: 1008, MessageTooBig: 1009, MandatoryExtension: 1010, InternalServerError: 1011,
};
/** A status name; `Empty` only where it is plainly a close status. */
const STATUS_NAME = /\b(NormalClosure|EndpointUnavailable|ProtocolError|InvalidMessageType|InvalidPayloadData|PolicyViolation|MessageTooBig|MandatoryExtension|InternalServerError|(?<=(?:WebSocketCloseStatus\.|CloseStatus[:=] ?))Empty)\b(?:[^"\n]{0,40}"([^"]{0,500})")?/;
const PREMATURE = 'The remote party closed the WebSocket connection without completing the close handshake.';
const PROTOCOL = /The WebSocket (?:received a frame with one or more reserved bits set|server sent a masked frame|received a continuation frame from a previous final message|expected a continuation frame after having received a previous non-final frame|received an invalid control message|received a frame with an unknown opcode|received a frame with an invalid payload length|received a continuation frame with Per-Message Compressed flag set|received compressed frame when compression is not enabled)/;

/** The indented lines of an entry; an exception written without padding (older hosts) with its frames. */
const ENTRY: TraceShape = {
  continues(line) {
    return line.startsWith(PAD) || isAtFrame(line) || line.startsWith(' ---> ') || EXCEPTION_START.test(line)
      || /^\s{0,8}--- End of /.test(line);
  },
};

/** The runtime's crash output: frames and inner exceptions after "Unhandled exception. ...". */
const CRASH: TraceShape = {
  continues(line) {
    return isAtFrame(line) || line.startsWith(' ---> ') || /^\s{0,8}--- End of /.test(line);
  },
};

export const dotnetParser: Parser = {
  name: 'dotnet',
  description: 'ASP.NET Core console logs (Microsoft.Extensions.Logging) with WebSocketCloseStatus names and .NET exceptions',

  detect(lines) {
    // Only entry headers prove the format; indented lines alone could be anything.
    return lineScore(lines, (line) => line.startsWith(PAD) || isAtFrame(line) || line.startsWith('Unhandled exception. ') || HEADER.test(line), HEADER, 0);
  },

  create(file, sink, _opts) {
    const joiner = new TraceJoiner((e) => sink.event(e));
    return joiner.reader(file, (text, at) => {
      const m = HEADER.exec(text);
      if (m) {
        const time = toTime(m[1].trim().replace(/^\[|\]$/g, ''));
        const level = toLevel(m[2] === 'fail' ? 'error' : m[2] === 'crit' ? 'fatal' : m[2] === 'trce' ? 'trace' : m[2] === 'dbug' ? 'debug' : m[2]);
        const category = m[3];
        const eventId = Number(m[4]);
        joiner.start(text, ENTRY, (lines) => entryEvents(lines, m[5], { time, at }, level, category, eventId));
        return;
      }
      if (text.startsWith('Unhandled exception. ')) {
        const first = EXCEPTION_START.exec(text.slice(21));
        joiner.start(text, CRASH, (lines): ExceptionEvent[] => [{
          time: undefined, conn: undefined, at, kind: 'exception', fatal: true,
          type: first?.[1] ?? 'Exception', message: first?.[2] ?? text.slice(21), stack: lines.join('\n').slice(21),
        }]);
        return;
      }
      if (text.trim() !== '') sink.skip('not-dotnet-log');
    });
  },
};

/** One log entry: its message, scopes and exception, read into events. */
function entryEvents(
  lines: string[], inline: string | undefined, where: { time: number | undefined; at: string },
  level: string | undefined, category: string, eventId: number,
): WsEvent[] {
  const message: string[] = inline ? [inline] : [];
  const scopes: string[] = [];
  let exception: string[] | undefined;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i].startsWith(PAD) ? lines[i].slice(PAD.length) : lines[i];
    if (exception) exception.push(l);
    else if (l.startsWith('=> ')) scopes.push(l);
    else if (EXCEPTION_START.test(l)) exception = [l];
    else message.push(l);
  }
  // SingleLine puts the exception on the header line, after the message.
  if (!exception && inline) {
    const i = inline.search(/ [A-Za-z_][\w.`+]{0,300}(?:Exception|Error): /);
    if (i > 0) {
      exception = [inline.slice(i + 1)];
      message[0] = inline.slice(0, i);
    }
  }
  const msg = message.join(' ');
  const context = `${msg} ${scopes.join(' ')}`;
  const conn = /ConnectionId:(\S{1,64})/.exec(context)?.[1] ?? KESTREL_ID.exec(context)?.[0] ?? APP_ID.exec(msg)?.[1];
  const r = ROUTE.exec(context);
  const base = { ...where, conn, route: r?.[1] ?? r?.[2] };

  if (exception) {
    const first = EXCEPTION_START.exec(exception[0])!;
    const stack = exception.join('\n');
    const e: ExceptionEvent = {
      ...base, kind: 'exception', type: first[1], message: first[2] ?? '', stack, fatal: false,
      handled: level === 'warn' || level === 'info' || level === 'debug' || undefined,
    };
    if (stack.includes(PREMATURE)) e.connectionClosed = true;
    if (PROTOCOL.test(stack)) e.wireCode = 1002;
    const out: WsEvent[] = [e];
    if (conn && category === 'Microsoft.AspNetCore.Server.Kestrel' && eventId === 13) {
      // The endpoint threw and nothing caught it: Kestrel drops the connection without a close frame.
      out.push({ ...base, kind: 'close', code: 1006, reason: '', initiator: 'server', clean: false });
    } else if (conn && (e.connectionClosed || e.wireCode)) {
      out.push({ ...base, kind: 'close', code: e.wireCode ?? 1006, reason: '', initiator: e.wireCode ? 'server' : 'client', clean: e.wireCode ? undefined : false });
    }
    return out;
  }
  const status = CLOSE_TEXT.test(msg) ? STATUS_NAME.exec(msg) : null;
  if (status) {
    const close: CloseEvent = { ...base, kind: 'close', code: CLOSE_STATUS[status[1]], reason: status[2] ?? '', initiator: 'unknown' };
    return [close];
  }
  const out: WsEvent[] = [];
  recordEvents({ msg, time: base.time, level, connId: conn, route: base.route }, base.at, DEFAULT_FIELDS, (ev) => out.push(ev));
  return out;
}
