/**
 * --since, --until and --route on a real log: the report covers exactly the verdicts in the
 * window and on the routes, and counts the rest as left out.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTime } from '../src/filter.js';
import type { Verdict } from '../src/model.js';
import type { Report } from '../src/report.js';
import { runCli } from './support/cli.js';
import { writeRealLog } from './support/real-log.js';

describe('parseTime', () => {
  it('reads ISO times and spans back from now', () => {
    const now = Date.parse('2026-05-01T12:00:00Z');
    expect(parseTime('2026-05-01T10:00Z', now)).toBe(Date.parse('2026-05-01T10:00:00Z'));
    expect(parseTime('2026-05-01', now)).toBe(Date.parse('2026-05-01T00:00:00Z'));
    expect(parseTime('90s', now)).toBe(now - 90_000);
    expect(parseTime('30m', now)).toBe(now - 1_800_000);
    expect(parseTime('2h', now)).toBe(now - 7_200_000);
    expect(parseTime('1.5d', now)).toBe(now - 129_600_000);
    expect(parseTime('1w', now)).toBe(now - 604_800_000);
    for (const bad of ['yesterday', '2h ago', '12', '2026-13-45', '']) expect(parseTime(bad, now), bad).toBeUndefined();
  });
});

describe('filters on a real log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-filter-'));
  const log = join(dir, 'chat.log');
  let all: Verdict[];

  beforeAll(async () => {
    // Three hours of traffic up to now (pino's clock steps 70 s a line).
    await writeRealLog(log, { copies: 2, start: Date.now() - 3 * 3_600_000, stepMs: 70_000 });
    all = (await runCli(['analyze', log, '-o', 'ndjson'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Verdict);
  });

  const analyze = async (...args: string[]) => JSON.parse((await runCli(['analyze', log, '-o', 'json', ...args])).stdout) as Report;

  it('keeps the closes between --since and --until', async () => {
    const times = all.map((v) => v.time!).sort();
    const since = times[Math.floor(times.length / 4)];
    const until = times[Math.floor((times.length * 3) / 4)];
    const r = await analyze('--since', since, '--until', until);
    const want = all.filter((v) => v.time! >= since && v.time! <= until);
    expect(r.summary.closes).toBe(want.length);
    expect(r.summary.incidents).toBe(want.filter((v) => v.incident).length);
    expect(r.incidents.map((v) => v.connection).sort()).toEqual(want.filter((v) => v.incident).map((v) => v.connection).sort());
    expect(r.input.connections.filteredOut).toBe(all.length - want.length);
    expect(r.summary.firstClose! >= since && r.summary.lastClose! <= until).toBe(true);
  });

  it('reads --since as a span back from now', async () => {
    const before = Date.now() - 7_200_000;
    const r = await analyze('--since', '2h');
    const after = Date.now() - 7_200_000;
    const most = all.filter((v) => Date.parse(v.time!) >= before).length;
    const least = all.filter((v) => Date.parse(v.time!) >= after).length;
    expect(r.summary.closes).toBeGreaterThanOrEqual(least);
    expect(r.summary.closes).toBeLessThanOrEqual(most);
    expect(r.summary.closes).toBeGreaterThan(0);
    expect(r.summary.closes).toBeLessThan(all.length);
  });

  it('keeps the closes on the routes named by --route, exact or by prefix', async () => {
    const r = await analyze('--route', '/text', '--route', '/bin*');
    const want = all.filter((v) => v.route === '/text' || v.route!.startsWith('/bin'));
    expect(r.summary.closes).toBe(want.length);
    expect(Object.keys(r.summary.routes).sort()).toEqual(['/binary', '/text']);
    expect(r.summary.byRootCause).toEqual(want.reduce<Record<string, number>>((m, v) => ({ ...m, [v.rootCause]: (m[v.rootCause] ?? 0) + 1 }), {}));
  });

  it('still learns what a route accepts from the closes it leaves out', async () => {
    // Only the mismatches on /text remain, yet /text is known to take text from its normal closes.
    const r = await analyze('--route', '/text');
    const mismatch = r.incidents.filter((v) => v.rootCause === 'data-type-mismatch');
    expect(mismatch.length).toBe(all.filter((v) => v.route === '/text' && v.rootCause === 'data-type-mismatch').length);
    expect(mismatch.length).toBeGreaterThan(0);
    for (const v of mismatch) expect(v.profile).toBe('learned');
  });

  it('says what it left out, and rejects a time it cannot read', async () => {
    const text = (await runCli(['analyze', log, '--route', '/json'])).stdout.replace(/\s+/g, ' ');
    expect(text).toContain(`${all.filter((v) => v.route !== '/json').length} close(s) left out by --since/--until/--route`);
    const bad = await runCli(['analyze', log, '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected an ISO time');
  });
});
