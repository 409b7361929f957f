// Regenerates crash-json.log (samples/node-crash's crash, its stdout and stderr written by moby's
// own json-file logging driver, as /var/lib/docker/containers/<id>/<id>-json.log holds them) and
// crash-json.expected.json (the verdict each connection calls for). Needs Debian's golang-go and
// golang-github-docker-docker-dev. Usage: node samples/docker-json-file/generate.mjs [outDir]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedVerdicts } from '../node-crash/crash.mjs';
import { buildDockerlog, runDockerCrash } from './dockerlog.mjs';

const outDir = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
mkdirSync(outDir, { recursive: true });
const { bin, missing } = buildDockerlog();
if (missing) throw new Error(missing);
const logFile = join(outDir, 'crash-json.log');
rmSync(logFile, { force: true }); // the driver appends
const run = await runDockerCrash(bin, logFile);
const expected = expectedVerdicts(run);
writeFileSync(join(outDir, 'crash-json.expected.json'), JSON.stringify(expected, null, 2) + '\n');
console.log(`wrote ${logFile} and crash-json.expected.json: ${expected.length} connections, ${run.open.length} open at the crash`);
