/**
 * Counts and examples over many verdicts. A summary is plain data and mergeable: the summary
 * of two inputs is `merge` of their summaries, so shards and hosts can be combined.
 */
import { colonNumber } from './exception.js';
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

/**
 * Closes per time bucket by root cause. Buckets are one minute wide until there would be more
 * than MAX_BUCKETS of them, then the next width of BUCKET_MINUTES: the width is a function of
 * the set of close times alone, so merging summaries gives the same timeline as one pass.
 */
export interface Timeline {
  bucketMinutes: number;
  /** Keyed by the bucket's start, ISO. Closes without a time are not in it. */
  buckets: Record<string, Partial<Record<RootCause, number>>>;
}

export interface Summary {
  closes: number;
  incidents: number;
  byRootCause: Partial<Record<RootCause, number>>;
  /** Keyed by the code as a string; "none" for closes without a code. */
  byCloseCode: Record<string, number>;
  /** The close codes seen for each root cause (code keys as in byCloseCode). */
  codesByRootCause: Partial<Record<RootCause, Record<string, number>>>;
  /** Time of the first and the last close, ISO; null when no close had a time. */
  firstClose: string | null;
  lastClose: string | null;
  timeline: Timeline;
  /** Keyed by `rootCause@code`. */
  disagreements: Record<string, Disagreement>;
  /** Exception signatures of incidents, keyed by signature. */
  exceptions: Record<string, SignatureCount>;
  routes: Record<string, RouteCount>;
  /** Per peer address, as routes. */
  clients: Record<string, RouteCount>;
}

/** Beyond this many distinct signatures or routes, the rest are counted under one "other" entry. */
const MAX_KEYS = 1000;
const OTHER = '(other)';
const MAX_BUCKETS = 1440;
const BUCKET_MINUTES = [1, 5, 15, 60, 360, 1440, 10080];

export function emptySummary(): Summary {
  return {
    closes: 0, incidents: 0, byRootCause: {}, byCloseCode: {}, codesByRootCause: {}, firstClose: null, lastClose: null,
    timeline: { bucketMinutes: 1, buckets: {} }, disagreements: {}, exceptions: {}, routes: {}, clients: {},
  };
}

/** What a summary reads of a verdict: a close can be counted without the text of its verdict. */
export type Counted = Pick<Verdict, 'rootCause' | 'incident' | 'closeCode' | 'codeAgreement' | 'explanation' | 'time' | 'route' | 'remote' | 'exception'>;

export function addVerdict(s: Summary, v: Counted): void {
  addCloses(s, v.rootCause, v.closeCode, v.incident, 1, v.codeAgreement === 'disagrees' ? () => disagreementOf(v) : undefined);
  addRest(s, v);
}

/**
 * Adds `n` closes of one root cause and code; `disagreement`, when the cause disagrees with the
 * code, gives the explanation the pair's first disagreement keeps (asked only for that one).
 */
function addCloses(s: Summary, cause: RootCause, closeCode: number | null, incident: boolean, n: number, disagreement: (() => string) | undefined): void {
  const code = codeKey(closeCode);
  s.closes += n;
  if (incident) s.incidents += n;
  bump(s.byRootCause, cause, n);
  bump(s.byCloseCode, code, n);
  bump(s.codesByRootCause[cause] ??= {}, code, n);
  if (disagreement !== undefined) {
    (s.disagreements[`${cause}@${code}`] ??= { rootCause: cause, closeCode, count: 0, explanation: disagreement() }).count += n;
  }
}

/** The part of a verdict's explanation that its disagreement keeps. */
function disagreementOf(v: Counted): string {
  return v.explanation.split(';')[0];
}

/** What a verdict adds beyond its root cause and code: its time, exception, route and peer. */
function addRest(s: Summary, v: Counted): void {
  const maps = mapsOf(s);
  if (v.time !== null) {
    if (s.firstClose === null || v.time < s.firstClose) s.firstClose = v.time;
    if (s.lastClose === null || v.time > s.lastClose) s.lastClose = v.time;
    const t = s.timeline;
    bump(t.buckets[bucketOf(v.time, t.bucketMinutes)] ?? addBucket(t, v.time), v.rootCause, 1);
  }
  if (v.incident && v.exception) {
    const x = v.exception;
    entry(maps.exceptions, x.signature, (key) => ({
      signature: key, type: x.type, message: x.message, topFrame: x.topFrame, rootCause: v.rootCause, count: 0, example: x.at,
    })).count++;
  }
  count(entry(maps.routes, v.route ?? '(none)', newRouteCount), v);
  count(entry(maps.clients, clientOf(v.remote), newRouteCount), v);
}

/** The closes of one root cause and code not yet in the summary, and what the summary adds them with. */
interface Cell {
  cause: RootCause;
  code: number | null;
  incident: boolean;
  /** The first explanation of its disagreement, if its cause disagrees with its code. */
  disagreement: string | undefined;
  n: number;
}

/**
 * A summary counted close by close, as `addVerdict` would, with the counts by root cause and
 * code kept in a cell per pair and added to the summary when it is read: a close then costs one
 * cell (most are the pair of the close before), not five keyed stores into the summary's maps.
 * Cells are added in the order they were made, so each map's keys come in the order they were
 * first seen, as one by one; the rest of a verdict (time, exception, route, peer) goes straight in.
 */
export class Tally {
  private readonly s = emptySummary();
  /** In the order made: a pair seen first comes first. */
  private readonly cells: Cell[] = [];
  private readonly byCause = new Map<RootCause, Map<number | null, Cell>>();
  private last: Cell | undefined;
  private pending = false;

  /** The summary, with every close added so far. */
  get summary(): Summary {
    if (this.pending) this.flush();
    return this.s;
  }

  add(v: Counted): void {
    let c = this.last;
    if (c === undefined || c.cause !== v.rootCause || c.code !== v.closeCode) c = this.last = this.cell(v);
    c.n++;
    this.pending = true;
    addRest(this.s, v);
  }

  private cell(v: Counted): Cell {
    let byCode = this.byCause.get(v.rootCause);
    if (byCode === undefined) this.byCause.set(v.rootCause, (byCode = new Map()));
    let c = byCode.get(v.closeCode);
    if (c === undefined) {
      // Made at the pair's first close: its explanation is the one a summary keeps.
      const disagreement = v.codeAgreement === 'disagrees' ? disagreementOf(v) : undefined;
      c = { cause: v.rootCause, code: v.closeCode, incident: v.incident, disagreement, n: 0 };
      byCode.set(v.closeCode, c);
      this.cells.push(c);
    }
    return c;
  }

  private flush(): void {
    const s = this.s;
    this.pending = false;
    for (const c of this.cells) {
      if (c.n === 0) continue;
      const { disagreement } = c;
      addCloses(s, c.cause, c.code, c.incident, c.n, disagreement === undefined ? undefined : () => disagreement);
      c.n = 0;
    }
  }
}

function count(r: RouteCount, v: Counted): void {
  r.closes++;
  if (v.incident) r.incidents++;
  bump(r.byRootCause, v.rootCause, 1);
}

function newRouteCount(): RouteCount {
  return { closes: 0, incidents: 0, byRootCause: {} };
}

/** Summaries written by an older wsclose lack the newer fields: those read as empty. */
export function mergeSummaries(a: Summary, other: Summary): Summary {
  const out: Summary = { ...emptySummary(), ...structuredClone(a) };
  const b: Summary = { ...emptySummary(), ...other };
  out.closes += b.closes;
  out.incidents += b.incidents;
  addCounts(out.byRootCause, b.byRootCause);
  addCounts(out.byCloseCode, b.byCloseCode);
  for (const [cause, codes] of Object.entries(b.codesByRootCause) as [RootCause, Record<string, number>][]) {
    addCounts(out.codesByRootCause[cause] ??= {}, codes);
  }
  out.firstClose = extreme(out.firstClose, b.firstClose, (x, y) => x < y);
  out.lastClose = extreme(out.lastClose, b.lastClose, (x, y) => x > y);
  out.timeline = mergeTimelines(out.timeline, b.timeline);
  for (const [k, d] of Object.entries(b.disagreements)) {
    const cur = out.disagreements[k];
    if (cur) cur.count += d.count;
    else out.disagreements[k] = { ...d };
  }
  for (const [k, e] of Object.entries(b.exceptions)) entry(entriesOf(out.exceptions), k, (key) => ({ ...e, signature: key, count: 0 })).count += e.count;
  for (const [into, from] of [[out.routes, b.routes], [out.clients, b.clients]]) {
    for (const [k, r] of Object.entries(from)) {
      const cur = entry(entriesOf(into), k, newRouteCount);
      cur.closes += r.closes;
      cur.incidents += r.incidents;
      addCounts(cur.byRootCause, r.byRootCause);
    }
  }
  return out;
}

/** The peer's host: an IPv4 or bracketed IPv6 address without its port, as logged otherwise. */
export function clientOf(remote: string | undefined): string {
  if (!remote) return '(none)';
  // `host:port` (no other colon in the host, at most 255 characters) or `[address]:port`; a port of 1 to 5 digits.
  // The port's digits read from the end (String#lastIndexOf is a call into the runtime).
  const colon = colonNumber(remote, remote.length);
  if (colon < 1 || remote.length - colon - 1 > 5) return remote;
  if (colon <= 255 && remote.indexOf(':') === colon) return remote.slice(0, colon);
  const bracketed = remote.charCodeAt(0) === 91 /* [ */ && remote.charCodeAt(colon - 1) === 93 /* ] */
    && colon >= 3 && colon <= 66 && remote.indexOf(']') === colon - 1;
  return bracketed ? remote.slice(0, colon) : remote;
}

function bucketOf(iso: string, minutes: number): string {
  // Verdicts come in time order: most fall in the minute of the one before (widths are whole minutes).
  const last = lastBucket;
  if (minutes === last.minutes && iso.length === 24 && iso.startsWith(last.minute)) return last.key;
  const ms = minutes * 60_000;
  const key = new Date(Math.floor(Date.parse(iso) / ms) * ms).toISOString();
  if (iso.length === 24 && iso.charCodeAt(16) === 58 /* : */) lastBucket = { minute: iso.slice(0, 17), minutes, key };
  return key;
}

let lastBucket = { minute: '', minutes: 0, key: '' };

/** The bucket of a close time the timeline has none for: added, and the timeline widened if it then holds too many. */
function addBucket(t: Timeline, time: string): Partial<Record<RootCause, number>> {
  const n = bucketsIn(t); // counted before the new key: an uncached count would include it
  t.buckets[bucketOf(time, t.bucketMinutes)] = {};
  bucketCount.set(t.buckets, n + 1);
  coarsen(t);
  return t.buckets[bucketOf(time, t.bucketMinutes)];
}

/** Bucket counts of timelines being built: counting the keys of each new bucket would cost O(buckets). */
const bucketCount = new WeakMap<Timeline['buckets'], number>();

function bucketsIn(t: Timeline): number {
  let n = bucketCount.get(t.buckets);
  if (n === undefined) bucketCount.set(t.buckets, (n = Object.keys(t.buckets).length));
  return n;
}

/** Widens the buckets until they are few enough; each width is a multiple of the one before. */
function coarsen(t: Timeline): void {
  while (bucketsIn(t) > MAX_BUCKETS) {
    const wider = BUCKET_MINUTES.find((m) => m > t.bucketMinutes);
    if (wider === undefined) return;
    rebucket(t, wider);
  }
}

function rebucket(t: Timeline, minutes: number): void {
  const buckets: Timeline['buckets'] = {};
  for (const [k, counts] of Object.entries(t.buckets)) addCounts(buckets[bucketOf(k, minutes)] ??= {}, counts);
  t.bucketMinutes = minutes;
  t.buckets = buckets;
}

function mergeTimelines(a: Timeline, b: Timeline): Timeline {
  const out: Timeline = structuredClone(a);
  const other: Timeline = structuredClone(b);
  const width = Math.max(out.bucketMinutes, other.bucketMinutes);
  if (out.bucketMinutes < width) rebucket(out, width);
  if (other.bucketMinutes < width) rebucket(other, width);
  for (const [k, counts] of Object.entries(other.buckets)) addCounts(out.buckets[k] ??= {}, counts);
  coarsen(out);
  return out;
}

function extreme(a: string | null, b: string | null, better: (x: string, y: string) => boolean): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return better(b, a) ? b : a;
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

/**
 * The entries of capped maps by key, and the last one asked for (most closes name the route of
 * the close before). Looking up in the map itself a key it lacks (a new peer's address, most
 * closes) makes V8 internalize the key as a property name, about 1 us each.
 */
interface Entries<T> {
  map: Record<string, T>;
  byKey: Map<string, T>;
  lastKey: string | undefined;
  last: T | undefined;
}

const entries = new WeakMap<object, Entries<unknown>>();

/** The entries of a capped map: made from the map the first time it is asked for. */
function entriesOf<T>(map: Record<string, T>): Entries<T> {
  let x = entries.get(map) as Entries<T> | undefined;
  if (!x) entries.set(map, (x = { map, byKey: new Map(Object.entries(map)), lastKey: undefined, last: undefined }));
  return x;
}

/** The entries of a summary's capped maps, for the summary counted last: one lookup per close, not one per map. */
let lastMaps: { summary: Summary | undefined; exceptions: Entries<SignatureCount>; routes: Entries<RouteCount>; clients: Entries<RouteCount> } | undefined;

function mapsOf(s: Summary): NonNullable<typeof lastMaps> {
  const m = lastMaps;
  if (m && m.summary === s && m.routes.map === s.routes && m.clients.map === s.clients && m.exceptions.map === s.exceptions) return m;
  return (lastMaps = { summary: s, exceptions: entriesOf(s.exceptions), routes: entriesOf(s.routes), clients: entriesOf(s.clients) });
}

/** The entry of `key` in a capped map, made when new; the entry of OTHER once the map holds MAX_KEYS keys. */
function entry<T>(x: Entries<T>, key: string, make: (key: string) => T): T {
  if (key === x.lastKey) return x.last!;
  const byKey = x.byKey;
  let e = byKey.get(key);
  if (e === undefined) {
    const k = byKey.size >= MAX_KEYS ? OTHER : key;
    e = byKey.get(k);
    if (e === undefined) {
      x.map[k] = e = make(k);
      byKey.set(k, e);
    }
  }
  x.lastKey = key;
  x.last = e;
  return e;
}

function bump<K extends string>(map: Partial<Record<K, number>>, key: K, n: number): void {
  map[key] = (map[key] ?? 0) + n;
}

function addCounts<K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>): void {
  for (const [k, n] of Object.entries(from) as [K, number][]) bump(into, k, n);
}
