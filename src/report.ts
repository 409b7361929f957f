/**
 * The JSON report document (DESIGN.md "Output contract"). Fields are only ever added:
 * `schemaVersion` changes when one is.
 */
import type { AnalyzerStats } from './analyzer.js';
import type { CorrelatorStats } from './correlator.js';
import type { Verdict } from './model.js';
import type { Summary } from './summary.js';

export const SCHEMA_VERSION = 1;

export interface FileStats {
  name: string;
  /** The parser that read it, or null when none recognized it. */
  parser: string | null;
  lines: number;
  bytes: number;
  events: number;
  skipped: Record<string, number>;
  /**
   * Lines not parsed because the parser's prefilter showed they hold no event (counted in
   * `lines`; a malformed line among them is not counted in `skipped`).
   */
  prefiltered?: number;
  /** Set when the file could not be read (missing, unreadable, truncated gzip). */
  error?: string;
  /** Its lines name no connection: it was read in order, one connection at a time. */
  keyless?: boolean;
  /** Its lines carry a collector's prefix (kubectl, docker or docker compose: src/prefix.ts), read without it. */
  linePrefix?: boolean;
  /** Its lines are Docker's json-file records (src/json-file.ts), read as the container wrote them. */
  jsonFile?: boolean;
}

export interface InputStats {
  files: FileStats[];
  lines: number;
  events: number;
  /** Lines skipped by reason, over all files. */
  skipped: Record<string, number>;
  connections: CorrelatorStats & AnalyzerStats;
  /** Reading stopped early (SIGINT): the report covers the lines read before. */
  interrupted?: boolean;
}

export interface Report {
  schemaVersion: number;
  tool: { name: 'wsclose'; version: string };
  input: InputStats;
  summary: Summary;
  incidents: Verdict[];
}
