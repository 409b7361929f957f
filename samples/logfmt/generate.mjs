// Regenerates chat.log (samples/ws-pino's server and scenarios, logged as logfmt by pino-logfmt)
// and chat.expected.json (the verdict each connection's scenario calls for).
// Usage: node samples/logfmt/generate.mjs [outDir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { byConnection, expectedFor } from '../ws-pino/server.mjs';
import { runLogfmt } from './logfmt.mjs';

const outDir = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
mkdirSync(outDir, { recursive: true });
const logFile = join(outDir, 'chat.log');
const runs = await runLogfmt(logFile);
writeFileSync(join(outDir, 'chat.expected.json'), JSON.stringify(runs.map(expectedFor).sort(byConnection), null, 2) + '\n');
console.log(`wrote ${logFile} and chat.expected.json: ${runs.length} connections`);
