/** The terminal report: the outline laid out as aligned plain text. */
import type { Report } from '../report.js';
import { outline, type Block, type OutlineOptions } from './outline.js';

export function renderText(report: Report, opts: OutlineOptions = {}): string {
  return outline(report, opts).map(block).join('\n') + '\n';
}

function block(b: Block): string {
  switch (b.kind) {
    case 'title':
      return `${b.text}\n${'='.repeat(Math.min(b.text.length, 80))}`;
    case 'heading':
      return `\n${b.text}\n${'-'.repeat(b.text.length)}`;
    case 'para':
      return b.text;
    case 'table':
      return table([b.head, ...b.rows], b.align);
    case 'example':
      return `  ${b.title}\n${b.lines.map(([at, kind, summary]) => `      ${at}  ${kind.padEnd(9)} ${summary}`).join('\n')}`;
  }
}

function table(rows: string[][], align: ('l' | 'r')[] = []): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) => '  ' + r.map((cell, i) => (i === r.length - 1 ? cell : align[i] === 'r' ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  '))
    .join('\n');
}
