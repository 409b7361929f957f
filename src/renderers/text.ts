/**
 * The terminal report: the outline laid out as plain text that fits the terminal (80 columns
 * when not a terminal), long cells wrapped inside their column, colour only when asked.
 */
import { ROOT_CAUSES, type RootCause } from '../model.js';
import type { Report } from '../report.js';
import { causeTone, outline, type Block, type OutlineOptions, type Tone } from './outline.js';

export interface TextOptions extends OutlineOptions {
  /** Columns to fit (default 80). */
  width?: number;
  /** ANSI colour (default off). */
  color?: boolean;
}

type Style = Tone | 'bold' | 'dim' | 'head';

const SGR: Record<Style, string> = { alert: '1;31', warn: '33', ok: '32', muted: '2', bold: '1', dim: '2', head: '1' };

export function renderText(report: Report, opts: TextOptions = {}): string {
  const width = Math.max(40, opts.width ?? 80);
  const paint = (text: string, style: Style | undefined) => (opts.color && style && text ? `\x1b[${SGR[style]}m${text}\x1b[0m` : text);
  return outline(report, opts).map((b) => block(b, width, paint)).join('\n') + '\n';
}

type Paint = (text: string, style: Style | undefined) => string;

function block(b: Block, width: number, paint: Paint): string {
  switch (b.kind) {
    case 'title': {
      const lines = wrap(b.text, width);
      return `${lines.map((l) => paint(l, b.tone === 'ok' ? 'ok' : 'bold')).join('\n')}\n${'='.repeat(Math.min(width, Math.max(...lines.map((l) => l.length))))}`;
    }
    case 'heading': {
      const text = b.text;
      const style = b.cause ? causeTone(b.cause) : 'head';
      if (b.level === 3) return `\n  ${paint(text, 'bold')}`;
      return `\n${wrap(text, width).map((l) => paint(l, style)).join('\n')}\n${'-'.repeat(Math.min(width, text.length))}`;
    }
    case 'para':
      return wrap(b.text, width).map((l) => paint(l, b.tone === 'muted' ? 'muted' : b.tone === 'alert' ? 'bold' : undefined)).join('\n');
    case 'table':
      return table([b.head, ...b.rows], b.align ?? [], width, 2, paint, cellStyle);
    case 'fields': {
      const label = Math.max(...b.rows.map(([l]) => l.length)) + 1;
      // A label repeated on the next row (a second fix) is written once.
      return b.rows.map(([l, v], r) => {
        const shown = r > 0 && b.rows[r - 1][0] === l ? '' : `${l}:`;
        return wrap(v, width - 2 - label - 1).map((line, i) => `  ${paint((i ? '' : shown).padEnd(label), 'bold')} ${line}`).join('\n');
      }).join('\n');
    }
    case 'example': {
      const title = wrap(b.title, width - 4).map((l, i) => `${i ? '    ' : '  - '}${paint(l, 'bold')}`);
      const detail = wrap(b.detail, width - 4).map((l) => `    ${l}`);
      const rows = b.lines.map((l) => [l.before, l.at, l.kind, l.summary]);
      return [...title, ...detail, table(rows, ['r', 'L', 'l', 'l'], width, 6, paint, evidenceStyle)].join('\n');
    }
  }
}

type CellStyle = (cell: string, col: number, rowIndex: number, row: string[]) => Style | undefined;

function cellStyle(cell: string, _col: number, rowIndex: number): Style | undefined {
  if (rowIndex === 0) return 'dim';
  return (ROOT_CAUSES as readonly string[]).includes(cell) ? causeTone(cell as RootCause) : undefined;
}

/** Evidence rows are [before, at, kind, summary]. */
function evidenceStyle(_cell: string, col: number, _rowIndex: number, [, , kind]: string[]): Style | undefined {
  if (col < 2) return 'dim';
  if (kind === 'exception' || kind === 'crash') return 'alert';
  return kind === 'close' && col === 2 ? 'bold' : undefined;
}

/** 'l' and 'r' align a column's cells; 'L' aligns them left and is kept whole while the 'l' columns keep room to read. */
type Align = 'l' | 'r' | 'L';

/**
 * Columns at their natural width when the table fits; otherwise the widest 'l' columns give
 * way (never below 8) and their cells wrap. Numbers never wrap, nor an 'L' column (an evidence
 * line's file:line, to be copied whole) unless keeping it whole would squeeze an 'l' column
 * under 20 (a trace's `traceId/spanId` is 49 wide): then it gives way as an 'l' column does.
 */
function table(rows: string[][], align: Align[], width: number, indent: number,
  paint: Paint, style: CellStyle): string {
  const cols = Math.max(...rows.map((r) => r.length));
  const natural = Array.from({ length: cols }, (_, i) => Math.max(1, ...rows.map((r) => (r[i] ?? '').length)));
  const gap = 2;
  const room = width - indent - gap * (cols - 1);
  const wrapping = (as: Align[]) => Array.from({ length: cols }, (_, i) => (as[i] ?? 'l') === 'l');
  let wraps = wrapping(align);
  let widths = fit(natural, wraps, room);
  if (widths.some((w, i) => wraps[i] && w < Math.min(natural[i], 20))) {
    wraps = wrapping(align.map((a) => (a === 'L' ? 'l' : a)));
    widths = fit(natural, wraps, room);
  }
  const out: string[] = [];
  rows.forEach((r, ri) => {
    const cells = widths.map((w, i) => (wraps[i] ? wrap(r[i] ?? '', w) : [r[i] ?? '']));
    const height = Math.max(...cells.map((c) => c.length));
    for (let k = 0; k < height; k++) {
      const parts = cells.map((c, i) => {
        const text = c[k] ?? '';
        const padded = i === cols - 1 ? text : align[i] === 'r' ? text.padStart(widths[i]) : text.padEnd(widths[i]);
        return paint(padded, style(r[i] ?? '', i, ri, r));
      });
      out.push((' '.repeat(indent) + parts.join(' '.repeat(gap))).trimEnd());
    }
  });
  return out.join('\n');
}

/** Column widths within `room`: one at a time off the widest column that wraps, so wide columns end up even. */
function fit(natural: number[], wraps: boolean[], room: number): number[] {
  const widths = natural.slice();
  for (let excess = sum(widths) - room; excess > 0; excess--) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) if (wraps[i] && widths[i] > 8 && (widest < 0 || widths[i] > widths[widest])) widest = i;
    if (widest < 0) break;
    widths[widest]--;
  }
  return widths;
}

/** Words to lines of at most `width`; a word longer than that is cut. */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(1, width);
  if (text.length <= w) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let rest = word;
    if (line && line.length + 1 + rest.length <= w) {
      line += ` ${rest}`;
      continue;
    }
    if (line) lines.push(line);
    while (rest.length > w) {
      lines.push(rest.slice(0, w));
      rest = rest.slice(w);
    }
    line = rest;
  }
  if (line) lines.push(line);
  return lines;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
