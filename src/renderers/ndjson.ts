/** One verdict per line, written with the ndjson package's stringify as verdicts are final. */
import ndjson from 'ndjson';
import type { Writable } from 'node:stream';
import type { Verdict } from '../model.js';

export interface VerdictWriter {
  write(v: Verdict): void;
  end(): Promise<void>;
}

export function ndjsonWriter(out: Writable): VerdictWriter {
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
