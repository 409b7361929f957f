/**
 * The Markdown report of a real log: its tables carry the JSON summary's numbers, headings
 * nest, and log text cannot become markup.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report.js';
import { runCli } from '../support/cli.js';
import { writeRealLog } from '../support/real-log.js';
import { causeCounts, parseBefore, parseCodes, shareOf } from '../support/report-text.js';

/** The rows of the Markdown table that follows `heading` (without header and separator), cells unescaped. */
function mdTable(md: string, heading: string, nth = 0): string[][] {
  const start = md.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const tables = md.slice(start).split('\n\n').filter((p) => p.startsWith('| '));
  const lines = tables[nth].split('\n');
  expect(lines[1]).toMatch(/^\| (?:-{3}:?|-{3}) \|/);
  return lines.slice(2).map((l) => l.slice(2, -2).split(/(?<!\\) \| /).map((c) => c.replace(/\\(.)/g, '$1')));
}

describe('Markdown report of a real log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-md-'));
  const log = join(dir, 'chat.log');
  let report: Report;
  let md: string;

  beforeAll(async () => {
    await writeRealLog(log, { copies: 2 });
    report = JSON.parse((await runCli(['analyze', log, '-o', 'json'])).stdout) as Report;
    const res = await runCli(['analyze', log, '-o', 'md']);
    expect(res.code).toBe(0);
    md = res.stdout;
  });

  it('leads with the answer as a title and bold headline', () => {
    const s = report.summary;
    expect(md.split('\n')[0]).toBe(`# wsclose: ${s.closes} closes, ${s.incidents} incidents (${shareOf(s.incidents, s.closes)})`);
    expect(md.split('\n')[2]).toMatch(/^\*\*Most incidents are [\w-]+ \(\d+ of \d+\)\./);
  });

  it('carries the summary numbers in the root cause, disagreement and route tables', () => {
    const s = report.summary;
    const causes = mdTable(md, '## Root causes');
    expect(causes.length).toBe(Object.keys(s.byRootCause).length);
    for (const [cause, n, pct, codes] of causes) {
      const c = cause as keyof typeof s.byRootCause;
      expect([Number(n), pct, parseCodes(codes)], cause).toEqual([s.byRootCause[c], shareOf(s.byRootCause[c]!, s.closes), s.codesByRootCause[c]]);
    }
    const dis = mdTable(md, '## Where the close code and the cause disagree');
    expect(dis.map(([n, c, code]) => [Number(n), c, code])).toEqual(Object.values(s.disagreements).map((d) => [d.count, d.rootCause, String(d.closeCode)]));
    const routes = mdTable(md, '## By route');
    expect(Object.fromEntries(routes.map(([r, closes, inc]) => [r, [Number(closes), Number(inc)]])))
      .toEqual(Object.fromEntries(Object.entries(s.routes).map(([r, v]) => [r, [v.closes, v.incidents]])));
  });

  it('gives each root cause its section with codes, routes, signatures and timed evidence', () => {
    const s = report.summary;
    for (const [cause, n] of causeCounts(s.byRootCause).filter(([c]) => c !== 'normal')) {
      const heading = `## ${cause}: ${n} incident${n === 1 ? '' : 's'} (${shareOf(n, s.closes)} of closes)`;
      const at = md.indexOf(`\n${heading}\n`);
      expect(at, heading).toBeGreaterThan(-1);
      const body = md.slice(at + heading.length + 2, md.indexOf('\n## ', at + 1));
      const codes = /^- \*\*Close codes:\*\* (.+)$/m.exec(body)![1];
      expect(parseCodes(codes), cause).toEqual(s.codesByRootCause[cause]);
      const sigs = Object.values(s.exceptions).filter((e) => e.rootCause === cause);
      if (sigs.length) {
        const rows = mdTable(body.startsWith('\n') ? body : `\n${body}`, '### Exception signatures');
        expect(rows.map((r) => [Number(r[0]), r[1]]), cause).toEqual(sigs.map((e) => [e.count, `${e.type}: ${e.message.replace(/\u0000/g, '\\x00')}`]));
      }
      // The first example: its evidence table times each event back from the close.
      const title = /^\*\*(c\d+) /m.exec(body)![1];
      const v = report.incidents.find((x) => x.connection === title)!;
      const table = body.slice(body.indexOf(`**${title} `)).split('\n\n')[1].split('\n').slice(2).map((l) => l.slice(2, -2).split(' | '));
      expect(table.map((r) => r[1]), title).toEqual(v.evidence.map((e) => `\`${e.at.replace(`${dir}/`, '')}\``));
      v.evidence.forEach((e, k) => {
        if (e.time) expect(Math.abs(parseBefore(table[k][0]) - (Date.parse(e.time) - Date.parse(v.time!))), `${title} ${e.at}`).toBeLessThanOrEqual(1000);
      });
    }
  });

  it('keeps log text from becoming markup', async () => {
    const evil = join(dir, 'evil.log');
    const line = (o: object) => JSON.stringify({ level: 30, time: Date.parse('2026-03-01T10:00:00Z'), pid: 1, hostname: 'h', ...o });
    writeFileSync(evil, [
      line({ connId: 'x1', route: '/chat', msg: 'ws connection opened' }),
      line({ connId: 'x1', route: '/chat', code: 4001, reason: '<img src=x onerror=alert(1)> **bold** [link](http://e.x) | pipe', msg: 'ws connection closed' }),
    ].join('\n') + '\n');
    const res = await runCli(['analyze', evil, '-o', 'md']);
    expect(res.stdout).toContain('\\<img src=x onerror=alert(1)\\> \\*\\*bold\\*\\* \\[link\\](http://e.x) \\| pipe');
    expect(res.stdout).not.toMatch(/(?<!\\)<img/);
  });
});
