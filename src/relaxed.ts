/**
 * Relaxed SIMD for the prefilter's kernel (prefilter.ts). Node 20's V8 has it behind a flag,
 * which holds for the whole process (its worker threads too) when set before the module is
 * compiled; later Nodes have it on. The bin sets it before it compiles the command line
 * (wsclose.ts): V8 takes a code cache only under the flags it was made with.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

/** The relaxed kernel's bytes, the flag set if the engine needs it for them. */
export function relaxedKernel(): Buffer<ArrayBuffer> {
  const bytes = readFileSync(new URL('./prefilter.relaxed.wasm', import.meta.url));
  if (!WebAssembly.validate(bytes)) setFlagsFromString('--experimental-wasm-relaxed-simd');
  return bytes;
}
