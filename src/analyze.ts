/**
 * Analyzes files (or stdin) end to end: picks a parser per file, feeds one Analyzer, and
 * assembles the report. One bad file never stops the others: its error is in its stats.
 */
import { readFileSync } from 'node:fs';
import { detectParser, parserByName, type ParserOptions } from '../parsers/index.js';
import { tsharkParser } from '../parsers/tshark.js';
import { Analyzer, type AnalyzerOptions } from './analyzer.js';
import type { Verdict } from './model.js';
import { SCHEMA_VERSION, type FileStats, type Report } from './report.js';
import { ReadError, readLines, type LineHandler } from './source.js';

export interface AnalyzeOptions extends AnalyzerOptions, ParserOptions {
  /** A parser name, or `auto` (the default) to detect one per file. */
  format?: string;
  maxLineBytes?: number;
  /** False: every line reaches its parser, even where the parser's prefilter rules it out. */
  prefilter?: boolean;
  /** Bytes read, per chunk, over all inputs. */
  onProgress?: (bytes: number) => void;
  /** Stops reading when aborted (SIGINT): the report covers what was read, and says so. */
  signal?: AbortSignal;
}

export async function analyzeFiles(files: string[], opts: AnalyzeOptions = {}): Promise<Report> {
  const analyzer = new Analyzer(opts);
  const stats: FileStats[] = [];
  for (const name of files.length ? files : ['-']) {
    if (opts.signal?.aborted) break;
    stats.push(await analyzeFile(name, analyzer, opts));
  }
  analyzer.finish();
  const report = buildReport(analyzer, stats);
  if (opts.signal?.aborted) report.input.interrupted = true;
  return report;
}

async function analyzeFile(name: string, analyzer: Analyzer, opts: AnalyzeOptions): Promise<FileStats> {
  const display = name === '-' ? 'stdin' : name;
  const st: FileStats = { name: display, parser: null, lines: 0, bytes: 0, events: 0, skipped: {} };
  const skip = (reason: string) => {
    st.skipped[reason] = (st.skipped[reason] ?? 0) + 1;
  };
  const event = (e: Parameters<Analyzer['push']>[0]) => {
    st.events++;
    if (e.conn === undefined && (e.kind === 'open' || e.kind === 'close')) st.keyless = true;
    analyzer.push(e);
  };
  let finishParser: (() => void) | undefined;
  try {
    const result = await readLines(name, {
      maxLineBytes: opts.maxLineBytes,
      signal: opts.signal,
      skip,
      onProgress: opts.onProgress,
      choose(sample, capture) {
        const parser = capture ? tsharkParser
          : !opts.format || opts.format === 'auto' ? detectParser(sample) : parserByName(opts.format);
        if (!parser) return () => skip('unknown-format');
        st.parser = parser.name;
        const lp = parser.create(display, { event, skip }, capture ? { ...opts, capturePositions: true } : opts);
        finishParser = () => lp.end();
        const handler: LineHandler = (text, lineNo) => lp.line(text, lineNo);
        if (opts.prefilter !== false) handler.prefilter = parser.prefilter?.(opts);
        return handler;
      },
    });
    st.lines = result.lines;
    st.bytes = result.bytes;
    if (result.prefiltered) st.prefiltered = result.prefiltered;
  } catch (err) {
    if (err instanceof ReadError) {
      st.lines = err.read.lines;
      st.bytes = err.read.bytes;
      if (err.read.prefiltered) st.prefiltered = err.read.prefiltered;
    }
    if (!opts.signal?.aborted) st.error = describe(err instanceof ReadError ? err.cause : err, display);
  }
  finishParser?.();
  return st;
}

export function buildReport(analyzer: Analyzer, files: FileStats[]): Report {
  const skipped: Record<string, number> = {};
  for (const f of files) for (const [k, n] of Object.entries(f.skipped)) skipped[k] = (skipped[k] ?? 0) + n;
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'wsclose', version: VERSION },
    input: {
      files,
      lines: files.reduce((n, f) => n + f.lines, 0),
      events: files.reduce((n, f) => n + f.events, 0),
      skipped,
      connections: { ...analyzer.correlator.stats, ...analyzer.stats },
    },
    summary: analyzer.summary,
    incidents: analyzer.incidents.sort(byTime),
  };
}

export function byTime(a: Verdict, b: Verdict): number {
  // ISO times of one format order as plain strings; localeCompare would cost a collation each.
  const x = a.time ?? '';
  const y = b.time ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** One line a user can act on, without a stack trace. */
function describe(err: unknown, name: string): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return `${name}: no such file`;
  if (e?.code === 'EACCES') return `${name}: permission denied`;
  if (e?.code === 'EISDIR') return `${name}: is a directory`;
  if (e?.code === 'Z_BUF_ERROR' || e?.code === 'Z_DATA_ERROR') return `${name}: corrupt or truncated gzip data (${e.message})`;
  return `${name}: ${e?.message ?? String(err)}`;
}

/** The package version: package.json is one folder up from src/, two from dist/src/. */
export const VERSION: string = ((): string => {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'wsclose' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0';
})();
