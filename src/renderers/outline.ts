/**
 * The human report's content, independent of markup: the text, Markdown and HTML renderers lay
 * out the same blocks, so all say the same thing. It leads with the answer: how many closes and
 * incidents, by root cause, where code and cause disagree; then per root cause the codes seen,
 * the routes, the exception signatures, the fix and example incidents with their evidence.
 */
import { basename } from 'node:path';
import { closeCodeInfo } from '../codes.js';
import type { RootCause, Verdict } from '../model.js';
import type { Report } from '../report.js';
import { ranked, type RouteCount, type Summary } from '../summary.js';

/** What a cell or line is about, so a renderer may style it (colour, emphasis). */
export type Tone = 'alert' | 'warn' | 'ok' | 'muted';

export interface EvidenceLine {
  /** Time before the close (`-27ms`), `0` for the close itself, '' when unknown. */
  before: string;
  at: string;
  kind: string;
  summary: string;
}

export type Block =
  | { kind: 'title'; text: string; tone: Tone }
  | { kind: 'heading'; text: string; level: 2 | 3; cause?: RootCause }
  | { kind: 'para'; text: string; tone?: Tone }
  | { kind: 'table'; head: string[]; rows: string[][]; align?: ('l' | 'r')[] }
  | { kind: 'fields'; rows: [string, string][] }
  | { kind: 'example'; title: string; detail: string; cause: RootCause; lines: EvidenceLine[] };

export const GROUPS = ['route', 'code', 'cause', 'client'] as const;
export type GroupBy = (typeof GROUPS)[number];

export interface OutlineOptions {
  /** Rows per ranked table and examples per root cause. */
  top?: number;
  /** The breakdown table: by route (default), close code, root cause or client address. */
  groupBy?: GroupBy;
}

/** Bugs to fix in red, conditions to look into in yellow. */
export function causeTone(cause: RootCause): Tone {
  if (cause === 'normal') return 'ok';
  return ['policy-violation', 'server-restart', 'abnormal-closure', 'application', 'unknown'].includes(cause) ? 'warn' : 'alert';
}

/** Incident causes first, largest first, bugs before conditions at equal counts; `normal` last. */
export function causeOrder(s: Summary): [RootCause, number][] {
  const rank = (c: RootCause) => (c === 'normal' ? 2 : causeTone(c) === 'alert' ? 0 : 1);
  return (Object.entries(s.byRootCause) as [RootCause, number][])
    .sort((a, b) => Number(a[0] === 'normal') - Number(b[0] === 'normal') || b[1] - a[1] || rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
}

/**
 * A few incidents that show the different faces of a cause: one per route, code and signature
 * first, disagreements first, the best-proven first (a crash's trigger before its bystanders).
 */
function examplesOf(listed: Verdict[], n: number): Verdict[] {
  const seen = new Set<string>();
  const first: Verdict[] = [];
  const rest: Verdict[] = [];
  for (const v of [...listed].sort((a, b) => b.confidence - a.confidence)) {
    const key = `${v.route} ${v.closeCode} ${v.exception?.signature ?? ''}`;
    (seen.has(key) ? rest : first).push(v);
    seen.add(key);
  }
  const disagreeFirst = (a: Verdict, b: Verdict) => Number(a.codeAgreement === 'agrees') - Number(b.codeAgreement === 'agrees');
  return [...first.sort(disagreeFirst), ...rest].slice(0, n);
}

export function share(n: number, of: number): string {
  return of ? `${Math.round((n / of) * 100)}%` : '-';
}

export function outline(report: Report, opts: OutlineOptions = {}): Block[] {
  const top = opts.top ?? 5;
  const s = report.summary;
  const blocks: Block[] = [];
  const at = shortener(report);

  blocks.push({ kind: 'title', text: `wsclose: ${s.closes} closes, ${s.incidents} incidents (${share(s.incidents, s.closes)})`, tone: s.incidents ? 'alert' : 'ok' });
  const head = headline(report);
  if (head) blocks.push({ kind: 'para', text: head, tone: s.incidents ? 'alert' : 'ok' });
  blocks.push({ kind: 'para', text: scope(report), tone: 'muted' });
  if (s.closes === 0) {
    const out = report.input.connections.filteredOut;
    blocks.push({ kind: 'para', text: out
      ? `${out} close(s) were found in ${report.input.lines} lines, all outside --since/--until/--route.`
      : `No WebSocket close was found in ${report.input.lines} lines of ${report.input.files.length} input(s). Check --format and the field options (wsclose analyze --help).` });
  }

  const causes = causeOrder(s);
  if (causes.length) {
    blocks.push({ kind: 'heading', text: 'Root causes', level: 2 });
    blocks.push({
      kind: 'table', head: ['root cause', 'closes', 'share', 'close codes'], align: ['l', 'r', 'r', 'l'],
      rows: causes.map(([cause, n]) => [cause, String(n), share(n, s.closes), codeList(s.codesByRootCause?.[cause], false)]),
    });
  }

  const disagreements = ranked(s.disagreements, top);
  if (disagreements.length) {
    blocks.push({ kind: 'heading', text: 'Where the close code and the cause disagree', level: 2 });
    blocks.push({
      kind: 'table', head: ['count', 'root cause', 'code', 'why'], align: ['r', 'l', 'r', 'l'],
      rows: withMore(disagreements.map((d) => [String(d.count), d.rootCause, d.closeCode === null ? 'none' : String(d.closeCode), d.explanation]),
        Object.keys(s.disagreements).length, 1),
    });
  }

  for (const [cause, n] of causes) {
    if (cause === 'normal') continue;
    blocks.push(...causeSection(report, cause, n, top, at));
  }

  blocks.push(...breakdown(s, opts.groupBy ?? 'route', top));

  blocks.push({ kind: 'heading', text: 'Input', level: 2 });
  blocks.push({ kind: 'table', head: ['file', 'parser', 'lines', 'events', 'skipped'], align: ['l', 'l', 'r', 'r', 'l'],
    rows: report.input.files.map((f) => [
      f.name, f.parser === null ? '-' : f.linePrefix ? `${f.parser} (prefixed lines)` : f.jsonFile ? `${f.parser} (docker json-file)` : f.parser, String(f.lines), String(f.events),
      f.error ? `ERROR: ${f.error}` : skippedText(f.skipped),
    ]) });
  const c = report.input.connections;
  const notes = [
    report.input.interrupted ? `interrupted: this report covers the ${report.input.lines} line(s) read before it` : '',
    c.openAtEnd ? `${c.openAtEnd} connection(s) still open at end of input (no verdict)` : '',
    c.unended ? `${c.unended} connection(s) opened again under the same key before a close was logged (no verdict)` : '',
    c.evictedIdle ? `${c.evictedIdle} evicted after the idle TTL` : '',
    c.evictedCap ? `${c.evictedCap} evicted beyond the connection cap` : '',
    c.crashed ? `${c.crashed} ended by a process crash` : '',
    c.rechecked ? `${c.rechecked} verdict(s) re-checked against learned endpoint profiles (${c.changed} changed)` : '',
    c.incidentsOmitted ? `${c.incidentsOmitted} incident(s) counted but not listed` : '',
    ...report.input.files.filter((f) => f.keyless).map((f) => `${f.name} names no connection: read in order, one connection at a time`),
    c.filteredOut ? `${c.filteredOut} close(s) left out by --since/--until/--route` : '',
  ].filter(Boolean);
  if (notes.length) blocks.push({ kind: 'para', text: `${notes.join('; ')}.`, tone: 'muted' });
  return blocks.map(visibleBlock);
}

/** Control characters (ESC, NUL, ...) as `\xNN`: log text must not drive a terminal or break markup. */
export function visible(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function visibleBlock(b: Block): Block {
  switch (b.kind) {
    case 'table':
      return { ...b, head: b.head.map(visible), rows: b.rows.map((r) => r.map(visible)) };
    case 'fields':
      return { ...b, rows: b.rows.map(([l, v]): [string, string] => [l, visible(v)]) };
    case 'example':
      return b; // made visible where it is built
    default:
      return { ...b, text: visible(b.text) };
  }
}

function headline(report: Report): string {
  const s = report.summary;
  if (s.incidents === 0) return s.closes ? 'No incidents: every connection closed normally.' : '';
  const [cause, n] = causeOrder(s)[0];
  const disagree = Object.values(s.disagreements).reduce((k, d) => k + d.count, 0);
  return `Most incidents are ${cause} (${n} of ${s.incidents}).${disagree ? ` ${disagree} close(s) carry a code that does not match their cause.` : ''}`;
}

function scope(report: Report): string {
  const s = report.summary;
  const files = report.input.files.length;
  const input = `${files} input${files === 1 ? '' : 's'}, ${report.input.lines} lines`;
  if (!s.firstClose || !s.lastClose) return `From ${input}.`;
  const [d1, t1] = s.firstClose.replace('Z', '').split('T');
  const [d2, t2] = s.lastClose.replace('Z', '').split('T');
  if (d1 === d2 && t1.slice(0, 8) === t2.slice(0, 8)) return `All closes at ${d1} ${t1.slice(0, 8)} UTC, from ${input}.`;
  return `Closes from ${d1} ${t1.slice(0, 8)} to ${d2 === d1 ? '' : `${d2} `}${t2.slice(0, 8)} UTC, from ${input}.`;
}

function causeSection(report: Report, cause: RootCause, n: number, top: number, at: (a: string) => string): Block[] {
  const s = report.summary;
  const out: Block[] = [{ kind: 'heading', text: `${cause}: ${n} incident${n === 1 ? '' : 's'} (${share(n, s.closes)} of closes)`, level: 2, cause }];
  const listed = report.incidents.filter((v) => v.rootCause === cause);
  const fields: [string, string][] = [['Close codes', codeList(s.codesByRootCause?.[cause], true)]];
  const routeCounts = countsFor(s.routes, cause);
  const routes = ranked(routeCounts, top);
  const moreRoutes = Object.keys(routeCounts).length - routes.length;
  if (routes.length) fields.push(['Routes', [...routes.map((r) => `${r.key} ×${r.count}`), ...(moreRoutes ? [more(moreRoutes)] : [])].join(', ')]);
  const fixes = ranked(tally(listed.map((v) => v.fix)), 2);
  fields.push(...fixes.map((f): [string, string] => ['Fix', fixes.length > 1 ? `${f.key} (×${f.count})` : f.key]));
  out.push({ kind: 'fields', rows: fields });

  const ofCause = Object.fromEntries(Object.entries(s.exceptions).filter(([, e]) => e.rootCause === cause));
  const signatures = ranked(ofCause, top);
  if (signatures.length) {
    out.push({ kind: 'heading', text: 'Exception signatures', level: 3 });
    out.push({
      kind: 'table', head: ['count', 'exception', 'first application frame'], align: ['r', 'l', 'l'],
      rows: withMore(signatures.map((e) => [String(e.count), `${e.type}: ${e.message}`, e.topFrame ? shortFrame(e.topFrame) : '-']),
        Object.keys(ofCause).length, 1),
    });
  }
  const examples = examplesOf(listed, Math.min(top, 3));
  if (examples.length) {
    out.push({ kind: 'heading', text: examples.length < listed.length ? `Examples (${examples.length} of ${listed.length})` : 'Examples', level: 3 });
    for (const v of examples) out.push(example(v, at));
  }
  return out;
}

/** One incident and its evidence timeline, each event timed back from the close. */
export function example(v: Verdict, at: (a: string) => string = (a) => a): Block {
  const code = v.closeCode === null ? 'no code' : `${v.closeCode}${v.reportedCode !== undefined ? ` (reported ${v.reportedCode ?? 'none'})` : ''}`;
  const when = v.time ? ` at ${v.time.replace('T', ' ').replace('Z', '')}` : '';
  const close = v.time ? Date.parse(v.time) : NaN;
  return {
    kind: 'example',
    cause: v.rootCause,
    title: visible(`${v.connection}${v.route ? ` ${v.route}` : ''}: closed ${code}${when}, ${v.codeAgreement}, confidence ${v.confidence}`),
    detail: visible(v.explanation),
    lines: v.evidence.map((e) => ({
      before: e.kind === 'close' && e.at === v.at ? '0' : e.time && !Number.isNaN(close) ? before(Date.parse(e.time) - close) : '',
      at: visible(at(e.at)),
      kind: e.kind,
      summary: visible(e.kind === 'exception' || e.kind === 'crash' ? e.summary.replace(/ at (.+)$/, (_, f: string) => ` at ${shortFrame(f)}`) : e.summary),
    })),
  };
}

/** `-27ms`, `-1.2s`, `-3m05s`, `-2h10m`; `+` for events after the close. */
export function before(ms: number): string {
  const sign = ms > 0 ? '+' : ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${Math.round(a)}ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(a < 10_000 ? 1 : 0)}s`;
  if (a < 3_600_000) return `${sign}${Math.floor(a / 60_000)}m${String(Math.floor((a % 60_000) / 1000)).padStart(2, '0')}s`;
  return `${sign}${Math.floor(a / 3_600_000)}h${String(Math.floor((a % 3_600_000) / 60_000)).padStart(2, '0')}m`;
}

function breakdown(s: Summary, by: GroupBy, top: number): Block[] {
  const title = { route: 'By route', code: 'By close code', cause: 'By root cause', client: 'By client' }[by];
  let rows: string[][];
  let head: string[];
  let total: number;
  if (by === 'route' || by === 'client') {
    const map = by === 'route' ? s.routes : s.clients ?? {};
    const keys = Object.keys(map);
    if (keys.length === 0 || (keys.length === 1 && keys[0] === '(none)')) return [];
    head = [by, 'closes', 'incidents', 'share', 'top cause'];
    total = keys.length;
    rows = ranked(Object.fromEntries(keys.map((k) => [k, { key: k, ...map[k], count: map[k].incidents }])), top)
      .map((r) => [r.key, String(r.closes), String(r.incidents), share(r.incidents, s.incidents), topOf(r.byRootCause, 'normal')]);
  } else if (by === 'code') {
    head = ['code', 'name', 'closes', 'root causes'];
    total = Object.keys(s.byCloseCode).length;
    rows = ranked(Object.fromEntries(Object.entries(s.byCloseCode).map(([k, n]) => [k, { key: k, count: n }])), top).map((c) => [
      c.key, c.key === 'none' ? 'no code' : closeCodeInfo(Number(c.key)).name, String(c.count),
      causeOrder({ byRootCause: causesForCode(s, c.key) } as Summary).map(([cause, n]) => `${cause} ×${n}`).join(', '),
    ]);
  } else {
    head = ['root cause', 'closes', 'share of incidents', 'top route'];
    const causes = causeOrder(s);
    total = causes.length;
    rows = causes.slice(0, top).map(([cause, n]) => [
      cause, String(n), cause === 'normal' ? '-' : share(n, s.incidents),
      ranked(countsFor(s.routes, cause), 1)[0]?.key ?? '-',
    ]);
  }
  if (!rows.length) return [];
  return [{ kind: 'heading', text: title, level: 2 }, { kind: 'table', head, rows: withMore(rows, total, 0), align: head.map((h) => (/^(closes|incidents|share)/.test(h) ? 'r' : 'l')) }];
}

/** `rows`, the first `top` of `total`, and a last row that says how many --top left out (in column `col`). */
function withMore(rows: string[][], total: number, col: number): string[][] {
  if (total <= rows.length) return rows;
  const last = rows[0].map((_, i) => (i === col ? more(total - rows.length) : ''));
  return [...rows, last];
}

function more(n: number): string {
  return `… ${n} more (--top)`;
}

function causesForCode(s: Summary, code: string): Partial<Record<RootCause, number>> {
  const out: Partial<Record<RootCause, number>> = {};
  for (const [cause, codes] of Object.entries(s.codesByRootCause ?? {}) as [RootCause, Record<string, number>][]) {
    if (codes[code]) out[cause] = codes[code];
  }
  return out;
}

/** `1003 ×4, 1011 ×2`, with the codes' names when asked. */
function codeList(codes: Record<string, number> | undefined, named: boolean): string {
  if (!codes) return '';
  return ranked(Object.fromEntries(Object.entries(codes).map(([k, n]) => [k, { key: k, count: n }])))
    .map(({ key, count }) => `${key}${named && key !== 'none' ? ` ${closeCodeInfo(Number(key)).name}` : ''} ×${count}`).join(', ');
}

function countsFor(map: Record<string, RouteCount>, cause: RootCause): Record<string, { key: string; count: number }> {
  const out: Record<string, { key: string; count: number }> = {};
  for (const [key, r] of Object.entries(map)) if (r.byRootCause[cause]) out[key] = { key, count: r.byRootCause[cause]! };
  return out;
}

function tally(values: string[]): Record<string, { key: string; count: number }> {
  const out: Record<string, { key: string; count: number }> = {};
  for (const v of values) (out[v] ??= { key: v, count: 0 }).count++;
  return out;
}

function topOf(byCause: Partial<Record<RootCause, number>>, fallback: string): string {
  const entries = (Object.entries(byCause) as [RootCause, number][]).filter(([c]) => c !== 'normal').sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries[0]?.[0] ?? fallback;
}

/** Evidence positions read shorter as `chat.log:12` when no two inputs share a file name. */
export function shortener(report: Report): (at: string) => string {
  const names = report.input.files.map((f) => f.name);
  if (new Set(names.map((n) => basename(n))).size !== names.length) return (a) => a;
  return (a) => {
    for (const n of names) if (a.startsWith(`${n}:`)) return `${basename(n)}${a.slice(n.length)}`;
    return a;
  };
}

/** `/json (file:///srv/app/src/server.mjs:22)` reads as `/json (src/server.mjs:22)`. */
export function shortFrame(frame: string): string {
  return frame.replace(/(?:file:\/\/)?((?:\/[^\s()/:]{1,255}){3,64})(?=:\d)/, (_, path: string) => path.split('/').slice(-2).join('/'));
}

function skippedText(skipped: Record<string, number>): string {
  const entries = Object.entries(skipped);
  return entries.length ? entries.map(([k, n]) => `${n} ${k}`).join(', ') : '0';
}
