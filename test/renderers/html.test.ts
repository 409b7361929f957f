/**
 * The HTML report of a real log, opened in real headless Chromium (Debian's, driven by
 * playwright-core): the charts and tables it renders carry the JSON summary's numbers, the
 * incidents expand to their evidence, log text stays text, and the page loads nothing.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report.js';
import { runCli } from '../support/cli.js';
import { writeRealLog } from '../support/real-log.js';

const CHROMIUM = '/usr/bin/chromium';
const have = existsSync(CHROMIUM);
if (!have) console.warn(`html.test: ${CHROMIUM} is missing (apt-get install chromium); the browser checks are skipped`);

const EVIL = '<img src=x onerror=document.title=1><script>document.title=2</script>';

describe.skipIf(!have)('HTML report in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-html-'));
  const log = join(dir, 'chat.log');
  const evil = join(dir, 'evil.log');
  const out = join(dir, 'report.html');
  let report: Report;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    await writeRealLog(log, { copies: 3 });
    const line = (o: object) => JSON.stringify({ level: 30, time: Date.parse('2026-03-01T09:05:00Z'), pid: 1, hostname: 'h', ...o });
    writeFileSync(evil, [
      line({ connId: 'x1', route: '/chat', msg: 'ws connection opened' }),
      line({ connId: 'x1', route: '/chat', code: 4001, reason: EVIL, msg: 'ws connection closed' }),
    ].join('\n') + '\n');
    report = JSON.parse((await runCli(['analyze', log, evil, '-o', 'json'])).stdout) as Report;
    const res = await runCli(['analyze', log, evil, '-o', 'html', '--out', out]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(out).href);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads nothing but itself', () => {
    expect(requests).toEqual([pathToFileURL(out).href]);
    expect(readFileSync(out, 'utf8')).not.toMatch(/<script|src=["']?http|<link/);
  });

  it('leads with the closes and incidents', async () => {
    const s = report.summary;
    expect(await page.locator('h1').textContent()).toBe(`wsclose: ${s.closes} closes, ${s.incidents} incidents (${Math.round((s.incidents / s.closes) * 100)}%)`);
  });

  it('charts incidents over time by root cause with the summary timeline', async () => {
    const s = report.summary;
    const chart = page.locator('#timeline-chart');
    expect(Number(await chart.getAttribute('data-bucket-minutes'))).toBe(s.timeline.bucketMinutes);
    const bars = await chart.locator('rect.bar').evaluateAll((rs) => rs.map((r) => ({
      bucket: r.getAttribute('data-bucket')!, cause: r.getAttribute('data-cause')!, count: Number(r.getAttribute('data-count')),
      w: r.getBoundingClientRect().width, h: r.getBoundingClientRect().height,
    })));
    const want = Object.entries(s.timeline.buckets).flatMap(([bucket, counts]) => Object.entries(counts)
      .filter(([cause]) => cause !== 'normal').map(([cause, count]) => ({ bucket, cause, count })));
    expect(bars.map(({ bucket, cause, count }) => ({ bucket, cause, count })).sort(byKey)).toEqual(want.sort(byKey));
    expect(new Set(bars.map((b) => b.bucket)).size).toBeGreaterThan(5); // the log spans many minutes
    for (const b of bars) expect(b.w > 0 && b.h > 0, `${b.bucket} ${b.cause} is drawn`).toBe(true);
    const total: Record<string, number> = {};
    for (const b of bars) total[b.cause] = (total[b.cause] ?? 0) + b.count;
    const incidents = Object.fromEntries(Object.entries(s.byRootCause).filter(([c]) => c !== 'normal'));
    expect(total).toEqual(incidents);
    const legend = await page.locator('#timeline .legend > span').evaluateAll((ls) => ls.map((l) => l.textContent));
    expect(legend.sort()).toEqual(Object.entries(incidents).map(([c, n]) => `${c} ${n}`).sort());
  });

  it('charts the close codes with the summary counts', async () => {
    const codes = await page.locator('#codes-chart g.code').evaluateAll((gs) => gs.map((g) => [
      g.getAttribute('data-code'), Number(g.getAttribute('data-count')), g.querySelector('text.count')!.textContent,
      g.querySelector('rect')!.getBoundingClientRect().width,
    ] as const));
    expect(Object.fromEntries(codes.map(([c, n]) => [c, n]))).toEqual(report.summary.byCloseCode);
    for (const [code, n, label, w] of codes) {
      expect(label, code!).toBe(String(n));
      expect(w, code!).toBeGreaterThan(0);
    }
    // Longer bars for bigger counts.
    const sorted = [...codes].sort((a, b) => b[1] - a[1]);
    expect(sorted[0][3]).toBeGreaterThan(sorted.at(-1)![3]);
  });

  it('tables the root causes and the routes with the summary counts', async () => {
    const s = report.summary;
    const tableAfter = (heading: string) => page.locator(`h2:text-is("${heading}") + table tbody tr`).evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    const causes = await tableAfter('Root causes');
    expect(Object.fromEntries(causes.map(([c, n]) => [c, Number(n)]))).toEqual(s.byRootCause);
    const routes = await tableAfter('By route');
    expect(Object.fromEntries(routes.map(([r, closes, inc]) => [r, [Number(closes), Number(inc)]])))
      .toEqual(Object.fromEntries(Object.entries(s.routes).map(([r, v]) => [r, [v.closes, v.incidents]])));
  });

  it('lists every incident, expandable to its evidence', async () => {
    const all = page.locator('#incidents details.incident');
    expect(await all.count()).toBe(report.incidents.length);
    const v = report.incidents.find((x) => x.exception)!;
    const item = all.filter({ hasText: `${v.connection} ${v.route}: closed` });
    const rows = item.locator('tbody tr');
    expect(await rows.first().isVisible()).toBe(false);
    await item.locator('summary').click();
    expect(await rows.first().isVisible()).toBe(true);
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(cells.map((c) => c[1])).toEqual(v.evidence.map((e) => e.at.replace(`${dir}/`, ''))); // file names are unique: shown short
    expect(cells.map((c) => c[2])).toEqual(v.evidence.map((e) => e.kind));
    expect(cells.at(-1)![0]).toBe('0');
    await item.screenshot({ path: join(dir, 'incident.png') });
  });

  it('shows log text as text', async () => {
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.title()).toMatch(/^wsclose: /);
    expect(await page.locator('#incidents').textContent()).toContain(EVIL);
  });

  it('renders a screenshot', async () => {
    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    console.log(`html.test: screenshot at ${shot}`);
  });
});

function byKey(a: { bucket: string; cause: string }, b: { bucket: string; cause: string }): number {
  return `${a.bucket} ${a.cause}`.localeCompare(`${b.bucket} ${b.cause}`);
}
