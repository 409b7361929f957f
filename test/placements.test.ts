/**
 * The prefilter's priced placements kept between runs in the user's cache folder: taken for a
 * log alike, priced again for another, never taken for other needles or when they would not let
 * every needle through, and a run with one kept gives the same report.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonPrefilter } from '../parsers/record-prefilter.js';
import { DEFAULT_FIELDS } from '../parsers/fields.js';
import { placementFiles } from '../src/placements.js';
import { BlockFilter, keepPlacements, LONG, type KeptPlacement, type PlacementStore } from '../src/prefilter.js';
import { runCli } from './support/cli.js';

const CHAT = readFileSync('samples/ws-pino/chat.log');
const LOGFMT = readFileSync('samples/logfmt/chat.log');

/** The store in `dir`, counting what is asked of it. */
function counted(dir: string): PlacementStore & { asked: number; taken: number; kept: number } {
  const files = placementFiles(dir);
  const store = {
    asked: 0,
    taken: 0,
    kept: 0,
    get(key: string) {
      store.asked++;
      const p = files.get(key);
      if (p) store.taken++;
      return p;
    },
    set(key: string, p: KeptPlacement) {
      store.kept++;
      files.set(key, p);
    },
  };
  return store;
}

/** The lines a filter told a long input is to come finds in `block` (its anchors priced on it). */
function scanned(block: Buffer): number[] {
  const filter = new BlockFilter(jsonPrefilter(DEFAULT_FIELDS));
  filter.expect(LONG);
  const found = filter.scan(block, 0, block.length);
  expect(filter.priced).toBe(true);
  return Array.from(found.indexes.subarray(0, found.hits));
}

/** Placements kept in a new folder, for the filters made from now on. */
function keeping() {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-placements-'));
  const store = counted(dir);
  keepPlacements(store);
  return { dir, store };
}

const repeated = (b: Buffer, n: number) => Buffer.concat(Array.from({ length: n }, () => b));

describe('placements kept between runs', () => {
  afterEach(() => keepPlacements(undefined));

  it('keeps the placement a long input was priced with, and takes it for a log alike: the same lines found', () => {
    const { dir, store } = keeping();
    const block = repeated(CHAT, 12);
    const first = scanned(block);
    expect(store).toMatchObject({ asked: 1, taken: 0, kept: 1 });
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^placement-[0-9a-f]{16}\.json$/)]);
    expect(scanned(repeated(CHAT, 11))).toEqual(first.filter((i) => i < 11 * 98));
    expect(store).toMatchObject({ asked: 2, taken: 1, kept: 1 });
    // Without any kept: the same lines.
    keepPlacements(undefined);
    expect(scanned(block)).toEqual(first);
  });

  it('prices again for a log unlike the one it was priced on, and keeps that one', () => {
    const { store } = keeping();
    scanned(repeated(CHAT, 12));
    scanned(repeated(LOGFMT, 40));
    expect(store).toMatchObject({ asked: 2, taken: 1, kept: 2 });
  });

  it('never takes a placement that would not let every needle through, or one of other needles', () => {
    const { dir, store } = keeping();
    const block = repeated(CHAT, 12);
    const want = scanned(block);
    const [file] = readdirSync(dir);
    const stored = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { key: string; masks: number[] };
    // Its tables emptied: it would stop nowhere.
    writeFileSync(join(dir, file), JSON.stringify({ ...stored, masks: stored.masks.map(() => 0) }));
    expect(scanned(block)).toEqual(want);
    expect(store).toMatchObject({ asked: 2, taken: 1, kept: 2 });
    // Kept under its name for other needles; then a broken file.
    writeFileSync(join(dir, file), JSON.stringify({ ...stored, key: stored.key.replace('connId', 'connXd') }));
    expect(scanned(block)).toEqual(want);
    writeFileSync(join(dir, file), '{"key":');
    expect(scanned(block)).toEqual(want);
    expect(store).toMatchObject({ asked: 4, taken: 1, kept: 4 });
  });

  it('gives the command line the same report with the placement its last run kept', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'wsclose-cache-'));
    const log = join(cache, 'long.log');
    // Long enough for the anchors to be priced (LONG): the sample's lines over and over.
    writeFileSync(log, repeated(CHAT, Math.ceil(LONG / CHAT.length) + 1));
    const env = { XDG_CACHE_HOME: cache };
    const first = await runCli(['analyze', log, '-o', 'json'], { env });
    expect(first.code).toBe(0);
    const kept = readdirSync(join(cache, 'wsclose')).filter((f) => f.startsWith('placement-'));
    expect(kept).toHaveLength(1);
    const again = await runCli(['analyze', log, '-o', 'json'], { env });
    expect(again.stdout).toBe(first.stdout);
    expect(JSON.parse(first.stdout).summary.closes).toBeGreaterThan(40_000);
  }, 60_000);
});
