/** Runs a parser over lines in memory: the events it emits and the lines it skipped, by reason. */
import type { Parser } from '../../parsers/parser.js';
import type { WsEvent } from '../../src/model.js';

export function parseLines(parser: Parser, lines: string[], file = 'app.log'): { events: WsEvent[]; skipped: Record<string, number> } {
  const events: WsEvent[] = [];
  const skipped: Record<string, number> = {};
  const lp = parser.create(file, {
    event: (e) => events.push(e),
    skip: (r) => { skipped[r] = (skipped[r] ?? 0) + 1; },
  });
  lines.forEach((l, i) => lp.line(l, i + 1));
  lp.end();
  return { events, skipped };
}
