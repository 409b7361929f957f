// Regenerates chat.log (a real ws server logging with pino, driven by real ws clients) and
// chat.expected.json (the verdict each connection's scenario calls for).
// Usage: node samples/ws-pino/generate.mjs [outDir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAll, SCENARIOS, startServer } from './server.mjs';

const outDir = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
mkdirSync(outDir, { recursive: true });
const logFile = join(outDir, 'chat.log');
writeFileSync(logFile, '');
const server = await startServer({ logFile });
const runs = await runAll(server.port, { copies: 2, delayMs: 5 });
await server.close();

const expected = runs.map(({ name, connId }) => {
  const { exceptionType, topFrame, ...fields } = SCENARIOS[name].expect;
  return { connection: connId, scenario: name, route: SCENARIOS[name].route.split('?')[0], ...fields,
    ...(exceptionType ? { exceptionType } : {}), ...(topFrame ? { topFrame: topFrame.source } : {}) };
}).sort((a, b) => Number(a.connection.slice(1)) - Number(b.connection.slice(1)));
writeFileSync(join(outDir, 'chat.expected.json'), JSON.stringify(expected, null, 2) + '\n');
console.log(`wrote ${logFile} and chat.expected.json: ${runs.length} connections`);
