/**
 * End to end on logfmt written by a real logfmt logger: samples/ws-pino's server and scenarios
 * with pino-logfmt as pino's transport, analyzed by the built CLI. The verdicts must be those
 * of the same scenarios logged as JSON.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the sample's driver is plain JavaScript
import { runLogfmt } from '../samples/logfmt/logfmt.mjs';
// @ts-expect-error: the sample's generator is plain JavaScript
import { expectedFor } from '../samples/ws-pino/server.mjs';
import type { Report } from '../src/report.js';
import { runCli } from './support/cli.js';
import { expectVerdict, type ExpectedVerdict } from './support/expect-verdict.js';

describe('a real ws server logging logfmt through pino-logfmt, analyzed by the CLI', () => {
  const logFile = join(mkdtempSync(join(tmpdir(), 'wsclose-logfmt-')), 'chat.log');
  let want: ExpectedVerdict[] = [];
  let report: Report;

  beforeAll(async () => {
    want = ((await runLogfmt(logFile, { copies: 2, delayMs: 3 })) as { name: string; connId: string }[]).map(expectedFor) as ExpectedVerdict[];
    const res = await runCli(['analyze', logFile, '--output', 'json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    report = JSON.parse(res.stdout) as Report;
  });

  it('reads the file as logfmt, every line', () => {
    expect(report.input.files).toEqual([expect.objectContaining({ name: logFile, parser: 'logfmt', skipped: {} })]);
    expect(report.input.events).toBe(report.input.lines);
  });

  it('judges every connection as its scenario calls for', () => {
    const byConn = new Map(report.incidents.map((v) => [v.connection, v]));
    for (const e of want) {
      if (e.incident) expectVerdict(byConn.get(e.connection), e);
      else expect(byConn.has(e.connection), `${e.scenario} is not an incident`).toBe(false);
    }
    expect(report.summary.closes).toBe(want.length);
    expect(report.summary.incidents).toBe(want.filter((e) => e.incident).length);
  });

  it('finds the stack behind escaped newlines: the bug\'s top frame is in the server script', () => {
    const bugs = report.incidents.filter((v) => v.rootCause === 'unhandled-error');
    expect(bugs).toHaveLength(2);
    for (const v of bugs) expect(v.exception!.topFrame).toMatch(/^\/buggy \((?:file:\/\/)?\/.*\/samples\/ws-pino\/server\.mjs:\d+\)$/);
  });
});
