// Regenerates crash.log (a real ws + pino server whose message listener throws uncaught, stdout
// and stderr in one file as `kubectl logs` shows them) and crash.expected.json (the verdict each
// connection's scenario calls for). Usage: node samples/node-crash/generate.mjs [outDir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedVerdicts, runCrash } from './crash.mjs';

const outDir = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
mkdirSync(outDir, { recursive: true });
const logFile = join(outDir, 'crash.log');
const run = await runCrash(logFile);
const expected = expectedVerdicts(run);
writeFileSync(join(outDir, 'crash.expected.json'), JSON.stringify(expected, null, 2) + '\n');
console.log(`wrote ${logFile} and crash.expected.json: ${expected.length} connections, ${run.open.length} open at the crash`);
