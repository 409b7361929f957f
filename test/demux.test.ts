/**
 * Several pods in one stream, as `kubectl logs -l app=chat --prefix` prints them: each line of
 * each pod, a crash report's too, comes whole, but the pods' lines interleave. Two real servers
 * of samples/node-crash, each in a host of its own named after its pod (as Kubernetes runs a
 * pod), crash at the same time on two different bad messages; every connection of each must be
 * judged by its own pod's crash. Two more, under one host name, show that a crash whose process
 * cannot be told blames no connection.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the sample's driver is plain JavaScript
import { expectedVerdicts, OPEN, runCrash } from '../samples/node-crash/crash.mjs';
import type { Report } from '../src/report.js';
import { runCli } from './support/cli.js';
import { expectVerdictsByProcess, type ExpectedVerdict } from './support/expect-verdict.js';

/** A host name of its own needs a UTS namespace: root, and util-linux's unshare. */
const UNSHARE = spawnSync('unshare', ['--uts', 'true']).status === 0;
if (!UNSHARE) console.warn('skipped: `unshare --uts` is not available here (it needs root), so the pods cannot have host names of their own');

interface Pod {
  name: string;
  lines: string[];
  process: string;
  expected: ExpectedVerdict[];
}

const dir = mkdtempSync(join(tmpdir(), 'wsclose-demux-'));

/** Runs one pod to its crash; `hostname` undefined: the machine's. */
async function pod(name: string, fatal: string, hostname?: string): Promise<Pod> {
  const log = join(dir, `${name}.log`);
  const expected = expectedVerdicts(await runCrash(log, { copies: 1, fatal, hostname })) as ExpectedVerdict[];
  const lines = readFileSync(log, 'utf8').trimEnd().split('\n').map((l) => `[pod/${name}/server] ${l}`);
  const first = JSON.parse(lines[0].slice(lines[0].indexOf('{'))) as { pid: number; hostname: string };
  return { name, lines, process: `${first.pid}@${first.hostname}`, expected };
}

/** The pods' lines `n` of each in turn: kubectl prints each pod's lines as they come, a few at a time. */
function inTurn(pods: Pod[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; pods.some((p) => i < p.lines.length); i += n) for (const p of pods) out.push(...p.lines.slice(i, i + n));
  return out;
}

async function analyze(name: string, lines: string[]): Promise<Report> {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const res = await runCli(['analyze', file, '-o', 'json']);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout) as Report;
}

describe.skipIf(!UNSHARE)('two pods that crash at once, each under its pod\'s host name', () => {
  let pods: Pod[];

  beforeAll(async () => {
    pods = await Promise.all([pod('chat-7d9f-a', 'profile-crash', 'chat-7d9f-a'), pod('chat-7d9f-b', 'profile-binary-crash', 'chat-7d9f-b')]);
  }, 60_000);

  it('runs each server under its own host name, numbering connections from c1', () => {
    expect(pods.map((p) => p.process.split('@')[1])).toEqual(['chat-7d9f-a', 'chat-7d9f-b']);
    expect(pods[0].expected.map((e) => e.connection)).toEqual(pods[1].expected.map((e) => e.connection));
  });

  it.each([1, 3])('judges each pod\'s connections by its own crash, their lines interleaved %i at a time', async (n) => {
    const lines = inTurn(pods, n);
    // The two crash reports' lines do interleave, with each other and the other pod's records.
    const report0 = lines.findIndex((l) => l.includes('] TypeError: '));
    const report1 = lines.findIndex((l) => l.includes('] SyntaxError: '));
    expect(report0).toBeGreaterThan(0);
    expect(report1).toBeGreaterThan(0);
    const between = lines.slice(Math.min(report0, report1) - 4, Math.max(report0, report1) + 4).map((l) => l.slice(0, l.indexOf(']')));
    expect(new Set(between).size).toBe(2);
    const report = await analyze(`pods-${n}.log`, lines);
    expectVerdictsByProcess(report, pods);
    const crashed = pods.flatMap((p) => p.expected.filter((e) => e.crash));
    expect(crashed).toHaveLength(2 * (Object.keys(OPEN).length + 1));
    expect(report.input.connections).toMatchObject({ crashed: crashed.length, openAtEnd: 0, unended: 0 });
    expect(report.input.files[0]).toMatchObject({ parser: 'json', linePrefix: true, skipped: {} });
    const all = pods.flatMap((p) => p.expected);
    expect(report.summary.closes).toBe(all.length);
    expect(report.summary.incidents).toBe(all.filter((e) => e.incident).length);
  });
});

describe('two pods that crash at once under one host name', () => {
  let pods: Pod[];

  beforeAll(async () => {
    pods = await Promise.all([pod('chat-5c4b-a', 'profile-crash'), pod('chat-5c4b-b', 'profile-binary-crash')]);
  }, 60_000);

  it('blames neither process for a crash it cannot tell whose: those connections stay open, the others are judged', async () => {
    expect(pods[0].process).not.toBe(pods[1].process);
    expect(pods[0].process.split('@')[1]).toBe(pods[1].process.split('@')[1]);
    const report = await analyze('pods-one-host.log', inTurn(pods, 1));
    const before = pods.map((p) => ({ ...p, expected: p.expected.filter((e) => !e.crash) }));
    expectVerdictsByProcess(report, before);
    const open = pods.flatMap((p) => p.expected.filter((e) => e.crash));
    expect(report.input.connections).toMatchObject({ crashed: 0, openAtEnd: open.length });
    expect(report.summary.closes).toBe(before.flatMap((p) => p.expected).length);
  });
});
