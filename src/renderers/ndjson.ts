/**
 * One verdict per line, written with the ndjson package's stringify as verdicts are final.
 * The package (and the streams library under it) is loaded only for this output: loading it
 * costs ~30 ms, a fifth of a small run's start-up.
 */
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import type { Verdict } from '../model.js';

export interface VerdictWriter {
  write(v: Verdict): void;
  end(): Promise<void>;
}

export function ndjsonWriter(out: Writable): VerdictWriter {
  // Required here, not imported at the top: only this output loads it, and the writer stays synchronous.
  const ndjson = createRequire(import.meta.url)('ndjson') as typeof import('ndjson');
  const stream = ndjson.stringify();
  stream.pipe(out, { end: false });
  return {
    write: (v) => {
      stream.write(v);
    },
    end: () => new Promise((resolve) => {
      stream.on('end', resolve);
      stream.end();
    }),
  };
}
