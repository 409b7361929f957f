/**
 * Where the prefilter's sweep (prefilter.ts, prefilter.wat) anchors each needle, and in which
 * of its eight buckets, chosen on a sample of the input so that the sweep stops as rarely as
 * it can.
 *
 * A needle's anchor is three bytes of it (two for a needle of two), or its last two bytes and
 * the byte after it, where its `followedBy` patterns let only some bytes follow. The sweep tests
 * a byte by its two halves, one bucket per bit: a bucket lets through, at each place, every
 * byte whose low half is one of its anchors' there and whose high half is too. So each choice
 * is priced by what its bucket then lets through on the sample: the sample's common triples it
 * passes (and, for what the sample lacks, its bytes' frequencies), plus a share of the anchor's
 * own occurrences, where its needle is tried. Where the sweep stops, every needle anchored at
 * the pair there is tried, so a stop weighs the more the more needles share its pair.
 *
 * Needles are placed one by one, short ones first (they have the least choice), each where it
 * adds the least; then, in a few passes, each is taken out and placed again, window and bucket,
 * where it adds the least given all the others: placed one by one, the first did not see those
 * placed after them.
 */

/** The sweep's buckets (bits of a byte), and the bytes of an anchor. */
const BUCKETS = 8;
const WIDTH = 3;
/** What trying one more needle where the sweep stops costs, against a stop. */
const SHARED = 0.25;
/** The weight of the estimate by byte frequencies, against the triples counted. */
const ESTIMATED = 0.1;
/** Passes that place each needle again, at most. */
const PASSES = 4;
/** The windows inside a needle that are priced: the rarest in the sample. */
const TRIED = 3;
/** A needle that costs less than one stop in this many bytes of the sample is not placed again. */
const LITTLE = 65536;
/** Size of the table that counts the sample's triples, by hash. */
export const TRIPLE_BITS = 18;

/** A needle as placed: its bytes (lower case where `mask` is 0x20), and what may follow it. */
export interface Placeable {
  bytes: Uint8Array;
  /** 0x20 where a letter matches in any case, else 0. */
  mask: Uint8Array;
  /** The bytes its patterns let follow it (1 each), or undefined when any may. */
  next: Uint8Array | undefined;
}

/** A needle's bytes, without what may follow it: what the quick placement and the pairs look at. */
type Spelled = Pick<Placeable, 'bytes' | 'mask'>;

/** The sample's counts, as prefilter.wat's `count` gives them. */
export interface Counts {
  /** Bytes of the sample. */
  length: number;
  bytes: ArrayLike<number>;
  /** By `hash`. */
  triples: ArrayLike<number>;
  /** The triples counted at least a few times each, little-endian. */
  common: ArrayLike<number>;
}

export interface Placement {
  /** Per needle, where in it its anchor starts. */
  offsets: number[];
  /** The sweep's tables: per place of an anchor, sixteen bytes by low half then sixteen by high half, a bit per bucket. */
  masks: Uint8Array;
}

export function hash(triple: number): number {
  return Math.imul(triple, 0x9e3779b1) >>> (32 - TRIPLE_BITS);
}

/**
 * Whether `p` anchors each needle where it may be anchored and lets each anchor through (a
 * bucket holds all its bytes): then the sweep stops at every occurrence of every needle. A
 * placement kept from an earlier run is checked so before it is used.
 */
export function letsThrough(needles: Placeable[], p: Placement): boolean {
  if (p.offsets.length !== needles.length || p.masks.length !== 32 * WIDTH) return false;
  return needles.every((n, i) => {
    const o = p.offsets[i];
    // Its last two bytes and the byte after them where it may end so (the weaker test), else three inside it.
    const after = o === n.bytes.length - 2 && n.next !== undefined;
    if (!after && !(Number.isInteger(o) && o >= 0 && o + Math.min(WIDTH, n.bytes.length) <= n.bytes.length)) return false;
    const h = halves(windowBytes(n, o, after));
    for (let bit = 1; bit < 1 << BUCKETS; bit <<= 1) if (passes(h, p.masks, bit)) return true;
    return false;
  });
}

/** Whether the sweep's tables let the halves `h` through in bucket `bit` (`write`'s converse). */
function passes(h: Halves, masks: Uint8Array, bit: number): boolean {
  for (let k = 0; k < WIDTH; k++) {
    for (let x = 0; x < 16; x++) {
      if ((h[2 * k] & (1 << x)) !== 0 && (masks[32 * k + x] & bit) === 0) return false;
      if ((h[2 * k + 1] & (1 << x)) !== 0 && (masks[32 * k + 16 + x] & bit) === 0) return false;
    }
  }
  return true;
}

/** The halves of the bytes an anchor or a bucket lets through: per place k, the low halves (a bit each) at 2k, the high halves at 2k + 1. */
type Halves = number[];

/** A way to anchor a needle: where it starts in it, the halves it lets through, how often the sample has those. */
interface Window {
  offset: number;
  halves: Halves;
  /** How often the sample has its bytes: where its needle is tried. */
  own: number;
  /** The pairs it is looked up by, little-endian. */
  pairs: number[];
  /** Whether it ends on the byte after the needle. */
  after: boolean;
  /** What each bucket would cost with it, as of the bucket's version in `versions` (Bucket.costWith). */
  costs: Float64Array;
  versions: Int32Array;
}

export function place(needles: Placeable[], counts: Counts): Placement {
  const sample = new Sample(counts);
  const buckets = Array.from({ length: BUCKETS }, (_, k) => new Bucket(sample, k));
  const windows = needles.map((n) => windowsOf(n, sample, counts));
  const chosen: Window[] = [];
  const into: Bucket[] = [];
  const put = (i: number, { window, bucket }: { window: Window; bucket: Bucket }) => {
    chosen[i] = window;
    into[i] = bucket.add(window.halves);
  };
  const little = counts.length / LITTLE;
  const order = needles.map((_, i) => i).sort((a, b) => needles[a].bytes.length - needles[b].bytes.length);
  // First the rarest windows, the one that ends after the needle, and those some bucket lets through already.
  for (const i of order) put(i, cheapest(buckets, windows[i].filter((w, k) => k < TRIED || w.after || buckets.some((b) => b.holds(w.halves)))));
  for (let pass = 0; pass < PASSES; pass++) {
    // Where the sweep stops, each needle anchored at the pair there is tried: the stops are
    // weighed by those, as the needles are now.
    const anchored = new Uint16Array(65536);
    for (const w of chosen) for (const pair of w.pairs) anchored[pair]++;
    sample.weigh(anchored);
    for (const b of buckets) b.reprice();
    let moved = false;
    for (const i of order) {
      const [window, bucket] = [chosen[i], into[i]];
      const kept = bucket.state();
      bucket.remove(window.halves);
      // A needle that costs next to nothing where it is stays there.
      if (kept.cost - bucket.cost + SHARED * window.own < little) {
        bucket.restore(window.halves, kept);
        continue;
      }
      const tried = windows[i].slice(0, TRIED);
      if (!tried.includes(window)) tried.push(window);
      const best = cheapest(buckets, tried);
      if (best.window !== window || best.bucket !== bucket) moved = true;
      put(i, best);
    }
    if (!moved) break;
  }
  const masks = new Uint8Array(32 * WIDTH);
  buckets.forEach((b, k) => b.write(masks, 1 << k));
  return { offsets: chosen.map((w) => w.offset), masks };
}

/**
 * A placement for a short input, where pricing costs more than it saves (about 30 ms of a fresh
 * process's cold code, against about 0.6 ms a MB of sweep on a pino log): no sample. Each needle
 * is anchored at its rarest three bytes by a guess that holds for most logs (letters, digits,
 * quotes, blanks, `:` and `,` are common; other bytes rare), and needles that end their anchor
 * on the same byte share a bucket, so that a bucket's last place lets few bytes through.
 */
export function placeQuick(needles: Spelled[]): Placement {
  const buckets = Array.from({ length: BUCKETS }, () => new Array<number>(2 * WIDTH).fill(0));
  const offsets = needles.map((n) => {
    const width = Math.min(WIDTH, n.bytes.length);
    let offset = 0;
    let least = Infinity;
    for (let o = 0; o + width <= n.bytes.length; o++) {
      let score = 0;
      for (let k = 0; k < width; k++) score += commonness(n.bytes[o + k], n.mask[o + k]);
      if (score <= least) { least = score; offset = o; } // the last of the rarest: a key's closing quote is in it
    }
    const h = halves(Array.from({ length: width }, (_, k) => cases(n, offset + k)));
    const b = buckets[n.bytes[offset + width - 1] % BUCKETS];
    for (let k = 0; k < b.length; k++) b[k] |= h[k];
    return offset;
  });
  const masks = new Uint8Array(32 * WIDTH);
  buckets.forEach((h, k) => write(h, masks, 1 << k));
  return { offsets, masks };
}

/** How common a needle's byte is guessed to be in a log: a letter in any case, a lower-case letter, a quote, a blank, `:` or `,` 3, a digit 2, others 1. */
function commonness(b: number, mask: number): number {
  if (mask !== 0 || (b >= 0x61 && b <= 0x7a) || b === 0x22 || b === 0x20 || b === 0x3a || b === 0x2c) return 3;
  return b >= 0x30 && b <= 0x39 ? 2 : 1;
}

/** The window and bucket that add the least: the stops the bucket then lets through more, and the needle's tries. */
function cheapest(buckets: Bucket[], windows: Window[]): { window: Window; bucket: Bucket } {
  let window = windows[0];
  let bucket = buckets[0];
  let least = Infinity;
  for (const w of windows) {
    const tries = SHARED * w.own;
    if (tries >= least) continue;
    for (const b of buckets) {
      const more = b.costWith(w) - b.cost + tries;
      if (more < least) { least = more; window = w; bucket = b; }
    }
  }
  return { window, bucket };
}

/**
 * The windows a needle may be anchored at, the rarest in the sample first: three bytes inside it
 * (two for a needle of two), and its last two with the byte after it where only some may follow.
 */
function windowsOf(n: Placeable, sample: Sample, counts: Counts): Window[] {
  const width = Math.min(WIDTH, n.bytes.length);
  const out: Window[] = [];
  const add = (offset: number, sets: number[][], own: number, after = false) => {
    out.push({ offset, halves: halves(sets), own, pairs: pairsAt(n, offset), after, costs: new Float64Array(BUCKETS), versions: new Int32Array(BUCKETS).fill(-1) });
  };
  for (let i = 0; i + width <= n.bytes.length; i++) {
    const sets = windowBytes(n, i, false);
    // Its bytes' count, in every case (of a pair: the common triples that start with it).
    let own = 0;
    if (width === 2) own = sample.passed(halves(sets), false);
    else for (const a of sets[0]) for (const b of sets[1]) for (const c of sets[2]) own += counts.triples[hash(a | (b << 8) | (c << 16))];
    add(i, sets, own);
  }
  if (n.next !== undefined) {
    const i = n.bytes.length - 2;
    const sets = windowBytes(n, i, true);
    add(i, sets, sample.passed(halves(sets), false), true);
  }
  return out.sort((a, b) => a.own - b.own);
}

/**
 * The bytes each place of a window lets through: the needle's from `offset` (in any case), or,
 * `after`, its last two and those its patterns let follow it.
 */
function windowBytes(n: Placeable, offset: number, after: boolean): number[][] {
  const next = n.next;
  if (after && next !== undefined) return [cases(n, offset), cases(n, offset + 1), [...next.keys()].filter((b) => next[b])];
  return Array.from({ length: Math.min(WIDTH, n.bytes.length) }, (_, k) => cases(n, offset + k));
}

function halves(sets: number[][]): Halves {
  const h = new Array<number>(2 * WIDTH).fill(0);
  for (let k = 0; k < WIDTH; k++) {
    if (k >= sets.length) { h[2 * k] = h[2 * k + 1] = 0xffff; continue; }
    for (const b of sets[k]) { h[2 * k] |= 1 << (b & 15); h[2 * k + 1] |= 1 << (b >> 4); }
  }
  return h;
}

/** The little-endian pairs at `i` that match the needle, in every case: those its anchor there is looked up by. */
export function pairsAt(n: Spelled, i: number): number[] {
  return cases(n, i).flatMap((a) => cases(n, i + 1).map((b) => a | (b << 8)));
}

/** The bytes that match the needle's byte `i`: one, or both cases of a letter. */
function cases(n: Spelled, i: number): number[] {
  return n.mask[i] ? [n.bytes[i], n.bytes[i] & ~0x20] : [n.bytes[i]];
}

/** The sample as the buckets are priced on it: its common triples by first byte, and its bytes' frequencies. */
class Sample {
  /** The common triples, ordered by first byte: those of byte b at [from[b], from[b + 1]). */
  private readonly triples: Int32Array;
  private readonly counts: Float64Array;
  /** Each common triple's count, times what a stop there costs (see `weigh`). */
  private readonly weighed: Float64Array;
  private readonly from = new Int32Array(257);
  /**
   * The share of the sample's bytes of high half h whose low half is in a mask: by the mask's
   * low byte at 512h + m, by its high byte at 512h + 256 + m.
   */
  private readonly share = new Float64Array(16 * 512);
  private readonly length: number;

  constructor(counts: Counts) {
    this.length = counts.length;
    const n = counts.common.length;
    for (let i = 0; i < n; i++) this.from[(counts.common[i] & 0xff) + 1]++;
    for (let b = 0; b < 256; b++) this.from[b + 1] += this.from[b];
    const at = this.from.slice(0, 256);
    this.triples = new Int32Array(n);
    this.counts = new Float64Array(n);
    this.weighed = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t = counts.common[i];
      const k = at[t & 0xff]++;
      this.triples[k] = t;
      this.counts[k] = counts.triples[hash(t)];
    }
    this.weighed.set(this.counts);
    let all = 0;
    for (let b = 0; b < 256; b++) all += counts.bytes[b] + 0.5;
    for (let h = 0; h < 16; h++) {
      for (let m = 1; m < 256; m++) {
        const l = 31 - Math.clz32(m);
        const rest = m & ~(1 << l);
        this.share[512 * h + m] = this.share[512 * h + rest] + (counts.bytes[16 * h + l] + 0.5) / all;
        this.share[512 * h + 256 + m] = this.share[512 * h + 256 + rest] + (counts.bytes[16 * h + 8 + l] + 0.5) / all;
      }
    }
  }

  /** Weighs each stop by the needles anchored at its pair (`anchored`), each tried there. */
  weigh(anchored: Uint16Array): void {
    for (let i = 0; i < this.triples.length; i++) this.weighed[i] = this.counts[i] * (1 + SHARED * anchored[this.triples[i] & 0xffff]);
  }

  /** How often the sweep stops for a bucket with these halves, and what it tries there. */
  cost(h: Halves): number {
    return this.passed(h) + ESTIMATED * this.length * this.frequency(h[0], h[1]) * this.frequency(h[2], h[3]) * this.frequency(h[4], h[5]);
  }

  /** How often the sample's common triples are bytes these halves let through (`weighed`: what stops there cost). */
  passed(h: Halves, weighed = true): number {
    const [l0, h0, l1, h1, l2, h2] = h;
    const { triples, from } = this;
    const counts = weighed ? this.weighed : this.counts;
    let seen = 0;
    // The first bytes the halves let through, a bit of each at a time.
    for (let hs = h0; hs !== 0; hs &= hs - 1) {
      const hi = 31 - Math.clz32(hs & -hs);
      for (let ls = l0; ls !== 0; ls &= ls - 1) {
        const b = 16 * hi + 31 - Math.clz32(ls & -ls);
        for (let i = from[b], end = from[b + 1]; i < end; i++) {
          const t = triples[i];
          if ((l1 >>> ((t >>> 8) & 15)) & (h1 >>> ((t >>> 12) & 15)) & (l2 >>> ((t >>> 16) & 15)) & (h2 >>> ((t >>> 20) & 15)) & 1) seen += counts[i];
        }
      }
    }
    return seen;
  }

  /** The share of the sample's bytes with their low half in `low` and their high half in `high`. */
  private frequency(low: number, high: number): number {
    let f = 0;
    for (let hs = high; hs !== 0; hs &= hs - 1) {
      const h = 31 - Math.clz32(hs & -hs);
      f += this.share[512 * h + (low & 255)] + this.share[512 * h + 256 + (low >>> 8)];
    }
    return f;
  }
}

/** The anchors in one bucket: the halves it lets through at each place, and what that costs. */
class Bucket {
  private readonly halves = new Array<number>(2 * WIDTH).fill(0);
  private readonly held: Halves[] = [];
  private readonly union = new Array<number>(2 * WIDTH).fill(0);
  cost = 0;
  /** Changed at each change of its halves: the windows' costs with it that are older are priced again. */
  private version = 0;

  constructor(private readonly sample: Sample, private readonly index: number) {}

  /** What the bucket would cost with the window too. */
  costWith(w: Window): number {
    if (w.versions[this.index] === this.version) return w.costs[this.index];
    let same = true;
    for (let k = 0; k < this.union.length; k++) {
      this.union[k] = this.halves[k] | w.halves[k];
      if (this.union[k] !== this.halves[k]) same = false;
    }
    w.versions[this.index] = this.version;
    return (w.costs[this.index] = same ? this.cost : this.sample.cost(this.union));
  }

  add(h: Halves): this {
    this.held.push(h);
    let changed = false;
    for (let k = 0; k < this.halves.length; k++) {
      if ((this.halves[k] | h[k]) !== this.halves[k]) changed = true;
      this.halves[k] |= h[k];
    }
    if (changed) this.priced();
    return this;
  }

  remove(h: Halves): void {
    this.held.splice(this.held.indexOf(h), 1);
    let changed = false;
    for (let k = 0; k < this.halves.length; k++) {
      let x = 0;
      for (const held of this.held) x |= held[k];
      if (x !== this.halves[k]) changed = true;
      this.halves[k] = x;
    }
    if (changed) this.priced();
  }

  /** Whether it lets all these halves through already. */
  holds(h: Halves): boolean {
    return this.halves.every((x, k) => (x | h[k]) === x);
  }

  /** Prices it again, the sample weighed anew. */
  reprice(): void {
    this.priced();
  }

  /** What `restore` puts back. */
  state(): { cost: number; version: number } {
    return { cost: this.cost, version: this.version };
  }

  /** Takes back the halves removed since `state` was taken: the bucket is as it was, its prices with it still good. */
  restore(h: Halves, { cost, version }: { cost: number; version: number }): void {
    this.held.push(h);
    for (let k = 0; k < this.halves.length; k++) this.halves[k] |= h[k];
    this.cost = cost;
    this.version = version;
  }

  private priced(): void {
    this.cost = this.sample.cost(this.halves);
    this.version++;
  }

  /** Sets `bit` in the sweep's tables. */
  write(masks: Uint8Array, bit: number): void {
    write(this.halves, masks, bit);
  }
}

/** Sets `bit` in the sweep's tables where the halves `h` let a byte through. */
function write(h: Halves, masks: Uint8Array, bit: number): void {
  for (let k = 0; k < WIDTH; k++) {
    for (let x = 0; x < 16; x++) {
      if (h[2 * k] & (1 << x)) masks[32 * k + x] |= bit;
      if (h[2 * k + 1] & (1 << x)) masks[32 * k + 16 + x] |= bit;
    }
  }
}
