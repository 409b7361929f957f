// Regenerates session.har (real headless Chromium via playwright-core's recordHar against the
// `ws` test server) and session.expected.json (what each socket's scenario lets wsclose conclude
// from a HAR, and the close code the browser itself saw, which the HAR does not record).
// Usage: node samples/har/generate.mjs [outDir]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectionKeys, recordHar } from './record.mjs';

const outDir = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
mkdirSync(outDir, { recursive: true });
const har = join(outDir, 'session.har');
const runs = await recordHar(har);
const keys = connectionKeys(JSON.parse(readFileSync(har, 'utf8')));
const expected = runs.map((run, i) => ({ connection: keys[i], ...run }));
writeFileSync(join(outDir, 'session.expected.json'), JSON.stringify(expected, null, 2) + '\n');
console.log(`wrote ${har} and session.expected.json: ${runs.length} WebSocket connections`);
