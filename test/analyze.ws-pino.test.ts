/**
 * End to end on a real ws server logging with a real pino logger, driven by real ws clients:
 * the log goes through the built CLI, spawned as a user runs it, and the JSON report is
 * asserted verdict by verdict against what each connection's scenario calls for.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the sample's generator is plain JavaScript
import { runAll, runClient, SCENARIOS, startServer } from '../samples/ws-pino/server.mjs';
import type { Verdict } from '../src/model.js';
import type { Report } from '../src/report.js';
import { runCli } from './support/cli.js';
import { expectVerdict, expectVerdictsByProcess, type ExpectedVerdict } from './support/expect-verdict.js';

const REPLICA = fileURLToPath(new URL('fixtures/replica.mjs', import.meta.url));

interface Run { name: string; connId: string }
type Scenarios = Record<string, { route: string; expect: Omit<ExpectedVerdict, 'connection' | 'scenario' | 'route'> }>;
const scenarios = SCENARIOS as Scenarios;

function expectedFor(run: Run): ExpectedVerdict {
  const sc = scenarios[run.name];
  return { connection: run.connId, scenario: run.name, route: sc.route.split('?')[0], ...sc.expect };
}

describe('a real ws + pino server, analyzed by the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-ws-pino-'));
  const logFile = join(dir, 'chat.log');
  let runs: Run[] = [];
  let report: Report;

  beforeAll(async () => {
    writeFileSync(logFile, '');
    const server = await startServer({ logFile });
    // Every scenario three times over, all at once: lines of 39 connections interleave.
    runs = await runAll(server.port, { copies: 3, delayMs: 3 });
    await server.close();
    const res = await runCli(['analyze', logFile, '--output', 'json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    report = JSON.parse(res.stdout) as Report;
  });

  it('interleaves the connections in the log', () => {
    const ids = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { connId: string }).connId);
    let switches = 0;
    for (let i = 1; i < ids.length; i++) if (ids[i] !== ids[i - 1]) switches++;
    expect(runs.length).toBe(Object.keys(SCENARIOS).length * 3);
    expect(switches).toBeGreaterThan(runs.length);
  });

  it('judges every connection as its scenario calls for', () => {
    const all = new Map<string, Verdict>();
    for (const v of report.incidents) all.set(v.connection, v);
    for (const run of runs) {
      const e = expectedFor(run);
      if (e.incident) expectVerdict(all.get(run.connId), e);
      else expect(all.has(run.connId), `${run.name} is not an incident`).toBe(false);
    }
  });

  it('counts every close, incident and root cause in the summary', () => {
    const s = report.summary;
    expect(s.closes).toBe(runs.length);
    const want: Record<string, number> = {};
    for (const run of runs) want[scenarios[run.name].expect.rootCause] = (want[scenarios[run.name].expect.rootCause] ?? 0) + 1;
    expect(s.byRootCause).toEqual(want);
    expect(s.incidents).toBe(runs.filter((r) => scenarios[r.name].expect.incident).length);
    expect(s.disagreements['data-type-mismatch@1011']?.count).toBe(3);
    expect(Object.keys(s.disagreements)).toEqual(['data-type-mismatch@1011']);
    expect(report.input.files).toEqual([expect.objectContaining({ name: logFile, parser: 'json', skipped: {} })]);
    expect(report.input.connections.openAtEnd).toBe(0);
  });

  it('names the exception type and top frame of the bug', () => {
    const bug = report.incidents.filter((v) => v.rootCause === 'unhandled-error');
    expect(bug).toHaveLength(3);
    for (const v of bug) {
      expect(v.exception).toMatchObject({ type: 'TypeError', message: "Cannot read properties of undefined (reading 'id')" });
      expect(v.exception!.topFrame).toMatch(/server\.mjs:\d+\)$/);
      expect(v.evidence.map((e) => e.kind)).toEqual(['open', 'frame', 'exception', 'close']);
    }
  });

  it('keeps payloads out of the report', () => {
    const mismatch = report.incidents.find((v) => v.rootCause === 'data-type-mismatch' && v.closeCode === 1011)!;
    expect(mismatch.exception?.type).toBe('SyntaxError');
    expect(JSON.stringify(report)).not.toContain('how are you');
    expect(JSON.stringify(report)).not.toContain('not bytes');
  });

  it('gives the same verdicts with the routes stated by --expect, and says so', async () => {
    const res = await runCli(['analyze', logFile, '-o', 'json', '-e', '/text=text', '-e', '/binary=binary', '-e', '/json=text', '-e', '/buggy=text']);
    const r = JSON.parse(res.stdout) as Report;
    expect(r.summary.byRootCause).toEqual(report.summary.byRootCause);
    const m = r.incidents.filter((v) => v.rootCause === 'data-type-mismatch');
    expect(m.length).toBe(9);
    for (const v of m) {
      expect(v.profile).toBe('user');
      expect(v.confidence).toBe(0.95);
    }
    expect(r.input.connections.rechecked).toBe(0);
  });

  it('re-checks at end of input a verdict judged before its route was learned', async () => {
    // The first connection of a fresh log is a mismatch: no normal connection on /text yet.
    const small = join(dir, 'first.log');
    writeFileSync(small, '');
    const server = await startServer({ logFile: small });
    const first = await runClient(server.port, 'binary-to-text');
    await runClient(server.port, 'text-normal');
    await server.close();
    const res = await runCli(['analyze', small, '-o', 'json']);
    const r = JSON.parse(res.stdout) as Report;
    const v = r.incidents.find((x) => x.connection === first.connId)!;
    expect(v.rootCause).toBe('data-type-mismatch');
    expect(v.profile).toBe('learned');
    expect(v.evidence.find((e) => e.kind === 'profile')?.summary).toMatch(/learned from 1 normal connection/);
    expect(r.input.connections.rechecked).toBe(1);
  });
});

describe('two replicas of the server, their lines interleaved as `kubectl logs -l app=chat --prefix` gives them', () => {
  // Each replica is its own process, numbering its connections from c1: the same ids, two processes, at the same moments.
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-replicas-'));
  const pods = ['chat-7d9f-a', 'chat-7d9f-b'];
  const merged = join(dir, 'pods.log');
  let report: Report;
  const logs: { pod: string; process: string; expected: ExpectedVerdict[] }[] = [];

  beforeAll(async () => {
    const replicas = pods.map((pod) => spawn(process.execPath, [REPLICA, join(dir, `${pod}.log`), join(dir, `${pod}.json`)], { stdio: ['pipe', 'pipe', 'inherit'] }));
    await Promise.all(replicas.map((r) => once(r.stdout, 'data')));
    for (const r of replicas) r.stdin.write('go\n');
    await Promise.all(replicas.map((r) => once(r, 'exit')));
    const lines: { time: number; text: string }[] = [];
    for (const pod of pods) {
      const own = readFileSync(join(dir, `${pod}.log`), 'utf8').trim().split('\n');
      const first = JSON.parse(own[0]) as { pid: number; hostname: string };
      logs.push({ pod, process: `${first.pid}@${first.hostname}`, expected: JSON.parse(readFileSync(join(dir, `${pod}.json`), 'utf8')) as ExpectedVerdict[] });
      for (const text of own) lines.push({ time: (JSON.parse(text) as { time: number }).time, text: `[pod/${pod}/server] ${text}` });
    }
    lines.sort((a, b) => a.time - b.time);
    writeFileSync(merged, lines.map((l) => l.text).join('\n') + '\n');
    const res = await runCli(['analyze', merged, '-o', 'json']);
    expect(res.stderr).toBe('');
    report = JSON.parse(res.stdout) as Report;
  }, 60_000);

  it('interleaves the two replicas\' lines', () => {
    let switches = 0;
    const pod = readFileSync(merged, 'utf8').trim().split('\n').map((l) => l.slice(0, l.indexOf(']')));
    for (let i = 1; i < pod.length; i++) if (pod[i] !== pod[i - 1]) switches++;
    expect(switches).toBeGreaterThan(20);
  });

  it('judges each replica\'s connections apart, by the process that served them', () => {
    expect(logs[0].process).not.toBe(logs[1].process);
    const ids = new Set(logs[0].expected.map((e) => e.connection));
    expect(logs[1].expected.filter((e) => ids.has(e.connection)).length).toBe(logs[1].expected.length);
    expectVerdictsByProcess(report, logs);
    const all = logs.flatMap((l) => l.expected);
    expect(report.summary.closes).toBe(all.length);
    expect(report.summary.incidents).toBe(all.filter((e) => e.incident).length);
    expect(report.input.connections).toMatchObject({ unended: 0, duplicateCloses: 0, afterClose: 0, openAtEnd: 0 });
  });
});

describe('a real ws + pino server: learned profiles, a close without status, a shutdown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-ws-pino-more-'));
  const logFile = join(dir, 'more.log');
  const json = (o: unknown) => Buffer.from(JSON.stringify(o));
  // /buggy parses data.toString(): JSON in a binary frame works there, though its normal
  // connections (the learned profile) send only text.
  const LOCAL = {
    'buggy-normal': SCENARIOS['buggy-normal'],
    'binary-json-then-bug': { route: '/buggy', send: [[json({ op: 'whoami', user: { id: 1 } }), true], [json({ op: 'whoami' }), true]], end: 'wait' },
    'binary-json-bug': { route: '/buggy', send: [[json({ op: 'whoami' }), true]], end: 'wait' },
    'binary-json-then-malformed': { route: '/buggy', send: [[json({ op: 'whoami', user: { id: 1 } }), true], [Buffer.from('{"op":'), true]], end: 'wait' },
    'binary-garbage-to-buggy': { route: '/buggy', send: [[Buffer.from([0x00, 0x9f, 0xff, 0x10]), true]], end: 'wait' },
    'no-status': { route: '/text', send: [['hello', false]], end: 'close-no-status' },
    'shutdown-text': { route: '/text', send: [['hi', false]], end: 'wait' },
    'shutdown-idle': { route: '/buggy', send: [], end: 'wait' },
  };
  const ids: Record<string, string> = {};
  let report: Report;
  let byConn: Map<string, Verdict>;

  beforeAll(async () => {
    writeFileSync(logFile, '');
    const server = await startServer({ logFile });
    const run = async (name: keyof typeof LOCAL) => {
      ids[name] = ((await runClient(server.port, name, { scenarios: LOCAL })) as Run).connId;
    };
    await run('buggy-normal');
    await run('buggy-normal');
    for (const name of ['binary-json-then-bug', 'binary-json-bug', 'binary-json-then-malformed', 'binary-garbage-to-buggy', 'no-status'] as const) await run(name);
    const shutdown = Promise.all([run('shutdown-text'), run('shutdown-idle')]);
    while (server.wss.clients.size < 2) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    // What a service does on SIGTERM: one line for the process, then a 1001 to each client.
    server.logger.info('SIGTERM received, shutting down: closing 2 websocket clients');
    for (const ws of server.wss.clients) ws.close(1001, 'server shutting down');
    await shutdown;
    await server.close();
    const res = await runCli(['analyze', logFile, '--output', 'json']);
    expect(res.stderr).toBe('');
    report = JSON.parse(res.stdout) as Report;
    byConn = new Map(report.incidents.map((v) => [v.connection, v]));
  });

  it('judges a bug on a binary frame unhandled-error when the connection shows /buggy takes binary, or the message was decoded', () => {
    for (const name of ['binary-json-then-bug', 'binary-json-bug']) {
      const v = byConn.get(ids[name])!;
      expect(v.rootCause, name).toBe('unhandled-error');
      expect(v.closeCode, name).toBe(1011);
      expect(v.codeAgreement, name).toBe('agrees');
      expect(v.confidence, name).toBe(0.9);
      expect(v.explanation, name).toBe('TypeError thrown while processing a binary message');
      expect(v.exception, name).toMatchObject({ type: 'TypeError', message: "Cannot read properties of undefined (reading 'id')" });
      expect(v.profile, name).toBeUndefined();
      expect(v.evidence.map((e) => e.kind), name).toEqual(['open', 'frame', 'exception', 'close']);
    }
  });

  it('judges a binary frame JSON.parse cannot read unhandled-error when the connection sent /buggy binary JSON before', () => {
    const v = byConn.get(ids['binary-json-then-malformed'])!;
    expect(v).toMatchObject({ rootCause: 'unhandled-error', closeCode: 1011, codeAgreement: 'agrees', confidence: 0.9, exception: { type: 'SyntaxError' } });
    expect(v.explanation).toBe('SyntaxError thrown while processing a binary message');
    expect(v.profile).toBeUndefined();
  });

  it('keeps a binary frame JSON.parse cannot read a data-type mismatch by the learned profile', () => {
    const v = byConn.get(ids['binary-garbage-to-buggy'])!;
    expect(v).toMatchObject({ rootCause: 'data-type-mismatch', closeCode: 1011, codeAgreement: 'disagrees', confidence: 0.78, profile: 'learned' });
    expect(v.explanation).toBe('data-type mismatch reported as 1011: check the opcode before parsing; a binary frame reached /buggy, which accepts text (SyntaxError followed)');
  });

  it('says a 1005 came with a close frame, without a status code', () => {
    const v = byConn.get(ids['no-status'])!;
    expect(v).toMatchObject({ rootCause: 'abnormal-closure', closeCode: 1005, codeAgreement: 'agrees', initiator: 'unknown', confidence: 0.6 });
    expect(v.explanation).toBe('No Status Received: a close frame without a status code ended the connection, and nothing on it explains why');
    expect(v.fix).toBe('Have clients close with an explicit code (1000 for a normal close).');
  });

  it('judges the 1001s of a shutdown server-restart, by the server, and the shutdown line no connection', () => {
    for (const name of ['shutdown-text', 'shutdown-idle']) {
      const v = byConn.get(ids[name])!;
      expect(v, name).toMatchObject({ rootCause: 'server-restart', closeCode: 1001, codeAgreement: 'agrees', initiator: 'server', confidence: 0.8 });
      expect(v.explanation, name).toBe('the server went away ("server shutting down")');
    }
    expect(report.summary.closes).toBe(Object.keys(LOCAL).length + 1);
    expect(report.summary.incidents).toBe(7);
    expect(report.incidents.map((v) => v.connection).sort()).toEqual(Object.keys(LOCAL).filter((n) => n !== 'buggy-normal').map((n) => ids[n]).sort());
  });
});
