/**
 * Finds, in a block of raw bytes, the places where a parser's needles may start, in one pass
 * for all needles whatever their number, without building a string; and, in the same pass,
 * counts the lines and tells where the lines to read start and end, without a call per line.
 *
 * Each needle gets one anchor, three of its bytes (or its last two and the byte after it), in
 * one of eight buckets, both chosen on the first block so that the sweep stops the least
 * (placement.ts); for an input known to be short, where that choice costs more than it saves,
 * by a quick guess without a sample (LONG).
 * The block is swept sixteen bytes at a time (Teddy, as in Hyperscan): each byte's low and high
 * halves give the buckets it may be in at each place of an anchor, and only where all the bytes
 * of an anchor may be in one bucket is the pair there looked up in a table of anchors. A needle
 * anchored there is kept when its `followedBy` patterns, run as automata, match after it (most
 * near misses are told by the next byte), and it is there in full. The sweeps run in
 * WebAssembly (prefilter.wat, whose header gives the memory layout used here); the needles'
 * checks, rare by then, run here.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { Needle, Prefilter } from '../parsers/parser.js';
import { ACCEPT, Automata, EXITS, parsePattern } from './pattern.js';
import { letsThrough, pairsAt, place, type Placeable, type Placement, placeQuick, TRIPLE_BITS } from './placement.js';
import { growTo } from './wasm-memory.js';

/** Bytes of the first block whose byte, pair and triple counts choose the anchors. */
export const SAMPLE = 256 * 1024;
/**
 * Bytes a filter must be known to scan for the anchors to be priced on a sample: pricing costs
 * a fresh process about 30 ms (cold code), and saves about 0.6 to 0.8 ms a MB of sweep over the quick
 * placement (placement.ts). Below, they are placed quickly, and priced once the bytes scanned
 * reach it (an input of unknown size, stdin).
 */
export const LONG = 48 * 1024 * 1024;

/** A placement priced in an earlier run, with its sample's bytes: the share of each byte value. */
export interface KeptPlacement extends Placement {
  shares: number[];
}

/** Placements priced before, by the needles they place (placements.ts: in the command line's cache folder). */
export interface PlacementStore {
  get(key: string): KeptPlacement | undefined;
  set(key: string, kept: KeptPlacement): void;
}

let placements: PlacementStore | undefined;

/**
 * Where the priced placements are kept between runs: pricing is tens of ms of a fresh process's
 * cold code, and a service's logs are alike from one day to the next. Undefined: none kept.
 */
export function keepPlacements(store: PlacementStore | undefined): void {
  placements = store;
}

/** Two samples are alike when the shares of their bytes differ by at most this much in all. */
const ALIKE = 0.1;

/** prefilter.wat's memory layout. */
const MASKS = 0;
const SKIPS = 1024;
const SLOTS = 65536;
const NEEDLES = 458752;
const MAX_NEEDLES = 4096;
const BYTES = 491520;
const MAX_BYTES = 65536;
const AUTOMATA = 589824;
const MAX_STATES = 256;
const HITS = 720896;
/** u32s per hit. */
const HIT = 8;
const ROOM = 16384;
/** Bytes the sweep reads a step: places where a needle may start, at most. */
const STEP = 32;
const ANCHORS = 1245184;
const MAX_ANCHORS = 65536;
const ODD = 1769472;
const INPUT = 1900544;
const PADDING = 32;

interface Kernel {
  memory: WebAssembly.Memory;
  scan(from: number, start: number, end: number, room: number, first: number): number;
  count(from: number, end: number, tables: number, common: number, list: number): number;
  strip(start: number, end: number, first: number, out: number): number;
  noted: WebAssembly.Global;
  next: WebAssembly.Global;
  odds: WebAssembly.Global;
  breaks: WebAssembly.Global;
}

const compiled = new Map<string, WebAssembly.Module | undefined>();

/**
 * The kernel, compiled (once): `plain`, or `relaxed` where the engine has relaxed SIMD
 * (src/assemble.mjs makes it: a table lookup is then one instruction, not three), else undefined.
 */
export function kernel(kind: 'plain' | 'relaxed'): WebAssembly.Module | undefined {
  if (!compiled.has(kind)) compiled.set(kind, compile(readFileSync(new URL(kind === 'plain' ? './prefilter.wasm' : './prefilter.relaxed.wasm', import.meta.url))));
  return compiled.get(kind);
}

/**
 * A kernel's module, or undefined where the engine refuses it. Node 20's V8 has relaxed SIMD
 * behind a flag: it is set for the compile only (a module keeps the features it was compiled
 * with). A flag left set would change the hash of V8's flags, which every code cache is checked
 * against: each of Node's own modules loaded after it, and the command line's next start
 * (src/wsclose.cts), would be compiled anew.
 */
function compile(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module | undefined {
  if (WebAssembly.validate(bytes)) return new WebAssembly.Module(bytes);
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  try {
    return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : undefined;
  } finally {
    setFlagsFromString('--no-experimental-wasm-relaxed-simd');
  }
}

/** The kernel given by the thread that started this one (`useKernel`). */
let given: WebAssembly.Module | undefined;

/**
 * The kernel that runs: the plain one does the same work where relaxed SIMD is not to be had.
 * Compiled at first use, not at import: a service importing wsclose for its span processor
 * never sweeps, so it never compiles the kernel.
 */
export function runningKernel(): WebAssembly.Module {
  return given ?? kernel('relaxed') ?? kernel('plain')!;
}

/**
 * A worker thread runs the kernel its main thread compiled: compiled once, and never with the
 * flag set by two threads at once (one would unset it under the other's compile).
 */
export function useKernel(module: WebAssembly.Module): void {
  given = module;
}

interface Compiled {
  text: string;
  bytes: Uint8Array;
  /** 0x20 where a letter matches in any case, else 0: `(b | mask) === byte`. */
  mask: Uint8Array;
  followedBy: string[];
  check: Needle['check'];
}

interface Anchor {
  needle: Compiled;
  /** Where the pair is in the needle: the needle starts `offset` bytes before the pair. */
  offset: number;
}

const FILTERS = new WeakMap<Prefilter, BlockFilter>();

/** The longest line start (`Prefilter.lineStart`): the kernel reads its last byte this far into a line, within a block's padding at its end. */
const MAX_LINE_START = 16;

/**
 * A line start as the kernel takes it: its first byte, its last byte, and the last's place in
 * it, a byte each; -1 for none.
 */
function lineStartOf(text: string | undefined): number {
  if (text === undefined) return -1;
  const bytes = Buffer.from(text, 'latin1');
  if (bytes.length === 0 || bytes.length > MAX_LINE_START) throw new Error(`prefilter lineStart "${text}" is not 1 to ${MAX_LINE_START} bytes long`);
  // The sweep tells the end of a block by its padding of line breaks: lines that would be odd.
  if (bytes.includes(10)) throw new Error('prefilter lineStart holds a line break');
  return bytes[0] | (bytes[bytes.length - 1] << 8) | ((bytes.length - 1) << 16);
}

/** Bytes for the sample's counts (`BlockFilter.compile`): byte and triple counts, then the list of common triples. */
const COUNTS = 4 * (256 + (1 << TRIPLE_BITS)) + 4 * (SAMPLE / 2 + 1);
/** The source the last line stripped named: its length, then its bytes (prefilter.wat `strip`). */
const SOURCE = 508;
/** Bytes of the known hashes that precede `strip`'s notes (u32[256]). */
const KNOWN = 1024;
/** Bytes for what `strip` notes of `size` bytes of lines: the known hashes, then at most 3.2 a byte (a 5-byte line `[pod/x] ` in turn with another). */
const notesFor = (size: number) => KNOWN + 4 * size + 4096;

/** What `strip` notes of the sources the lines name (prefix.ts `LineSources`). */
export interface SourceNotes {
  /** The name of the source the line before named: where the kernel starts, and what it leaves. */
  last: Buffer;
  /** The hashes of the names the notes may leave out (u32[256], each at its low byte): those whose names the reader has. */
  readonly known: Uint32Array;
  /** The notes of one call, `memory[from, to)`, as prefilter.wat `strip` writes them. */
  noted(memory: Buffer, from: number, to: number): void;
}

/**
 * An instance of the kernel and its memory, holding the tables of the filter that last scanned
 * in it. A reader leases one (`lease`) and reads its input straight into its two `blocks`, so
 * that a block is swept where it was read, never copied; the kernel's memory is grown when the
 * blocks are made, never while they are in use (growing detaches the views of the memory).
 */
export class Sweep {
  readonly kernel: Kernel;
  /** The tables installed (a BlockFilter's). */
  tables: Tables | undefined;
  /** Where a sample's counts go, past the blocks (and past the block copied in, for the filter's own). */
  counts = INPUT;
  private views: [Buffer, Buffer] | undefined;
  /** The last released, leased next: the blocks of inputs read one after another are one memory. */
  private static spare: Sweep | undefined;

  constructor(kernel = runningKernel()) {
    const { exports } = new WebAssembly.Instance(kernel);
    this.kernel = exports as unknown as Kernel;
  }

  static lease(): Sweep {
    const s = Sweep.spare ?? new Sweep();
    Sweep.spare = undefined;
    return s;
  }

  /** Gives it back when no read into its blocks is under way. */
  release(): void {
    Sweep.spare = this;
  }

  /**
   * Two buffers of `size` bytes in the kernel's memory, each followed by room for the padding
   * and both by room for a sample's counts. The same two while `size` does not grow.
   */
  blocks(size: number): [Buffer, Buffer] {
    const stride = (size + PADDING + 15) & ~15;
    if (this.views === undefined || this.views[0].length < size) {
      this.counts = INPUT + 2 * stride;
      this.reserve(this.counts + COUNTS + notesFor(size));
      const { buffer } = this.kernel.memory;
      this.views = [Buffer.from(buffer, INPUT, size), Buffer.from(buffer, INPUT + stride, size)];
    }
    return this.views;
  }

  /** Where `buf` starts in the kernel's memory; -1 when it is not one of `blocks`. */
  addressOf(buf: Buffer): number {
    return this.views !== undefined && (buf === this.views[0] || buf === this.views[1]) ? buf.byteOffset : -1;
  }

  /**
   * Takes the collectors' prefixes off the lines of `buf[start, end)` (whole lines) in place, in
   * the kernel (prefilter.wat `strip`); returns the new end. A prefix naming its source stays on
   * a line that does not start with byte `first` (256: none); each change of source is given to
   * `notes`. `buf` is one of the sweep's blocks, or the sweep has none and the lines are copied
   * in and back.
   */
  strip(buf: Buffer, start: number, end: number, first: number, notes: SourceNotes): number {
    const at = this.addressOf(buf);
    if (at < 0 && this.views !== undefined) throw new Error('strip: a block of another sweep');
    const from = at >= 0 ? at + start : INPUT;
    const to = from + end - start;
    const out = (at >= 0 ? this.counts + COUNTS : to + PADDING + 15) & ~15;
    // A sweep's blocks have their room (`blocks`): growing now would detach their views.
    if (at < 0) this.reserve(out + notesFor(end - start));
    const memory = Buffer.from(this.kernel.memory.buffer);
    if (at < 0) buf.copy(memory, INPUT, start, end);
    memory.writeUInt32LE(notes.last.length, SOURCE);
    notes.last.copy(memory, SOURCE + 4);
    new Uint32Array(memory.buffer, out, KNOWN / 4).set(notes.known);
    const stripped = this.kernel.strip(from, to, first, out);
    notes.noted(memory, out + KNOWN, this.kernel.noted.value as number);
    notes.last = Buffer.from(memory.subarray(SOURCE + 4, SOURCE + 4 + memory.readUInt32LE(SOURCE)));
    if (at >= 0) return stripped - at;
    memory.copy(buf, start, INPUT, stripped);
    return start + stripped - INPUT;
  }

  /** Grows the kernel's memory to at least `size` bytes. */
  reserve(size: number): void {
    growTo(this.kernel.memory, size);
  }
}

/**
 * What a scan found in a block, in its buffer's offsets: the needles (after their checks), each
 * with its line, ascending by line (a line may appear more than once); the odd lines (see
 * `odd`), ascending; and how many lines the block holds.
 */
export class Found {
  /** Needles found: where each starts, and its line's start, end (its line break) and index in the block. */
  hits = 0;
  at = new Int32Array(1024);
  starts = new Int32Array(1024);
  ends = new Int32Array(1024);
  indexes = new Int32Array(1024);
  /** Odd lines: where each starts, and its index in the block. */
  odd = 0;
  oddStarts = new Int32Array(64);
  oddIndexes = new Int32Array(64);
  lines = 0;

  /** Makes room for `n` more hits and odd lines. */
  reserve(hits: number, odd: number): void {
    if (this.hits + hits > this.at.length) {
      const size = 2 * (this.hits + hits);
      for (const k of ['at', 'starts', 'ends', 'indexes'] as const) this[k] = grown(this[k], size);
    }
    if (this.odd + odd > this.oddStarts.length) {
      const size = 2 * (this.odd + odd);
      this.oddStarts = grown(this.oddStarts, size);
      this.oddIndexes = grown(this.oddIndexes, size);
    }
  }
}

function grown(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

/**
 * A filter's tables once compiled (the kernel's memory below the blocks): where they were
 * compiled (`home`) until another filter's are installed there, then in a copy. Most runs have one
 * filter and one sweep, and never copy them (1.9 MB of fresh memory, several ms to fault in).
 */
export class Tables {
  private copy: Uint8Array | undefined;

  /** `home`: the sweep whose memory holds them; undefined once copied out or dropped. */
  constructor(public home: Sweep | undefined) {}

  bytes(): Uint8Array {
    return this.copy ?? new Uint8Array(this.home!.kernel.memory.buffer, 0, INPUT);
  }

  /** Their home is to take other tables: copied out first. */
  evict(): void {
    this.copy = this.bytes().slice();
    this.home = undefined;
  }

  /** Replaced by the filter's new ones: never copied out. */
  drop(): void {
    this.home = undefined;
  }
}

export class BlockFilter {
  private readonly anchors = new Map<number, Anchor[]>();
  /** The kernel's tables once compiled, installed into each sweep it scans in. */
  private tables: Tables | undefined;
  /** Whether the anchors were priced on a sample, not placed quickly. */
  priced = false;
  /** Bytes scanned, and those it will have scanned by the end of the input (`expect`). */
  private scanned = 0;
  private due = 0;
  /** The needles, in the kernel's order. */
  private readonly needles: Compiled[];
  /** Their patterns' automata: the kernel's tables that do not depend on the anchors. */
  private readonly patterns: Patterns;
  /** The lines' start as the kernel takes it (`lineStartOf`), -1 for none. */
  private readonly lineStart: number;
  private readonly found = new Found();
  /** The most anchors at one pair: a step of the sweep writes at most thirty-two times as many hits. */
  private room = ROOM;
  /** Where the blocks of other buffers are copied to be scanned. */
  private own: Sweep | undefined;
  /** Bytes after an in-place block, kept while the padding is there. */
  private readonly after = new Uint8Array(PADDING);

  /** `kernel`: the module its own sweep runs, when not the best the engine has (tests run each). */
  constructor(pf: Prefilter, private readonly kernel = runningKernel()) {
    this.lineStart = lineStartOf(pf.lineStart);
    this.needles = pf.needles.map(compileNeedle);
    for (const { text, bytes } of this.needles) {
      if (bytes.length < 2) throw new Error(`prefilter needle "${text}" is shorter than two bytes`);
      // The sweep finds a needle's line from the line breaks before its anchor.
      if (bytes.includes(10)) throw new Error(`prefilter needle "${text}" holds a line break`);
    }
    this.patterns = patternsOf(this.needles);
  }

  /**
   * The filter of `pf`, made at its first use: the files of a run that share a prefilter share
   * its anchors (placing them costs tens of ms in a fresh process). A block is scanned
   * synchronously, so readers taking turns do not disturb each other. `size`: the bytes of the
   * input about to be read, when known (`expect`).
   */
  static of(pf: Prefilter, size?: number): BlockFilter {
    let filter = FILTERS.get(pf);
    if (filter === undefined) FILTERS.set(pf, (filter = new BlockFilter(pf)));
    if (size !== undefined) filter.expect(size);
    return filter;
  }

  /** Told that an input of `bytes` is to be scanned next: the anchors are priced from its first block if that makes LONG. */
  expect(bytes: number): void {
    this.due = this.scanned + bytes;
  }

  /**
   * Takes the block [start, end) of `buf` (whole lines) and returns what is in it: the needles
   * and their lines, the odd lines, the number of lines. The result is reused by the next scan.
   * A block in one of `sweep`'s blocks is scanned where it is; another is copied first.
   */
  scan(buf: Buffer, start: number, end: number, sweep?: Sweep): Found {
    const base = sweep === undefined ? -1 : sweep.addressOf(buf);
    if (base < 0) return this.sweep((this.own ??= new Sweep(this.kernel)), buf, start, end, this.load(this.own, buf, start, end));
    const at = base + start;
    // The padding goes where the next line starts (read in part): put back after the scan.
    const padding = new Uint8Array(sweep!.kernel.memory.buffer, at + end - start, PADDING);
    this.after.set(padding);
    padding.fill(10);
    try {
      return this.sweep(sweep!, buf, start, end, at);
    } finally {
      padding.set(this.after);
    }
  }

  private sweep(s: Sweep, buf: Buffer, start: number, end: number, at: number): Found {
    this.scanned += end - start;
    // Placed quickly, and now known to be long: placed again, priced on this block.
    if (!this.priced && this.tables !== undefined && this.long()) {
      this.tables.drop();
      this.tables = undefined;
    }
    if (this.tables === undefined || s.tables !== this.tables) this.install(s, at, end - start);
    const found = this.found;
    found.hits = found.odd = 0;
    // The kernel finds the odd lines after its line breaks; the block's first is tested here.
    if (this.odd(buf, start, end)) {
      found.oddStarts[0] = start;
      found.oddIndexes[found.odd++] = 0;
    }
    const k = s.kernel;
    const shift = start - at;
    const memory = k.memory.buffer;
    for (let from = at; from < at + end - start; from = k.next.value as number) {
      const n = k.scan(from, at, at + end - start, this.room, this.lineStart);
      const hits = new Int32Array(memory, HITS, HIT * n);
      const odd = k.odds.value as number;
      found.reserve(n, odd);
      for (let i = 0; i < hits.length; i += HIT) {
        const s = hits[i] + shift;
        if (found.hits > 0 && s === found.at[found.hits - 1]) continue; // another needle at a place already found
        const needle = this.needles[hits[i + 1]]; // the kernel numbers them as `write` wrote them
        if (needle.check !== undefined && !needle.check(buf, s, s + needle.bytes.length)) continue;
        const h = found.hits++;
        found.at[h] = s;
        found.starts[h] = hits[i + 2] + shift;
        found.ends[h] = hits[i + 3] + shift;
        found.indexes[h] = hits[i + 4];
      }
      const lines = new Int32Array(memory, ODD, 2 * odd);
      for (let i = 0; i < lines.length; i += 2) {
        found.oddStarts[found.odd] = lines[i] + shift;
        found.oddIndexes[found.odd++] = lines[i + 1];
      }
    }
    found.lines = k.breaks.value as number;
    return found;
  }

  /**
   * True when the line starting at `p` is not of the format's shape, or blank: such lines are
   * always read (another format may be interleaved, as a crash report on stderr is).
   */
  odd(buf: Buffer, p: number, end: number): boolean {
    const start = this.lineStart;
    if (start < 0) return false;
    while (buf[p] === 32 || buf[p] === 9) p++;
    const last = p + (start >>> 16);
    // Past the block's end the kernel reads its padding, line breaks.
    return buf[p] !== (start & 0xff) || last >= end || buf[last] !== ((start >>> 8) & 0xff);
  }

  /** Copies the block into the memory of the filter's own sweep, grown to fit; returns where it is. */
  private load(s: Sweep, buf: Buffer, start: number, end: number): number {
    s.counts = INPUT + ((end - start + PADDING + 15) & ~15);
    s.reserve(s.counts + COUNTS);
    const memory = new Uint8Array(s.kernel.memory.buffer);
    buf.copy(memory, INPUT, start, end);
    // A line break: the end of the block is the end of a line, where every pattern stops.
    memory.fill(10, INPUT + end - start, INPUT + end - start + PADDING);
    return INPUT;
  }

  /**
   * Puts the filter's tables into the sweep's kernel: compiled on the block at `at` when they
   * are not yet, copied from where they are otherwise. The tables there before are copied out
   * first if the sweep is their home.
   */
  private install(s: Sweep, at: number, block: number): void {
    if (s.tables?.home === s) s.tables.evict();
    if (this.tables === undefined) {
      this.compile(s, at, Math.min(block, SAMPLE));
      this.tables = new Tables(s);
    } else new Uint8Array(s.kernel.memory.buffer).set(this.tables.bytes());
    s.tables = this.tables;
  }

  /** Whether the bytes scanned, or to be scanned by the end of the input, are enough for the priced placement to pay. */
  private long(): boolean {
    return Math.max(this.scanned, this.due) >= LONG;
  }

  /**
   * Anchors each needle and fills the sweep's buckets (placement.ts): priced by the counts of
   * a sample, the `length` bytes at `at` (counted by the kernel into tables past the blocks),
   * when the input is long; else quickly.
   */
  private compile(s: Sweep, at: number, length: number): void {
    const memory = s.kernel.memory.buffer;
    const needles = this.needles;
    this.priced = this.long();
    const { offsets, masks } = this.priced ? this.priceOn(s, at, length, needles) : placeQuick(needles);
    this.anchors.clear();
    this.room = ROOM;
    // Placed again: a pair anchored before and not now has no slot (the rest is all written anew).
    new Uint32Array(memory, SLOTS, 65536).fill(0);
    needles.forEach((n, i) => {
      for (const pair of pairsAt(n, offsets[i])) this.add(pair, n, offsets[i]);
    });
    new Uint8Array(memory, MASKS, masks.length).set(masks);
    this.write(memory);
  }

  /** The priced placement, on the counts of the `length` bytes at `at`. */
  private priceOn(s: Sweep, at: number, length: number, needles: Compiled[]): Placement {
    // The triples seen at least 16 times in 256 KB: about a thousand to price a bucket on, on
    // which 96% of a log's places are.
    const common = Math.max(2, length >>> 14);
    const tables = s.counts;
    const list = tables + 4 * (256 + (1 << TRIPLE_BITS));
    const memory = s.kernel.memory.buffer;
    new Uint32Array(memory, tables, (list - tables) / 4).fill(0);
    const n = s.kernel.count(at, at + length, tables, common, list);
    // What may follow each needle: the needles of a parser share a few lists of patterns.
    const nexts = new Map<string, Uint8Array | undefined>();
    const placeable = needles.map((needle) => {
      const key = JSON.stringify(needle.followedBy);
      if (!nexts.has(key)) nexts.set(key, nextBytes(needle.followedBy));
      return { ...needle, next: nexts.get(key) };
    });
    const bytes = new Uint32Array(memory, tables, 256);
    // A placement kept from a run on a log alike: any lets every needle through, this one stops the sweep about as rarely.
    const shares = Array.from(bytes, (c) => Math.round((c / length) * 1e5) / 1e5);
    const key = placements === undefined ? '' : placementKey(placeable);
    const kept = placements?.get(key);
    if (kept !== undefined && alike(kept.shares, shares) && letsThrough(placeable, kept)) return kept;
    const priced = place(placeable, {
      length,
      bytes,
      triples: new Uint32Array(memory, tables + 1024, 1 << TRIPLE_BITS),
      common: new Int32Array(memory, list, n),
    });
    placements?.set(key, { ...priced, shares });
    return priced;
  }

  private add(pair: number, needle: Compiled, offset: number): void {
    let list = this.anchors.get(pair);
    if (list === undefined) this.anchors.set(pair, (list = []));
    list.push({ needle, offset });
  }

  /** Writes the needles and each pair's anchors into the kernel's tables. */
  private write(memory: ArrayBuffer): void {
    const slots = new Uint32Array(memory, SLOTS, 65536);
    const anchors = new Int32Array(memory, ANCHORS, 2 * MAX_ANCHORS);
    const needles = new Uint32Array(memory, NEEDLES, 2 * MAX_NEEDLES);
    const bytes = new Uint8Array(memory, BYTES, MAX_BYTES);
    const index = new Map<Compiled, number>();
    let at = 0;
    for (const n of this.needles) {
      // Padded to whole words, with bytes that always match: the kernel compares four at a time.
      const width = (n.bytes.length + 3) & ~3;
      if (index.size === MAX_NEEDLES || at + 2 * width > MAX_BYTES) throw new Error('prefilter: too many needles');
      needles[2 * index.size] = BYTES + at;
      needles[2 * index.size + 1] = n.bytes.length;
      bytes.fill(0xff, at, at + 2 * width);
      bytes.set(n.bytes, at);
      bytes.set(n.mask, at + width);
      at += 2 * width;
      index.set(n, index.size);
    }
    const starts = this.installPatterns(memory);
    let count = 0;
    for (const [pair, list] of this.anchors) {
      if (list.length > 255 || count + list.length > MAX_ANCHORS) throw new Error('prefilter: too many anchors');
      this.room = Math.min(this.room, ROOM - STEP * list.length);
      slots[pair] = count | (list.length << 20);
      for (const a of list) {
        const i = index.get(a.needle)!;
        anchors[2 * count] = i | (a.offset << 16);
        anchors[2 * count + 1] = a.needle.bytes.length | (starts[i] << 16);
        count++;
      }
    }
  }

  /** Writes the needles' patterns' automata; returns where each needle's start (by the kernel's order). */
  private installPatterns(memory: ArrayBuffer): number[] {
    const { next, exits, starts } = this.patterns;
    new Uint16Array(memory, AUTOMATA, 256 * MAX_STATES).set(next);
    new Uint8Array(memory, SKIPS, 16 * EXITS * MAX_STATES).set(exits);
    return starts;
  }
}

/** The automata of the needles' `followedBy` patterns (the kernel's tables), and where each needle's start. */
interface Patterns {
  next: Uint16Array;
  exits: Uint8Array;
  starts: number[];
}

/** Each needle's patterns run side by side in one automaton; a needle without starts at ACCEPT. */
function patternsOf(needles: Compiled[]): Patterns {
  const automata = new Automata();
  const starts = needles.map((n) => (n.followedBy.length === 0 ? ACCEPT : automata.ref(automata.add(...n.followedBy))));
  if (automata.states > MAX_STATES) throw new Error('prefilter: patterns too long');
  return { ...automata.table(), starts };
}

/**
 * The bytes that may follow a needle with patterns: those of each pattern's items up to its
 * first that must take a byte. Undefined when any may (no pattern, or one that matches nothing).
 */
function nextBytes(followedBy: string[]): Uint8Array | undefined {
  if (followedBy.length === 0) return undefined;
  const next = new Uint8Array(256);
  for (const p of followedBy) {
    let required = false;
    for (const { set, min } of parsePattern(p)) {
      for (let b = 0; b < 256; b++) next[b] |= set[b];
      if (min > 0) { required = true; break; }
    }
    if (!required) return undefined;
  }
  return next;
}

function compileNeedle(needle: Needle): Compiled {
  const bytes = Buffer.from(needle.text, 'latin1');
  const mask = new Uint8Array(bytes.length);
  if (needle.anyCase) {
    for (let i = 0; i < bytes.length; i++) {
      const lower = bytes[i] | 0x20;
      if (lower >= 97 && lower <= 122) {
        mask[i] = 0x20;
        bytes[i] = lower;
      }
    }
  }
  return { text: needle.text, bytes, mask, followedBy: needle.followedBy ?? [], check: needle.check };
}

/** What a placement places: each needle's bytes, the letters of any case, and what may follow it. */
function placementKey(needles: Placeable[]): string {
  return JSON.stringify(needles.map((n) => [Buffer.from(n.bytes).toString('latin1'), Buffer.from(n.mask).toString('latin1'), n.next === undefined ? null : Buffer.from(n.next).toString('base64')]));
}

function alike(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  let apart = 0;
  for (let i = 0; i < a.length; i++) apart += Math.abs(a[i] - b[i]);
  return apart <= ALIKE;
}
