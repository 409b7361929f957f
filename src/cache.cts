/**
 * The user's cache folder for wsclose (the XDG base directory spec's): what a run keeps for the
 * next, the bin's code cache (wsclose.cts) and the prefilter's placements (placements.ts). Only
 * a folder of the user's own that no one else may write is used.
 */
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

/** The folder (it may not exist yet), or undefined when there is none to trust. */
export function cacheFolder(): string | undefined {
  try {
    // A relative XDG_CACHE_HOME is to be ignored (the XDG base directory spec), not taken from the working directory.
    const xdg = process.env.XDG_CACHE_HOME;
    const dir = join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'wsclose');
    const st = statSync(dir, { throwIfNoEntry: false });
    // On Windows (no uid) the folder's access list decides.
    if (st !== undefined && process.getuid !== undefined && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) return undefined;
    return dir;
  } catch {
    return undefined; // no home directory, or a file where the folder would be
  }
}

/**
 * Writes `file` (in the cache folder, made if need be) whole or not at all: under a temporary
 * name, then renamed, so that runs at once never read half of one. False when it cannot (a
 * read-only or full disk); it never throws.
 */
export function writeCached(file: string, data: string | Uint8Array): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, file);
    return true;
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // no folder to have left it in
    }
    return false;
  }
}
