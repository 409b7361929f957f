/**
 * One stream of several sources' lines (`kubectl logs -l app=chat --prefix`, `docker compose
 * logs`), interleaved one line at a time. The records are read as one input: their own fields
 * name their process. But the text between them, a Node crash report on a pod's stderr, is read
 * with the other lines of its source only, by a parser of that source's own: read as one input,
 * another pod's records in the middle of a report would cut it. The prefix that names the source
 * stays on those lines (prefix.ts `trimmed`).
 *
 * A crash report names no process. Its process is the one whose hostname is the source's name
 * (Kubernetes names a pod's host after the pod), else, in an input of one source or one
 * process, the input's last (the correlator's choice); else no process of the input is blamed.
 */
import type { LineParser, ParserSink } from '../parsers/parser.js';
import type { WsEvent } from './model.js';
import { sourceOf, withoutPrefix } from './prefix.js';

/** Sources read apart, at most: the text of any more is read with the records. */
const MAX_SOURCES = 64;

export class Demux implements LineParser {
  private readonly parsers = new Map<string, LineParser>();
  /** Each hostname's last process, as the records name them. */
  private readonly hosts = new Map<string, string>();
  private last: string | undefined;
  /** The processes the records named, and the sources the lines did: the first two of each. */
  private readonly processes = new Set<string>();
  private readonly sources = new Set<string>();

  /** `sample`: the input's first lines, prefixed. */
  constructor(
    private readonly main: LineParser,
    private readonly sink: ParserSink,
    private readonly create: (sink: ParserSink) => LineParser,
    sample: string[],
  ) {
    for (const line of sample) this.source(sourceOf(line));
  }

  /** Every event read, before it goes on: its process is noted. */
  seen(e: WsEvent): void {
    const p = e.process;
    if (p === undefined || p === this.last) return;
    this.last = p;
    this.hosts.set(p.slice(p.indexOf('@') + 1), p);
    if (this.processes.size < 2) this.processes.add(p);
  }

  line(text: string, lineNo: number): void {
    const source = sourceOf(text);
    if (source === undefined) return this.main.line(text, lineNo);
    this.source(source);
    const bare = withoutPrefix(text);
    const own = this.parsers.get(source) ?? this.start(source);
    if (own === undefined) this.main.line(bare, lineNo);
    else own.line(bare, lineNo);
  }

  end(): void {
    this.main.end();
    for (const p of this.parsers.values()) p.end();
  }

  private source(name: string | undefined): void {
    if (name !== undefined && this.sources.size < 2) this.sources.add(name);
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

  /** The process a crash read from `source` ended; undefined leaves it to the correlator (the input's last process). */
  private processOf(source: string): string | undefined {
    const host = source.startsWith('pod/') ? source.split('/')[1] : source;
    return this.hosts.get(host) ?? (this.sources.size < 2 || this.processes.size < 2 ? undefined : source);
  }
}
