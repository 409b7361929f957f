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

/**
 * A date, or a date and time: `T` or a space between, seconds and fraction optional, then a zone
 * (`Z`, `+02:00`, `-0500`) or none.
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * An ISO time (`2026-05-01T10:00Z`, a bare date) or a span back from `now` (`90s`, `30m`, `2h`,
 * `1d`, `1w`), in epoch ms; else why not. A time without a zone is UTC, as reports print times
 * (the machine's zone would shift the window by hours).
 */
export function parseTime(value: string, now = Date.now()): number | string {
  const v = value.trim();
  const rel = /^(\d{1,9}(?:\.\d{1,6})?)\s?([smhdw])$/.exec(v);
  if (rel) return now - Number(rel[1]) * UNITS[rel[2]];
  const m = ISO.exec(v);
  if (!m) return 'expected an ISO time (2026-05-01T10:00Z; UTC when no zone is given) or a span back from now (90s, 30m, 2h, 1d, 1w)';
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone = 'Z'] = m;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec)];
  const t = new Date(Date.UTC(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]));
  t.setUTCFullYear(parts[0]); // Date.UTC reads years 0 to 99 as 1900 to 1999
  const read = [t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()];
  // Date.UTC rolls 30 February over to 2 March: an impossible date or time is refused instead.
  if (read.some((n, i) => n !== parts[i])) return `no such date or time: ${v}`;
  const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (z && (Number(z[2]) > 23 || Number(z[3] ?? 0) > 59)) return `no such time zone offset: ${zone}`;
  const offset = z ? (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0)) * 60_000 : 0;
  return t.getTime() + Number(frac.padEnd(3, '0').slice(0, 3)) - offset;
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
