/**
 * One stream of several sources' lines (`kubectl logs -l app=chat --prefix`, `docker compose
 * logs`), interleaved one line at a time. The records are read as one input: each event is of
 * its line's source (reader.ts). But the text between them, a Node crash report on a pod's
 * stderr, is read with the other lines of its source only, by a parser of that source's own:
 * read as one input, another pod's records in the middle of a report would cut it. The prefix
 * that names the source stays on those lines (prefix.ts `trimmed`).
 *
 * A crash report names no process: it is its source's (`processOf`: the process of its last
 * record).
 */
import type { LineParser, ParserSink } from '../parsers/parser.js';
import { sourceOf, withoutPrefix } from './prefix.js';

/** Sources read apart, at most: the text of any more is read with the records. */
const MAX_SOURCES = 64;

export class Demux implements LineParser {
  private readonly parsers = new Map<string, LineParser>();

  constructor(
    private readonly main: LineParser,
    private readonly sink: ParserSink,
    private readonly create: (sink: ParserSink) => LineParser,
    private readonly processOf: (source: string) => string,
  ) {}

  line(text: string, lineNo: number): void {
    const source = sourceOf(text);
    if (source === undefined) return this.main.line(text, lineNo);
    const bare = withoutPrefix(text);
    const own = this.parsers.get(source) ?? this.start(source);
    if (own === undefined) this.main.line(bare, lineNo);
    else own.line(bare, lineNo);
  }

  end(): void {
    this.main.end();
    for (const p of this.parsers.values()) p.end();
  }

  private start(source: string): LineParser | undefined {
    if (this.parsers.size >= MAX_SOURCES) return undefined;
    const sink = this.sink;
    const own = this.create({
      event: (e) => {
        if (e.kind === 'exception' && e.fatal && e.process === undefined) e.process = this.processOf(source);
        sink.event(e);
      },
      skip: (reason) => sink.skip(reason),
    });
    this.parsers.set(source, own);
    return own;
  }
}
