// Regenerates chat.otlp.jsonl (the spans of the traced ws chat server, as the OpenTelemetry
// Collector's file exporter writes them) and chat.expected.json (the verdict each connection's
// scenario calls for). Run after `npm run build`.
// Usage: node samples/otel/generate.mjs [outDir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS } from '../ws-pino/server.mjs';
import { collectorLines, runTraced } from './traced.mjs';

const outDir = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
mkdirSync(outDir, { recursive: true });
const traced = await runTraced({ logFile: join(tmpdir(), `wsclose-otel-sample-${process.pid}.log`), copies: 2, delayMs: 5 });
await traced.shutdown();
writeFileSync(join(outDir, 'chat.otlp.jsonl'), collectorLines(traced.spans));

const order = new Map(traced.spans.map((s, i) => [s.attributes['websocket.connection.id'], i]));
const expected = traced.runs.map(({ name, connId }) => {
  const { exceptionType, topFrame, ...fields } = SCENARIOS[name].expect;
  return { connection: connId, scenario: name, route: SCENARIOS[name].route.split('?')[0], ...fields,
    ...(exceptionType ? { exceptionType } : {}), ...(topFrame ? { topFrame: topFrame.source } : {}) };
}).sort((a, b) => order.get(a.connection) - order.get(b.connection));
writeFileSync(join(outDir, 'chat.expected.json'), JSON.stringify(expected, null, 2) + '\n');
console.log(`wrote chat.otlp.jsonl (${traced.spans.length} spans) and chat.expected.json: ${traced.runs.length} connections`);
