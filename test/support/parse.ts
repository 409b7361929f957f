/** Feeds lines to a parser the way the CLI does and collects what it emits. */
import type { Parser } from '../../parsers/parser.js';
import { expect } from 'vitest';
import type { WsEvent } from '../../src/model.js';

export function parseLines(parser: Parser, file: string, lines: string[]): { events: WsEvent[]; skipped: Record<string, number> } {
  const events: WsEvent[] = [];
  const skipped: Record<string, number> = {};
  const lp = parser.create(file, { event: (e) => events.push(e), skip: (r) => { skipped[r] = (skipped[r] ?? 0) + 1; } });
  lines.forEach((text, i) => lp.line(text, i + 1));
  lp.end();
  return { events, skipped };
}

/** The events of lines that must all be readable. */
export function parseAll(parser: Parser, file: string, lines: string[]): WsEvent[] {
  const { events, skipped } = parseLines(parser, file, lines);
  expect(skipped).toEqual({});
  return events;
}

export function ofKind<K extends WsEvent['kind']>(events: WsEvent[], kind: K): Extract<WsEvent, { kind: K }>[] {
  return events.filter((e) => e.kind === kind) as Extract<WsEvent, { kind: K }>[];
}
