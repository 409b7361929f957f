/**
 * The span processor under load, through a real BasicTracerProvider in a child process (with
 * --expose-gc, so the heap figures are exact; test/support/otel-load.mjs): 100,000 connections
 * open at once and 1,000,000 spans in all, hostile spans and a throwing onIncident callback
 * among them. Heap follows open connections and their caps, not spans; nothing the processor
 * meets reaches the host; forceFlush and shutdown return at once.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../support/otel-load.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist', import.meta.url));
const MB = 1024 * 1024;

interface Load {
  spans: number; exported: number; hostile: number; seconds: number; hostExceptions: number; diagErrors: number;
  incidents: number; connections: number;
  heap: { start: number; open: number; busy: number; closed: number; churn: number[] };
  open: { tracked: number; evictedCap: number };
  afterConcurrent: { tracked: number };
  summary: { closes: number; routes: number; longestRoute: number; signatures: number; longestSignature: number };
  forceFlushMs: number; shutdownMs: number;
}

/** Runs the load in a child, asynchronously: a minute of blocking would starve the test runner's own messages. */
function load(connections: number, spans: number, cap: number | 'default'): Promise<Load> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', SCRIPT, DIST, String(connections), String(spans), String(cap)], {
      encoding: 'utf8', maxBuffer: 16 * MB, timeout: 600_000,
    }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      expect(stderr).toBe('');
      resolve(JSON.parse(stdout) as Load);
    });
  });
}

describe('CloseCauseSpanProcessor under load', () => {
  it('100,000 connections at once and 1,000,000 spans: heap follows open connections, nothing reaches the host', async () => {
    const r = await load(100_000, 1_000_000, 100_000);
    const mb = (n: number) => (n / MB).toFixed(0);
    console.log(`span processor: ${r.spans} spans (${r.hostile} hostile connections) in ${r.seconds.toFixed(1)} s, `
      + `${((r.seconds / r.spans) * 1e6).toFixed(1)} µs per span; heap MiB start ${mb(r.heap.start)}, 100k open ${mb(r.heap.open)}, `
      + `busy ${mb(r.heap.busy)}, all closed ${mb(r.heap.closed)}, churn ${r.heap.churn.map(mb).join(' → ')}; `
      + `forceFlush ${r.forceFlushMs.toFixed(2)} ms, shutdown ${r.shutdownMs.toFixed(2)} ms; ${r.diagErrors} errors to diag`);
    expect(r.spans).toBe(1_000_000);
    expect(r.exported).toBe(r.spans); // every span reached the next processor
    expect(r.hostExceptions).toBe(0);
    expect(r.diagErrors).toBeGreaterThan(r.hostile / 2); // the hostile spans and callbacks did fail, inside the processor
    expect(r.open).toMatchObject({ tracked: 100_000, evictedCap: 0 });
    expect(r.afterConcurrent.tracked).toBe(0);
    expect(r.summary.closes).toBeGreaterThanOrEqual(r.connections - 1);
    // 100,000 open connections cost under 2 KB each (a ring of 16 recent events at most).
    expect(r.heap.busy - r.heap.start).toBeLessThan(100_000 * 2048);
    // Closed, they cost nothing; the summary keeps at most 1,000 routes and signatures, each cut short.
    expect(r.heap.closed - r.heap.start).toBeLessThan(30 * MB);
    expect(r.summary.routes).toBeLessThanOrEqual(1_001);
    expect(r.summary.longestRoute).toBeLessThanOrEqual(257);
    expect(r.summary.longestSignature).toBeLessThan(1_000);
    // Churning 10,000 at a time: the heap does not grow with the spans (half the churn against all of it).
    const [, half, , all] = r.heap.churn;
    expect(all - half).toBeLessThan(8 * MB);
    expect(r.forceFlushMs).toBeLessThan(100);
    expect(r.shutdownMs).toBeLessThan(100);
  }, 600_000);

  it('with its default cap, 100,000 connections at once keep 10,000 tracked and count the rest as evicted', async () => {
    const r = await load(100_000, 220_000, 'default');
    console.log(`span processor, default cap: ${r.open.tracked} tracked, ${r.open.evictedCap} evicted, heap MiB start ${(r.heap.start / MB).toFixed(0)}, open ${(r.heap.open / MB).toFixed(0)}`);
    expect(r.open.tracked).toBe(10_000);
    expect(r.open.evictedCap).toBeGreaterThanOrEqual(90_000);
    expect(r.heap.open - r.heap.start).toBeLessThan(10_000 * 2048);
    expect(r.hostExceptions).toBe(0);
  }, 600_000);
});
