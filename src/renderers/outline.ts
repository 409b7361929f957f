/**
 * The human report's content, independent of markup: the text and Markdown renderers lay out
 * the same blocks, so both always say the same thing. It leads with the answer.
 */
import { closeCodeInfo } from '../codes.js';
import type { RootCause, Verdict } from '../model.js';
import type { Report } from '../report.js';
import { ranked } from '../summary.js';

export type Block =
  | { kind: 'title'; text: string }
  | { kind: 'heading'; text: string }
  | { kind: 'para'; text: string }
  | { kind: 'table'; head: string[]; rows: string[][]; align?: ('l' | 'r')[] }
  | { kind: 'example'; title: string; lines: [string, string, string][] };

export interface OutlineOptions {
  /** Rows per ranked table and examples per root cause. */
  top?: number;
}

export function outline(report: Report, opts: OutlineOptions = {}): Block[] {
  const top = opts.top ?? 5;
  const s = report.summary;
  const blocks: Block[] = [];
  const share = (n: number, of: number) => (of ? `${Math.round((n / of) * 100)}%` : '-');
  const files = report.input.files.length;

  blocks.push({ kind: 'title', text: `wsclose: ${s.closes} closes, ${s.incidents} incidents (${share(s.incidents, s.closes)})` });
  blocks.push({ kind: 'para', text: headline(report) });
  if (s.closes === 0) {
    blocks.push({ kind: 'para', text: `No WebSocket close was found in ${report.input.lines} lines of ${files} input(s). Check --format and the field options (wsclose analyze --help).` });
  }

  const causes = (Object.entries(s.byRootCause) as [RootCause, number][])
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (causes.length) {
    blocks.push({ kind: 'heading', text: 'Root causes' });
    blocks.push({
      kind: 'table', head: ['root cause', 'closes', 'share', 'close codes'], align: ['l', 'r', 'r', 'l'],
      rows: causes.map(([cause, n]) => [cause, String(n), share(n, s.closes), codesFor(report, cause)]),
    });
  }

  const disagreements = ranked(s.disagreements, top);
  if (disagreements.length) {
    blocks.push({ kind: 'heading', text: 'Where the close code and the cause disagree' });
    blocks.push({
      kind: 'table', head: ['count', 'root cause', 'code', 'why'], align: ['r', 'l', 'r', 'l'],
      rows: disagreements.map((d) => [String(d.count), d.rootCause, d.closeCode === null ? 'none' : String(d.closeCode), d.explanation]),
    });
  }

  const signatures = ranked(s.exceptions, top);
  if (signatures.length) {
    blocks.push({ kind: 'heading', text: 'Top exception signatures' });
    blocks.push({
      kind: 'table', head: ['count', 'exception', 'first application frame', 'root cause'], align: ['r', 'l', 'l', 'l'],
      rows: signatures.map((e) => [String(e.count), `${e.type}: ${e.message}`, e.topFrame ?? '-', e.rootCause]),
    });
  }

  const incidentCauses = causes.filter(([c]) => c !== 'normal');
  if (incidentCauses.length) {
    blocks.push({ kind: 'heading', text: 'What to fix' });
    for (const [cause, n] of incidentCauses) {
      const examples = report.incidents.filter((v) => v.rootCause === cause);
      const fix = examples[0]?.fix;
      blocks.push({ kind: 'para', text: `${cause} (${n}): ${fix ?? ''}`.trim() });
      for (const v of examples.slice(0, Math.max(1, Math.min(top, 3)))) blocks.push(example(v));
    }
  }

  const routes = Object.entries(s.routes).map(([route, r]) => ({ route, ...r, count: r.incidents }));
  if (routes.length > 1 || (routes.length === 1 && routes[0].route !== '(none)')) {
    blocks.push({ kind: 'heading', text: 'Routes' });
    blocks.push({
      kind: 'table', head: ['route', 'closes', 'incidents', 'top cause'], align: ['l', 'r', 'r', 'l'],
      rows: ranked(Object.fromEntries(routes.map((r) => [r.route, r])), top).map((r) => [
        r.route, String(r.closes), String(r.incidents), topCause(r.byRootCause),
      ]),
    });
  }

  blocks.push({ kind: 'heading', text: 'Input' });
  blocks.push({ kind: 'table', head: ['file', 'parser', 'lines', 'events', 'skipped'], align: ['l', 'l', 'r', 'r', 'l'],
    rows: report.input.files.map((f) => [
      f.name, f.parser ?? '-', String(f.lines), String(f.events),
      f.error ? `ERROR: ${f.error}` : skippedText(f.skipped),
    ]) });
  const c = report.input.connections;
  const notes = [
    c.openAtEnd ? `${c.openAtEnd} connection(s) still open at end of input (no verdict)` : '',
    c.evictedIdle ? `${c.evictedIdle} evicted after the idle TTL` : '',
    c.evictedCap ? `${c.evictedCap} evicted beyond the connection cap` : '',
    c.crashed ? `${c.crashed} ended by a process crash` : '',
    c.rechecked ? `${c.rechecked} verdict(s) re-checked against learned endpoint profiles (${c.changed} changed)` : '',
    c.incidentsOmitted ? `${c.incidentsOmitted} incident(s) counted but not listed` : '',
    ...report.input.files.filter((f) => f.keyless).map((f) => `${f.name} names no connection: read in order, one connection at a time`),
  ].filter(Boolean);
  if (notes.length) blocks.push({ kind: 'para', text: `${notes.join('; ')}.` });
  return blocks;
}

function headline(report: Report): string {
  const s = report.summary;
  if (s.incidents === 0) return s.closes ? 'No incidents: every connection closed normally.' : '';
  const [cause, n] = (Object.entries(s.byRootCause) as [RootCause, number][])
    .filter(([c]) => c !== 'normal').sort((a, b) => b[1] - a[1])[0];
  const disagree = Object.values(s.disagreements).reduce((k, d) => k + d.count, 0);
  return `Most incidents are ${cause} (${n} of ${s.incidents}).${disagree ? ` ${disagree} close(s) carry a code that does not match their cause.` : ''}`;
}

function codesFor(report: Report, cause: RootCause): string {
  const counts = new Map<string, number>();
  for (const v of report.incidents) {
    if (v.rootCause !== cause) continue;
    const k = v.closeCode === null ? 'none' : String(v.closeCode);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  if (counts.size === 0) return cause === 'normal' ? '1000/1001' : '';
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}${k === 'none' ? '' : ` ${closeCodeInfo(Number(k)).name}`} ×${n}`).join(', ');
}

function example(v: Verdict): Block {
  const code = v.closeCode === null ? 'no code' : String(v.closeCode);
  return {
    kind: 'example',
    title: `connection ${v.connection}${v.route ? ` ${v.route}` : ''}: ${code}, ${v.rootCause} (${v.codeAgreement}, confidence ${v.confidence}): ${v.explanation}`,
    lines: v.evidence.map((e) => [e.at, e.kind, e.summary]),
  };
}

function topCause(byCause: Partial<Record<RootCause, number>>): string {
  const entries = (Object.entries(byCause) as [RootCause, number][]).filter(([c]) => c !== 'normal').sort((a, b) => b[1] - a[1]);
  return entries[0]?.[0] ?? 'normal';
}

function skippedText(skipped: Record<string, number>): string {
  const entries = Object.entries(skipped);
  return entries.length ? entries.map(([k, n]) => `${n} ${k}`).join(', ') : '0';
}
