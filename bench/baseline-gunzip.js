/** Baseline: Node's own streaming gunzip of the file, bytes counted and dropped. */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

let bytes = 0;
createReadStream(process.argv[2], { highWaterMark: 1 << 20 })
  .pipe(createGunzip({ chunkSize: 256 * 1024 }))
  .on('data', (d) => { bytes += d.length; })
  .on('end', () => process.stdout.write(`${bytes} bytes\n`));
