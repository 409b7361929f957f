/**
 * Baseline: split lines with Buffer.indexOf and JSON.parse every one of them that starts as JSON
 * does (a Go service's panic traces between its records are only counted), nothing else.
 */
import { openSync, readSync } from 'node:fs';

const fd = openSync(process.argv[2], 'r');
const buf = Buffer.allocUnsafe(4 << 20);
let len = 0;
let lines = 0;
let objects = 0;
for (let n; (n = readSync(fd, buf, len, buf.length - len, null)) > 0;) {
  const end = len + n;
  let p = 0;
  for (let nl; (nl = buf.indexOf(10, p)) !== -1 && nl < end; p = nl + 1) {
    if (buf[p] === 123 && JSON.parse(buf.toString('utf8', p, nl)) !== null) objects++;
    lines++;
  }
  buf.copy(buf, 0, p, end);
  len = end - p;
}
process.stdout.write(`${lines} lines, ${objects} objects\n`);
