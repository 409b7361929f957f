/**
 * The committed samples: each was produced by a real library (its script beside it) and comes
 * with the verdicts its scenarios call for. The CLI must reach every one of them.
 */
import { describe, it } from 'vitest';
import { expectSampleVerdicts, LOG_AT, SPAN_AT } from './support/expect-verdict.js';

const SAMPLES = [
  { log: 'samples/ws-pino/chat.log', expected: 'samples/ws-pino/chat.expected.json', parser: 'json' },
  { log: 'samples/python-websockets/server.log', expected: 'samples/python-websockets/server.expected.json', parser: 'python-websockets' },
  { log: 'samples/python-websockets/v14.2/server.log', expected: 'samples/python-websockets/v14.2/server.expected.json', parser: 'python-websockets' },
  { log: 'samples/python-websockets/v17.0.1/server.log', expected: 'samples/python-websockets/v17.0.1/server.expected.json', parser: 'python-websockets' },
  { log: 'samples/python-websockets/keepalive/server.log', expected: 'samples/python-websockets/keepalive/server.expected.json', parser: 'python-websockets' },
  { log: 'samples/python-websockets/json/server.log', expected: 'samples/python-websockets/json/server.expected.json', parser: 'python-websockets' },
  ...['uvicorn', 'uvicorn-debug', 'uvicorn-json', 'daphne'].map((server) => ({ log: `samples/asgi/${server}/server.log`, expected: `samples/asgi/${server}/server.expected.json`, parser: 'python-websockets' })),
  { log: 'samples/aiohttp/server.log', expected: 'samples/aiohttp/server.expected.json', parser: 'aiohttp' },
  { log: 'samples/aiohttp/json/server.log', expected: 'samples/aiohttp/json/server.expected.json', parser: 'aiohttp' },
  { log: 'samples/go-gorilla/server.log', expected: 'samples/go-gorilla/server.expected.json', parser: 'go' },
  ...['zap', 'logrus', 'zerolog', 'slog'].map((logger) => ({ log: `samples/go-gorilla/${logger}/server.log`, expected: `samples/go-gorilla/${logger}/server.expected.json`, parser: 'go' })),
  { log: 'samples/java-tomcat/server.log', expected: 'samples/java-tomcat/server.expected.json', parser: 'java' },
  { log: 'samples/java-tomcat/logstash.log', expected: 'samples/java-tomcat/logstash.expected.json', parser: 'java' },
  { log: 'samples/java-tomcat/log4j2.log', expected: 'samples/java-tomcat/log4j2.expected.json', parser: 'java' },
  { log: 'samples/node-crash/crash.log', expected: 'samples/node-crash/crash.expected.json', parser: 'json' },
  { log: 'samples/docker-json-file/crash-json.log', expected: 'samples/docker-json-file/crash-json.expected.json', parser: 'json' },
  { log: 'samples/journald/crash-journal.log', expected: 'samples/journald/crash-journal.expected.json', parser: 'json' },
  { log: 'samples/logfmt/chat.log', expected: 'samples/logfmt/chat.expected.json', parser: 'logfmt' },
  { log: 'samples/tshark/cap.json.gz', expected: 'samples/tshark/cap.expected.json', parser: 'tshark' },
  { log: 'samples/tshark/cap.ek.gz', expected: 'samples/tshark/cap.expected.json', parser: 'tshark' },
  // A HAR has no close codes to learn accepted types from: the routes' types are stated.
  { log: 'samples/har/session.har', expected: 'samples/har/session.expected.json', parser: 'har',
    args: ['--expect', '/text=text', '--expect', '/json=text', '--expect', '/buggy=text'] },
  // Spans: evidence points at traceId/spanId.
  { log: 'samples/otel/chat.otlp.jsonl', expected: 'samples/otel/chat.expected.json', parser: 'otlp', at: SPAN_AT },
];

describe.each(SAMPLES)('$log', ({ log, expected, parser, args = [], at = LOG_AT }: { log: string; expected: string; parser: string; args?: string[]; at?: RegExp }) => {
  it('reaches the verdict of every connection', async () => {
    await expectSampleVerdicts(log, expected, parser, args, at);
  });
});
