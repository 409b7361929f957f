/** The anchors' placement: every occurrence of a needle gets through the sweep, and the sample's common near misses do not. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Counts, hash, letsThrough, place, type Placeable, placeQuick, TRIPLE_BITS } from '../src/placement.js';

/** The counts prefilter.wat's `count` makes of a sample: bytes, triples by hash, the triples seen `common` times. */
function counted(text: string, common = 4): Counts {
  const b = Buffer.from(text, 'latin1');
  const bytes = new Uint32Array(256);
  const triples = new Uint32Array(1 << TRIPLE_BITS);
  const list: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const t = b[i] | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16);
    bytes[b[i]]++;
    if (++triples[hash(t)] === common) list.push(t);
  }
  return { length: b.length, bytes, triples, common: Int32Array.from(list) };
}

function needle(text: string, anyCase = false, next?: string): Placeable {
  const bytes = Buffer.from(text, 'latin1');
  const mask = new Uint8Array(bytes.length);
  if (anyCase) bytes.forEach((c, i) => { if (/[a-z]/i.test(String.fromCharCode(c))) { mask[i] = 0x20; bytes[i] = c | 0x20; } });
  const allowed = next === undefined ? undefined : new Uint8Array(256);
  for (const c of next ?? '') allowed![c.charCodeAt(0)] = 1;
  return { bytes, mask, next: allowed };
}

/** Whether the sweep, with these tables, stops where an anchor starts at `p` of `text`. */
function stops(masks: Uint8Array, text: Buffer, p: number): boolean {
  let all = 0xff;
  for (let k = 0; k < 3; k++) {
    const c = text[p + k] ?? 10;
    all &= masks[32 * k + (c & 15)] & masks[32 * k + 16 + (c >> 4)];
  }
  return all !== 0;
}

const DIGITS_AND_BLANKS = ' \t=:0123456789';

describe('place', () => {
  it('anchors a word on its end and the byte after it where the sample holds it inside a longer word', () => {
    // `status` is in every line's `statusCode`, followed by a byte its patterns refuse.
    const sample = '{"req":{"url":"/api/users/1"},"res":{"statusCode":200},"msg":"request completed"}\n'.repeat(3000);
    const needles = [needle('status', true, DIGITS_AND_BLANKS), needle('"connId"'), needle('clos', true)];
    const { offsets, masks } = place(needles, counted(sample));
    expect(offsets[0]).toBe(4);
    const text = Buffer.from(sample, 'latin1');
    for (let p = text.indexOf('us'); p >= 0; p = text.indexOf('us', p + 1)) expect(stops(masks, text, p), `at ${p}`).toBe(false);
    for (const after of ['status 1006', 'STATUS=1006', 'Status:4001', 'status\t1011']) {
      expect(stops(masks, Buffer.from(after, 'latin1'), 4), after).toBe(true);
    }
  });

  it.each([
    ['priced on the sample', place],
    ['placed quickly', (needles: Placeable[]) => placeQuick(needles)],
  ])('lets every occurrence of every needle through at its anchor, in any case, followed by any byte it allows: %s', (_, placed) => {
    const letters = 'abcdeoqsu"{:_ 1';
    const word = fc.array(fc.constantFrom(...letters), { minLength: 2, maxLength: 9 }).map((a) => a.join(''));
    fc.assert(fc.property(
      fc.array(fc.tuple(word, fc.boolean(), fc.option(fc.subarray([...DIGITS_AND_BLANKS, 'q', '"'], { minLength: 1 }))), { minLength: 1, maxLength: 12 }),
      fc.array(fc.constantFrom(...letters, 'status', 'statusCode', '"code"', '\n'), { maxLength: 400 }),
      (specs, sample) => {
        const needles = specs.map(([text, anyCase, next]) => needle(text, anyCase, next?.join('')));
        const { offsets, masks } = placed(needles, counted(sample.join('')));
        expect(letsThrough(needles, { offsets, masks })).toBe(true);
        specs.forEach(([text, anyCase, next], i) => {
          const o = offsets[i];
          const after = next ?? ['\n', 'x', '"'];
          const forms = anyCase ? [text.toLowerCase(), text.toUpperCase()] : [text];
          for (const form of forms) {
            for (const b of after) {
              const occurrence = Buffer.from(form + b, 'latin1');
              expect(stops(masks, occurrence, o), `${JSON.stringify(form + b)} at ${o}`).toBe(true);
            }
          }
        });
      },
    ), { numRuns: 300 });
  });

  it('checks a placement kept from another run: each needle anchored where it may be, and let through there', () => {
    const sample = '{"res":{"statusCode":200},"connId":"c1","msg":"ws closed","code":1006}\n'.repeat(500);
    const needles = [needle('status', true, DIGITS_AND_BLANKS), needle('"connId"'), needle('clos', true), needle('\\u'), needle('ab', false, '"')];
    const p = place(needles, counted(sample));
    expect(letsThrough(needles, p)).toBe(true);
    expect(letsThrough(needles, placeQuick(needles))).toBe(true);
    expect(letsThrough(needles, { ...p, masks: new Uint8Array(96) })).toBe(false);
    expect(letsThrough(needles, { ...p, masks: new Uint8Array(64) })).toBe(false);
    expect(letsThrough(needles, { ...p, offsets: p.offsets.map((o, i) => (i === 1 ? 7 : o)) })).toBe(false);
    expect(letsThrough(needles, { ...p, offsets: p.offsets.map((o, i) => (i === 1 ? 0.5 : o)) })).toBe(false);
    expect(letsThrough(needles.slice(1), p)).toBe(false);
    // Other needles in the same number: their bytes are in no bucket.
    expect(letsThrough([needle('\x01\x02\x03'), ...needles.slice(1)], p)).toBe(false);
    // The bit of the bucket that lets `"connId"` through, taken away at one place of its anchor: refused.
    const bit = [1, 2, 4, 8, 16, 32, 64, 128].find((b) => letsThrough([needles[1]], { offsets: [p.offsets[1]], masks: p.masks.map((m) => m & b) }))!;
    const c = needles[1].bytes[p.offsets[1]];
    const masks = p.masks.slice();
    masks[c & 15] &= ~bit;
    expect(letsThrough([needles[1]], { offsets: [p.offsets[1]], masks })).toBe(false);
  });

  it('places quickly on the needles alone: each at its rarest bytes by a log\'s usual ones, buckets by the anchor\'s last byte', () => {
    const needles = [needle('"connId"'), needle('clos', true), needle('(normal', true), needle('\\u'), needle('"ws"')];
    const { offsets, masks } = placeQuick(needles);
    // `Id"` holds an upper-case letter; `(no`, a parenthesis; a needle of letters only, its end.
    expect(offsets).toEqual([5, 1, 0, 0, 1]);
    const text = Buffer.from('{"msg":"request completed","res":{"statusCode":200},"responseTime":12}\n', 'latin1');
    // A log line with none of them: where does the sweep stop?
    const stopped = [...text.keys()].filter((p) => stops(masks, text, p));
    expect(stopped.length).toBeLessThan(text.length / 4);
  });
});
