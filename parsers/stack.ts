/**
 * Joins a multi-line record (a Java or .NET trace with its "at ..." frames and "Caused by:", a Go
 * goroutine dump, a .NET console log entry) into the events it stands for. Other lines may
 * interleave with a record (another thread's log line between two frames): they are read as usual,
 * and their events wait behind the open record so that events still come out in the order of the
 * lines they were read from. A record ends when no line has continued it for `maxGap` lines, when
 * another starts, or at end of input. Memory stays bounded: at most `maxLines` lines of a record
 * are kept, and at most `maxGap` lines' events wait.
 */
import type { WsEvent } from '../src/model.js';
import type { LineParser } from './parser.js';
import { tracebackOf, TRACEBACK_START } from './python-traceback.js';

export interface TraceShape {
  /** The line continues the open record; `index` is the number of its lines taken so far. */
  continues(line: string, index: number): boolean;
}

export interface TraceJoinerOptions {
  /** Lines that do not continue the record before it is considered complete. */
  maxGap?: number;
  /** Lines of one record kept; more are read and dropped. */
  maxLines?: number;
}

/** Lines of one record kept by default; more are read and dropped. */
export const MAX_TRACE_LINES = 200;

/** Builds the events of a complete record from its lines (the first line given to `start`, then those taken). */
export type RecordDone = (lines: string[]) => readonly WsEvent[];

export class TraceJoiner {
  private shape: TraceShape | undefined;
  private done: RecordDone | undefined;
  private lines: string[] = [];
  private taken = 0;
  private gap = 0;
  private readonly waiting: WsEvent[] = [];
  private readonly maxGap: number;
  private readonly maxLines: number;

  constructor(private readonly emit: (e: WsEvent) => void, opts: TraceJoinerOptions = {}) {
    this.maxGap = opts.maxGap ?? 8;
    this.maxLines = opts.maxLines ?? MAX_TRACE_LINES;
  }

  /** Starts a record at `first`; `done` turns its lines into events when it ends. */
  start(first: string, shape: TraceShape, done: RecordDone): void {
    this.flush();
    this.shape = shape;
    this.done = done;
    this.lines = [first];
    this.taken = 0;
    this.gap = 0;
  }

  /** Offers a line to the open record; true when it was taken as part of it. */
  take(line: string): boolean {
    if (!this.shape) return false;
    if (this.shape.continues(line, this.taken)) {
      if (this.lines.length < this.maxLines) this.lines.push(line);
      this.taken++;
      this.gap = 0;
      return true;
    }
    if (++this.gap > this.maxGap) this.flush();
    return false;
  }

  /** An event read from a line outside the record: it waits while a record is open. */
  event(e: WsEvent): void {
    if (this.shape) this.waiting.push(e);
    else this.emit(e);
  }

  /** A line reader that offers each line to the open record first, and the others to `read` with their `file:line`. */
  reader(file: string, read: (text: string, at: string) => void, end?: () => void): LineParser {
    return {
      line: (text, lineNo) => {
        if (!this.take(text)) read(text, `${file}:${lineNo}`);
      },
      end: () => {
        end?.();
        this.flush();
      },
    };
  }

  /** Ends the open record: its events go out, then the events that waited behind it. */
  flush(): void {
    if (!this.shape) return;
    const events = this.done!(this.lines);
    this.shape = undefined;
    this.done = undefined;
    this.lines = [];
    for (const e of events) this.emit(e);
    for (const e of this.waiting) this.emit(e);
    this.waiting.length = 0;
  }
}

/** `Type: message` or a bare `Type` as Java and .NET print a throwable's first line. */
const THROWABLE_LINE = /^\s{0,8}((?:[A-Za-z_$][\w$]{0,100}[.+])+[A-Za-z_$][\w$]{0,100}|[A-Z][\w$]{0,100}(?:Exception|Error))(?::\s?(.{0,2000}))?$/;

/** The type and message of a throwable's first line, or undefined when the line is not one. */
export function throwableLine(line: string): { type: string; message: string } | undefined {
  const m = THROWABLE_LINE.exec(line);
  return m ? { type: m[1], message: m[2] ?? '' } : undefined;
}

/** Node's `err.stack` first line: `Error: message`, `RangeError [ERR_X]: message` (the name, the code). */
const JS_ERROR_LINE = /^((?:[A-Z][\w$]{0,100})?Error)(?: \[[A-Z][\w.-]{0,100}\])?(?::\s?(.{0,2000}))?$/;

/** An exception a log wrote out as text: `log.error('handler failed: ' + err.stack)`. */
export interface WrittenException {
  type: string;
  message: string;
  /** From the exception's first line to the end of the text. */
  stack: string;
  /** The text before the exception: the log's own words. */
  before: string;
}

/**
 * The exception a text holds as a trace: a `Type: message` line, maybe after words of the log's
 * own (`ws error: RangeError: ...`), with `at ...` frames under it (JavaScript, Java, .NET); or a
 * Python traceback. Undefined when the text holds none (a text of one line never does).
 */
export function writtenException(text: string): WrittenException | undefined {
  let nl = text.indexOf('\n');
  if (nl < 0) return undefined;
  const tb = text.indexOf(TRACEBACK_START);
  if (tb === 0 || (tb > 0 && text.charCodeAt(tb - 1) === 10)) return writtenTraceback(text, tb);
  while (nl >= 0) {
    const next = text.indexOf('\n', nl + 1);
    const line = text.slice(nl + 1, next < 0 ? text.length : next);
    if (isAtFrame(line)) return framed(text, text.slice(0, nl), line);
    nl = next;
  }
  return undefined;
}

/** Colons the log's words before an exception's first line may have (`ws error: conn 7: TypeError: ...`). */
const MAX_WORDS = 8;

/** The end of a frame that names its file and line: `(a.js:1:2)`, `(Main.java:110)`, .NET's `:line 18`. */
const FRAME_END = /:(?:line )?\d{1,9}\)?$/;

/**
 * The exception of `text` whose frames, the first being `frame`, follow `head`: its first line is
 * the first in `head` that reads as one.
 */
function framed(text: string, head: string, frame: string): WrittenException | undefined {
  for (let start = 0; start < head.length;) {
    const eol = head.indexOf('\n', start);
    const line = head.slice(start, eol < 0 ? head.length : eol);
    // The exception starts the line or follows the log's words and a colon: a few of them, so
    // that a long line of colons is not matched to its end once per colon.
    for (let p = 0, words = 0; words <= MAX_WORDS; words++) {
      const first = thrownLine(line.slice(p));
      if (first) return { ...first, stack: text.slice(start + p), before: head.slice(0, start + p) };
      const colon = line.indexOf(': ', p);
      if (colon < 0) break;
      p = colon + 2;
    }
    if (eol < 0) break;
    start = eol + 1;
  }
  // Under a line that names no type (an error renamed `Oops`), only a frame with its file and line
  // tells a trace from words indented under others (`\n  at noon`); the words are the message.
  if (!FRAME_END.test(frame)) return undefined;
  return { type: 'Error', message: head.slice(head.lastIndexOf('\n') + 1), stack: text, before: head };
}

/** The type and message of a JavaScript, Java or .NET exception's first line. */
function thrownLine(line: string): { type: string; message: string } | undefined {
  const js = JS_ERROR_LINE.exec(line);
  return js ? { type: js[1], message: js[2] ?? '' } : throwableLine(line);
}

/** The Python traceback that starts at `start` in `text`; undefined when it has no final `Type: message` line. */
function writtenTraceback(text: string, start: number): WrittenException | undefined {
  const tb = tracebackOf(text, start);
  return tb && { type: tb.type, message: tb.message, stack: tb.stack, before: text.slice(0, start) };
}

/** A frame line of Java, .NET and JavaScript traces: `at ...` after indentation. */
export function isAtFrame(line: string): boolean {
  let i = 0;
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  return i > 0 && line.startsWith('at ', i);
}
