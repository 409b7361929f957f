/**
 * The prefilter's priced placements, kept between runs of the command line in the user's cache
 * folder (cache.cts), one small file per set of needles (a parser's, with its options). A file
 * that cannot be read or written changes nothing but the time: the placement is priced again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeCached } from './cache.cjs';
import type { KeptPlacement, PlacementStore } from './prefilter.js';

interface Stored {
  key: string;
  offsets: number[];
  masks: number[];
  shares: number[];
}

/** The placements kept in `dir`. */
export function placementFiles(dir: string): PlacementStore {
  return {
    get(key) {
      try {
        const s = JSON.parse(readFileSync(fileOf(dir, key), 'utf8')) as Stored;
        // Its own key, in full: a placement of other needles would let their lines through, not these.
        if (s.key !== key || !Array.isArray(s.offsets) || !Array.isArray(s.masks) || !Array.isArray(s.shares)) return undefined;
        return { offsets: s.offsets, masks: Uint8Array.from(s.masks), shares: s.shares };
      } catch {
        return undefined;
      }
    },
    set(key, kept: KeptPlacement) {
      const stored: Stored = { key, offsets: kept.offsets, masks: Array.from(kept.masks), shares: kept.shares };
      writeCached(fileOf(dir, key), JSON.stringify(stored));
    },
  };
}

/**
 * The file of `key`'s placement, named by its hash (FNV-1a of each half of the key): two keys of
 * one name only price again, each file holding its key.
 */
function fileOf(dir: string, key: string): string {
  const half = key.length >>> 1;
  return join(dir, `placement-${fnv(key, 0, half)}${fnv(key, half, key.length)}.json`);
}

function fnv(s: string, from: number, to: number): string {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
