// How much of a command-line run is warm-up: the same log analyzed again and again in one
// process (`analyzeFiles`, as the CLI calls it, the report built and dropped). The first run pays
// for code V8 has not optimized yet (and the anchors priced on the sample); the later ones run
// the steady state. Run by bench/run.js on its 5% log; Node's own start-up is not in either.
// Usage: npm run build && node bench/warm.js <log> [runs]
import { statSync } from 'node:fs';
import { analyzeFiles } from '../dist/src/index.js';

const [file, runs = '6'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/warm.js <log> [runs]\n');
  process.exit(2);
}
const ms = [];
for (let i = 0; i < Number(runs); i++) {
  const t0 = process.hrtime.bigint();
  await analyzeFiles([file]);
  ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
// The steady state: the median of the second half of the runs.
const later = ms.slice(Math.floor(ms.length / 2)).sort((a, b) => a - b);
const steady = later[Math.floor(later.length / 2)];
process.stdout.write(`${JSON.stringify({ bytes: statSync(file).size, ms, steady, steadyOf: later.length })}\n`);
