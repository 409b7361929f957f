/** The report as Markdown, for a postmortem or a pull-request comment. */
import type { Report } from '../report.js';
import { outline, type Block, type OutlineOptions } from './outline.js';

export function renderMarkdown(report: Report, opts: OutlineOptions = {}): string {
  return outline(report, opts).map(block).join('\n\n') + '\n';
}

function block(b: Block): string {
  switch (b.kind) {
    case 'title':
      return `# ${escape(b.text)}`;
    case 'heading':
      return `${'#'.repeat(b.level)} ${escape(b.text)}`;
    case 'para':
      return b.tone === 'alert' ? `**${escape(b.text)}**` : b.tone === 'muted' ? `_${escape(b.text)}_` : escape(b.text);
    case 'table':
      return table(b.head, b.rows, b.align);
    case 'fields':
      return b.rows.map(([label, value]) => `- **${escape(label)}:** ${escape(value)}`).join('\n');
    case 'example':
      return `**${escape(b.title)}**  \n${escape(b.detail)}\n\n${table(['before close', 'at', 'event', 'what'],
        b.lines.map((l) => [l.before, l.at, l.kind, l.summary]), ['r', 'l', 'l', 'l'], [1])}`;
  }
}

function table(head: string[], rows: string[][], align: ('l' | 'r')[] = [], code: number[] = []): string {
  const sep = head.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  // Columns in `code` are positions (file:line): shown as code, only backticks and pipes need care.
  const cells = rows.map((r) => r.map((c, i) => (code.includes(i) ? `\`${c.replace(/`/g, '').replace(/\|/g, '\\|')}\`` : cell(c))));
  return [head, sep, ...cells].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function cell(text: string): string {
  return escape(text).replace(/\|/g, '\\|');
}

/** Log text must not become markup: no HTML, no emphasis, no links. */
function escape(text: string): string {
  return text.replace(/[\\`*_[\]<>#]/g, (c) => `\\${c}`);
}
