/**
 * The contract every input format implements: `detect` scores the first lines so
 * `--format auto` can pick a parser per file, and `create` returns a line reader that turns
 * lines into WsEvents. Lines it cannot read are counted by reason, never fatal.
 */
import type { WsEvent } from '../src/model.js';

export interface ParserSink {
  event(e: WsEvent): void;
  /** A line that could not be read, counted under `reason` (e.g. `not-json`). */
  skip(reason: string): void;
}

/** Field names a structured parser looks in; each list is tried in order, dotted paths allowed. */
export interface FieldMap {
  message: string[];
  time: string[];
  level: string[];
  error: string[];
  conn: string[];
  route: string[];
  code: string[];
  reason: string[];
  type: string[];
  direction: string[];
  size: string[];
  remote: string[];
  port: string[];
  initiator: string[];
  accepts: string[];
}

export interface ParserOptions {
  /** Overrides: a list given here replaces the default list for that field. */
  fields?: Partial<FieldMap>;
  /**
   * The lines are tshark's decoding of a capture file that wsclose ran itself: evidence names
   * the packet number (`cap.pcapng:123` is frame 123, Wireshark's Go to Packet), not a line.
   */
  capturePositions?: boolean;
}

export interface LineParser {
  /** One line, without its line terminator; `lineNo` counts from 1. */
  line(text: string, lineNo: number): void;
  /**
   * Optional: the same line as its UTF-8 bytes `buf[start, end)`, for a parser that reads
   * them without decoding the line (as `line(buf.toString('utf8', start, end), lineNo)`).
   * `buf` is reused once the call returns.
   */
  bytes?(buf: Buffer, start: number, end: number, lineNo: number): void;
  /**
   * Optional, beside `bytes`: the lines of `buf` that `bytes` is given next, in order (each from
   * `starts[i]` to its line break `ends[i]`; a line may be listed twice, and lines not listed may
   * come between), so that the parser may read them at once. Valid until the next call.
   */
  ahead?(buf: Buffer, starts: Int32Array, ends: Int32Array, count: number): void;
  /** End of input: flush a record still being assembled (a multi-line trace). */
  end(): void;
}

export interface Parser {
  name: string;
  description: string;
  /** How sure the parser is that these first lines are its format, from 0 to 1. */
  detect(lines: string[]): number;
  create(file: string, sink: ParserSink, opts?: ParserOptions): LineParser;
  /**
   * Optional fast path: what a line that can yield an event or a skip must contain. Lines
   * without any needle (and of the usual shape) are counted but never decoded nor given to
   * `line()`. A parser without it gets every line. Given the input's `lineStart` when the parser
   * has one, for a parser whose records may be written more ways than one (JSON or logfmt).
   */
  prefilter?(opts?: ParserOptions, lineStart?: string): Prefilter;
  /**
   * Optional, beside `prefilter`, for a format whose lines start one way per logger (logfmt: its
   * first key): the prefilter's `lineStart` for one input, read off its first lines. Undefined
   * when they give none: that input is read without the prefilter.
   */
  lineStart?(sample: string[], opts?: ParserOptions): string | undefined;
}

/** Bytes a line that matters contains. */
export interface Needle {
  /** ASCII text. */
  text: string;
  /** Letters match in any case. */
  anyCase?: boolean;
  /**
   * What must follow the match, as patterns of which one must match right after it: byte
   * sets and literals with quantifiers (`[ \t]*:[0-9]{4,}`). Repeats are possessive: they
   * take all they can and never give back. A necessary condition of `check`, cheap to test
   * where the needles are searched, so that most near misses never reach `check`.
   */
  followedBy?: string[];
  /**
   * A further test on the bytes around the match [start, end), such as the key's value: the
   * line is read only when it holds. Reads stop at a line break (byte 10).
   */
  check?(buf: Uint8Array, start: number, end: number): boolean;
}

export interface Prefilter {
  needles: Needle[];
  /**
   * How the format's lines start (after blanks; 1 to 16 bytes): the lines that do not are always
   * read, since they are not of the format (a crash report between the records). The sweep
   * compares the first byte and the last, at its place: a line with both in place is taken as
   * starting so, even when it is shorter and the last is the next line's.
   */
  lineStart?: string;
}
