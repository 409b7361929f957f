/** Baseline: the ndjson package's parse stream over the file, counting objects. */
import { createReadStream } from 'node:fs';
import ndjson from 'ndjson';

let objects = 0;
createReadStream(process.argv[2], { highWaterMark: 1 << 20 })
  .pipe(ndjson.parse())
  .on('data', () => { objects++; })
  .on('end', () => process.stdout.write(`${objects} objects\n`));
