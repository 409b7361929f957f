/**
 * Memory does not grow with the input: the Analyzer, fed by the JSON parser, holds the same
 * heap at the end of a generated service log (every line a WebSocket event, hundreds of
 * connections open at once) as at the end of its first quarter. Its lists are capped small
 * here so that the caps are reached in seconds; with the incidents cap lifted, the same
 * measure sees the growth, so it would see a leak.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLog } from '../bench/pino-log.js';
import { inChild } from './support/heap.js';

const dir = mkdtempSync(join(tmpdir(), 'wsclose-analyzer-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const whole = join(dir, 'whole.log');
const quarter = join(dir, 'quarter.log');

interface Held { bytes: number; closes: number; open: number; incidents: number }

/** Heap held at end of input, before `finish()`, after full collections. */
function heldAtEnd(file: string, maxIncidents: number): Held {
  return inChild<Held>(`
    const { Analyzer } = await import(dist + 'src/analyzer.js');
    const { readLines } = await import(dist + 'src/source.js');
    const { parserByName } = await import(dist + 'parsers/index.js');
    const [file, maxIncidents] = process.argv.slice(-2);
    const analyzer = new Analyzer({ maxPending: 20, maxIncidents: Number(maxIncidents) });
    const lp = parserByName('json').create(file, { event: (e) => analyzer.push(e), skip() {} }, {});
    await readLines(file, { choose: () => (text, n) => lp.line(text, n), skip() {} });
    lp.end();
    const bytes = retained();
    const open = analyzer.correlator.size;
    analyzer.finish();
    console.log(JSON.stringify({ bytes, open, closes: analyzer.summary.closes, incidents: analyzer.incidents.length }));
  `, [file, String(maxIncidents)]);
}

beforeAll(() => {
  const fd = openSync(whole, 'w');
  writeLog({ seed: 11, wsShare: 1, concurrency: 200 }, 24e6, (chunk: string) => writeSync(fd, chunk));
  closeSync(fd);
  const text = readFileSync(whole, 'latin1');
  writeFileSync(quarter, text.slice(0, text.indexOf('\n', text.length / 4) + 1), 'latin1');
});

describe('Analyzer memory over a growing input', () => {
  it('holds the same heap after 4x the lines (within 1 MB)', () => {
    const small = heldAtEnd(quarter, 50);
    const big = heldAtEnd(whole, 50);
    console.log(`held at end: ${(small.bytes / 1e6).toFixed(2)} MB after ${small.closes} closes, ${(big.bytes / 1e6).toFixed(2)} MB after ${big.closes}`);
    expect(big.closes).toBeGreaterThan(3.5 * small.closes);
    expect(small.closes).toBeGreaterThan(1000);
    expect(big.incidents).toBe(50);
    expect(Math.abs(big.open - small.open)).toBeLessThan(50); // about as many connections open at both ends
    expect(big.bytes - small.bytes).toBeLessThan(1024 * 1024);
  });

  it('sees the growth when the incidents kept are not capped', () => {
    const small = heldAtEnd(quarter, Infinity);
    const big = heldAtEnd(whole, Infinity);
    expect(big.incidents).toBeGreaterThan(3 * small.incidents);
    console.log(`uncapped: ${((big.bytes - small.bytes) / 1e6).toFixed(2)} MB more`);
    expect(big.bytes - small.bytes).toBeGreaterThan(2 * 1024 * 1024);
  });
});
