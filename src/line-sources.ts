/**
 * The source each line of a prefixed stream names (kubectl's pod, compose's container: prefix.ts
 * `sourceOf`), for the reader to tell apart what several sources' lines say (reader.ts, demux.ts).
 */
import { sourceOf } from './prefix.js';
import type { SourceNotes } from './prefilter.js';

/** Names decoded from the kernel's notes, kept by hash: past this many, they are forgotten and noted again. */
const NAMES = 4096;
/** A note that carries its name (prefilter.wat `strip`). */
const NAMED_NOTE = 0x80000000;

/**
 * The source each line of a prefixed stream names, read back in line order (`at`): noted a
 * change at a time as the lines are stripped (by the kernel: no string per line), and from the
 * sample's lines. A line whose prefix names none is of the source of the line before it.
 */
export class LineSources implements SourceNotes {
  last = Buffer.alloc(0);
  readonly known = new Uint32Array(256);
  /** The kernel's notes of the block being read (prefilter.wat `strip`), copied; read up to `next`. */
  private notes = new Uint32Array(1024);
  private end = 0;
  private next = 0;
  private current: string | undefined;
  /** The line before the block being read. */
  private base = 0;
  private readonly byHash = new Map<number, string>();
  /** Each source's last process, as its records name them. */
  private readonly processes = new Map<string, string>();
  private ranSource: string | undefined;
  private ranProcess: string | undefined;

  /** A record of `source` names `process`. */
  ran(source: string, process: string): void {
    if (process === this.ranProcess && source === this.ranSource) return;
    this.ranSource = source;
    this.ranProcess = process;
    this.processes.set(source, process);
  }

  /** The process of a line of `source` that names none: its source's last, else the source itself (a pod whose records name none). */
  processOf(source: string): string {
    return this.processes.get(source) ?? source;
  }

  /**
   * The source of line `lineNo`; lines are asked for in order. Most changes are passed over
   * unread (in a stream of several sources, nearly every line may be one): only the last one
   * before the line is looked up, and a note with a name is learned.
   */
  at(lineNo: number): string | undefined {
    const notes = this.notes;
    let i = this.next;
    let found = -1;
    while (i < this.end) {
      const index = notes[i];
      if (this.base + (index & ~NAMED_NOTE) + 1 > lineNo) break;
      found = i;
      i = index < NAMED_NOTE ? i + 2 : this.learn(i);
    }
    this.next = i;
    if (found >= 0) this.current = this.byHash.get(notes[found + 1]);
    return this.current;
  }

  /** A line of the sample, prefix and all (read before any block). */
  sample(line: string): void {
    const name = sourceOf(line);
    if (name === undefined || name === this.current) return;
    this.current = name;
    this.last = Buffer.from(name);
  }

  /** Before the lines after line `lineNo` are stripped: the changes left over are passed. */
  block(lineNo: number): void {
    if (this.next < this.end) this.at(Infinity);
    this.end = this.next = 0;
    this.base = lineNo;
    if (this.byHash.size > NAMES) {
      this.byHash.clear();
      this.known.fill(0);
    }
  }

  noted(memory: Buffer, from: number, to: number): void {
    const n = (to - from) >>> 2;
    if (this.notes.length < n) this.notes = new Uint32Array(2 * n);
    this.notes.set(new Uint32Array(memory.buffer, memory.byteOffset + from, n));
    this.end = n;
  }

  /** Learns the name of the note at `i`; where the next note starts. */
  private learn(i: number): number {
    const notes = this.notes;
    const length = notes[i + 2];
    const name = Buffer.from(notes.buffer, notes.byteOffset + 4 * (i + 3), length).toString('utf8');
    this.byHash.set(notes[i + 1], name);
    this.known[notes[i + 1] & 255] = notes[i + 1];
    return i + 3 + ((length + 3) >>> 2);
  }
}
