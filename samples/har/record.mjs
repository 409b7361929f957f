// Records a HAR with real headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core's recordHar) while a page opens WebSockets to the project's `ws` test server
// (samples/ws-pino/server.mjs) and sends text and binary frames. Shared by generate.mjs and
// the live test. The page also reports the close code each socket saw, which the HAR lacks.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { SCENARIOS, startServer } from '../ws-pino/server.mjs';

export const CHROMIUM = '/usr/bin/chromium';

/** The scenarios the page plays, one socket after another, and what the HAR lets wsclose conclude. */
const HAR_EXPECT = {
  // Only accepted data types were sent: a HAR has no close code, so nothing says how it ended.
  'text-normal': { rootCause: 'unknown', closeCode: null, codeAgreement: 'agrees', incident: true },
  'binary-to-text': { rootCause: 'data-type-mismatch', closeCode: null, codeAgreement: 'disagrees', incident: true },
  'json-normal': { rootCause: 'unknown', closeCode: null, codeAgreement: 'agrees', incident: true },
  'binary-to-json': { rootCause: 'data-type-mismatch', closeCode: null, codeAgreement: 'disagrees', incident: true },
  'buggy-bug': { rootCause: 'unknown', closeCode: null, codeAgreement: 'agrees', incident: true },
};

/** What the test server's routes accept, as the user states it (`--expect`): a HAR has no normal closes to learn from. */
export const EXPECT_ARGS = ['--expect', '/text=text', '--expect', '/json=text', '--expect', '/buggy=text'];

export async function recordHar(harPath) {
  const logDir = mkdtempSync(join(tmpdir(), 'wsclose-har-'));
  const server = await startServer({ logFile: join(logDir, 'ws.log') });
  const web = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>chat</title>'));
  await new Promise((r) => web.listen(0, '127.0.0.1', r));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const context = await browser.newContext({ recordHar: { path: harPath } });
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${web.address().port}/`);
    const plays = Object.keys(HAR_EXPECT).map((name) => {
      const sc = SCENARIOS[name];
      return { name, route: sc.route, end: sc.end, send: sc.send.map(([d, bin]) => [bin ? [...d] : d, bin]) };
    });
    const seen = await page.evaluate(async ({ port, plays }) => {
      const out = [];
      for (const p of plays) {
        out.push(await new Promise((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}${p.route}`);
          ws.onmessage = async () => {
            if (ws.onmessage === null) return;
            ws.onmessage = null; // the server's greeting: now play the scenario
            for (const [data, bin] of p.send) {
              ws.send(bin ? new Uint8Array(data) : data);
              await new Promise((r) => setTimeout(r, 10));
            }
            await new Promise((r) => setTimeout(r, 30));
            if (p.end === 'close' && ws.readyState === WebSocket.OPEN) ws.close(1000, 'done');
          };
          ws.onclose = (e) => resolve({ name: p.name, code: e.code, reason: e.reason });
        }));
      }
      return out;
    }, { port: server.port, plays });
    await context.close(); // writes the HAR
    return seen.map(({ name, code, reason }) => ({
      scenario: name, route: SCENARIOS[name].route, ...HAR_EXPECT[name], browserSaw: { code, reason },
    }));
  } finally {
    await browser.close();
    web.close();
    await server.close();
    rmSync(logDir, { recursive: true, force: true });
  }
}

/** The connection keys wsclose gives the HAR's WebSocket entries, in the order they were opened. */
export function connectionKeys(har) {
  return har.log.entries.filter((e) => e._resourceType === 'websocket')
    .map((e) => `${e.request.url.split('?')[0]} @ ${e.startedDateTime}`);
}
