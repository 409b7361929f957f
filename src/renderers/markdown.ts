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
      return `## ${escape(b.text)}`;
    case 'para':
      return escape(b.text);
    case 'table': {
      const sep = b.head.map((_, i) => (b.align?.[i] === 'r' ? '---:' : '---'));
      return [b.head, sep, ...b.rows.map((r) => r.map(cell))].map((r) => `| ${r.join(' | ')} |`).join('\n');
    }
    case 'example':
      return `- ${escape(b.title)}\n${b.lines.map(([at, kind, summary]) => `  - \`${at}\` ${kind}: ${escape(summary)}`).join('\n')}`;
  }
}

function cell(text: string): string {
  return escape(text).replace(/\|/g, '\\|');
}

/** Log text must not become markup: no HTML, no emphasis, no links. */
function escape(text: string): string {
  return text.replace(/[\\`*_[\]<>#]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
}
