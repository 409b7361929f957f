/**
 * The committed samples: each was produced by a real library (its script beside it) and comes
 * with the verdicts its scenarios call for. The CLI must reach every one of them.
 */
import { describe, it } from 'vitest';
import { expectSampleVerdicts } from './support/expect-verdict.js';

const SAMPLES = [
  { log: 'samples/ws-pino/chat.log', expected: 'samples/ws-pino/chat.expected.json', parser: 'json' },
  { log: 'samples/go-gorilla/server.log', expected: 'samples/go-gorilla/server.expected.json', parser: 'go' },
  { log: 'samples/java-tomcat/server.log', expected: 'samples/java-tomcat/server.expected.json', parser: 'java' },
];

describe.each(SAMPLES)('$log', ({ log, expected, parser }) => {
  it('reaches the verdict of every connection', async () => {
    await expectSampleVerdicts(log, expected, parser);
  });
});
