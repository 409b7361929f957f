// Regenerates chat.log (a real ws server logging with pino, driven by real ws clients) and
// chat.expected.json (the verdict each connection's scenario calls for).
// Usage: node samples/ws-pino/generate.mjs [outDir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { byConnection, expectedFor, runAll, startServer } from './server.mjs';

const outDir = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
mkdirSync(outDir, { recursive: true });
const logFile = join(outDir, 'chat.log');
writeFileSync(logFile, '');
const server = await startServer({ logFile });
const runs = await runAll(server.port, { copies: 2, delayMs: 5 });
await server.close();

const expected = runs.map(expectedFor).sort(byConnection);
writeFileSync(join(outDir, 'chat.expected.json'), JSON.stringify(expected, null, 2) + '\n');
console.log(`wrote ${logFile} and chat.expected.json: ${runs.length} connections`);
