#!/usr/bin/env node
/**
 * `npm run build`'s last step: bundles the command line (dist/src/cli.js and what it imports)
 * into one file, dist/src/cli.cjs, which the `wsclose` bin (wsclose.cts) compiles with V8's
 * code cache. Node resolves, reads and compiles each ES module of a program one by one: ~70
 * modules cost ~30 ms of every run's start-up, a third of what an empty input takes. Also the
 * library for `require`, dist/src/index.cjs. Both stay in dist/src/ so that the URLs they
 * resolve against their own (prefilter.wasm, worker.js, the package.json) are the same as the
 * ES modules'.
 *
 * cli.cjs is one function expression, `(function (exports, require, module, __filename,
 * __dirname) {...})`, in strict mode as an ES module is, and ASCII; its first line names the
 * hash of the rest, which names its cache (V8 checks only a source's length).
 */
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import { chmodSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src');
const cjs = (entry, options) => build({
  entryPoints: [join(dist, `${entry}.js`)],
  outfile: join(dist, `${entry}.cjs`),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // import() as require(): a script compiled by vm.Script has no loader for import() (and the
  // modules it loads, zlib, worker_threads, are for some runs only: out of the common start-up).
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__wscloseUrl' },
  banner: { js: "var __wscloseUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  ...options,
});

// A script, not a module: only a script's compile can be given a code cache without flags.
// ndjson is loaded only for its output (renderers/ndjson.ts): left to Node, out of the common start-up.
const { outputFiles: [out] } = await cjs('cli', { write: false, external: ['ndjson'] });
// One character beyond Latin-1 makes V8 hold the whole source as two-byte text: twice the memory,
// 2-3 ms of an empty run's start-up here. esbuild escapes them in code (its default charset is
// ASCII) but keeps some comments as they are; escaped there, they are text like any other.
const body = `(function (exports, require, module, __filename, __dirname) {"use strict";\n${out.text.replace(/^#!.*\n/, '')}\n})\n`
  .replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
writeFileSync(out.path, `// wsclose ${createHash('sha1').update(body).digest('hex')}\n${body}`);
// The library for CommonJS (`require('wsclose')`: a NestJS service, an instrumentation file loaded
// with `node --require`), as `exports` names it; the ES modules tsc wrote stay the `import` entry.
// Packages stay Node's to load, so a service and wsclose share one @opentelemetry/api.
await cjs('index', { packages: 'external' });
// Its types are the ES modules' (TypeScript lets a CommonJS declaration file re-export them).
writeFileSync(join(dist, 'index.d.cts'), "export * from './index.js';\n");
// The bin (and its former path), as tsc wrote it: run by its `#!` line (npx, or a path), so executable.
for (const bin of ['wsclose.cjs', 'wsclose.js']) chmodSync(join(dist, bin), 0o755);
