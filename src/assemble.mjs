#!/usr/bin/env node
/**
 * `npm run build`'s second step: assembles each src/*.wat (WebAssembly text) into a .wasm
 * beside it (for the tests, which run the TypeScript sources; not committed) and in
 * dist/src/ (for the build), with wabt: the binary is always built from its reviewed source.
 *
 * The files in RELAXED also get a twin, `.relaxed.wasm`, where each i8x16.swizzle is relaxed
 * SIMD's i8x16.relaxed_swizzle: the two differ only for lane indexes from 16 up, which those
 * files never look up (each index is a byte's half), and V8 compiles the plain one to two more
 * instructions (a fix-up of the index, and the load of its constant). The program loads the
 * twin where the engine has relaxed SIMD (src/prefilter.ts).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

const src = dirname(fileURLToPath(import.meta.url));
const out = join(src, '..', 'dist', 'src');
const parsers = join(src, '..', 'parsers');
const RELAXED = new Set(['prefilter.wat']);
const { parseWat } = await wabt();
mkdirSync(out, { recursive: true });

function assemble(file, text, outs, suffix) {
  const module = parseWat(file, text, { simd: true, relaxed_simd: true });
  module.validate();
  const wasm = module.toBinary({}).buffer;
  for (const dir of outs) writeFileSync(join(dir, file.replace(/\.wat$/, suffix)), wasm);
  module.destroy();
}

// parsers/*.wat also go to dist/parsers/, and to dist/src/ for the bundle (which loads them from its own folder).
for (const [from, outs] of [[src, [src, out]], [parsers, [parsers, join(src, '..', 'dist', 'parsers'), out]]]) {
  for (const file of readdirSync(from).filter((f) => f.endsWith('.wat'))) {
    const text = readFileSync(join(from, file), 'utf8');
    assemble(file, text, outs, '.wasm');
    if (RELAXED.has(file)) assemble(file, text.replaceAll('i8x16.swizzle', 'i8x16.relaxed_swizzle'), outs, '.relaxed.wasm');
  }
}
