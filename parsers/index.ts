/**
 * The registry of input formats. `--format auto` asks each parser's `detect` about a file's
 * first lines and takes the most confident one.
 */
import { jsonParser } from './json.js';
import { logfmtParser } from './logfmt.js';
import { nodeCrashParser } from './node-crash.js';
import type { Parser } from './parser.js';

export type { FieldMap, LineParser, Parser, ParserOptions, ParserSink } from './parser.js';

/** Every parser, most specific first: on a tie in `detect`, the earlier one wins. */
export const PARSERS: readonly Parser[] = [nodeCrashParser, logfmtParser, jsonParser];

export function parserByName(name: string): Parser | undefined {
  return PARSERS.find((p) => p.name === name);
}

/** The parser most confident about these lines, or undefined when none recognizes them. */
export function detectParser(lines: string[]): Parser | undefined {
  let best: Parser | undefined;
  let bestScore = 0;
  for (const p of PARSERS) {
    const score = p.detect(lines);
    if (score > bestScore) {
      best = p;
      bestScore = score;
    }
  }
  return bestScore >= 0.2 ? best : undefined;
}
