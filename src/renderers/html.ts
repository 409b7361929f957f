/**
 * The report as one self-contained HTML file: no script, no fetch, a Content-Security-Policy
 * that forbids loading anything. Two inline SVG charts (incidents over time by root cause, close
 * codes), then the outline's blocks, then every listed incident as an expandable <details>.
 * Every piece of log text goes through `esc`.
 */
import { closeCodeInfo } from '../codes.js';
import type { RootCause } from '../model.js';
import type { Report } from '../report.js';
import { ranked } from '../summary.js';
import { causeOrder, example, outline, shortener, type Block, type OutlineOptions } from './outline.js';

export interface HtmlOptions extends OutlineOptions {
  /** Incidents listed in the expandable list at most. */
  maxIncidents?: number;
}

const COLOURS: Record<RootCause, string> = {
  'data-type-mismatch': '#d62728',
  'unhandled-error': '#9467bd',
  'invalid-payload': '#ff7f0e',
  'message-too-big': '#8c564b',
  'policy-violation': '#e377c2',
  'protocol-error': '#bcbd22',
  'server-restart': '#17becf',
  'abnormal-closure': '#7f7f7f',
  normal: '#2ca02c',
  application: '#1f77b4',
  unknown: '#aec7e8',
};

const MIN_BUCKETS = 12;

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:16px 24px;color:#1d2127;background:#fff}
h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde1e6;padding-bottom:4px}h3{font-size:14px;margin:16px 0 6px}
p.alert{font-weight:600;color:#a4161a}p.ok{color:#2b7a0b;font-weight:600}p.muted{color:#5f6b7a}
table{border-collapse:collapse;margin:6px 0 10px;font-size:13px}th,td{padding:3px 10px 3px 0;text-align:left;vertical-align:top}
th{color:#5f6b7a;font-weight:600;border-bottom:1px solid #dde1e6}td.r,th.r{text-align:right}
td{border-bottom:1px solid #f0f2f4;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0}dt{font-weight:600}dd{margin:0}
code,.at{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
details{border:1px solid #dde1e6;border-radius:4px;margin:6px 0;padding:4px 8px}summary{cursor:pointer;font-weight:600}
details p{margin:4px 0}.charts{display:grid;grid-template-columns:2fr 1fr;gap:24px}
@media (max-width:800px){.charts{grid-template-columns:1fr}}
svg text{font:11px system-ui,sans-serif;fill:#3c4550}.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;margin:4px 0}
.swatch{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px}
.cause{font-weight:600}.tone-alert{color:#a4161a}.tone-warn{color:#8a5a00}.tone-ok{color:#2b7a0b}`;

export function renderHtml(report: Report, opts: HtmlOptions = {}): string {
  const blocks = outline(report, opts);
  const title = blocks[0].kind === 'title' ? blocks[0].text : 'wsclose report';
  const [head, rest] = splitAfterLead(blocks);
  const max = opts.maxIncidents ?? 500;
  const listed = report.incidents.slice(0, max);
  const at = shortener(report);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="generator" content="wsclose ${esc(report.tool.version)}">
<title>${esc(title)}</title><style>${CSS}</style></head><body>
${head.map(html).join('\n')}
<div class="charts">
<section id="timeline"><h2>Incidents per ${bucketName(report.summary.timeline?.bucketMinutes ?? 1)} by root cause</h2>${timelineChart(report)}</section>
<section id="codes"><h2>Close codes</h2>${codesChart(report)}</section>
</div>
${rest.map(html).join('\n')}
<section id="incidents"><h2>All incidents (${listed.length}${listed.length < report.summary.incidents ? ` of ${report.summary.incidents}` : ''})</h2>
${listed.map((v) => html(example(v, at))).join('\n')}
</section>
</body></html>
`;
}

/** The title and the lead paragraphs come before the charts. */
function splitAfterLead(blocks: Block[]): [Block[], Block[]] {
  let i = 1;
  while (i < blocks.length && blocks[i].kind === 'para') i++;
  return [blocks.slice(0, i), blocks.slice(i)];
}

function html(b: Block): string {
  switch (b.kind) {
    case 'title':
      return `<h1>${esc(b.text)}</h1>`;
    case 'heading':
      return b.level === 2 ? `<h2${b.cause ? ` data-cause="${b.cause}"` : ''}>${esc(b.text)}</h2>` : `<h3>${esc(b.text)}</h3>`;
    case 'para':
      return `<p${b.tone ? ` class="${b.tone}"` : ''}>${esc(b.text)}</p>`;
    case 'table':
      return table(b.head, b.rows, b.align ?? []);
    case 'fields':
      return `<dl>${b.rows.map(([l, v]) => `<dt>${esc(l)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
    case 'example':
      return `<details class="incident" data-cause="${b.cause}"><summary><span class="swatch" style="background:${COLOURS[b.cause]}"></span>${esc(b.title)}</summary>
<p>${esc(b.detail)}</p>${table(['before close', 'at', 'event', 'what'], b.lines.map((l) => [l.before, l.at, l.kind, l.summary]), ['r', 'l', 'l', 'l'], 'at')}</details>`;
  }
}

function table(head: string[], rows: string[][], align: ('l' | 'r')[], cls?: string): string {
  const c = (i: number, body: boolean) => (align[i] === 'r' ? ' class="r"' : body && cls && i === 1 ? ` class="${cls}"` : '');
  return `<table><thead><tr>${head.map((h, i) => `<th${c(i, false)}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((cell, i) => `<td${c(i, true)}>${esc(cell)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** Stacked bars of incidents per bucket, placed on a linear time axis so gaps show as gaps. */
function timelineChart(report: Report): string {
  const t = report.summary.timeline;
  const entries = Object.entries(t?.buckets ?? {})
    .map(([k, counts]) => [k, (Object.entries(counts) as [RootCause, number][]).filter(([c]) => c !== 'normal')] as const)
    .filter(([, counts]) => counts.length)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  if (!entries.length) return '<p class="muted">No incident had a time to chart.</p>';
  const step = t.bucketMinutes * 60_000;
  const t0 = Date.parse(entries[0][0]);
  // At least MIN_BUCKETS wide, so one busy minute is a bar, not the whole chart.
  const span = Math.max(Date.parse(entries[entries.length - 1][0]) - t0 + step, MIN_BUCKETS * step);
  const peak = Math.max(...entries.map(([, c]) => c.reduce((n, [, k]) => n + k, 0)));
  const W = 640, H = 220, L = 36, B = 28, T = 8, R = 8;
  const pw = W - L - R, ph = H - B - T;
  const bw = Math.max(2, (pw * step) / span - 1);
  const order = causeOrder(report.summary).map(([c]) => c);
  const bars = entries.map(([k, counts]) => {
    const x = L + ((Date.parse(k) - t0) / span) * pw;
    let y = T + ph;
    const sorted = [...counts].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
    return sorted.map(([cause, n]) => {
      const h = (n / peak) * ph;
      y -= h;
      return `<rect class="bar" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" fill="${COLOURS[cause]}" data-bucket="${k}" data-cause="${cause}" data-count="${n}"><title>${esc(`${label(k)} UTC: ${n} ${cause}`)}</title></rect>`;
    }).join('');
  }).join('\n');
  const causes = order.filter((c) => c !== 'normal');
  const legend = causes.map((c) => `<span data-cause="${c}"><span class="swatch" style="background:${COLOURS[c]}"></span>${c} ${report.summary.byRootCause[c] ?? 0}</span>`).join('');
  const last = new Date(t0 + span).toISOString();
  return `<svg id="timeline-chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="incidents per ${bucketName(t.bucketMinutes)} by root cause" data-bucket-minutes="${t.bucketMinutes}">
<line x1="${L}" y1="${T + ph}" x2="${W - R}" y2="${T + ph}" stroke="#9aa4b0"/><line x1="${L}" y1="${T}" x2="${L}" y2="${T + ph}" stroke="#9aa4b0"/>
<text x="${L - 4}" y="${T + 10}" text-anchor="end" class="y-max">${peak}</text><text x="${L - 4}" y="${T + ph}" text-anchor="end">0</text>
<text x="${L}" y="${H - 8}">${esc(label(entries[0][0]))}</text><text x="${W - R}" y="${H - 8}" text-anchor="end">${esc(label(last))} UTC</text>
${bars}
</svg><div class="legend">${legend}</div>`;
}

/** Horizontal bars, one per close code, largest first. */
function codesChart(report: Report): string {
  const codes = ranked(Object.fromEntries(Object.entries(report.summary.byCloseCode).map(([k, n]) => [k, { key: k, count: n }])));
  if (!codes.length) return '<p class="muted">No closes.</p>';
  const peak = codes[0].count;
  const row = 22, W = 360, labelW = 190, H = codes.length * row + 4;
  const bars = codes.map(({ key, count }, i) => {
    const y = i * row + 2;
    const w = Math.max(1, ((W - labelW - 40) * count) / peak);
    const name = key === 'none' ? 'no code' : `${key} ${closeCodeInfo(Number(key)).name}`;
    const cause = key === 'none' ? 'unknown' : closeCodeInfo(Number(key)).cause;
    return `<g class="code" data-code="${esc(key)}" data-count="${count}"><text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(clip(name, 30))}</text>` +
      `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 8}" fill="${COLOURS[cause]}"><title>${esc(`${name}: ${count}`)}</title></rect>` +
      `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 14}" class="count">${count}</text></g>`;
  }).join('\n');
  return `<svg id="codes-chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="closes by close code">\n${bars}\n</svg>`;
}

function bucketName(minutes: number): string {
  return minutes === 1 ? 'minute' : minutes % 1440 === 0 ? (minutes === 1440 ? 'day' : `${minutes / 1440} days`) : minutes % 60 === 0 ? (minutes === 60 ? 'hour' : `${minutes / 60} hours`) : `${minutes} minutes`;
}

function label(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
