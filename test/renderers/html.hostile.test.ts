/**
 * Markup planted in every piece of log text that reaches the HTML report (file name,
 * connection id, route, close reason, exception type, message and stack path, note text) stays
 * text in real headless Chromium: with the page's Content-Security-Policy, and with CSP
 * bypassed, so the escaping itself is what is proved. Nothing runs, no element is made from
 * log text, and the planted text is on the page as text. Payloads are shown (--show-payloads),
 * the worst case for escaping.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const have = existsSync(CHROMIUM);
if (!have) console.warn(`html.hostile.test: ${CHROMIUM} is missing (apt-get install chromium); the browser checks are skipped`);

/** Each payload marks the page if it runs: through the title, a global and a dialog. */
const payloads = (tag: string) => [
  `<script>document.title='pwned-${tag}';window.pwned=1</script>`,
  `<img src=x onerror="document.title='pwned-${tag}-img';window.pwned=1">`,
  `"><svg onload=alert('${tag}')>`,
  `'><iframe srcdoc="<script>parent.pwned=1</script>">`,
  `</td></tr></table><b onmouseover=alert(1) style="position:fixed;inset:0">x</b>`,
].join(' ');

describe.skipIf(!have)('hostile log text in the HTML report, in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-html-hostile-'));
  // A file name is log text too (the report lists its inputs): no slash in it, so it stays a name.
  const log = join(dir, `evil<img src=x onerror=alert(9)>.log`);
  const out = join(dir, 'report.html');
  let browser: Browser;
  let html = '';

  beforeAll(async () => {
    const line = (o: object) => JSON.stringify({ level: 30, time: Date.parse('2026-03-01T09:05:00Z'), pid: 1, hostname: 'h', ...o });
    const conn = `c1${payloads('conn')}`;
    const route = `/chat/${payloads('route').replace(/[?#]/g, '')}`;
    writeFileSync(log, [
      line({ connId: conn, route, msg: 'ws connection opened' }),
      line({ connId: conn, route, isBinary: false, size: 3, msg: 'ws message received' }),
      line({
        level: 50, connId: conn, route, msg: 'message handler failed',
        err: { type: `Type${payloads('type')}Error`, message: payloads('message'), stack: `TypeError: x\n    at handler (/app/${payloads('frame')}.mjs:3:9)` },
      }),
      line({ connId: conn, route, code: 1011, reason: payloads('reason'), msg: 'ws connection closed' }),
      line({ connId: 'c2', route: '/other', msg: 'ws connection opened' }),
      line({ level: 40, connId: 'c2', route: '/other', msg: `auth failed: token expired ${payloads('note')}` }),
      line({ connId: 'c2', route: '/other', code: 1008, reason: payloads('reason2'), msg: 'ws connection closed' }),
    ].join('\n') + '\n');
    const res = await runCli(['analyze', log, '-o', 'html', '--show-payloads', '--out', out]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    html = readFileSync(out, 'utf8');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries every planted field into the report (as text)', () => {
    // The note is planted too, though no verdict shows note text today: if one starts to, it is covered.
    const missing = ['conn', 'route', 'type', 'message', 'frame', 'reason', 'reason2'].filter((tag) => !html.includes(`pwned-${tag}`));
    expect(missing).toEqual([]);
    expect(html).toContain('onerror=alert(9)');
  });

  it.each([['with its Content-Security-Policy', false], ['with CSP bypassed, so only escaping stands', true]] as const)(
    'runs nothing and makes no element from log text, %s',
    async (_, bypassCSP) => {
      const context = await browser.newContext({ bypassCSP, javaScriptEnabled: true });
      const page = await context.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(out).href);
      // Hover everywhere a fixed overlay would have covered, to give onmouseover a chance.
      await page.mouse.move(10, 10);
      await page.mouse.move(600, 400);
      await page.waitForTimeout(200);
      const state = await page.evaluate(() => ({
        title: document.title,
        pwned: (window as unknown as { pwned?: number }).pwned,
        made: [...document.querySelectorAll('script, img, iframe, object, embed, b, svg [onload], a[href^="javascript"]')].map((e) => e.outerHTML.slice(0, 80)),
        handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName} ${a.name}`)),
        text: document.body.textContent ?? '', // collapsed <details> included
      }));
      expect(state.title).toMatch(/^wsclose/);
      expect(state.pwned).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(state.made).toEqual([]);
      expect(state.handlers).toEqual([]);
      expect(requests).toEqual([pathToFileURL(out).href]);
      // The payloads are there, as text.
      expect(state.text).toContain("<script>document.title='pwned-reason'");
      expect(state.text).toContain('<img src=x onerror=alert(9)>');
      await context.close();
    },
  );
});
