/**
 * Analyzes files (or stdin) end to end: picks a parser per file, feeds one Analyzer, and
 * assembles the report. One bad file never stops the others: its error is in its stats.
 * Several files may be read on worker threads (`jobs`); the Analyzer still sees their events
 * file by file in the order given, so the report is the same.
 */
import { readFileSync } from 'node:fs';
import { Analyzer, type AnalyzerOptions } from './analyzer.js';
import type { Verdict, WsEvent } from './model.js';
import { readInWorkers } from './pool.js';
import { readFile, type ReaderOptions } from './reader.js';
import { SCHEMA_VERSION, type FileStats, type Report } from './report.js';

export interface AnalyzeOptions extends AnalyzerOptions, ReaderOptions {
  /**
   * Worker threads that read files at most (default 1: all in this thread). Used only for two
   * files or more, none of them stdin.
   */
  jobs?: number;
}

export async function analyzeFiles(files: string[], opts: AnalyzeOptions = {}): Promise<Report> {
  const analyzer = new Analyzer(opts);
  const push = (e: WsEvent) => analyzer.push(e);
  const names = files.length ? files : ['-'];
  const jobs = Math.min(opts.jobs ?? 1, names.length);
  let stats: FileStats[] = [];
  if (jobs > 1 && !names.includes('-')) stats = await readInWorkers(names, jobs, opts, push);
  else {
    for (const name of names) {
      if (opts.signal?.aborted) break;
      stats.push(await readFile(name, opts, push));
    }
  }
  analyzer.finish();
  const report = buildReport(analyzer, stats);
  if (opts.signal?.aborted) report.input.interrupted = true;
  return report;
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
