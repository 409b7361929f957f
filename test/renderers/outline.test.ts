/** The breakdown table chosen by --group-by carries the summary's numbers for that key. */
import { describe, expect, it } from 'vitest';
import { closeCodeInfo } from '../../src/codes.js';
import type { Report } from '../../src/report.js';
import { runCli } from '../support/cli.js';

const SAMPLE = 'samples/ws-pino/chat.log';

async function breakdown(by: string, title: string): Promise<string[][]> {
  const md = (await runCli(['analyze', SAMPLE, '-o', 'md', '--group-by', by, '--top', '50'])).stdout;
  const at = md.indexOf(`\n## ${title}\n`);
  expect(at, title).toBeGreaterThan(-1);
  const table = md.slice(at).split('\n\n')[1].split('\n').slice(2);
  return table.map((l) => l.slice(2, -2).split(' | '));
}

describe('--group-by', () => {
  it('by close code: closes and the root causes behind each code', async () => {
    const r = JSON.parse((await runCli(['analyze', SAMPLE, '-o', 'json'])).stdout) as Report;
    const rows = await breakdown('code', 'By close code');
    expect(Object.fromEntries(rows.map(([code, , n]) => [code, Number(n)]))).toEqual(r.summary.byCloseCode);
    for (const [code, name, , causes] of rows) {
      expect(name).toBe(closeCodeInfo(Number(code)).name);
      const want = Object.entries(r.summary.codesByRootCause).filter(([, codes]) => codes[code]).map(([c, codes]) => `${c} ×${codes[code]}`);
      expect(causes.split(', ').sort()).toEqual(want.sort());
    }
    // 1011 is where the disagreement shows: two causes behind one code.
    expect(rows.find(([c]) => c === '1011')![3].split(', ').length).toBe(2);
  });

  it('by client: the peer addresses', async () => {
    const r = JSON.parse((await runCli(['analyze', SAMPLE, '-o', 'json'])).stdout) as Report;
    const rows = await breakdown('client', 'By client');
    expect(Object.fromEntries(rows.map(([c, closes, inc]) => [c, [Number(closes), Number(inc)]])))
      .toEqual(Object.fromEntries(Object.entries(r.summary.clients).map(([c, v]) => [c, [v.closes, v.incidents]])));
    expect(rows.map((x) => x[0])).toEqual(['127.0.0.1']);
  });

  it('by root cause: closes, share of incidents and the top route', async () => {
    const r = JSON.parse((await runCli(['analyze', SAMPLE, '-o', 'json'])).stdout) as Report;
    const rows = await breakdown('cause', 'By root cause');
    expect(Object.fromEntries(rows.map(([c, n]) => [c, Number(n)]))).toEqual(r.summary.byRootCause);
    for (const [cause, , pct, route] of rows) {
      if (cause === 'normal') continue;
      expect(pct).toBe(`${Math.round((r.summary.byRootCause[cause as 'unknown']! / r.summary.incidents) * 100)}%`);
      expect(r.summary.routes[route].byRootCause[cause as 'unknown']).toBe(Math.max(...Object.values(r.summary.routes).map((x) => x.byRootCause[cause as 'unknown'] ?? 0)));
    }
  });
});
