/**
 * Joins a multi-line exception trace (Java and .NET "at ..." frames, "Caused by:", Go goroutine
 * dumps) into one exception event. Other lines may interleave with a trace (another thread's log
 * line between two frames): they are read as usual, and their events wait behind the open trace so
 * that events still come out in the order of the lines they were read from. A trace ends when no
 * line has continued it for `maxGap` lines, when another trace starts, or at end of input.
 * Memory stays bounded: at most `maxLines` lines of a trace are kept, and at most `maxGap` lines'
 * events wait.
 */
import type { ExceptionEvent, WsEvent } from '../src/model.js';

export interface TraceShape {
  /** The line continues the open trace; `index` is the number of its lines taken so far. */
  continues(line: string, index: number): boolean;
  /** Fills in what the whole trace says (type and message from its first line, a root cause). */
  finish?(e: ExceptionEvent, lines: string[]): void;
}

export interface TraceJoinerOptions {
  /** Lines that do not continue the trace before it is considered complete. */
  maxGap?: number;
  /** Lines of one trace kept in its stack; more are read and dropped. */
  maxLines?: number;
}

export class TraceJoiner {
  private head: ExceptionEvent | undefined;
  private shape: TraceShape | undefined;
  private lines: string[] = [];
  private taken = 0;
  private gap = 0;
  private readonly waiting: WsEvent[] = [];
  private readonly maxGap: number;
  private readonly maxLines: number;

  constructor(private readonly emit: (e: WsEvent) => void, opts: TraceJoinerOptions = {}) {
    this.maxGap = opts.maxGap ?? 8;
    this.maxLines = opts.maxLines ?? 200;
  }

  /** Starts a trace whose first lines were already read into `head` (`stack` holds them, if any). */
  start(head: ExceptionEvent, shape: TraceShape): void {
    this.flush();
    this.head = head;
    this.shape = shape;
    this.lines = head.stack ? [head.stack] : [];
    this.taken = 0;
    this.gap = 0;
  }

  /** Offers a line to the open trace; true when it was taken as part of it. */
  take(line: string): boolean {
    if (!this.head) return false;
    if (this.shape!.continues(line, this.taken)) {
      if (this.lines.length < this.maxLines) this.lines.push(line);
      this.taken++;
      this.gap = 0;
      return true;
    }
    if (++this.gap > this.maxGap) this.flush();
    return false;
  }

  /** An event read from a line outside the trace: it waits while a trace is open. */
  event(e: WsEvent): void {
    if (this.head) this.waiting.push(e);
    else this.emit(e);
  }

  /** Ends the open trace: its exception goes out, then the events that waited behind it. */
  flush(): void {
    const head = this.head;
    if (!head) return;
    this.head = undefined;
    if (this.lines.length) head.stack = this.lines.join('\n');
    this.shape!.finish?.(head, this.lines);
    this.emit(head);
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

/** A frame line of Java, .NET and JavaScript traces: `at ...` after indentation. */
export function isAtFrame(line: string): boolean {
  let i = 0;
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  return i > 0 && line.startsWith('at ', i);
}
