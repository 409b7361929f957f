/**
 * The terminal report of a real log (a ws server logging with pino, driven by real clients),
 * read back line by line: every number in it must be the JSON summary's number for the same
 * input, every line must fit 80 columns, and colour appears only where it should.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report.js';
import { CLI, runCli } from '../support/cli.js';
import { writeRealLog } from '../support/real-log.js';
import { causeCounts, parseBefore, parseCodes, shareOf } from '../support/report-text.js';

const ESC = '\x1b[';

/** The lines of the section under `heading` (up to the next underlined heading). */
function section(lines: string[], heading: string): string[] {
  const i = lines.indexOf(heading);
  expect(i, `section "${heading}"`).toBeGreaterThan(-1);
  expect(lines[i + 1]).toMatch(/^-+$/);
  let j = i + 2;
  while (j < lines.length && !(lines[j + 1] !== undefined && /^-+$/.test(lines[j + 1]) && lines[j] !== '')) j++;
  return lines.slice(i + 2, j);
}

/** Table rows of a section, cells split at two blanks; lines that continue a wrapped cell (first column blank) are left out. */
function tableRows(lines: string[], header: RegExp): string[][] {
  const h = lines.findIndex((l) => header.test(l));
  expect(h, `table ${header}`).toBeGreaterThan(-1);
  const second = lines[h].indexOf('  ', 2 + lines[h].trim().split(/\s{2,}/)[0].length) ;
  const rows: string[][] = [];
  for (const line of lines.slice(h + 1)) {
    if (!line.startsWith('  ') || line.trim() === '') break;
    if (line.slice(2, second).trim() === '') continue;
    rows.push(line.trim().split(/\s{2,}/));
  }
  return rows;
}

describe('text report of a real log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-text-'));
  const log = join(dir, 'chat.log');
  let report: Report;
  let text: string;
  let lines: string[];

  beforeAll(async () => {
    await writeRealLog(log, { copies: 3 });
    const json = await runCli(['analyze', log, '-o', 'json']);
    report = JSON.parse(json.stdout) as Report;
    const res = await runCli(['analyze', log]);
    expect(res.code).toBe(0);
    text = res.stdout;
    lines = text.split('\n');
  });

  it('leads with the closes, the incidents and the largest cause', () => {
    const s = report.summary;
    expect(lines[0]).toBe(`wsclose: ${s.closes} closes, ${s.incidents} incidents (${shareOf(s.incidents, s.closes)})`);
    const [cause, n] = causeCounts(s.byRootCause).filter(([c]) => c !== 'normal').sort((a, b) => b[1] - a[1])[0];
    const lead = lines.slice(2, 5).join(' ');
    expect(lead).toContain(`Most incidents are ${cause} (${n} of ${s.incidents}).`);
    const disagree = Object.values(s.disagreements).reduce((k, d) => k + d.count, 0);
    expect(lead).toContain(`${disagree} close(s) carry a code that does not match their cause`);
    expect(lead).toContain(`Closes from ${s.firstClose!.slice(0, 10)} ${s.firstClose!.slice(11, 19)} to ${s.lastClose!.slice(11, 19)} UTC`);
  });

  it('counts every root cause with its share and close codes, incidents first', () => {
    const s = report.summary;
    const rows = tableRows(section(lines, 'Root causes'), /root cause\s+closes\s+share\s+close codes/);
    // Every cause once; incidents largest first, normal last.
    expect(rows.map((r) => r[0]).sort()).toEqual(Object.keys(s.byRootCause).sort());
    const incidents = rows.filter((r) => r[0] !== 'normal').map((r) => Number(r[1]));
    expect(incidents).toEqual([...incidents].sort((a, b) => b - a));
    if (s.byRootCause.normal) expect(rows.at(-1)![0]).toBe('normal');
    for (const [cause, count, pct, codes] of rows) {
      expect(Number(count), cause).toBe(s.byRootCause[cause as keyof typeof s.byRootCause]);
      expect(pct, cause).toBe(shareOf(Number(count), s.closes));
      expect(parseCodes(codes), cause).toEqual(s.codesByRootCause[cause as keyof typeof s.byRootCause]);
    }
  });

  it('lists where the code and the cause disagree', () => {
    const rows = tableRows(section(lines, 'Where the close code and the cause disagree'), /count\s+root cause\s+code\s+why/);
    const want = Object.values(report.summary.disagreements);
    expect(rows.map(([n, cause, code]) => [Number(n), cause, code])).toEqual(want.map((d) => [d.count, d.rootCause, String(d.closeCode)]));
  });

  it('gives each root cause its codes, routes, exception signatures, fix and examples', () => {
    const s = report.summary;
    for (const [cause, n] of causeCounts(s.byRootCause).filter(([c]) => c !== 'normal')) {
      const sec = section(lines, `${cause}: ${n} incident${n === 1 ? '' : 's'} (${shareOf(n, s.closes)} of closes)`);
      const field = (label: string) => {
        const i = sec.findIndex((l) => l.startsWith(`  ${label}:`));
        expect(i, `${cause} ${label}`).toBeGreaterThan(-1);
        let value = sec[i].slice(label.length + 3).trim();
        for (let j = i + 1; j < sec.length && /^ {3,}\S/.test(sec[j]) && !/^\s+\w+:/.test(sec[j]) && !sec[j].startsWith('  Exception') && !sec[j].startsWith('  Examples'); j++) value += ` ${sec[j].trim()}`;
        return value;
      };
      expect(parseCodes(field('Close codes')), cause).toEqual(s.codesByRootCause[cause]);
      const routes = Object.fromEntries(field('Routes').split(', ').map((p) => { const [r, k] = p.split(' ×'); return [r, Number(k)]; }));
      const want = Object.fromEntries(Object.entries(s.routes).filter(([, r]) => r.byRootCause[cause]).map(([k, r]) => [k, r.byRootCause[cause]]));
      expect(routes, cause).toEqual(want);
      const fixes = report.incidents.filter((v) => v.rootCause === cause).map((v) => v.fix);
      expect(fixes.some((f) => field('Fix').includes(f.split(' ').slice(0, 6).join(' '))), cause).toBe(true);

      const sigs = Object.values(s.exceptions).filter((e) => e.rootCause === cause);
      if (sigs.length) {
        const rows = tableRows(sec, /count\s+exception\s+first application frame/);
        expect(rows.map((r) => Number(r[0])).reduce((a, b) => a + b, 0), cause).toBe(sigs.reduce((a, e) => a + e.count, 0));
        expect(rows[0][1].startsWith(`${sigs[0].type}:`), cause).toBe(true);
      }
      expect(sec.some((l) => l.trim().startsWith('Examples')), cause).toBe(true);
    }
  });

  it('times each evidence line of an example back from the close', () => {
    expect(checkExamples(lines, report, log)).toBeGreaterThanOrEqual(6);
  });

  it("keeps each evidence line's file:line whole when the name is long, and fits 80 columns", async () => {
    // A kubelet-style name: with it, the evidence rows are wider than 80 columns, so some cell
    // must wrap: the summary does, never the file:line.
    const long = join(dir, 'chat-7f9c4d-x2k8p_server.log');
    copyFileSync(log, long);
    const longReport = JSON.parse((await runCli(['analyze', long, '-o', 'json'])).stdout) as Report;
    const longLines = (await runCli(['analyze', long])).stdout.split('\n');
    expect(longLines.some((l) => /^ {6}.*\.log:\d+ {2,}\w+ {2,}/.test(l) && l.length > 70)).toBe(true);
    for (const l of longLines) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(checkExamples(longLines, longReport, long)).toBeGreaterThanOrEqual(6);
  });

  it("lets a trace's traceId/spanId wrap rather than squeeze the evidence's summary", async () => {
    // 49 columns kept whole would leave the summary 8 wide at 80 columns.
    const res = await runCli(['analyze', 'samples/otel/chat.otlp.jsonl']);
    const rows = res.stdout.split('\n');
    for (const l of rows) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(rows.some((l) => /^ {6}\s*-\d+ms {2}[0-9a-f]{20,} {2}exception {2}SyntaxError: Unexpected$/.test(l))).toBe(true);
  });

  /** Checks every example's evidence rows (location and time before the close) against the JSON report; how many examples. */
  function checkExamples(lines: string[], report: Report, log: string): number {
    let checked = 0;
    for (let i = 0; i < lines.length; i++) {
      const m = /^ {2}- (c\d+) (\S+): closed/.exec(lines[i]);
      if (!m) continue;
      const v = report.incidents.find((x) => x.connection === m[1])!;
      expect(v.route).toBe(m[2]);
      const close = Date.parse(v.time!);
      const rows = [];
      for (let j = i + 1; j < lines.length && !/^ {2}\S/.test(lines[j]) && lines[j] !== ''; j++) {
        const row = /^ {6}\s*(\S*)\s{2}(\S+:\d+)\s{2,}(\w+)\s/.exec(lines[j]) ?? /^ {6,}(\S+:\d+)\s{2,}(\w+)\s/.exec(lines[j]);
        if (row) rows.push(row.length === 4 ? { before: row[1], at: row[2], kind: row[3] } : { before: '', at: row[1], kind: row[2] });
      }
      expect(rows.map((r) => r.at), v.connection).toEqual(v.evidence.map((e) => e.at.replace(log, basename(log))));
      v.evidence.forEach((e, k) => {
        if (!e.time) return expect(rows[k].before).toBe('');
        const want = Date.parse(e.time) - close;
        expect(Math.abs(parseBefore(rows[k].before) - want), `${v.connection} ${e.at}`).toBeLessThanOrEqual(Math.abs(want) < 60_000 ? 500 : 1000);
      });
      expect(rows.at(-1)!.before).toBe('0');
      checked++;
    }
    return checked;
  }

  it('counts closes and incidents per route', () => {
    const rows = tableRows(section(lines, 'By route'), /route\s+closes\s+incidents\s+share\s+top cause/);
    expect(rows.length).toBe(Object.keys(report.summary.routes).length);
    for (const [route, closes, incidents, pct] of rows) {
      const r = report.summary.routes[route];
      expect([Number(closes), Number(incidents), pct], route).toEqual([r.closes, r.incidents, shareOf(r.incidents, report.summary.incidents)]);
    }
  });

  it('fits 80 columns and shows control characters from the log as text', () => {
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(text).toContain("Unexpected token '\\x00'"); // the binary frame's first byte, in SyntaxError's message
  });

  it('colours only a terminal, and never with NO_COLOR or --no-color', async () => {
    expect(text).not.toContain(ESC);
    expect((await runCli(['analyze', log, '--color'])).stdout).toContain(`${ESC}1;31m`);
    const script = spawnSync('script', ['--version']);
    if (script.error) {
      console.warn('skipped the terminal half: util-linux script(1) is missing');
      return;
    }
    const inTty = (args: string, env: NodeJS.ProcessEnv = {}) => spawnSync('script', ['-qec', `${process.execPath} ${CLI} analyze ${log} ${args}`, '/dev/null'],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: undefined, ...env } }).stdout;
    const tty = inTty('');
    expect(tty).toContain(`${ESC}1;31m`);
    expect(tty).toContain(`${ESC}0m`);
    expect(inTty('', { NO_COLOR: '1' })).not.toContain(ESC);
    expect(inTty('--no-color')).not.toContain(ESC);
    // The coloured report says the same as the plain one.
    expect(tty.replace(/\x1b\[[\d;]*m/g, '').replace(/\r\n/g, '\n')).toBe(text);
  });
});

describe('text report of an empty input', () => {
  it('says nothing was found and how to look again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-text-'));
    writeFileSync(join(dir, 'empty.log'), '');
    const res = await runCli(['analyze', join(dir, 'empty.log')]);
    expect(res.stdout.split('\n')[0]).toBe('wsclose: 0 closes, 0 incidents (-)');
    expect(res.stdout).toContain('No WebSocket close was found in 0 lines of 1 input(s)');
  });
});
