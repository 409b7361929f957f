/**
 * Every regular expression in the shipped code (src/ and parsers/, found by the TypeScript
 * parser, so parsers added later are covered without listing them) runs over adversarial
 * 100 KB lines within a time bound. A pattern that backtracks catastrophically (nested or
 * overlapping repeats) takes seconds on these lines, a linear one about a millisecond.
 */
import { describe, expect, it } from 'vitest';
import { adversarialInputs, collectRegexes, scan, sourceFiles } from './support/regexes.js';

const SIZE = 100_000;
/**
 * Per line. Linear patterns take 1 to 50 ms on 100 KB (a bounded repeat tried at every position,
 * like the e-mail pattern's 64 characters, is the slow end, and tests run in parallel);
 * quadratic ones take seconds (5·10⁹ steps).
 */
const BOUND_MS = 500;

/** The time of the fastest of up to three runs: one slow run can be a GC pause, three cannot. */
function timeOf(re: RegExp, text: string): number {
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    scan(re, text);
    best = Math.min(best, performance.now() - t);
    if (best <= BOUND_MS || best > 10 * BOUND_MS) break; // fast, or far too slow to be a pause
  }
  return best;
}

describe('regular expressions against adversarial lines', () => {
  const inventory = collectRegexes(sourceFiles(['src', 'parsers']));

  it('finds the patterns of every module, and none built at run time from unknown text', () => {
    expect(inventory.literals.length).toBeGreaterThan(40);
    const files = new Set(inventory.literals.map((r) => r.at.split(':')[0]));
    for (const f of ['parsers/fields.ts', 'parsers/json.ts', 'src/redact.ts', 'src/exception.ts']) expect(files).toContain(f);
    // A pattern built from input (a route, a field name) must escape it first; list such places here with the reason.
    expect(inventory.dynamic).toEqual([]);
  });

  it(`runs each pattern over ${SIZE / 1000} KB runs of what it repeats within ${BOUND_MS} ms`, () => {
    const slow: string[] = [];
    let lines = 0;
    const started = performance.now();
    for (const { at, re } of inventory.literals) {
      for (const text of adversarialInputs(re, SIZE)) {
        lines++;
        const ms = timeOf(re, text);
        if (ms > BOUND_MS) slow.push(`${at} /${re.source}/${re.flags}: ${ms.toFixed(0)} ms on ${JSON.stringify(text.slice(0, 24))}… (${text.length} chars)`);
      }
    }
    console.log(`regex safety: ${inventory.literals.length} patterns, ${lines} adversarial lines of ~${SIZE} chars, ${(performance.now() - started).toFixed(0)} ms`);
    expect(slow).toEqual([]);
  });

  it('the generator catches the quadratic patterns this test once found (the test can fail)', () => {
    // The forms JS_FRAME and CODE_IN_TEXT had before this test: 0.7 s each on a 20 KB line, 1.6 s on 30 KB, 17 s on 100 KB.
    // A faster machine took 0.45 to 0.52 s on 30 KB, at the bound: 60 KB keeps them about 4x above it (1.2 to 1.4 s on 50 KB).
    for (const re of [/^\s*at\s+(.+?)\s*$/, /\bcode\s*[=:]?\s*(\d{4})/]) {
      const caught = adversarialInputs(re, 60_000).some((text) => {
        const t = performance.now();
        scan(re, text);
        return performance.now() - t > BOUND_MS;
      });
      expect(caught, re.source).toBe(true);
    }
  });
});
