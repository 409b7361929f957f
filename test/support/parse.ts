/** Feeds lines to a parser as the CLI does and collects what it emits and skips. */
import type { Parser } from '../../parsers/parser.js';
import type { WsEvent } from '../../src/model.js';

export function parseLines(parser: Parser, file: string, lines: string[]): { events: WsEvent[]; skipped: Record<string, number> } {
  const events: WsEvent[] = [];
  const skipped: Record<string, number> = {};
  const p = parser.create(file, { event: (e) => events.push(e), skip: (r) => { skipped[r] = (skipped[r] ?? 0) + 1; } });
  lines.forEach((l, i) => p.line(l, i + 1));
  p.end();
  return { events, skipped };
}
