/** A pattern's automaton ends in ACCEPT exactly where the possessive matching matches. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACCEPT, Automata, EXITS, parsePattern, REJECT, SKIP, UNBOUNDED } from '../src/pattern.js';

/** The pattern as a sticky RegExp on Latin-1 text: possessive repeats as atomic lookaheads. */
function regexOf(pattern: string): RegExp {
  const items = parsePattern(pattern).map(({ set, min, max }, i) => {
    const cls = [...set.keys()].filter((b) => set[b]).map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
    return `(?=([${cls}]{${min},${max === UNBOUNDED ? '' : max}}))\\${i + 1}`;
  });
  return new RegExp(items.join(''), 'y');
}

/** Runs the automaton from `start` on the text (then a line break, as at the end of a block). */
function run(automata: Automata, start: number, text: string): boolean {
  let s = start;
  for (let i = 0; s !== REJECT && s !== ACCEPT; i++) s = automata.next[256 * s + (i < text.length ? text.charCodeAt(i) : 10)];
  return s === ACCEPT;
}

/**
 * Runs the table as prefilter.wat does: a state marked SKIP is left at the first of its exits
 * (read from `exits`), without reading the bytes before it.
 */
function runTable(automata: Automata, start: number, text: string): boolean {
  const { next, exits } = automata.table();
  const bytes = Buffer.from(`${text}\n`, 'latin1');
  let s = automata.ref(start);
  for (let i = 0; s !== REJECT && s !== ACCEPT; i++) {
    if (s & SKIP) {
      s &= ~SKIP;
      const leave = new Set(Array.from({ length: EXITS }, (_, k) => exits[16 * (EXITS * s + k)]));
      while (!leave.has(bytes[i])) i++;
    }
    s = next[256 * s + bytes[i]];
  }
  return s === ACCEPT;
}

const items = ['a', 'b', ':', ' ', '[0-9]', '[^"\\\\:]', '[ab]', '"', '\\x20', '[a-c.eE]'];
const quantifiers = ['', '?', '*', '+', '{2}', '{0,2}', '{1,3}', '{2,}', '{0}'];

describe('Automata', () => {
  it('accepts where the possessive pattern matches, for any pattern and text', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.constantFrom(...items), fc.constantFrom(...quantifiers)), { maxLength: 6 }),
      fc.array(fc.constantFrom('a', 'b', 'c', ':', ' ', '"', '1', '22', 'e', '.', '\\', '\n', '\t'), { maxLength: 14 }),
      fc.constantFrom('', '$'),
      (pattern, parts, end) => {
        // `$`: the line ends there (the line break read, as the last byte of the match).
        const text = pattern.map(([i, q]) => i + q).join('') + end;
        const input = parts.join('');
        const automata = new Automata();
        automata.add('x+:'); // states of another pattern before this one's
        const start = automata.add(text);
        const re = regexOf(text);
        re.lastIndex = 0;
        expect(run(automata, start, input), `${text} on ${JSON.stringify(input)}`).toBe(re.test(`${input}\n`));
        re.lastIndex = 0;
        expect(runTable(automata, start, input), `${text} on ${JSON.stringify(input)}, skipping`).toBe(re.test(`${input}\n`));
      },
    ), { numRuns: 3000 });
  });

  it('accepts where one of several patterns matches, run side by side', () => {
    const pattern = fc.tuple(fc.array(fc.tuple(fc.constantFrom(...items), fc.constantFrom(...quantifiers)), { maxLength: 5 }), fc.constantFrom('', '$'))
      .map(([p, end]) => p.map(([i, q]) => i + q).join('') + end);
    fc.assert(fc.property(
      fc.array(pattern, { minLength: 1, maxLength: 4 }),
      fc.array(fc.constantFrom('a', 'b', 'c', ':', ' ', '"', '1', '22', 'e', '.', '\\', '\n', '\t'), { maxLength: 14 }),
      (patterns, parts) => {
        const input = parts.join('');
        const automata = new Automata();
        automata.add('x+:');
        const start = automata.add(...patterns);
        const want = patterns.some((p) => {
          const re = regexOf(p);
          re.lastIndex = 0;
          return re.test(`${input}\n`);
        });
        expect(run(automata, start, input), `${JSON.stringify(patterns)} on ${JSON.stringify(input)}`).toBe(want);
        expect(runTable(automata, start, input), `${JSON.stringify(patterns)} on ${JSON.stringify(input)}, skipping`).toBe(want);
      },
    ), { numRuns: 3000 });
  });

  it('marks the states with at most EXITS bytes leaving them, and gives those bytes', () => {
    const automata = new Automata();
    const start = automata.add('"[^"\\\\:]*[:\\\\]');
    expect(automata.ref(start)).toBe(start); // '"' alone goes on; every other byte rejects
    const inside = automata.next[256 * start + 0x22];
    expect(automata.ref(inside)).toBe(inside | SKIP);
    expect(automata.exits(inside)).toEqual([10, 0x22, 0x3a, 0x5c]);
    expect(automata.table().next[256 * start + 0x22]).toBe(inside | SKIP);
    expect(automata.exits(automata.add('[^a-d]*x'))).toBeUndefined(); // five exits: a to d and the line break
    expect(runTable(automata, start, `"${'1.2'.repeat(20)}:`)).toBe(true);
    expect(runTable(automata, start, `"${'1.2'.repeat(20)}"`)).toBe(false);
  });

  it('shares the states of a pattern added twice, and accepts at once an empty one', () => {
    const automata = new Automata();
    const start = automata.add('[0-9]{1,3}[.eE]');
    const states = automata.states;
    expect(automata.add('[0-9]{1,3}[.eE]')).toBe(start);
    expect(automata.states).toBe(states);
    expect(automata.add('')).toBe(ACCEPT);
    expect(run(automata, start, '12.5')).toBe(true);
    expect(run(automata, start, '1234')).toBe(false);
  });
});
