/**
 * Finds, in a block of raw bytes, the places where a parser's needles may start, in one pass
 * for all needles whatever their number, without building a string; and counts the lines
 * between them without a call per line.
 *
 * Each needle gets an anchor where it is rarest in the input (learned from the first block):
 * five bytes, two aligned pairs of which make a 32-bit fingerprint; or three bytes; or one.
 * The block is swept four bytes at a time: each two-byte pair at an even offset is looked up
 * in a 64 KB table; a pair that starts a fingerprint is checked against a second table, keyed
 * by a hash of four bytes, before any needle is compared in full. Per byte this is a few
 * machine instructions; a needle is compared only where its fingerprint occurs. The sweeps
 * run in WebAssembly (prefilter.wat, whose header gives the memory layout used here); the
 * needles' checks, rare by then, run here.
 */
import { readFileSync } from 'node:fs';
import type { Needle, Prefilter } from '../parsers/parser.js';
import { Automata } from './pattern.js';

/** Bytes of the first block whose byte, pair and quad counts choose the anchors. */
const SAMPLE = 256 * 1024;
/** `pairs` flags: compare the needles at once, or only when the four-byte fingerprint is known. */
const DIRECT = 1;
const QUAD = 2;
/** Relative costs that choose an anchor: a table lookup, and a needle compared in full. */
const LOOKUP = 3;
const COMPARE = 150;
/** Size of the fingerprint table (a bitmap): 2^20 bits keep false fingerprints rare. */
const QUAD_BITS = 20;

/** prefilter.wat's memory layout. */
const PAIRS = 0;
const SLOTS = 65536;
const QUADS = 327680;
const NEEDLES = 458752;
const MAX_NEEDLES = 4096;
const BYTES = 491520;
const MAX_BYTES = 65536;
const FOLLOW = 557056;
const PATTERNS = 573440;
const MAX_PATTERNS = 4096;
const AUTOMATA = 589824;
const MAX_STATES = 256;
const HITS = 720896;
const ROOM = 65536;
const ANCHORS = 1245184;
const MAX_ANCHORS = 131072;
const INPUT = 1769472;
const PADDING = 32;
const PAGE = 65536;

interface Kernel {
  memory: WebAssembly.Memory;
  next: WebAssembly.Global;
  scan(from: number, start: number, end: number, room: number): number;
  lines(from: number, end: number, first: number): number;
  odd(p: number, first: number): number;
}

const wasm = new WebAssembly.Module(readFileSync(new URL('./prefilter.wasm', import.meta.url)));

interface Compiled {
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

export class BlockFilter {
  private readonly kernel: Kernel;
  private readonly anchors = new Map<number, Anchor[]>();
  private readonly needles: Compiled[] = [];
  private compiled = false;
  private readonly lineStart: number;
  private readonly hits: number[] = [];
  /** Where the block scanned last starts in its buffer: it is at INPUT in the kernel's memory. */
  private start = 0;

  constructor(private readonly pf: Prefilter) {
    this.lineStart = pf.lineStart === undefined ? -1 : pf.lineStart.charCodeAt(0);
    const { exports } = new WebAssembly.Instance(wasm);
    this.kernel = exports as unknown as Kernel;
  }

  /**
   * Takes the block [start, end) of `buf` (whole lines) and returns where needles start in
   * it, ascending (a line may appear more than once). `lines` then counts within it.
   */
  scan(buf: Buffer, start: number, end: number): number[] {
    this.load(buf, start, end);
    if (!this.compiled) this.compile(buf, start, Math.min(end, start + SAMPLE));
    const hits = this.hits;
    hits.length = 0;
    const k = this.kernel;
    const shift = start - INPUT;
    for (let from = INPUT; from < INPUT + end - start; from = k.next.value as number) {
      const n = k.scan(from, INPUT, INPUT + end - start, ROOM);
      const found = new Uint32Array(k.memory.buffer, HITS, 2 * n);
      for (let i = 0; i < found.length; i += 2) {
        const s = found[i] + shift;
        if (s === hits[hits.length - 1]) continue; // another needle at a place already found
        const needle = this.needles[found[i + 1]];
        if (needle.check === undefined || needle.check(buf, s, s + needle.bytes.length)) hits.push(s);
      }
    }
    hits.sort((a, b) => a - b);
    return hits;
  }

  /**
   * Lines of the scanned block in [from, to) (`from` starts one, `to - 1` ends one), up to
   * the first odd one: how many, and where the odd one starts (`to` when none is).
   */
  lines(from: number, to: number): { count: number; odd: number } {
    const shift = this.start - INPUT;
    const count = this.kernel.lines(from - shift, to - shift, this.lineStart);
    return { count, odd: (this.kernel.next.value as number) + shift };
  }

  /**
   * True when the line of the scanned block starting at `p` is not of the format's shape, or
   * blank: such lines are always read (another format may be interleaved, as a crash report
   * on stderr is).
   */
  odd(p: number): boolean {
    return this.lineStart >= 0 && this.kernel.odd(p - (this.start - INPUT), this.lineStart) !== 0;
  }

  /** Copies the block into the kernel's memory, grown to fit. */
  private load(buf: Buffer, start: number, end: number): void {
    const { memory } = this.kernel;
    const need = INPUT + end - start + PADDING;
    if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
    buf.copy(new Uint8Array(memory.buffer), INPUT, start, end);
    // A line break: the end of the block is the end of a line, where every pattern stops.
    new Uint8Array(memory.buffer, INPUT + end - start, PADDING).fill(10);
    this.start = start;
  }

  /**
   * Anchors each needle where it is cheapest by the sample's counts: five bytes (at either
   * alignment, a pair then a fingerprint), three bytes (both pairs, compared at once) or one
   * byte (every pair that holds it). Letters in any case are anchored in every case.
   */
  private compile(buf: Buffer, start: number, end: number): void {
    this.compiled = true;
    const memory = this.kernel.memory.buffer;
    const pairs = new Uint8Array(memory, PAIRS, 65536);
    const quads = new Uint8Array(memory, QUADS, (1 << QUAD_BITS) >>> 3);
    const byteCount = new Uint32Array(256);
    const pairCount = new Uint32Array(65536);
    const quadCount = new Uint32Array(1 << QUAD_BITS);
    for (let i = start; i < end; i++) {
      byteCount[buf[i]]++;
      pairCount[buf[i] | (buf[i + 1] << 8)]++;
      quadCount[hash(buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24))]++;
    }
    for (const needle of this.pf.needles) {
      const n = compileNeedle(needle);
      if (n.bytes.length < 2) throw new Error(`prefilter needle "${needle.text}" is shorter than two bytes`);
      let best: (() => void) | undefined;
      let bestCost = Infinity;
      const consider = (cost: number, apply: () => void) => {
        if (cost < bestCost) { bestCost = cost; best = apply; }
      };
      for (let i = 0; i < n.bytes.length; i++) {
        let cost = 0;
        for (const b of cases(n, i)) cost += byteCount[b] * COMPARE;
        consider(cost, () => {
          for (const b of cases(n, i)) {
            for (let x = 0; x < 256; x++) {
              this.add(pairs, b | (x << 8), n, i, DIRECT);
              this.add(pairs, x | (b << 8), n, i - 1, DIRECT);
            }
          }
        });
        if (i + 3 <= n.bytes.length) {
          const ps = [...pairsAt(n, i), ...pairsAt(n, i + 1)];
          consider(sum(ps, pairCount) * COMPARE, () => {
            for (const p of pairsAt(n, i)) this.add(pairs, p, n, i, DIRECT);
            for (const p of pairsAt(n, i + 1)) this.add(pairs, p, n, i + 1, DIRECT);
          });
        }
        if (i + 5 <= n.bytes.length) {
          const qs = [...quadsAt(n, i), ...quadsAt(n, i + 1)];
          const ps = [...pairsAt(n, i), ...pairsAt(n, i + 1)];
          consider(sum(ps, pairCount) * LOOKUP + sum(qs.map(hash), quadCount) * COMPARE, () => {
            for (const at of [i, i + 1]) {
              for (const p of pairsAt(n, at)) this.add(pairs, p, n, at, QUAD);
              for (const q of quadsAt(n, at)) {
                const h = hash(q);
                quads[h >>> 3] |= 1 << (h & 7);
              }
            }
          });
        }
      }
      best!();
    }
    this.install(memory);
  }

  private add(pairs: Uint8Array, pair: number, needle: Compiled, offset: number, flag: number): void {
    pairs[pair] |= flag;
    let list = this.anchors.get(pair);
    if (list === undefined) this.anchors.set(pair, (list = []));
    if (!list.some((a) => a.needle === needle && a.offset === offset)) list.push({ needle, offset });
  }

  /** Writes the needles and each pair's anchors into the kernel's tables. */
  private install(memory: ArrayBuffer): void {
    const slots = new Uint32Array(memory, SLOTS, 65536);
    const anchors = new Int32Array(memory, ANCHORS, MAX_ANCHORS);
    const needles = new Uint32Array(memory, NEEDLES, 2 * MAX_NEEDLES);
    const bytes = new Uint8Array(memory, BYTES, MAX_BYTES);
    const index = new Map<Compiled, number>();
    let at = 0;
    for (const n of new Set([...this.anchors.values()].flat().map((a) => a.needle))) {
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
      this.needles.push(n);
    }
    let count = 0;
    for (const [pair, list] of this.anchors) {
      if (list.length > 4095 || count + list.length > MAX_ANCHORS) throw new Error('prefilter: too many anchors');
      slots[pair] = count | (list.length << 20);
      for (const a of list) anchors[count++] = index.get(a.needle)! | (a.offset << 16);
    }
    this.installPatterns(memory);
  }

  /** Writes each needle's `followedBy` patterns: where they start in the automata, and the automata. */
  private installPatterns(memory: ArrayBuffer): void {
    const follow = new Uint32Array(memory, FOLLOW, MAX_NEEDLES);
    const patterns = new Uint32Array(memory, PATTERNS, MAX_PATTERNS);
    const automata = new Automata();
    let pattern = 0;
    this.needles.forEach((n, i) => {
      if (n.followedBy.length === 0) return;
      if (pattern + n.followedBy.length > MAX_PATTERNS) throw new Error('prefilter: too many patterns');
      follow[i] = pattern | (n.followedBy.length << 16);
      for (const p of n.followedBy) patterns[pattern++] = automata.add(p);
    });
    if (automata.states > MAX_STATES) throw new Error('prefilter: patterns too long');
    new Uint16Array(memory, AUTOMATA, 256 * MAX_STATES).set(automata.next);
  }
}

function hash(quad: number): number {
  return Math.imul(quad, 0x9e3779b1) >>> (32 - QUAD_BITS);
}

function sum(keys: number[], counts: Uint32Array): number {
  let s = 0;
  for (const k of keys) s += counts[k];
  return s;
}

/** The bytes that match the needle's byte `i`: one, or both cases of a letter. */
function cases(n: Compiled, i: number): number[] {
  return n.mask[i] ? [n.bytes[i], n.bytes[i] & ~0x20] : [n.bytes[i]];
}

/** The little-endian values of `width` bytes at `i` that match the needle, in every case. */
function variants(n: Compiled, i: number, width: number): number[] {
  let out = [0];
  for (let k = 0; k < width; k++) {
    const next: number[] = [];
    for (const v of out) for (const b of cases(n, i + k)) next.push((v | (b << (8 * k))) >>> 0);
    out = next;
  }
  return out.map((v) => v | 0);
}

function pairsAt(n: Compiled, i: number): number[] {
  return variants(n, i, 2);
}

function quadsAt(n: Compiled, i: number): number[] {
  return variants(n, i, 4);
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
  return { bytes, mask, followedBy: needle.followedBy ?? [], check: needle.check };
}
