/** Field-by-field comparison of a verdict with the verdict a scenario calls for. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Verdict } from '../../src/model.js';
import type { Report } from '../../src/report.js';
import { runCli } from './cli.js';

export interface ExpectedVerdict {
  connection: string;
  scenario: string;
  route: string;
  rootCause: string;
  closeCode: number | null;
  codeAgreement: string;
  incident: boolean;
  reportedCode?: number;
  exceptionType?: string;
  topFrame?: string | RegExp;
  /** The connection was open when its process crashed: the crash report is its evidence. */
  crash?: boolean;
}

/** Where evidence points: `file:line` in logs, `traceId/spanId` in traces. */
export const LOG_AT = /:\d+$/;
export const SPAN_AT = /^[0-9a-f]{16,32}\/[0-9a-f]{16}$/;

export function expectVerdict(v: Verdict | undefined, e: ExpectedVerdict, at: RegExp = LOG_AT): void {
  const where = `${e.scenario} (${e.connection})`;
  expect(v, `no verdict for ${where}`).toBeDefined();
  expect(v!.connection, where).toBe(e.connection);
  expect(v!.route, where).toBe(e.route);
  expect(v!.rootCause, where).toBe(e.rootCause);
  expect(v!.closeCode, where).toBe(e.closeCode);
  expect(v!.codeAgreement, where).toBe(e.codeAgreement);
  expect(v!.incident, where).toBe(e.incident);
  if (e.reportedCode !== undefined) expect(v!.reportedCode, where).toBe(e.reportedCode);
  else expect(v!.reportedCode, where).toBeUndefined();
  expect(v!.confidence, where).toBeGreaterThan(0);
  expect(v!.confidence, where).toBeLessThanOrEqual(1);
  expect(v!.explanation.length, where).toBeGreaterThan(10);
  expect(v!.fix.length, where).toBeGreaterThan(10);
  expect(v!.at, where).toMatch(at);
  expect(v!.evidence.at(-1)?.kind, where).toBe('close');
  const stated = new RegExp(`${at.source}|^--expect$`);
  for (const ev of v!.evidence) expect(ev.at, where).toMatch(ev.kind === 'profile' ? stated : at);
  if (e.exceptionType) {
    expect(v!.exception?.type, where).toBe(e.exceptionType);
    const kind = e.crash ? 'crash' : 'exception';
    const summary = e.crash ? `process crashed: ${e.exceptionType}:` : e.exceptionType;
    expect(v!.evidence.some((ev) => ev.kind === kind && ev.summary.startsWith(summary)), where).toBe(true);
  }
  if (e.crash !== undefined) expect(v!.evidence.some((ev) => ev.kind === 'crash'), where).toBe(e.crash);
  if (e.topFrame) expect(v!.exception?.topFrame, where).toMatch(new RegExp(e.topFrame));
}

/** Every connection of a report judged as its scenario calls for: incidents field by field, the rest absent. */
export function expectVerdicts(report: Report, want: ExpectedVerdict[], at: RegExp = LOG_AT): void {
  const byConn = new Map(report.incidents.map((v) => [v.connection, v]));
  for (const e of want) {
    if (e.incident) expectVerdict(byConn.get(e.connection), e, at);
    else expect(byConn.has(e.connection), e.scenario).toBe(false);
  }
  expect(report.summary.closes).toBe(want.length);
  expect(report.summary.incidents).toBe(want.filter((e) => e.incident).length);
}

/** The connections of each process (`pid@hostname`) judged as its own scenarios call for: the processes share connection ids. */
export function expectVerdictsByProcess(report: Report, processes: { process: string; expected: ExpectedVerdict[] }[]): void {
  for (const { process, expected } of processes) {
    const own = new Map(report.incidents.filter((v) => v.process === process).map((v) => [v.connection, v]));
    for (const e of expected) {
      if (e.incident) expectVerdict(own.get(e.connection), e);
      else expect(own.has(e.connection), `${e.scenario} (${e.connection}) is not an incident`).toBe(false);
    }
    expect(own.size).toBe(expected.filter((e) => e.incident).length);
  }
}

/**
 * `report` has `base`'s verdicts and summary, field by field, its evidence at the same line numbers
 * of `file` where `base`'s are of `baseFile` (the same lines read another way: prefixed, piped).
 */
export function expectSameVerdicts(report: Report, base: Report, baseFile: string, file: string, where?: string): void {
  const renamed = <T>(x: T) => JSON.parse(JSON.stringify(x).split(`${baseFile}:`).join(`${file}:`)) as T;
  expect(report.incidents, where).toEqual(renamed(base.incidents));
  expect(report.summary, where).toEqual(renamed(base.summary));
}

/** Runs the built CLI on a sample log (with `args`): read by `parser`, every connection judged as its `*.expected.json` says. */
export async function expectSampleVerdicts(log: string, expected: string, parser: string, args: string[] = [], at: RegExp = LOG_AT): Promise<Report> {
  const res = await runCli(['analyze', log, '-o', 'json', ...args]);
  expect(res.code).toBe(0);
  const report = JSON.parse(res.stdout) as Report;
  expect(report.input.files[0].parser).toBe(parser);
  expectVerdicts(report, JSON.parse(readFileSync(expected, 'utf8')) as ExpectedVerdict[], at);
  return report;
}
