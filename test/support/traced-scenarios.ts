/** The traced chat run (samples/otel/traced.mjs): the verdict each connection's scenario calls for, checked on a report. */
import { expect } from 'vitest';
// @ts-expect-error: the sample's scripts are plain JavaScript
import { SCENARIOS } from '../../samples/ws-pino/server.mjs';
import type { Report } from '../../src/report.js';
import { runCli } from './cli.js';
import { expectVerdicts, type ExpectedVerdict } from './expect-verdict.js';

export interface Run { name: string; connId: string }

type Scenarios = Record<string, { route: string; expect: Omit<ExpectedVerdict, 'connection' | 'scenario' | 'route'> }>;
export const scenarios = SCENARIOS as Scenarios;

export function expectedFor(run: Run): ExpectedVerdict {
  const sc = scenarios[run.name];
  return { connection: run.connId, scenario: run.name, route: sc.route.split('?')[0], ...sc.expect };
}

/** The built CLI's JSON report on one file; it must succeed quietly. */
export async function analyzeFile(file: string): Promise<Report> {
  const res = await runCli(['analyze', file, '-o', 'json']);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout) as Report;
}

/** Every incident run has its verdict (as `adjust` says a format can keep it); no other run has one. */
export function expectScenarioVerdicts(report: Report, runs: Run[], at: RegExp, adjust = (e: ExpectedVerdict) => e): void {
  expectVerdicts(report, runs.map((r) => adjust(expectedFor(r))), at);
}
