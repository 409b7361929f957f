/**
 * The registry of input formats. `--format auto` asks each parser's `detect` about a file's
 * first lines and takes the most confident one.
 */
import { aiohttpParser } from './aiohttp.js';
import { apigwParser } from './apigw.js';
import { dotnetParser } from './dotnet.js';
import { goParser } from './go.js';
import { harParser } from './har.js';
import { jaegerParser } from './jaeger.js';
import { javaParser } from './java.js';
import { jsonParser } from './json.js';
import { logfmtParser } from './logfmt.js';
import { nodeCrashParser } from './node-crash.js';
import { otlpParser } from './otlp.js';
import { pythonWebsocketsParser } from './python-websockets.js';
import { zipkinParser } from './zipkin.js';
import type { Parser } from './parser.js';
import { tsharkParser } from './tshark.js';
import { winstonParser } from './winston.js';

export type { FieldMap, LineParser, Parser, ParserOptions, ParserSink } from './parser.js';

/** Every parser, most specific first: on a tie in `detect`, the earlier one wins. */
export const PARSERS: readonly Parser[] = [
  tsharkParser, harParser, apigwParser, otlpParser, jaegerParser, zipkinParser,
  nodeCrashParser, goParser, javaParser, dotnetParser, logfmtParser, pythonWebsocketsParser, aiohttpParser, winstonParser, jsonParser,
];

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
