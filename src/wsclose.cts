#!/usr/bin/env node
/**
 * The `wsclose` bin: runs the bundled command line (cli.cjs, made by src/bundle.mjs) with
 * V8's code cache. Compiling the bundle, and the functions a run calls, is ~15 ms of every
 * start; the bytecode a run made, kept in the user's cache folder, is read back in a few ms.
 * CommonJS, as the bundle is: an ES module as the entry point loads Node's module loader for
 * them, ~9 ms of every start.
 *
 * V8 takes a cache only from the same engine, under the same flags, for a source of the same
 * length; the cache's name has the bundle's hash, so that another build never meets it. A
 * missing, rejected or unreadable cache costs only the compile: the cache is written at exit,
 * under a temporary name then renamed, so that runs at once never read half of one. A cache
 * folder that cannot be written is left alone, and one that another user could write to is
 * neither read nor written: a cache is code that runs. A cache is written once per build and
 * Node, so that when one is, the caches of other builds not written for a month are removed.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { cacheFolder, writeCached } from './cache.cjs';

// glibc's malloc gives the memory of a free above 128 KB back to the system (munmap, trim), and
// memory taken again is faulted in page by page: V8's compiler threads take and free theirs for
// every function they optimize. The first free of a block mapped alone raises the mmap threshold
// to its size and the trim threshold to twice that (mallopt(3), M_MMAP_THRESHOLD, "dynamic"):
// one 1 MB block, never touched (calloc'd pages stay unmapped) and freed by the first GC, makes
// that memory kept and taken again. On the bench's 500 MB log, 18,000 page faults against 15,000
// (the compiler threads' 5,700 against 1,900), -50 ms; peak RSS +3 MB. Elsewhere, a no-op.
new ArrayBuffer(1 << 20);

/** A cache of another build not written for this long is taken for one no longer installed. */
const STALE_MS = 30 * 24 * 3600 * 1000;

const filename = join(__dirname, 'cli.cjs');
const source = readFileSync(filename, 'latin1'); // ASCII
const cache = cacheFile(source);
let cachedData: Buffer | undefined;
try {
  if (cache !== undefined) cachedData = readFileSync(cache);
} catch {
  // none yet
}
const script = new Script(source, { filename, cachedData });
if (cache !== undefined && (cachedData === undefined || script.cachedDataRejected)) {
  // At exit: the cache then holds the functions this run compiled, not only the top level.
  process.once('exit', () => save(cache, script));
}
const cjs = { exports: {} };
// This file's `require` resolves from the bundle's folder too (ndjson, the worker's file).
script.runInThisContext()(cjs.exports, require, cjs, filename, __dirname);

/**
 * Where the cache of this bundle is kept for this Node, or undefined when there is no home to
 * keep it in, or its folder is not this user's alone.
 */
function cacheFile(bundle: string): string | undefined {
  const hash = /^\/\/ wsclose ([0-9a-f]+)\n/.exec(bundle)?.[1];
  const dir = hash === undefined ? undefined : cacheFolder();
  return dir === undefined ? undefined : join(dir, `${hash}-${process.version}-${process.arch}.bin`);
}

function save(file: string, compiled: Script): void {
  // A read-only or full disk, or no folder: the next run compiles, as this one did. Nothing may
  // be thrown from here, at exit.
  try {
    if (!writeCached(file, compiled.createCachedData())) return;
    const dir = dirname(file);
    const now = Date.now();
    for (const name of readdirSync(dir)) {
      const other = join(dir, name);
      if (other !== file && now - statSync(other).mtimeMs > STALE_MS) rmSync(other, { force: true });
    }
  } catch {
    // another run removed a file as this one looked
  }
}
