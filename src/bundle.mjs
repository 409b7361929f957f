#!/usr/bin/env node
/**
 * `npm run build`'s last step: bundles the command line (dist/src/cli.js and what it imports)
 * into one file, dist/src/wsclose.js, the `wsclose` bin. Node resolves, reads and compiles each
 * ES module of a program one by one: ~70 modules cost ~30 ms of every run's start-up, a third
 * of what an empty input takes. The bundle stays in dist/src/ so that the URLs it resolves
 * against its own (prefilter.wasm, worker.js, the package.json) are the same as cli.js's.
 */
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src');
await build({
  entryPoints: [join(dist, 'cli.js')],
  outfile: join(dist, 'wsclose.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Loaded only for its output (renderers/ndjson.ts): left to Node, out of the common start-up.
  external: ['ndjson'],
  // commander is CommonJS and requires Node's modules: an ES bundle gives it a require.
  banner: { js: "import { createRequire as wscloseRequire } from 'node:module'; const require = wscloseRequire(import.meta.url);" },
  logLevel: 'warning',
});
// One character beyond Latin-1 makes V8 hold the whole source as two-byte text: twice the memory,
// 2-3 ms of an empty run's start-up here. esbuild escapes them in code (its default charset is
// ASCII) but keeps some comments as they are; escaped there, they are text like any other.
const bundle = join(dist, 'wsclose.js');
writeFileSync(bundle, readFileSync(bundle, 'utf8').replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
