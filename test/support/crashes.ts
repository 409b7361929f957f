/**
 * Several processes of samples/node-crash in one stream (pods, units), each crashing: every
 * connection must be judged by its own process's crash.
 */
import { expect } from 'vitest';
// @ts-expect-error: the sample's driver is plain JavaScript
import { OPEN } from '../../samples/node-crash/crash.mjs';
import type { Report } from '../../src/report.js';
import { runCli } from './cli.js';
import { expectVerdictsByProcess, type ExpectedVerdict } from './expect-verdict.js';

/** Analyzes `file` (with and without the prefilter: the same report) and checks each process's verdicts and the crashes' counts. */
export async function expectOwnCrashes(file: string, processes: { process: string; expected: ExpectedVerdict[] }[]): Promise<Report> {
  const res = await runCli(['analyze', file, '-o', 'json']);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  const report = JSON.parse(res.stdout) as Report;
  // The prefilter drops nothing: every line parsed gives the same report.
  expect((await runCli(['analyze', file, '-o', 'json', '--no-prefilter'])).stdout).toBe(res.stdout);
  expectVerdictsByProcess(report, processes);
  const crashed = processes.flatMap((p) => p.expected.filter((e) => e.crash));
  expect(crashed).toHaveLength(processes.length * (Object.keys(OPEN).length + 1));
  expect(report.input.connections).toMatchObject({ crashed: crashed.length, openAtEnd: 0, unended: 0, duplicateCloses: 0 });
  expect(report.input.files[0]).toMatchObject({ parser: 'json', linePrefix: true, skipped: {} });
  const all = processes.flatMap((p) => p.expected);
  expect(report.summary.closes).toBe(all.length);
  expect(report.summary.incidents).toBe(all.filter((e) => e.incident).length);
  return report;
}
