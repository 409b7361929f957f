/**
 * The source each line of a prefixed stream names, as the kernel notes it while it strips the
 * prefixes (a change of source at a time) and the reader reads it back line by line: the same as
 * the pattern reads it off each line, whichever lines are read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSources } from '../src/line-sources.js';
import { sourceOf, stripPrefixes } from '../src/prefix.js';

const LINE = '{"level":30,"msg":"ws connection opened"}';
/** How a JSON record starts: `{`. */
const OPEN = 0x7b;

describe('line sources', () => {
  it('tells the source of every line, a sample\'s and blocks\' (each a source\'s change noted by the kernel), a line naming none of the one before', () => {
    // Names the kernel compares sixteen bytes at a time: of one length, differing in their last bytes.
    const named = fc.constantFrom('[pod/chat-a/chat] ', '[pod/chat-b/chat] ', '[pod/chat-b/sidecar] ', '[pod/é/x] ', `[pod/${'p'.repeat(316)}] `, `[pod/${'p'.repeat(315)}q] `,
      '[pod/chat-7d9f8c6b5-x2x9k/chat] ', '[pod/chat-7d9f8c6b5-x2x9q/chat] ', '[pod/abcdefghijkl] ', '[pod/abcdefghijkm] ', 'chat-1  | ', '\x1b[36mchat-2 | \x1b[0m', `${'n'.repeat(255)} | `);
    const line = fc.tuple(fc.oneof({ weight: 4, arbitrary: named }, { weight: 1, arbitrary: fc.constantFrom('', '2026-11-27T02:00:01Z ') }), fc.constantFrom(LINE, 'TypeError: x', ''))
      .map(([prefix, rest]) => prefix + rest);
    // The reader asks for the lines it reads: the sample's, then the few the prefilter keeps.
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 60 }), fc.nat({ max: 10 }), fc.nat({ max: 60 }), fc.nat(), (lines, sampled, cut, kept) => {
      const sources = new LineSources();
      const seen: (string | undefined)[] = [];
      const asked = (i: number) => i < sampled || ((kept >>> (i % 31)) & 1) === 1;
      // The sample's lines one by one, then the rest in two blocks.
      const n = Math.min(sampled, lines.length);
      for (let i = 0; i < n; i++) {
        sources.sample(lines[i]);
        seen.push(sources.at(i + 1));
      }
      const at = Math.min(n + cut, lines.length);
      for (const [from, to] of [[n, at], [at, lines.length]]) {
        if (from === to) continue;
        const block = `${lines.slice(from, to).join('\n')}\n`;
        const buf = Buffer.from(block);
        stripPrefixes(buf, 0, buf.length, undefined, OPEN, sources, from);
        for (let i = from; i < to; i++) if (asked(i)) seen.push(sources.at(i + 1));
      }
      let source: string | undefined;
      expect(seen).toEqual(lines.map((l) => (source = sourceOf(l) ?? source)).filter((_, i) => asked(i)));
    }), { numRuns: 500 });
  });

  it('tells the sources of a stream of more pods than it keeps the names of', () => {
    // 6,000 names, then the last few again, once the names kept were let go.
    const lines = Array.from({ length: 12_000 }, (_, i) => `[pod/chat-${i < 6000 ? i : 5999 - (i % 50)}/chat] ${LINE}`);
    const sources = new LineSources();
    const seen: (string | undefined)[] = [];
    for (let from = 0; from < lines.length; from += 3000) {
      const buf = Buffer.from(`${lines.slice(from, from + 3000).join('\n')}\n`);
      stripPrefixes(buf, 0, buf.length, undefined, OPEN, sources, from);
      for (let i = from; i < from + 3000; i += 7) seen.push(sources.at(i + 1));
    }
    expect(seen).toEqual(lines.filter((_, i) => i % 7 === (Math.floor(i / 3000) * 3000) % 7).map(sourceOf));
  });

});
