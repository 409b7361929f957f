/**
 * Combines JSON reports of several hosts or shards into one: the summary is the merge of their
 * summaries, the incidents are all of theirs, the input lists every file. For inputs whose
 * connections do not span reports, it equals the report of analyzing all inputs at once.
 */
import { byTime, VERSION } from './analyze.js';
import { SCHEMA_VERSION, type InputStats, type Report } from './report.js';
import { emptySummary, mergeSummaries } from './summary.js';

export function mergeReports(reports: Report[]): Report {
  let summary = emptySummary();
  const input: InputStats = {
    files: [], lines: 0, events: 0, skipped: {},
    connections: {
      evictedIdle: 0, evictedCap: 0, openAtEnd: 0, unended: 0, duplicateCloses: 0, crashed: 0, afterClose: 0,
      rechecked: 0, changed: 0, pendingOverflow: 0, incidentsOmitted: 0, filteredOut: 0,
    },
  };
  const incidents: Report['incidents'] = [];
  for (const r of reports) {
    summary = mergeSummaries(summary, r.summary);
    input.files.push(...r.input.files);
    input.lines += r.input.lines;
    input.events += r.input.events;
    addCounts(input.skipped, r.input.skipped);
    addCounts(input.connections as unknown as Record<string, number>, r.input.connections as unknown as Record<string, number>);
    incidents.push(...r.incidents);
  }
  return { schemaVersion: SCHEMA_VERSION, tool: { name: 'wsclose', version: VERSION }, input, summary, incidents: incidents.sort(byTime) };
}

/** A parsed JSON document checked to be a wsclose report this version can read; else why not. */
export function asReport(doc: unknown): Report | string {
  const r = doc as Partial<Report> | null;
  if (!r || typeof r !== 'object' || r.tool?.name !== 'wsclose') return 'not a JSON report (merge reads reports written with -o json)';
  if (typeof r.schemaVersion !== 'number' || r.schemaVersion > SCHEMA_VERSION) return `schemaVersion ${String(r.schemaVersion)} is newer than this wsclose reads (${SCHEMA_VERSION})`;
  if (!r.summary || !Array.isArray(r.incidents) || !r.input || !Array.isArray(r.input.files)) return 'report without summary, incidents or input';
  return r as Report;
}

function addCounts(into: Record<string, number>, from: Record<string, number> | undefined): void {
  for (const [k, n] of Object.entries(from ?? {})) if (typeof n === 'number') into[k] = (into[k] ?? 0) + n;
}
