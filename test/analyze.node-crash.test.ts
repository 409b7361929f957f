/**
 * End to end on a real crash: samples/node-crash's ws + pino server dies of an uncaught
 * TypeError in a message listener while connections are open, stdout and stderr in one file as
 * `kubectl logs` shows them. The log has no close line for the open connections; the built CLI
 * must still attribute each to unhandled-error with the crash as evidence, and leave the
 * connections that closed before it with their own verdicts. A binary frame that kills a JSON
 * handler is a data-type mismatch on its own connection, as it is when the server survives it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the sample's driver is plain JavaScript
import { BEFORE, expectedVerdicts, OPEN, runCrash } from '../samples/node-crash/crash.mjs';
import type { Verdict } from '../src/model.js';
import type { Report } from '../src/report.js';
import { runCli } from './support/cli.js';
import { expectVerdict, expectVerdicts, type ExpectedVerdict } from './support/expect-verdict.js';

describe('a real ws + pino server that crashes, analyzed by the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-node-crash-'));
  const logFile = join(dir, 'crash.log');
  let want: ExpectedVerdict[] = [];
  let report: Report;
  let byConn: Map<string, Verdict>;
  let errorLine = 0;

  beforeAll(async () => {
    const run = await runCrash(logFile);
    want = expectedVerdicts(run) as ExpectedVerdict[];
    const lines = readFileSync(logFile, 'utf8').split('\n');
    errorLine = lines.findIndex((l) => l.startsWith('TypeError: ')) + 1;
    const res = await runCli(['analyze', logFile, '--output', 'json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    report = JSON.parse(res.stdout) as Report;
    byConn = new Map(report.incidents.map((v) => [v.connection, v]));
  });

  it('has the crash report after the JSON lines, and no close line for the open connections', () => {
    const text = readFileSync(logFile, 'utf8');
    expect(errorLine).toBeGreaterThan(0);
    expect(text).toMatch(/^Node\.js v\d+\.\d+\.\d+$/m);
    const crashed = want.filter((e) => e.crash).map((e) => e.connection);
    expect(crashed).toHaveLength(2 * Object.keys(OPEN).length + 1);
    for (const line of text.split('\n').filter((l) => l.startsWith('{'))) {
      const rec = JSON.parse(line) as { connId?: string; msg: string };
      if (rec.connId && crashed.includes(rec.connId)) expect(rec.msg).not.toMatch(/closed/);
    }
  });

  it('judges every connection as its scenario calls for, open ones by the crash', () => {
    for (const e of want) {
      if (e.incident) expectVerdict(byConn.get(e.connection), e);
      else expect(byConn.has(e.connection), `${e.scenario} is not an incident`).toBe(false);
    }
  });

  it('points every open connection at the crash: its error line, the exception and the script frame', () => {
    for (const e of want.filter((x) => x.crash)) {
      const v = byConn.get(e.connection)!;
      const crash = v.evidence.find((ev) => ev.kind === 'crash')!;
      expect(crash.at, e.scenario).toBe(`${logFile}:${errorLine}`);
      expect(crash.summary).toBe(`process crashed: TypeError: Cannot read properties of undefined (reading 'name') at ${v.exception!.topFrame}`);
      expect(v.at).toBe(`${logFile}:${errorLine}`);
      expect(v.exception).toMatchObject({ type: 'TypeError', message: "Cannot read properties of undefined (reading 'name')" });
      expect(v.exception!.topFrame).toMatch(/^WebSocket\.<anonymous> \(file:\/\/\/.*\/samples\/node-crash\/server\.mjs:\d+\)$/);
      expect(v.evidence[0]).toMatchObject({ kind: 'open' });
      expect(v.explanation).toMatch(/no close frame was sent/);
    }
  });

  it('leaves the connections that closed before the crash with their own verdicts', () => {
    const before = want.filter((e) => !e.crash);
    expect(before).toHaveLength(2 * BEFORE.length);
    for (const e of before.filter((x) => x.incident)) {
      expect(byConn.get(e.connection)!.evidence.some((ev) => ev.kind === 'crash'), e.scenario).toBe(false);
    }
  });

  it('counts the closes, the crashed connections and nothing skipped', () => {
    const s = report.summary;
    expect(s.closes).toBe(want.length);
    expect(s.incidents).toBe(want.filter((e) => e.incident).length);
    expect(s.byRootCause['unhandled-error']).toBe(want.filter((e) => e.crash).length);
    expect(report.input.connections).toMatchObject({ crashed: want.filter((e) => e.crash).length, openAtEnd: 0 });
    expect(report.input.files).toEqual([expect.objectContaining({ name: logFile, parser: 'json', skipped: {} })]);
  });
});

describe('a real ws + pino server killed by a binary frame its JSON handler parses, analyzed by the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-node-crash-binary-'));
  const logFile = join(dir, 'crash.log');
  let want: ExpectedVerdict[] = [];
  let errorLine = 0;

  async function analyze(args: string[]): Promise<Report> {
    const res = await runCli(['analyze', logFile, '--output', 'json', ...args]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    return JSON.parse(res.stdout) as Report;
  }

  beforeAll(async () => {
    want = expectedVerdicts(await runCrash(logFile, { copies: 1, fatal: 'profile-binary-crash' })) as ExpectedVerdict[];
    errorLine = readFileSync(logFile, 'utf8').split('\n').findIndex((l) => l.startsWith('SyntaxError: ')) + 1;
    expect(errorLine).toBeGreaterThan(0);
  });

  // No normal connection on /profile to learn from: the parse error on a binary frame says it; the
  // user's --expect says it with authority.
  it.each([
    ['unstated', [], 0.75, undefined],
    ['stated by --expect', ['--expect', '/profile=text'], 0.95, 'user'],
  ])('judges the connection that sent it a data-type mismatch its clients saw as 1006, with /profile %s', async (_how, args, confidence, profile) => {
    const report = await analyze(args as string[]);
    expectVerdicts(report, want);
    const trigger = want.find((e) => e.scenario === 'profile-binary-crash')!;
    const v = report.incidents.find((x) => x.connection === trigger.connection)!;
    expect(v.rootCause).toBe('data-type-mismatch');
    expect(v.closeCode).toBe(1006);
    expect(v.codeAgreement).toBe('disagrees');
    expect(v.initiator).toBe('server');
    expect(v.confidence).toBe(confidence);
    expect(v.profile).toBe(profile);
    expect(v.explanation).toMatch(/^data-type mismatch seen by clients as 1006: no close frame was sent; a binary frame reached/);
    expect(v.explanation).toMatch(/SyntaxError followed and the process died of it\)?$/);
    expect(v.fix).toMatch(/^Send text frames to this endpoint, not binary; check the frame type before parsing .* close with 1003 instead of letting SyntaxError crash the process\.$/);
    expect(v.fix).not.toMatch(/1011/);
    expect(v.exception).toMatchObject({ type: 'SyntaxError' });
    expect(v.evidence.map((e) => [e.kind, e.at])).toEqual([
      ['open', expect.any(String)], ['frame', expect.any(String)], ['crash', `${logFile}:${errorLine}`],
      ...(profile ? [['profile', '--expect']] : []), ['close', `${logFile}:${errorLine}`],
    ]);
    expect(v.evidence[1].summary).toMatch(/^received binary frame/);
  });

  it('leaves the connections that went down with it to the crash', async () => {
    const report = await analyze(['--expect', '/profile=text']);
    const bystanders = want.filter((e) => e.crash && e.scenario !== 'profile-binary-crash');
    expect(bystanders).toHaveLength(Object.keys(OPEN).length);
    for (const e of bystanders) {
      const v = report.incidents.find((x) => x.connection === e.connection)!;
      expect(v).toMatchObject({ rootCause: 'unhandled-error', closeCode: 1006, codeAgreement: 'disagrees', confidence: 0.9 });
      expect(v.explanation).toMatch(/the process crashed on SyntaxError while handling another connection's message/);
    }
  });
});
