/**
 * The committed samples: each was produced by a real library (its script beside it) and comes
 * with the verdicts its scenarios call for. The CLI must reach every one of them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/report.js';
import { runCli } from './support/cli.js';
import { expectVerdict, type ExpectedVerdict } from './support/expect-verdict.js';

const SAMPLES = [
  { log: 'samples/ws-pino/chat.log', expected: 'samples/ws-pino/chat.expected.json', parser: 'json' },
  { log: 'samples/node-crash/crash.log', expected: 'samples/node-crash/crash.expected.json', parser: 'json' },
  { log: 'samples/logfmt/chat.log', expected: 'samples/logfmt/chat.expected.json', parser: 'logfmt' },
];

describe.each(SAMPLES)('$log', ({ log, expected, parser }) => {
  it('reaches the verdict of every connection', async () => {
    const res = await runCli(['analyze', log, '-o', 'json']);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as Report;
    expect(report.input.files[0].parser).toBe(parser);
    const want = JSON.parse(readFileSync(expected, 'utf8')) as ExpectedVerdict[];
    const byConn = new Map(report.incidents.map((v) => [v.connection, v]));
    for (const e of want) {
      if (e.incident) expectVerdict(byConn.get(e.connection), e);
      else expect(byConn.has(e.connection), e.scenario).toBe(false);
    }
    expect(report.summary.closes).toBe(want.length);
    expect(report.summary.incidents).toBe(want.filter((e) => e.incident).length);
  });
});
