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
    for (const bad of ['yesterday', '2h ago', '12', '']) expect(parseTime(bad, now), bad).toMatch(/^expected an ISO time \(2026-05-01T10:00Z; UTC when no zone is given\)/);
  });

  it('reads a time without a zone as UTC, as reports print times, and one with a zone at its offset', () => {
    expect(parseTime('2026-11-26 17:20:28.640')).toBe(Date.parse('2026-11-26T17:20:28.640Z'));
    expect(parseTime('2026-11-26T17:20')).toBe(Date.parse('2026-11-26T17:20:00Z'));
    expect(parseTime('2026-11-26T17:20:28,5')).toBe(Date.parse('2026-11-26T17:20:28.500Z'));
    expect(parseTime('2026-11-26T12:20:28-05:00')).toBe(Date.parse('2026-11-26T17:20:28Z'));
    expect(parseTime('2026-11-26T19:20:28+0200')).toBe(Date.parse('2026-11-26T17:20:28Z'));
    expect(parseTime('2028-02-29')).toBe(Date.parse('2028-02-29T00:00:00Z'));
  });

  it('refuses a date or time that does not exist instead of rolling it over', () => {
    for (const bad of ['2026-02-30', '2026-02-29', '2026-13-01', '2026-04-31', '2026-05-01T24:00', '2026-05-01T10:60', '2026-05-01T10:00:61']) {
      expect(parseTime(bad), bad).toBe(`no such date or time: ${bad}`);
    }
    expect(parseTime('2026-05-01T10:00+25:00')).toBe('no such time zone offset: +25:00');
  });
});

describe('--since on the command line', () => {
  const SAMPLE = 'samples/ws-pino/chat.log'; // 26 closes from 17:20:28.6 UTC on 2026-11-26
  const closes = async (env: NodeJS.ProcessEnv, since: string) => {
    const res = await runCli(['analyze', SAMPLE, '-o', 'json', '--since', since], { env });
    expect(res.code, res.stderr).toBe(0);
    return (JSON.parse(res.stdout) as Report).summary.closes;
  };

  it('reads a zone-less time as UTC whatever the machine\'s zone', async () => {
    const utc = await closes({ TZ: 'UTC' }, '2026-11-26 17:20:28.640');
    expect(utc).toBeGreaterThan(0);
    expect(utc).toBeLessThan(26);
    expect(await closes({ TZ: 'America/New_York' }, '2026-11-26 17:20:28.640')).toBe(utc);
    expect(await closes({ TZ: 'Asia/Tokyo' }, '2026-11-26 17:20:28.640')).toBe(utc);
  });

  it('refuses an impossible date with a clear error and exit 2', async () => {
    const res = await runCli(['analyze', SAMPLE, '--since', '2026-02-30']);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe("error: option '--since <time>' argument '2026-02-30' is invalid. no such date or time: 2026-02-30\nRun 'wsclose analyze --help' for the options.\n");
  });

  it('says so when every close found was outside the window, in text, md and html', async () => {
    for (const format of ['text', 'md', 'html']) {
      const res = await runCli(['analyze', SAMPLE, '-o', format, '--since', '2030-01-01']);
      expect(res.code, format).toBe(0);
      const text = res.stdout.replace(/\s+/g, ' ');
      expect(text, format).toContain('26 close(s) were found in 98 lines, all outside --since/--until/--route.');
      expect(text, format).not.toContain('No WebSocket close was found');
    }
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
