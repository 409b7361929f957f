#!/usr/bin/env node
/**
 * `npm run build`'s second step: assembles each src/*.wat (WebAssembly text) into a .wasm
 * beside it (for the tests, which run the TypeScript sources; not committed) and in
 * dist/src/ (for the build), with wabt: the binary is always built from its reviewed source.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

const src = dirname(fileURLToPath(import.meta.url));
const out = join(src, '..', 'dist', 'src');
const parsers = join(src, '..', 'parsers');
const { parseWat } = await wabt();
mkdirSync(out, { recursive: true });
// parsers/*.wat also go to dist/parsers/, and to dist/src/ for the bundle (which loads them from its own folder).
for (const [from, outs] of [[src, [src, out]], [parsers, [parsers, join(src, '..', 'dist', 'parsers'), out]]]) {
  for (const file of readdirSync(from).filter((f) => f.endsWith('.wat'))) {
    const module = parseWat(file, readFileSync(join(from, file), 'utf8'), { simd: true });
    module.validate();
    const wasm = module.toBinary({}).buffer;
    for (const dir of outs) writeFileSync(join(dir, file.replace(/\.wat$/, '.wasm')), wasm);
    module.destroy();
  }
}
