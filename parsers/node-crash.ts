/**
 * Node's own report of an exception nothing caught, written to stderr as the process dies.
 * Checked against Node 20.20.2 (run) and, at HEAD, src/node_errors.cc (GetErrorSource,
 * ReportFatalException), lib/events.js (enhanceStackTrace) and lib/internal/process/promises.js
 * (generateUnhandledRejectionError):
 *
 *     /srv/app/server.mjs:15                 <file>:<line>, only printed for a fatal exception
 *         const id = msg.user.id;            the source line
 *                             ^              the underline (absent when V8 has no column)
 *                                            blank
 *     TypeError: Cannot read ... 'id')       err.stack: `Name: message`, `Name [ERR_CODE]: message`,
 *         at WebSocket.<anonymous> (...)     or `[Name: message] {` when the stack has no frames
 *     Emitted 'error' event on WebSocket instance at:   an 'error' event nobody listened to
 *         at ... {                           util.inspect's own properties follow the last frame:
 *       code: 'E_X'                          `  code: 'E_X',` ... `}`
 *     }
 *                                            blank
 *     Node.js v20.20.2                       `--no-extra-info-on-fatal-exception` and Node < 17 omit it
 *
 * A thrown non-Error prints its value right under the underline, then "(Use `node
 * --trace-uncaught ...` ...)". Unhandled rejections use the same report (the header points into
 * node:internal/process/promises). The text names no connection, process or time: the correlator
 * ends every open connection of the process that wrote the file (a synthetic 1006 close).
 *
 * The reader is also the fallback of the structured parsers (JSON, logfmt), because `kubectl
 * logs` and `docker logs` show a service's stdout and stderr as one stream.
 */
import { countOf } from './detect.js';
import type { ExceptionEvent } from '../src/model.js';
import type { LineParser, Parser, ParserSink } from './parser.js';

const IDLE = 0;
/** `<file>:<line>` read: the next line is the source line. */
const SOURCE = 1;
/** The source line read: the underline, or a blank line, comes next. */
const UNDERLINE = 2;
/** The underline read: a blank line means an Error follows; anything else is a thrown value. */
const AFTER_UNDERLINE = 3;
/** Blank lines before the error line. */
const ERROR = 4;
/** An error line with no header: only frames right under it make it a trace. */
const HEADLESS = 5;
/** The error line read, no frame yet: message lines may continue (assertion diffs). */
const MESSAGE = 6;
const STACK = 7;
/** util.inspect's `{ ... }` block of the error's own properties. */
const PROPS = 8;
/** A blank line after the stack: the trailer, or the end of the report. */
const TRAILER = 9;

/** Bounds, so one malformed report cannot hold lines forever. */
const MAX_HELD_BLANKS = 4;
const MAX_MESSAGE_LINES = 20;
const MAX_STACK_LINES = 100;
const MAX_PROPS_LINES = 500;

const BRACKETED = /^\[([A-Za-z_$][\w$.]{0,200})(?: \[([A-Z][\w.-]{0,100})\])?(?:: (.*))?\]( \{)?$/;
const ERROR_LINE = /^([A-Za-z_$][\w$.]{0,200})(?: \[([A-Z][\w.-]{0,100})\])?(?:: (.*))?$/;
const HEADLESS_LINE = /^([A-Z][\w$.]{0,200}(?:Error|Exception|Rejection))(?: \[([A-Z][\w.-]{0,100})\])?: (.*)$/;
const PROP_CODE = /^ {2}code: '([^']{1,100})',?$/;
const TRAILER_LINE = /^Node\.js v\d{1,3}\.\d{1,3}\.\d{1,3}\S{0,40}$/;
const JS_FILE = /\.[cm]?[jt]sx?$/;
const NON_BLANK = /\S/;

/**
 * Reads Node crash reports out of a stream of lines; every other non-blank line is skipped
 * as `unread`. `end()` ends the report being read: call it at end of input, and before a line
 * of another format that interrupts the text (the report is then complete).
 */
export function crashReader(file: string, sink: ParserSink, unread: string): LineParser {
  let state = IDLE;
  /** Non-blank lines held while the shape is not yet certain: skipped if it turns out not to be a report. */
  let held = 0;
  let blanks = 0;
  let headed = false;
  let at = '';
  let type = '';
  let message = '';
  let code: string | undefined;
  let stack: string[] = [];
  let extra = 0;

  const reset = () => {
    state = IDLE;
    held = 0;
    blanks = 0;
    headed = false;
    code = undefined;
    stack = [];
    extra = 0;
  };
  const abandon = () => {
    for (let i = 0; i < held; i++) sink.skip(unread);
    reset();
  };
  const finish = (trailer: boolean) => {
    const e: ExceptionEvent = {
      kind: 'exception', time: undefined, conn: undefined, at,
      type, message, stack: stack.join('\n'),
      // Only the fatal path prints the header and the trailer: a headless trace is an error
      // printed by the application (console.error(err)), which may have survived it.
      fatal: headed || trailer,
      code,
    };
    reset();
    sink.event(e);
  };
  /** The error line; `afterBlank`: Node printed a blank line before it, as for every Error with a stack. */
  const begin = (text: string, lineNo: number, afterBlank: boolean) => {
    at = `${file}:${lineNo}`;
    state = MESSAGE;
    const b = BRACKETED.exec(text);
    let m = b ?? ERROR_LINE.exec(text);
    // Right under the underline: a thrown value, unless it reads as `Name: message` (a module
    // link error prints its SyntaxError there).
    if (m && !b && !afterBlank && (m[3] === undefined || !/^[A-Z]/.test(m[1]))) m = null;
    if (m) {
      type = m[1];
      code = m[2];
      message = m[3] ?? '';
      stack.push(b ? `${type}${code ? ` [${code}]` : ''}: ${message}` : text);
      if (b?.[4]) state = PROPS;
    } else {
      // `throw 'text'` or `throw {...}`: Node prints the value itself.
      type = 'Uncaught';
      message = text;
      stack.push(text);
    }
  };

  const line = (text: string, lineNo: number): void => {
    const blank = !NON_BLANK.test(text);
    switch (state) {
      case IDLE:
        if (blank) return;
        if (isHeader(text)) {
          state = SOURCE;
          held = 1;
          headed = true;
          return;
        }
        if (text.charCodeAt(0) >= 65 && text.charCodeAt(0) <= 90) {
          const m = HEADLESS_LINE.exec(text);
          if (m) {
            state = HEADLESS;
            held = 1;
            at = `${file}:${lineNo}`;
            type = m[1];
            code = m[2];
            message = m[3];
            stack.push(text);
            return;
          }
        }
        sink.skip(unread);
        return;
      case SOURCE:
        if (!blank) held++;
        state = UNDERLINE;
        return;
      case UNDERLINE:
        if (blank) {
          state = ERROR;
          return;
        }
        if (/^[ \t]*\^+\s*$/.test(text)) {
          held++;
          state = AFTER_UNDERLINE;
          return;
        }
        abandon();
        return line(text, lineNo);
      case AFTER_UNDERLINE:
        if (blank) {
          state = ERROR;
          return;
        }
        begin(text, lineNo, false);
        return;
      case ERROR:
        if (blank) {
          if (++blanks > MAX_HELD_BLANKS) abandon();
          return;
        }
        blanks = 0;
        begin(text, lineNo, true);
        return;
      case HEADLESS:
        if (isFrame(text)) {
          state = STACK;
          return line(text, lineNo);
        }
        abandon();
        return line(text, lineNo);
      case MESSAGE:
        if (isFrame(text) || text.startsWith('(Use `')) {
          state = STACK;
          return line(text, lineNo);
        }
        if (TRAILER_LINE.test(text)) return finish(true);
        if (blank) {
          blanks++;
          return;
        }
        if (++extra > MAX_MESSAGE_LINES) {
          finish(false);
          return line(text, lineNo);
        }
        // A message of several lines (assert's diff), blank lines included.
        for (; blanks > 0; blanks--) stack.push('');
        stack.push(text);
        return;
      case STACK:
        if (blank) {
          state = TRAILER;
          return;
        }
        if (isFrame(text) || text.startsWith("Emitted 'error' event") || text === 'Thrown at:') {
          if (text.endsWith(' {')) {
            state = PROPS;
            text = text.slice(0, -2);
          }
          if (stack.length < MAX_STACK_LINES) stack.push(text);
          return;
        }
        if (text.startsWith('(Use `')) return;
        if (TRAILER_LINE.test(text)) return finish(true);
        finish(false);
        return line(text, lineNo);
      case PROPS:
        if (text === '}') {
          state = STACK;
          return;
        }
        if (++extra > MAX_PROPS_LINES) {
          finish(false);
          return line(text, lineNo);
        }
        if (code === undefined && text.startsWith('  code: ')) code = PROP_CODE.exec(text)?.[1];
        return;
      case TRAILER:
        if (blank) return;
        if (TRAILER_LINE.test(text)) return finish(true);
        finish(false);
        return line(text, lineNo);
    }
  };

  return {
    line,
    end() {
      if (state === IDLE) return;
      if (state <= HEADLESS) abandon();
      else finish(false);
    },
  };
}

/** `<file>:<line>` as GetErrorSource prints it: a path, file URL, node: module or eval name. */
function isHeader(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  if (last < 48 || last > 57) return false;
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || text.length - colon > 8) return false;
  for (let i = colon + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const c0 = text[0];
  if (c0 === '/' || c0 === '\\' || c0 === '<' || c0 === '[') return true;
  if (text.startsWith('file://') || text.startsWith('node:') || text.startsWith('evalmachine.')) return true;
  if (/^[A-Za-z]:[\\/]/.test(text)) return true;
  const name = text.slice(0, colon);
  return !name.includes(' ') && JS_FILE.test(name);
}

function isFrame(text: string): boolean {
  return text.startsWith('    at ') || text.startsWith('    ...') || text.startsWith('    [...');
}

/**
 * What the reader makes of a sample: lines it read as crash text and fatal reports among them.
 * Lines `other` claims (another format's) end the report being read, as in a mixed stream.
 */
function scanCrashText(lines: string[], other: (line: string) => boolean): { lines: number; fatal: number } {
  let fed = 0;
  let skipped = 0;
  let fatal = 0;
  const reader = crashReader('', {
    event(e) { if (e.kind === 'exception' && e.fatal) fatal++; },
    skip() { skipped++; },
  }, '');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i];
    if (other(text)) {
      reader.end();
      continue;
    }
    if (text.trim()) fed++;
    reader.line(text, i + 1);
  }
  reader.end();
  return { lines: fed - skipped, fatal };
}

/**
 * The share of a sample's lines that are records of a structured format (`detect` of JSON and
 * logfmt): crash reports between the records count neither for nor against it.
 */
export function recordShare(lines: string[], isRecord: (line: string) => boolean): number {
  const { hits, total } = countOf(lines, (_t, line) => isRecord(line));
  const outside = total - scanCrashText(lines, isRecord).lines;
  return outside <= 0 ? 0 : hits / outside;
}

export const nodeCrashParser: Parser = {
  name: 'node-crash',
  description: "Node.js's own uncaught exception / unhandled rejection report on stderr",

  detect(lines) {
    const { hits: json, total } = countOf(lines, (t) => t.startsWith('{"') && t.endsWith('}'));
    const scan = scanCrashText(lines, () => false);
    if (scan.fatal === 0 || total === 0) return 0;
    // JSON lines around it: the JSON parser reads the report too, and the JSON besides.
    if (json > 0) return 0.1;
    return 0.5 + 0.45 * (scan.lines / total);
  },

  create(file, sink) {
    return crashReader(file, sink, 'not-node-crash');
  },
};

/**
 * A structured format's reader with crash reports between its records: a line `parse` does not
 * take goes to the crash reader, and a record ends the report being read before its events.
 * `fast`, when given, is tried first, on the line's text or its bytes; a line it declines is
 * decoded if need be and given to `parse`.
 */
export function withCrashText<T>(
  file: string, sink: ParserSink, unread: string,
  parse: (text: string) => T | undefined, emit: (rec: T, lineNo: number) => void,
  fast?: {
    text(text: string): T | undefined;
    bytes(buf: Buffer, start: number, end: number, lineNo: number): T | undefined;
    ahead?: LineParser['ahead'];
  },
): LineParser {
  const crash = crashReader(file, sink, unread);
  const take = (rec: T, lineNo: number) => {
    crash.end();
    emit(rec, lineNo);
  };
  const whole = (text: string, lineNo: number) => {
    const rec = parse(text);
    if (rec === undefined) crash.line(text, lineNo);
    else take(rec, lineNo);
  };
  const reader: LineParser = {
    line(text, lineNo) {
      const rec = fast?.text(text);
      if (rec === undefined) whole(text, lineNo);
      else take(rec, lineNo);
    },
    end() {
      crash.end();
    },
  };
  if (fast) {
    reader.bytes = (buf, start, end, lineNo) => {
      const rec = fast.bytes(buf, start, end, lineNo);
      if (rec === undefined) whole(buf.toString('utf8', start, end), lineNo);
      else take(rec, lineNo);
    };
    reader.ahead = fast.ahead;
  }
  return reader;
}
