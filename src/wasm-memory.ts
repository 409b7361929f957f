/** WebAssembly memory grows by whole pages of 64 KB. */
const PAGE = 65536;

/**
 * Grows `memory` to at least `bytes`, if it is smaller. Growing detaches every view of its old
 * buffer: the caller makes its views again.
 */
export function growTo(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (have < bytes) memory.grow(Math.ceil((bytes - have) / PAGE));
}
