/**
 * Reads one input into events and its stats: picks its parser, runs it over the lines and
 * counts what was read and skipped. The same code runs in process and on a worker thread
 * (worker.ts), so a file reads the same either way. A bad file never throws: its error is in
 * its stats.
 */
import { detectParser, parserByName, type ParserOptions } from '../parsers/index.js';
import type { LineParser, Parser, Prefilter } from '../parsers/parser.js';
import { tsharkParser } from '../parsers/tshark.js';
import type { WsEvent } from './model.js';
import { Demux } from './demux.js';
import { LineSources } from './line-sources.js';
import { ANY_START, hasLinePrefix, stripPrefixes, trimmed, withoutPrefix } from './prefix.js';
import type { FileStats } from './report.js';
import { ReadError, readLines, type LineHandler } from './source.js';
import { unreadable } from './unreadable.js';

export interface ReaderOptions extends ParserOptions {
  /** A parser name, or `auto` (the default) to detect one per file. */
  format?: string;
  maxLineBytes?: number;
  /** False: every line reaches its parser, even where the parser's prefilter rules it out. */
  prefilter?: boolean;
  /** Bytes read, per chunk. */
  onProgress?: (bytes: number) => void;
  /** Stops reading when aborted (SIGINT): the stats cover what was read, with no error. */
  signal?: AbortSignal;
}

/**
 * Each parser's prefilter, made once per options object (and line start, for a parser that
 * reads it off each input): the files of one run then share it, and so its compiled filter
 * (BlockFilter.of), whose anchors and kernel are made once.
 */
const prefilters = new WeakMap<ReaderOptions, Map<Parser, Map<string | undefined, Prefilter>>>();

/** The prefilter of an input whose first lines are `sample`, if its parser has one for it. */
function prefilterOf(parser: Parser, opts: ReaderOptions, sample: string[]): Prefilter | undefined {
  if (!parser.prefilter) return undefined;
  const lineStart = parser.lineStart?.(sample, opts);
  if (parser.lineStart && lineStart === undefined) return undefined;
  let byParser = prefilters.get(opts);
  if (byParser === undefined) prefilters.set(opts, (byParser = new Map()));
  let byStart = byParser.get(parser);
  if (byStart === undefined) byParser.set(parser, (byStart = new Map()));
  let pf = byStart.get(lineStart);
  if (pf === undefined) {
    pf = parser.prefilter(opts, lineStart);
    if (lineStart !== undefined) pf = { ...pf, lineStart };
    byStart.set(lineStart, pf);
  }
  return pf;
}

/** Reads `name` (`-` for stdin), giving each event to `push` in input order. */
export async function readFile(name: string, opts: ReaderOptions, push: (e: WsEvent) => void): Promise<FileStats> {
  const display = name === '-' ? 'stdin' : name;
  const st: FileStats = { name: display, parser: null, lines: 0, bytes: 0, events: 0, skipped: {} };
  const skip = (reason: string) => {
    st.skipped[reason] = (st.skipped[reason] ?? 0) + 1;
  };
  /** In a stream whose prefixes name their sources, the sources, and the source of the line being read. */
  let sources: LineSources | undefined;
  let lineSource: string | undefined;
  const event = (e: WsEvent) => {
    st.events++;
    if (lineSource !== undefined) {
      // A record that names no process is of its source's (replicas whose records name none).
      if (e.process === undefined) e.process = sources!.processOf(lineSource);
      else sources!.ran(lineSource, e.process);
    }
    if (e.conn === undefined && (e.kind === 'open' || e.kind === 'close')) st.keyless = true;
    push(e);
  };
  let finishParser: (() => void) | undefined;
  try {
    const result = await readLines(name, {
      maxLineBytes: opts.maxLineBytes,
      signal: opts.signal,
      skip,
      onProgress: opts.onProgress,
      choose(sample, capture) {
        const auto = !opts.format || opts.format === 'auto';
        const pick = (lines: string[]) => (auto ? detectParser(lines) : parserByName(opts.format!));
        let parser = capture ? tsharkParser : pick(sample);
        // Lines a collector prefixed (kubectl, docker, docker compose: prefix.ts) are read without the prefix
        // when a parser knows them better so: Spring Boot's own lines begin with such a time.
        let prefixed = false;
        let lines = sample; // as the parser reads them
        if (!capture && hasLinePrefix(sample)) {
          const bare = sample.map(withoutPrefix);
          const other = pick(bare);
          if (other && other.detect(bare) > (parser?.detect(sample) ?? 0)) {
            parser = other;
            prefixed = true;
            lines = bare;
          }
        }
        if (!parser) return () => skip('unknown-format');
        st.parser = parser.name;
        if (prefixed) st.linePrefix = true;
        const sink = { event, skip };
        const lp = parser.create(display, sink, capture ? { ...opts, capturePositions: true } : opts);
        const prefilter = prefilterOf(parser, opts, lines);
        let main: LineParser = lp;
        let handler: LineHandler;
        if (prefixed) {
          // The prefix comes off each block's lines before the prefilter sees them, which expects
          // lines that start as the format does; a source's name stays on the others (demux.ts).
          // The source each line names is kept for the events read from it.
          const first = prefilter?.lineStart?.charCodeAt(0) ?? ANY_START;
          const own = new LineSources();
          sources = own;
          const demux = first === ANY_START ? undefined : new Demux(lp, sink, (each) => parser!.create(display, each, opts), (source) => own.processOf(source));
          if (demux) main = demux;
          handler = (text, lineNo) => {
            lineSource = own.at(lineNo);
            main.line(text, lineNo);
          };
          handler.trim = {
            block: (buf, start, end, sweep, lineNo) => stripPrefixes(buf, start, end, sweep, first, own, lineNo),
            line: (text) => {
              own.sample(text);
              return trimmed(text, first);
            },
          };
          if (lp.bytes) {
            handler.bytes = (buf, start, end, lineNo) => {
              lineSource = own.at(lineNo);
              // A line that kept its prefix is one of the few read as text.
              if (demux === undefined || buf[start] === first) lp.bytes!(buf, start, end, lineNo);
              else main.line(buf.toString('utf8', start, end), lineNo);
            };
          }
        } else {
          handler = (text, lineNo) => lp.line(text, lineNo);
          if (lp.bytes) handler.bytes = (buf, start, end, lineNo) => lp.bytes!(buf, start, end, lineNo);
        }
        finishParser = () => main.end();
        if (lp.ahead) handler.ahead = (buf, starts, ends, count) => lp.ahead!(buf, starts, ends, count);
        if (opts.prefilter !== false) handler.prefilter = prefilter;
        return handler;
      },
    });
    st.lines = result.lines;
    st.bytes = result.bytes;
    if (result.jsonFile) st.jsonFile = true;
    if (result.prefiltered) st.prefiltered = result.prefiltered;
    // Not one line of a known format, and binary (a compressed file, a program): an input error, so that a CI gate does not pass on it.
    if (st.parser === null && st.lines > 0) st.error = unreadable(display, result.head);
  } catch (err) {
    if (err instanceof ReadError) {
      st.lines = err.read.lines;
      st.bytes = err.read.bytes;
      if (err.read.jsonFile) st.jsonFile = true;
      if (err.read.prefiltered) st.prefiltered = err.read.prefiltered;
    }
    if (!opts.signal?.aborted) st.error = describe(err instanceof ReadError ? err.cause : err, display);
  }
  finishParser?.();
  return st;
}

/** One line a user can act on, without a stack trace. */
export function describe(err: unknown, name: string): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return `${name}: no such file`;
  if (e?.code === 'EACCES') return `${name}: permission denied`;
  if (e?.code === 'EISDIR') return `${name}: is a directory`;
  if (e?.code === 'Z_BUF_ERROR' || e?.code === 'Z_DATA_ERROR') return `${name}: corrupt or truncated gzip data (${e.message})`;
  return `${name}: ${e?.message ?? String(err)}`;
}
