/**
 * `wsclose merge` over the JSON reports of two real logs (two runs of the ws + pino server,
 * as two hosts would write) gives the report of analyzing both logs at once. With the routes'
 * accepted types stated (--expect) every verdict is identical; when they are learned, each
 * host learns from its own traffic, so the verdicts agree but a confidence may differ.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../src/model.js';
import type { Report } from '../src/report.js';
import { runCli } from './support/cli.js';
import { writeRealLog } from './support/real-log.js';

const EXPECT = ['-e', '/text=text', '-e', '/binary=binary', '-e', '/json=text', '-e', '/buggy=text'];
const key = (v: Verdict) => `${v.at} ${v.connection}`;
const sorted = (vs: Verdict[]) => [...vs].sort((a, b) => key(a).localeCompare(key(b)));

describe('wsclose merge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-merge-'));
  const a = join(dir, 'web1.log');
  const b = join(dir, 'web2.log');
  let together: Report;
  let merged: Report;

  beforeAll(async () => {
    // Overlapping hours, different steps: the timelines of the two hosts interleave.
    await writeRealLog(a, { copies: 2, start: Date.parse('2026-03-01T09:00:00Z'), stepMs: 9_000 });
    await writeRealLog(b, { copies: 3, start: Date.parse('2026-03-01T09:04:30Z'), stepMs: 4_000 });
    for (const [log, out] of [[a, 'web1.json'], [b, 'web2.json']]) {
      const res = await runCli(['analyze', log, ...EXPECT, '-o', 'json', '--out', join(dir, out)]);
      expect(res.code).toBe(0);
    }
    const m = await runCli(['merge', join(dir, 'web1.json'), join(dir, 'web2.json'), '-o', 'json']);
    expect(m.stderr).toBe('');
    expect(m.code).toBe(0);
    merged = JSON.parse(m.stdout) as Report;
    together = JSON.parse((await runCli(['analyze', a, b, ...EXPECT, '-o', 'json'])).stdout) as Report;
  });

  it('has the summary of analyzing all inputs together', () => {
    expect(merged.summary.closes).toBe(together.summary.closes);
    // Not a trivial timeline: minute buckets, many of them. How many depends on how the two runs'
    // closes fall into minutes (10 to 13 seen), so the bound is loose; the equality below is the test.
    expect(merged.summary.timeline.bucketMinutes).toBe(1);
    expect(Object.keys(merged.summary.timeline.buckets).length).toBeGreaterThan(5);
    expect(merged.summary).toEqual(together.summary);
  });

  it('has the same incidents', () => {
    expect(merged.incidents.length).toBe(together.incidents.length);
    expect(sorted(merged.incidents)).toEqual(sorted(together.incidents));
    const times = merged.incidents.map((v) => v.time ?? '');
    expect(times).toEqual([...times].sort());
  });

  it('combines the input statistics', () => {
    expect(merged.input.files).toEqual(together.input.files);
    expect(merged.input.lines).toBe(together.input.lines);
    expect(merged.input.events).toBe(together.input.events);
    expect(merged.input.skipped).toEqual(together.input.skipped);
    expect(merged.input.connections).toEqual(together.input.connections);
  });

  it('agrees on every verdict when each host learned its routes from its own traffic', async () => {
    const [one, two] = await Promise.all([a, b].map(async (log) => (await runCli(['analyze', log, '-o', 'json'])).stdout));
    writeFileSync(join(dir, 'l1.json'), one);
    writeFileSync(join(dir, 'l2.json'), two);
    const m = JSON.parse((await runCli(['merge', join(dir, 'l1.json'), join(dir, 'l2.json'), '-o', 'json'])).stdout) as Report;
    const t = JSON.parse((await runCli(['analyze', a, b, '-o', 'json'])).stdout) as Report;
    expect(m.summary).toEqual(t.summary);
    const gist = (vs: Verdict[]) => sorted(vs).map((v) => [v.connection, v.at, v.rootCause, v.closeCode, v.codeAgreement, v.evidence.filter((e) => e.kind !== 'profile').map((e) => e.at)]);
    expect(gist(m.incidents)).toEqual(gist(t.incidents));
    expect(m.input.connections.rechecked).toBeGreaterThanOrEqual(t.input.connections.rechecked);
  });

  it('is associative: merging a merged report with nothing changes nothing', async () => {
    writeFileSync(join(dir, 'merged.json'), JSON.stringify(merged));
    const again = JSON.parse((await runCli(['merge', join(dir, 'merged.json'), '-o', 'json'])).stdout) as Report;
    expect(again.summary).toEqual(merged.summary);
    expect(again.incidents).toEqual(merged.incidents);
  });

  it('renders the same text, Markdown and HTML report as one analysis of both logs', async () => {
    const s = together.summary;
    for (const format of ['text', 'md', 'html']) {
      const m = await runCli(['merge', join(dir, 'web1.json'), join(dir, 'web2.json'), '-o', format]);
      const t = await runCli(['analyze', a, b, ...EXPECT, '-o', format]);
      expect(m.stdout, format).toBe(t.stdout);
      expect(m.stdout, format).toContain(`wsclose: ${s.closes} closes, ${s.incidents} incidents (${Math.round((s.incidents / s.closes) * 100)}%)`);
    }
  });

  it('reports a file that is not a wsclose report, merges the rest and exits 2', async () => {
    writeFileSync(join(dir, 'junk.json'), '{"hello":1}');
    writeFileSync(join(dir, 'broken.json'), '{"tool":');
    const res = await runCli(['merge', join(dir, 'web1.json'), join(dir, 'junk.json'), join(dir, 'broken.json'), '-o', 'json']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`${join(dir, 'junk.json')}: not a JSON report (merge reads reports written with -o json)`);
    expect(res.stderr).toContain(`${join(dir, 'broken.json')}: `);
    const r = JSON.parse(res.stdout) as Report;
    expect(r.input.files.map((f) => f.name)).toEqual([a]);
  });

  it('gates CI with --fail-on across hosts', async () => {
    const res = await runCli(['merge', join(dir, 'web1.json'), join(dir, 'web2.json'), '--fail-on', 'unhandled-error', '-o', 'json']);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`wsclose: --fail-on matched: unhandled-error=${together.summary.byRootCause['unhandled-error']}\n`);
  });
});
