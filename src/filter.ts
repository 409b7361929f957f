/**
 * Which verdicts a report covers: a time window on the close and a set of routes. The filter
 * applies to verdicts, after classification, so excluded connections still teach the learned
 * endpoint profiles what a route accepts.
 */
import type { Verdict } from './model.js';
import { routeKey } from './profile.js';

export interface VerdictFilter {
  /** Epoch ms; closes before it are left out. */
  since?: number;
  /** Epoch ms; closes after it are left out. */
  until?: number;
  /** Routes to keep; a trailing `*` matches by prefix. */
  routes?: string[];
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** An ISO time (`2026-05-01T10:00Z`, a bare date) or a span back from `now` (`90s`, `30m`, `2h`, `1d`, `1w`). */
export function parseTime(value: string, now = Date.now()): number | undefined {
  const rel = /^(\d{1,9}(?:\.\d{1,6})?)\s?([smhdw])$/.exec(value.trim());
  if (rel) return now - Number(rel[1]) * UNITS[rel[2]];
  if (!/^\d{4}-\d{2}-\d{2}/.test(value.trim())) return undefined;
  const t = Date.parse(value.trim());
  return Number.isNaN(t) ? undefined : t;
}

export function isEmptyFilter(f: VerdictFilter | undefined): boolean {
  return !f || (f.since === undefined && f.until === undefined && !f.routes?.length);
}

export function matches(f: VerdictFilter, v: Pick<Verdict, 'time' | 'route'>): boolean {
  if (f.since !== undefined || f.until !== undefined) {
    if (v.time === null) return false;
    const t = Date.parse(v.time);
    if (f.since !== undefined && t < f.since) return false;
    if (f.until !== undefined && t > f.until) return false;
  }
  if (f.routes?.length) {
    if (v.route === null) return false;
    const key = routeKey(v.route);
    return f.routes.some((r) => (r.endsWith('*') ? key.startsWith(r.slice(0, -1)) : key === routeKey(r)));
  }
  return true;
}
