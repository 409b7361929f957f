/**
 * Finds, in a block of raw bytes, the places where a parser's needles may start, in one pass
 * for all needles whatever their number, without building a string.
 *
 * Each needle gets an anchor where it is rarest in the input (learned from the first block):
 * five bytes, two aligned pairs of which make a 32-bit fingerprint; or three bytes; or one.
 * The block is swept four bytes at a time: each two-byte pair at an even offset is looked up
 * in a 64 KB table; a pair that starts a fingerprint is checked against a second table, keyed
 * by a hash of four bytes, before any needle is compared in full. Per byte this is a few
 * machine instructions; a needle is compared only where its fingerprint occurs.
 */
import { endianness } from 'node:os';
import type { Needle, Prefilter } from '../parsers/parser.js';

const LITTLE_ENDIAN = endianness() === 'LE';
/** Bytes of the first block whose byte, pair and quad counts choose the anchors. */
const SAMPLE = 256 * 1024;
/** `pairs` flags: compare the needles at once, or only when the four-byte fingerprint is known. */
const DIRECT = 1;
const QUAD = 2;
/** Relative costs that choose an anchor: a table lookup, and a needle compared in full. */
const LOOKUP = 3;
const COMPARE = 150;
/** Size of the fingerprint table (a bitmap in bytes): 1 MB keeps false fingerprints rare. */
const QUAD_BITS = 20;

interface Compiled {
  bytes: Uint8Array;
  /** 0x20 where a letter matches in any case, else 0: `(b | mask) === byte`. */
  mask: Uint8Array;
  check: Needle['check'];
}

interface Anchor {
  needle: Compiled;
  /** Where the pair is in the needle: the needle starts `offset` bytes before the pair. */
  offset: number;
}

export class BlockFilter {
  private readonly pairs = new Uint8Array(65536);
  private readonly quads = new Uint8Array(1 << QUAD_BITS);
  private readonly anchors: Anchor[][] = [];
  private compiled = false;
  private readonly lineStart: number;
  private readonly hits: number[] = [];

  constructor(private readonly pf: Prefilter) {
    this.lineStart = pf.lineStart === undefined ? -1 : pf.lineStart.charCodeAt(0);
  }

  /** Starts of needle matches in [start, end), ascending (a line may appear more than once). */
  scan(buf: Buffer, start: number, end: number): number[] {
    if (!this.compiled) this.compile(buf, start, Math.min(end, start + SAMPLE));
    const hits = this.hits;
    hits.length = 0;
    const pairs = this.pairs;
    // The aligned middle two pairs per word; the ragged ends at every offset.
    const off = buf.byteOffset;
    const wordStart = LITTLE_ENDIAN ? Math.min(end, ((off + start + 3) & ~3) - off) : end;
    const wordEnd = Math.max(wordStart, LITTLE_ENDIAN ? ((off + end) & ~3) - off : end);
    let i = start;
    for (; i < wordStart; i++) if (this.passes(buf, i)) this.hit(buf, i, start, end);
    if (wordEnd > wordStart) {
      const quads = this.quads;
      const words = new Uint32Array(buf.buffer, off + wordStart, (wordEnd - wordStart) >>> 2);
      const last = words.length - 1;
      for (let k = 0; k <= last; k++) {
        const w = words[k];
        const lo = pairs[w & 0xffff];
        const hi = pairs[w >>> 16];
        if ((lo | hi) === 0) continue;
        const p = wordStart + 4 * k;
        if (lo !== 0 && ((lo & DIRECT) !== 0 || quads[hash(w)] !== 0)) this.hit(buf, p, start, end);
        if (hi !== 0 && ((hi & DIRECT) !== 0 || quads[hash((w >>> 16) | ((k < last ? words[k + 1] : buf[p + 4] | (buf[p + 5] << 8)) << 16))] !== 0)) {
          this.hit(buf, p + 2, start, end);
        }
      }
      i = wordEnd;
    }
    for (; i < end; i++) if (this.passes(buf, i)) this.hit(buf, i, start, end);
    hits.sort((a, b) => a - b);
    return hits;
  }

  /**
   * True when a line starting at `p` is not of the format's shape, or blank: such lines are
   * always read (another format may be interleaved, as a crash report on stderr is).
   */
  odd(buf: Buffer, p: number): boolean {
    if (this.lineStart < 0 || buf[p] === this.lineStart) return false;
    let q = p;
    while (buf[q] === 32 || buf[q] === 9) q++;
    return buf[q] !== this.lineStart;
  }

  /** The pair at `p` is an anchor, and its fingerprint too where it has one. */
  private passes(buf: Buffer, p: number): boolean {
    const a = this.pairs[buf[p] | (buf[p + 1] << 8)];
    return a !== 0 && ((a & DIRECT) !== 0
      || this.quads[hash(buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24))] !== 0);
  }

  /** An anchor passed at `p`: which needle, if any, is there. */
  private hit(buf: Buffer, p: number, start: number, end: number): void {
    const list = this.anchors[buf[p] | (buf[p + 1] << 8)];
    for (let j = 0; j < list.length; j++) {
      const n = list[j].needle;
      const s = p - list[j].offset;
      const e = s + n.bytes.length;
      if (s >= start && e <= end && matches(buf, s, n) && (n.check === undefined || n.check(buf, s, e))) {
        this.hits.push(s);
        return;
      }
    }
  }

  /**
   * Anchors each needle where it is cheapest by the sample's counts: five bytes (at either
   * alignment, a pair then a fingerprint), three bytes (both pairs, compared at once) or one
   * byte (every pair that holds it). Letters in any case are anchored in every case.
   */
  private compile(buf: Buffer, start: number, end: number): void {
    this.compiled = true;
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
              this.add(b | (x << 8), n, i, DIRECT);
              this.add(x | (b << 8), n, i - 1, DIRECT);
            }
          }
        });
        if (i + 3 <= n.bytes.length) {
          const ps = [...pairsAt(n, i), ...pairsAt(n, i + 1)];
          consider(sum(ps, pairCount) * COMPARE, () => {
            for (const p of pairsAt(n, i)) this.add(p, n, i, DIRECT);
            for (const p of pairsAt(n, i + 1)) this.add(p, n, i + 1, DIRECT);
          });
        }
        if (i + 5 <= n.bytes.length) {
          const qs = [...quadsAt(n, i), ...quadsAt(n, i + 1)];
          const ps = [...pairsAt(n, i), ...pairsAt(n, i + 1)];
          consider(sum(ps, pairCount) * LOOKUP + sum(qs.map(hash), quadCount) * COMPARE, () => {
            for (const at of [i, i + 1]) {
              for (const p of pairsAt(n, at)) this.add(p, n, at, QUAD);
              for (const q of quadsAt(n, at)) this.quads[hash(q)] = 1;
            }
          });
        }
      }
      best!();
    }
  }

  private add(pair: number, needle: Compiled, offset: number, flag: number): void {
    this.pairs[pair] |= flag;
    const list = (this.anchors[pair] ??= []);
    if (!list.some((a) => a.needle === needle && a.offset === offset)) list.push({ needle, offset });
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
  return { bytes, mask, check: needle.check };
}

function matches(buf: Buffer, s: number, n: Compiled): boolean {
  const { bytes, mask } = n;
  for (let k = 0; k < bytes.length; k++) if ((buf[s + k] | mask[k]) !== bytes[k]) return false;
  return true;
}
