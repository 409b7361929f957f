/**
 * Several pods in one stream, as `kubectl logs -l app=chat --prefix` prints them: each line of
 * each pod, a crash report's too, comes whole, but the pods' lines interleave. Two real servers
 * of samples/node-crash, each numbering its connections from c1, crash at the same time on two
 * different bad messages; every connection of each must be judged by its own pod's crash, when
 * the records name their process (pino's pid and hostname) and when they name none.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the sample's driver is plain JavaScript
import { expectedVerdicts, runCrash } from '../samples/node-crash/crash.mjs';
import { expectOwnCrashes } from './support/crashes.js';
import type { ExpectedVerdict } from './support/expect-verdict.js';

interface Pod {
  lines: string[];
  /** What the verdicts of its connections name as their process. */
  process: string;
  expected: ExpectedVerdict[];
}

const dir = mkdtempSync(join(tmpdir(), 'wsclose-demux-'));

/** Runs one pod to its crash. */
async function pod(name: string, fatal: string, anonymous: boolean): Promise<Pod> {
  const log = join(dir, `${name}.log`);
  const expected = expectedVerdicts(await runCrash(log, { copies: 1, fatal, anonymous })) as ExpectedVerdict[];
  const own = readFileSync(log, 'utf8').trimEnd().split('\n');
  const first = JSON.parse(own[0]) as { pid?: number; hostname?: string };
  const source = `pod/${name}/server`;
  return { lines: own.map((l) => `[${source}] ${l}`), process: anonymous ? source : `${first.pid}@${first.hostname}`, expected };
}

/** The pods' lines `n` of each in turn: kubectl prints each pod's lines as they come, a few at a time. */
function inTurn(pods: Pod[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; pods.some((p) => i < p.lines.length); i += n) for (const p of pods) out.push(...p.lines.slice(i, i + n));
  return out;
}

describe.each([
  ['name their process (pid and hostname)', false],
  ['name no process (pino\'s base: null)', true],
])('two pods that crash at once, whose records %s', (_, anonymous) => {
  let pods: Pod[];

  beforeAll(async () => {
    const tag = anonymous ? 'x' : 'p';
    pods = await Promise.all([pod(`chat-${tag}-a`, 'profile-crash', anonymous), pod(`chat-${tag}-b`, 'profile-binary-crash', anonymous)]);
  }, 60_000);

  it('numbers each pod\'s connections from c1', () => {
    expect(pods[0].expected.map((e) => e.connection)).toEqual(pods[1].expected.map((e) => e.connection));
    expect(pods[0].process).not.toBe(pods[1].process);
    expect(pods[0].lines.some((l) => l.includes('"pid"'))).toBe(!anonymous);
  });

  it.each([1, 3])('judges each pod\'s connections by its own crash, their lines interleaved %i at a time', async (n) => {
    const lines = inTurn(pods, n);
    // The two crash reports' lines interleave, with each other and with the other pod's records.
    const report0 = lines.findIndex((l) => l.includes('] TypeError: '));
    const report1 = lines.findIndex((l) => l.includes('] SyntaxError: '));
    expect(Math.min(report0, report1)).toBeGreaterThan(0);
    const near = lines.slice(Math.min(report0, report1) - 4, Math.max(report0, report1) + 4).map((l) => l.slice(0, l.indexOf(']')));
    expect(new Set(near).size).toBe(2);
    const file = join(dir, `pods-${anonymous}-${n}.log`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    await expectOwnCrashes(file, pods);
  });
});
