/**
 * Counts and examples over many verdicts. A summary is plain data and mergeable: the summary
 * of two inputs is `merge` of their summaries, so shards and hosts can be combined.
 */
import type { RootCause, Verdict } from './model.js';

export interface Disagreement {
  rootCause: RootCause;
  closeCode: number | null;
  count: number;
  explanation: string;
}

export interface SignatureCount {
  signature: string;
  type: string;
  message: string;
  topFrame: string | null;
  rootCause: RootCause;
  count: number;
  /** One place it was seen. */
  example: string;
}

export interface RouteCount {
  closes: number;
  incidents: number;
  byRootCause: Partial<Record<RootCause, number>>;
}

export interface Summary {
  closes: number;
  incidents: number;
  byRootCause: Partial<Record<RootCause, number>>;
  /** Keyed by the code as a string; "none" for closes without a code. */
  byCloseCode: Record<string, number>;
  /** Keyed by `rootCause@code`. */
  disagreements: Record<string, Disagreement>;
  /** Exception signatures of incidents, keyed by signature. */
  exceptions: Record<string, SignatureCount>;
  routes: Record<string, RouteCount>;
}

/** Beyond this many distinct signatures or routes, the rest are counted under one "other" entry. */
const MAX_KEYS = 1000;
const OTHER = '(other)';

export function emptySummary(): Summary {
  return { closes: 0, incidents: 0, byRootCause: {}, byCloseCode: {}, disagreements: {}, exceptions: {}, routes: {} };
}

export function addVerdict(s: Summary, v: Verdict): void {
  s.closes++;
  if (v.incident) s.incidents++;
  bump(s.byRootCause, v.rootCause, 1);
  bump(s.byCloseCode, codeKey(v.closeCode), 1);
  if (v.codeAgreement === 'disagrees') {
    const key = `${v.rootCause}@${codeKey(v.closeCode)}`;
    const d = s.disagreements[key] ??= { rootCause: v.rootCause, closeCode: v.closeCode, count: 0, explanation: v.explanation.split(';')[0] };
    d.count++;
  }
  if (v.incident && v.exception) {
    const key = capped(s.exceptions, v.exception.signature);
    const e = s.exceptions[key] ??= {
      signature: key, type: v.exception.type, message: v.exception.message, topFrame: v.exception.topFrame,
      rootCause: v.rootCause, count: 0, example: v.exception.at,
    };
    e.count++;
  }
  const route = capped(s.routes, v.route ?? '(none)');
  const r = s.routes[route] ??= { closes: 0, incidents: 0, byRootCause: {} };
  r.closes++;
  if (v.incident) r.incidents++;
  bump(r.byRootCause, v.rootCause, 1);
}

export function mergeSummaries(a: Summary, b: Summary): Summary {
  const out = structuredClone(a);
  out.closes += b.closes;
  out.incidents += b.incidents;
  addCounts(out.byRootCause, b.byRootCause);
  addCounts(out.byCloseCode, b.byCloseCode);
  for (const [k, d] of Object.entries(b.disagreements)) {
    const cur = out.disagreements[k];
    if (cur) cur.count += d.count;
    else out.disagreements[k] = { ...d };
  }
  for (const [k, e] of Object.entries(b.exceptions)) {
    const key = capped(out.exceptions, k);
    const cur = out.exceptions[key];
    if (cur) cur.count += e.count;
    else out.exceptions[key] = { ...e, signature: key };
  }
  for (const [k, r] of Object.entries(b.routes)) {
    const key = capped(out.routes, k);
    const cur = out.routes[key] ??= { closes: 0, incidents: 0, byRootCause: {} };
    cur.closes += r.closes;
    cur.incidents += r.incidents;
    addCounts(cur.byRootCause, r.byRootCause);
  }
  return out;
}

/** The entries of a count map, largest first, ties by key. */
export function ranked<T extends { count: number }>(map: Record<string, T>, top = Infinity): T[] {
  return Object.entries(map)
    .sort(([ka, a], [kb, b]) => b.count - a.count || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .slice(0, top)
    .map(([, v]) => v);
}

export function codeKey(code: number | null): string {
  return code === null ? 'none' : String(code);
}

function capped(map: Record<string, unknown>, key: string): string {
  if (key in map) return key;
  return Object.keys(map).length >= MAX_KEYS ? OTHER : key;
}

function bump<K extends string>(map: Partial<Record<K, number>>, key: K, n: number): void {
  map[key] = (map[key] ?? 0) + n;
}

function addCounts<K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>): void {
  for (const [k, n] of Object.entries(from) as [K, number][]) bump(into, k, n);
}
