/** The block scan finds every needle occurrence, at any offset and case, as a naive search does. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Needle, Prefilter } from '../parsers/parser.js';
import { parsePattern, UNBOUNDED } from '../src/pattern.js';
import { hash, TRIPLE_BITS } from '../src/placement.js';
import { BlockFilter, kernel, LONG, Sweep } from '../src/prefilter.js';
import { type LineHandler, readLines } from '../src/source.js';

/** A filter whose anchors are priced on its first block (one told a long input is to come), or placed quickly. */
function made(pf: Prefilter, k: WebAssembly.Module | undefined, priced: boolean): BlockFilter {
  const filter = new BlockFilter(pf, k);
  if (priced) filter.expect(LONG);
  return filter;
}

const DIST = fileURLToPath(new URL('../dist/src/', import.meta.url));

/** Where the scan found needles in [start, end) of `buf`, ascending, each place once. */
function scanned(filter: BlockFilter, buf: Buffer, start: number, end: number): number[] {
  const found = filter.scan(buf, start, end);
  return [...new Set(found.at.subarray(0, found.hits))].sort((a, b) => a - b);
}

const regexes = new Map<string, RegExp>();

/** A `followedBy` pattern as a sticky RegExp on Latin-1 text: possessive repeats as atomic lookaheads. */
function regexOf(pattern: string): RegExp {
  const known = regexes.get(pattern);
  if (known) return known;
  const items = parsePattern(pattern).map(({ set, min, max }, i) => {
    const cls = [...set.keys()].filter((b) => set[b]).map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
    return `(?=([${cls}]{${min},${max === UNBOUNDED ? '' : max}}))\\${i + 1}`;
  });
  const re = new RegExp(items.join(''), 'y');
  regexes.set(pattern, re);
  return re;
}

/**
 * A line starting at `p` is odd (with a line start) when, after blanks, its first byte is not the
 * line start's, or the byte at the place of the line start's last is not that one; `end`: the
 * block's end, past which every byte is a line break.
 */
function odd(buf: Buffer, p: number, lineStart: string | undefined, end: number): boolean {
  if (lineStart === undefined) return false;
  let q = p;
  while (buf[q] === 32 || buf[q] === 9) q++;
  const last = q + lineStart.length - 1;
  return buf[q] !== lineStart.charCodeAt(0) || (last < end ? buf[last] : 10) !== lineStart.charCodeAt(lineStart.length - 1);
}

/** No line start, JSON's, and one of several bytes (logfmt's first key). */
const LINE_STARTS = [undefined, '{', 'time='];

function followed(text: string, at: number, n: Needle): boolean {
  return n.followedBy === undefined || n.followedBy.some((p) => {
    const re = regexOf(p);
    re.lastIndex = at;
    return re.test(text);
  });
}

/** Every match in [start, end), whose end is the end of a line: no pattern reads past it. */
function naive(buf: Buffer, start: number, end: number, needles: Needle[]): number[] {
  const out = new Set<number>();
  const text = `${buf.toString('latin1', 0, end)}\n`;
  for (const n of needles) {
    const hay = n.anyCase ? text.toLowerCase() : text;
    const want = n.anyCase ? n.text.toLowerCase() : n.text;
    for (let i = hay.indexOf(want, start); i >= 0 && i + want.length <= end; i = hay.indexOf(want, i + 1)) {
      if (followed(text, i + want.length, n) && (!n.check || n.check(buf, i, i + want.length))) out.add(i);
    }
  }
  return [...out].sort((a, b) => a - b);
}

const needles: Needle[] = [
  { text: '"connId":' }, { text: 'clos', anyCase: true }, { text: '\\u' }, { text: 'ab' },
  { text: '"code":', check: (b, _s, e) => b[e] >= 48 && b[e] <= 57 },
  { text: 'lo', followedBy: ['[ \t]*:?[0-9]{2,}', 's+[^a-c\\\\]?1', 'C'] },
  { text: '"connId"', followedBy: ['\\u', ' *:  *1{1,3}\\x20'] },
  // A state skipped sixteen bytes at a time, up to one of its exits.
  { text: 'cO', anyCase: true, followedBy: ['"[^"\\\\:]*[\\\\:]1'] },
];
const alphabet = ['xxxxxxxxxxxxxxxxxxx', 'a', 'b', 'c', 'l', 'o', 's', 'C', 'L', 'O', 'S', '"', ':', '\\', 'u', '{', '\n', '1', ' ', '\t', '11', 'connId', 'code', 'é'];

// Each kernel (src/assemble.mjs): the relaxed one, which runs where the engine has relaxed SIMD,
// and the plain one, which runs where it has not.
for (const kind of ['relaxed', 'plain'] as const) {
  const k = kernel(kind);
  describe.skipIf(k === undefined)(`BlockFilter, ${kind} kernel${k === undefined ? ' (relaxed SIMD not in this engine)' : ''}`, () => {
    it('finds what a naive search finds, in any block of any alignment, its anchors priced or placed quickly', () => {
      fc.assert(fc.property(
        fc.array(fc.constantFrom(...alphabet), { maxLength: 300 }), fc.nat(33), fc.nat(33), fc.boolean(),
        (parts, lead, trail, priced) => {
          const body = Buffer.from(parts.join(''), 'latin1');
          // Sub-ranges of a larger buffer: the scan must not depend on where the block starts.
          const buf = Buffer.concat([Buffer.alloc(lead, 0x78), body, Buffer.alloc(trail, 0x78)]);
          const filter = made({ needles }, k, priced);
          expect(filter.priced).toBe(false); // placed at the first scan
          const got = scanned(filter, buf, lead, lead + body.length);
          const want = naive(buf, lead, lead + body.length, needles);
          // A position may match several needles: the scan reports it once.
          expect(got).toEqual(want);
          expect(filter.priced).toBe(priced);
        },
      ), { numRuns: 1200 });
    });

    it('finds what a naive search finds with anchors learned from another block', () => {
      // The anchors and buckets are chosen on the first block scanned: later blocks, unlike it,
      // stop the sweep at places it did not foresee.
      fc.assert(fc.property(
        fc.array(fc.constantFrom(...alphabet), { maxLength: 200 }),
        fc.array(fc.constantFrom(...alphabet), { maxLength: 300 }), fc.nat(33), fc.boolean(),
        (first, parts, lead, priced) => {
          const filter = made({ needles }, k, priced);
          const sample = Buffer.from(first.join(''), 'latin1');
          filter.scan(sample, 0, sample.length);
          const buf = Buffer.concat([Buffer.alloc(lead, 0x6c), Buffer.from(parts.join(''), 'latin1')]);
          expect(scanned(filter, buf, lead, buf.length)).toEqual(naive(buf, lead, buf.length, needles));
        },
      ), { numRuns: 600 });
    });

    it('finds a needle at every place of a block, whatever its alignment, up to its last byte', () => {
      // Thirty-two places a step: a needle in any lane, across two steps, or ending the block; a
      // long one (anchored at three of its bytes) and one of two bytes.
      const filter = new BlockFilter({ needles: [{ text: '"connId"' }, { text: 'zq' }] }, k);
      for (const needle of ['"connId"', 'zq']) {
        for (let length = needle.length; length <= 40; length++) {
          for (let at = 0; at + needle.length <= length; at++) {
            for (const lead of [0, 1, 2, 3, 7, 13, 14, 15, 16, 17]) {
              const body = `${'c'.repeat(at)}${needle}${'o'.repeat(length - at - needle.length)}`;
              const buf = Buffer.from(`${'n'.repeat(lead)}${body}"connId"zq`, 'latin1');
              expect(scanned(filter, buf, lead, lead + length), `${lead} ${body}`).toEqual([lead + at]);
            }
          }
        }
      }
    });

    it('counts the lines, gives each hit its line and finds the odd lines as a line-by-line reading does, in any block of any alignment', () => {
      const pieces = ['{"a":1}', '{', '  {"b":2}', '\t{', 'plain', '', ' ', 'x'.repeat(20), '{'.repeat(17), '\r', 'ab', '{"connId":7}', 'clos ab',
        'time=1 msg=x', ' time=2', 'tame=3', 'time:4', 't', 'ti', 'ab=', 'x=', '=', 'time', '\ttime=ab'];
      fc.assert(fc.property(
        fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 80 }), fc.nat(40), fc.constantFrom(...LINE_STARTS),
        (lines, lead, lineStart) => {
          const body = Buffer.from(`${lines.join('\n')}\n`, 'latin1');
          // Bytes around the block that would be a line break, an odd line or a needle were they in it.
          const buf = Buffer.concat([Buffer.from('ab\nx'.repeat(lead).slice(0, lead), 'latin1'), body, Buffer.from('x{{{\nab')]);
          const filter = new BlockFilter({ needles, lineStart }, k);
          const found = filter.scan(buf, lead, lead + body.length);
          const starts: number[] = [];
          for (let p = lead; p < lead + body.length; p = buf.indexOf(10, p) + 1) starts.push(p);
          expect(found.lines).toBe(lines.length);
          const oddLines = starts.map((p, i) => [p, i]).filter(([p]) => odd(buf, p, lineStart, lead + body.length));
          // The first line is tested by the filter itself, as is each line the reader reads.
          for (const p of starts) expect(filter.odd(buf, p, lead + body.length)).toBe(odd(buf, p, lineStart, lead + body.length));
          expect(Array.from(found.oddStarts.subarray(0, found.odd), (p, i) => [p, found.oddIndexes[i]])).toEqual(oddLines);
          // Each hit's line: where it starts and ends, and its index; ascending.
          const at = Array.from(found.at.subarray(0, found.hits));
          expect([...new Set(at)].sort((a, b) => a - b)).toEqual(naive(buf, lead, lead + body.length, needles));
          at.forEach((s, h) => {
            const i = starts.findLastIndex((p) => p <= s);
            expect([found.starts[h], found.ends[h], found.indexes[h]]).toEqual([starts[i], buf.indexOf(10, s), i]);
            if (h > 0) expect(found.indexes[h]).toBeGreaterThanOrEqual(found.indexes[h - 1]);
          });
          // The result is reused: scanning again leaves nothing of the first scan behind.
          const again = filter.scan(buf, lead, lead + body.length);
          expect([again.hits, again.odd, again.lines]).toEqual([at.length, oddLines.length, lines.length]);
        },
      ), { numRuns: 300 });
    });

    it('finds in a block read into a sweep\'s memory what it finds in a copy, at any place in either block, and leaves the bytes after it as they were', () => {
      const sweep = new Sweep(k);
      fc.assert(fc.property(
        fc.array(fc.constantFrom(...alphabet, 'time=', 't', '='), { maxLength: 200 }), fc.nat(40), fc.nat(1), fc.constantFrom(...LINE_STARTS),
        (parts, lead, which, lineStart) => {
          const body = Buffer.from(`${parts.join('')}\n`, 'latin1');
          const blocks = sweep.blocks(lead + body.length + 64);
          const buf = blocks[which];
          // Around the block, bytes that would be needles, line breaks or odd lines were they in it.
          buf.fill('ab\nclos{', 0, lead);
          body.copy(buf, lead);
          buf.fill('"connId"\nx', lead + body.length);
          const before = Buffer.from(buf);
          const pf = { needles, lineStart };
          const copied = new BlockFilter(pf, k).scan(Buffer.from(buf), lead, lead + body.length);
          const want = [copied.hits, [...copied.at.subarray(0, copied.hits)], [...copied.ends.subarray(0, copied.hits)], [...copied.indexes.subarray(0, copied.hits)],
            [...copied.oddStarts.subarray(0, copied.odd)], copied.lines];
          const found = new BlockFilter(pf, k).scan(buf, lead, lead + body.length, sweep);
          expect([found.hits, [...found.at.subarray(0, found.hits)], [...found.ends.subarray(0, found.hits)], [...found.indexes.subarray(0, found.hits)],
            [...found.oddStarts.subarray(0, found.odd)], found.lines]).toEqual(want);
          expect(buf.equals(before)).toBe(true);
        },
      ), { numRuns: 200 });
    });

    it('scans in sweeps made before and after its tables, and in blocks made again larger', () => {
      const pf = { needles: [{ text: '"connId"' }, { text: 'clos', anyCase: true }], lineStart: '{' };
      const text = '{"a":1}\n{"connId":"c1"}\nplain\n{"msg":"CLOSED"}\n'.repeat(30);
      const want = scanned(new BlockFilter(pf, k), Buffer.from(text), 0, text.length);
      const filter = new BlockFilter(pf, k);
      const early = new Sweep(k);
      const [a] = early.blocks(text.length);
      a.write(text);
      expect(scanned(filter, a, 0, text.length)).toEqual(want); // a copy: compiled in the filter's own sweep
      const inPlace = (s: Sweep, buf: Buffer) => {
        const f = filter.scan(buf, 0, text.length, s);
        return [...new Set(f.at.subarray(0, f.hits))];
      };
      expect(inPlace(early, a)).toEqual(want);
      const late = new Sweep(k);
      const [, b] = late.blocks(text.length);
      b.write(text);
      expect(inPlace(late, b)).toEqual(want);
      // Larger blocks: the memory grows, the views are made again, the tables stay.
      const [, big] = late.blocks(8 * 1024 * 1024);
      expect(big.length).toBe(8 * 1024 * 1024);
      big.write(text, 8 * 1024 * 1024 - text.length);
      const f = filter.scan(big, 8 * 1024 * 1024 - text.length, 8 * 1024 * 1024, late);
      expect([...new Set(f.at.subarray(0, f.hits))].map((p) => p - (8 * 1024 * 1024 - text.length))).toEqual(want);
      expect(late.addressOf(Buffer.from(text))).toBe(-1);
    });

    it('keeps its tables where they were compiled until another filter takes that sweep, and finds the same in every sweep as they take turns', () => {
      const a = { needles: [{ text: '"connId"' }, { text: 'clos', anyCase: true }], lineStart: '{' };
      const b = { needles: [{ text: 'level=' }, { text: 'conn=' }] };
      const text = '{"a":1}\n{"connId":"c1"}\nlevel=info conn=c2 msg=x\n{"msg":"CLOSED"}\nconn=c3\n'.repeat(30);
      const want = { a: scanned(new BlockFilter(a, k), Buffer.from(text), 0, text.length), b: scanned(new BlockFilter(b, k), Buffer.from(text), 0, text.length) };
      expect(want.a.length).toBeGreaterThan(0);
      expect(want.b.length).toBeGreaterThan(0);
      expect(want.b).not.toEqual(want.a);
      const filters = { a: new BlockFilter(a, k), b: new BlockFilter(b, k) };
      const sweeps = [new Sweep(k), new Sweep(k)];
      for (const s of sweeps) s.blocks(text.length)[0].write(text);
      const inPlace = (f: 'a' | 'b', s: Sweep) => {
        const found = filters[f].scan(s.blocks(text.length)[0], 0, text.length, s);
        return [...new Set(found.at.subarray(0, found.hits))];
      };
      expect(inPlace('a', sweeps[0])).toEqual(want.a);
      const tablesA = sweeps[0].tables!;
      expect(tablesA.home).toBe(sweeps[0]); // compiled there, not copied
      // Copied from its home; then its home taken by another filter (copied out), and so on in turn.
      const tables = { a: tablesA, b: undefined as typeof tablesA | undefined };
      for (const [f, s] of [['a', 1], ['b', 0], ['a', 0], ['b', 1], ['b', 0], ['a', 1], ['a', 0]] as const) {
        expect(inPlace(f, sweeps[s]), `${f} in sweep ${s}`).toEqual(want[f]);
        if (f === 'b') tables.b ??= sweeps[s].tables; // compiled at its first scan
        expect(sweeps[s].tables).toBe(tables[f]);
      }
      expect(tables.b).not.toBe(tablesA);
      expect([tablesA.home, tables.b!.home]).toEqual([undefined, undefined]);
    });

    it('places its anchors quickly for a short input, and prices them once the input is known to be long: by its size, or as it is scanned', () => {
      const pf = { needles, lineStart: '{' };
      const text = Buffer.from('{"connId":1}\nplain\n{"code":1006,"msg":"CLOSE lo: 12"}\n{"x":"cO\\"1"}\n\\u{"ab":"lo 1"}\n'.repeat(40_000), 'latin1');
      const want = naive(text, 0, text.length, needles);
      // Blocks read into a sweep (whose tables must then be installed anew) and copies alike.
      const sweep = new Sweep(k);
      const [block] = sweep.blocks(text.length);
      text.copy(block);
      const inPlace = () => {
        const f = filter.scan(block, 0, text.length, sweep);
        return [...new Set(f.at.subarray(0, f.hits))];
      };
      const filter = new BlockFilter(pf, k);
      filter.expect(text.length);
      expect(inPlace()).toEqual(want);
      expect(filter.priced).toBe(false);
      const quick = sweep.tables!;
      const quickBytes = quick.bytes().slice();
      // Scanned up to just short of LONG: still the quick anchors.
      for (let n = text.length; n + text.length < LONG; n += text.length) filter.scan(text, 0, text.length);
      expect(filter.priced).toBe(false);
      expect(scanned(filter, text, 0, text.length)).toEqual(want); // LONG reached: priced on this block
      expect(filter.priced).toBe(true);
      // The sweep that holds the quick tables is given the priced ones (the quick ones find the same, slower).
      expect(inPlace()).toEqual(want);
      expect(sweep.tables).not.toBe(quick);
      expect(new Uint8Array(sweep.kernel.memory.buffer, 0, 96)).toEqual(sweep.tables!.bytes().subarray(0, 96));
      expect(sweep.tables!.bytes().subarray(0, 96)).not.toEqual(quickBytes.subarray(0, 96));
      // The tables of a filter priced from the start on that block (buckets, then exits, slots,
      // needles and automata): nothing of the quick ones is left.
      const fresh = new Sweep(k);
      text.copy(fresh.blocks(text.length)[0]);
      made(pf, k, true).scan(fresh.blocks(text.length)[0], 0, text.length, fresh);
      for (const [from, to] of [[0, 96], [1024, 720896]]) {
        expect(Buffer.from(sweep.tables!.bytes().subarray(from, to)).equals(Buffer.from(fresh.tables!.bytes().subarray(from, to))), `${from}`).toBe(true);
      }
      // Told of a long input: priced at once, on its first block.
      const told = BlockFilter.of({ ...pf }, LONG);
      expect(scanned(told, text, 0, text.length)).toEqual(want);
      expect(told.priced).toBe(true);
    });

    it('finds every match in a block with more of them than one sweep reports, across the places it resumes', () => {
      // 131,072 matches of an 8-byte needle whose start is common in the block, so that it is
      // anchored at its end: the sweep stops and resumes several times, and the needles that
      // start before a resumption point and are anchored after it are found too.
      const needle = 'qwzjxkvy';
      const body = Buffer.from(`qwzjqwzj${needle}`.repeat(131_072), 'latin1');
      for (const lead of [0, 1, 3]) {
        const buf = Buffer.concat([Buffer.alloc(lead, 0x20), body]);
        const found = new BlockFilter({ needles: [{ text: needle }] }, k).scan(buf, lead, buf.length);
        expect(found.hits).toBe(131_072);
        expect(found.at.subarray(0, found.hits).every((h, i) => h === lead + 8 + 16 * i)).toBe(true);
        // One line: each hit's is the block's, found once and reused.
        expect(found.starts.subarray(0, found.hits).every((p) => p === lead)).toBe(true);
        expect(found.ends.subarray(0, found.hits).every((p) => p === buf.length)).toBe(true);
        expect(found.lines).toBe(0);
      }
    });

    it('numbers the lines and finds the odd ones across the places it resumes', () => {
      const line = '{"qwzjxkvy"}\nplain\n';
      const body = Buffer.from(line.repeat(40_000), 'latin1');
      for (const lead of [0, 5]) {
        const buf = Buffer.concat([Buffer.alloc(lead, 0x7b), body]);
        const found = new BlockFilter({ needles: [{ text: 'qwzjxkvy' }], lineStart: '{' }, k).scan(buf, lead, buf.length);
        expect([found.hits, found.odd, found.lines]).toEqual([40_000, 40_000, 80_000]);
        for (let i = 0; i < 40_000; i++) {
          const p = lead + i * line.length;
          expect([found.at[i], found.starts[i], found.ends[i], found.indexes[i]]).toEqual([p + 2, p, p + 12, 2 * i]);
          expect([found.oddStarts[i], found.oddIndexes[i]]).toEqual([p + 13, 2 * i + 1]);
        }
      }
    });

  });
}

describe('BlockFilter', () => {
  it('runs the relaxed kernel in Node 20, its flag switched on for its compile only', () => {
    // Node 20's V8 has relaxed SIMD behind --experimental-wasm-relaxed-simd; later ones have it on.
    // The kernels' tests above ran it, compiled lazily function by function after the flag was off again.
    expect(kernel('relaxed')).toBeInstanceOf(WebAssembly.Module);
    expect(kernel('plain')).toBeInstanceOf(WebAssembly.Module);
  });

  it('is compiled at first use, not at import, and leaves V8\'s flags as they were (the code caches are checked against them)', () => {
    // In a fresh process, on the build.
    const script = `
      const dist = process.argv[1];
      const relaxed = (await import('node:fs')).readFileSync(dist + 'prefilter.relaxed.wasm');
      const before = WebAssembly.validate(relaxed);
      await import(dist + 'index.js');
      const imported = WebAssembly.validate(relaxed);
      const { BlockFilter, kernel, runningKernel } = await import(dist + 'prefilter.js');
      new BlockFilter({ needles: [{ text: 'key' }] });
      console.log(JSON.stringify({ before, imported, used: WebAssembly.validate(relaxed), relaxed: runningKernel() === kernel('relaxed') }));`;
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', script, DIST], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
    const flags = JSON.parse(res.stdout) as { before: boolean; imported: boolean; used: boolean; relaxed: boolean };
    expect(flags).toEqual({ before: flags.before, imported: flags.before, used: flags.before, relaxed: true });
  });

  it('tries each of a needle\'s patterns in turn, and no other needle\'s', () => {
    const both: Needle[] = [{ text: 'key', followedBy: ['=1', '=2', ':3'] }, { text: 'ab', followedBy: ['x'] }];
    const cases: [string, number[]][] = [
      ['key=1', [0]], ['key=2', [0]], ['key:3', [0]], ['key=3', []], ['key:1', []], ['keyx', []],
      ['abx key:3', [0, 4]], ['aby key=1', [4]], ['ab=1', []],
    ];
    for (const [text, want] of cases) {
      const buf = Buffer.from(`${text}\n`, 'latin1');
      expect(scanned(new BlockFilter({ needles: both }), buf, 0, buf.length), text).toEqual(want);
    }
  });

  it('counts the sample\'s bytes and triples in the kernel as the anchors\' placement reads them', () => {
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL('../src/prefilter.wasm', import.meta.url))));
    const k = exports as unknown as { memory: WebAssembly.Memory; count(from: number, end: number, tables: number, common: number, list: number): number };
    const sample = Buffer.from('{"connId":"c1","msg":"ws closed"}\n{"a":1}\néé\n'.repeat(40), 'latin1');
    const at = 4096;
    const tables = 65536;
    const list = tables + 4 * (256 + (1 << TRIPLE_BITS));
    k.memory.grow(Math.max(0, Math.ceil((list + 65536 - k.memory.buffer.byteLength) / 65536)));
    new Uint8Array(k.memory.buffer).set(sample, at);
    const n = k.count(at, at + sample.length - 2, tables, 3, list);
    const bytes = new Uint32Array(256);
    const triples = new Uint32Array(1 << TRIPLE_BITS);
    const reached: number[] = [];
    for (let i = 0; i < sample.length - 2; i++) {
      const t = sample[i] | (sample[i + 1] << 8) | (sample[i + 2] << 16);
      bytes[sample[i]]++;
      if (++triples[hash(t)] === 3) reached.push(t);
    }
    const memory = k.memory.buffer;
    expect(new Uint32Array(memory, tables, 256)).toEqual(bytes);
    expect(new Uint32Array(memory, tables + 1024, 1 << TRIPLE_BITS)).toEqual(triples);
    expect(Array.from(new Uint32Array(memory, list, n))).toEqual(reached);
  });

  it('refuses a line break in a line start (the sweep ends a block on line breaks), and one longer than sixteen bytes', () => {
    expect(() => new BlockFilter({ needles, lineStart: '\n' })).toThrow(/line break/);
    expect(() => new BlockFilter({ needles, lineStart: 'time\n=' })).toThrow(/line break/);
    expect(() => new BlockFilter({ needles, lineStart: '' })).toThrow(/1 to 16 bytes/);
    expect(() => new BlockFilter({ needles, lineStart: 'x'.repeat(16) })).not.toThrow();
    expect(() => new BlockFilter({ needles, lineStart: 'x'.repeat(17) })).toThrow(/1 to 16 bytes/);
  });

  it('reads the lines that do not start as a line start of several bytes does, by its first and last bytes', () => {
    const filter = new BlockFilter({ needles, lineStart: 'time=' });
    const lines = ['time=1 msg=a', '  time=2', 'time:3', 'level=4', 'tame=5', 't', 'ab=', 'ti', 'time'];
    const buf = Buffer.from(`${lines.join('\n')}\n`);
    const starts = lines.map((_, i) => lines.slice(0, i).join('\n').length + (i > 0 ? 1 : 0));
    // `tame=` has both bytes in place; `t` is taken by the next line's `=` at the place of the last.
    expect(starts.map((p) => filter.odd(buf, p, buf.length))).toEqual([false, false, true, true, false, false, true, true, true]);
    const found = filter.scan(buf, 0, buf.length);
    expect(Array.from(found.oddStarts.subarray(0, found.odd))).toEqual(starts.filter((p) => filter.odd(buf, p, buf.length)));
  });

  it('reads lines not of the format, and blank ones', () => {
    const filter = new BlockFilter({ needles, lineStart: '{' });
    const buf = Buffer.from('{"a":1}\n  {"b":2}\nplain\n\n \r\n');
    filter.scan(buf, 0, buf.length);
    expect([0, 8, 18, 24, 25].map((p) => filter.odd(buf, p, buf.length))).toEqual([false, false, true, true, true]);
    for (const p of [0, 8, 18, 24, 25]) expect(filter.odd(buf, p, buf.length)).toBe(odd(buf, p, '{', buf.length));
  });

  it('one filter per prefilter (BlockFilter.of), its anchors learned on the first block, right on the blocks of another file', () => {
    const pf = { needles: [{ text: '"connId"' }, { text: 'clos', anyCase: true }] };
    const shared = BlockFilter.of(pf);
    expect(BlockFilter.of(pf)).toBe(shared);
    expect(BlockFilter.of({ needles: pf.needles })).not.toBe(shared);
    const first = Buffer.from('{"a":1}\n{"connId":"c1"}\n'.repeat(50));
    const other = Buffer.from('{"msg":"CLOSED"}\n{"b":2,"connId":3}\n{"x":"y"}\n'.repeat(40));
    expect(scanned(shared, first, 0, first.length)).toEqual(scanned(new BlockFilter(pf), first, 0, first.length));
    expect(scanned(shared, other, 0, other.length)).toEqual(scanned(new BlockFilter(pf), other, 0, other.length));
  });

  it('is told a file\'s size by the reader: a file of LONG bytes is priced from its first block, a short one placed quickly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-placement-'));
    try {
      const lines = Array.from({ length: 400 }, (_, i) => (i % 7 === 0 ? `{"connId":"c${i}"}` : `{"http":${i}}`)).join('\n');
      const placed = async (size?: number) => {
        const file = join(dir, `${size ?? 'short'}.log`);
        writeFileSync(file, `${lines}\n`);
        // The rest a hole (zeros, no line break): one overlong line, skipped; only the first block is scanned.
        if (size !== undefined) truncateSync(file, size);
        const pf: Prefilter = { needles: [{ text: '"connId"' }], lineStart: '{' };
        let kept = 0;
        await readLines(file, {
          choose: () => {
            const handler: LineHandler = () => {};
            handler.bytes = () => { kept++; };
            handler.prefilter = pf;
            return handler;
          },
          skip: () => {},
        });
        expect(kept).toBe(50); // after the 50 lines of the sample, the 50 with the needle
        return BlockFilter.of(pf).priced;
      };
      expect(await placed()).toBe(false);
      expect(await placed(LONG)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
