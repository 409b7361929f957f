/**
 * A real log for report tests: the ws + pino sample server driven by real ws clients, with
 * pino's clock stepping `stepMs` per line so that a run of a second reads as minutes of traffic.
 */
import { writeFileSync } from 'node:fs';
// @ts-expect-error: the sample's generator is plain JavaScript
import { runAll, startServer } from '../../samples/ws-pino/server.mjs';

export interface RealLogOptions {
  /** Each scenario this many times, concurrently. */
  copies?: number;
  /** Time of the first line, epoch ms. */
  start?: number;
  /** Clock step per log line, ms. */
  stepMs?: number;
}

export async function writeRealLog(file: string, opts: RealLogOptions = {}): Promise<void> {
  let t = opts.start ?? Date.parse('2026-03-01T09:00:00Z');
  const step = opts.stepMs ?? 7_000;
  writeFileSync(file, '');
  const server = await startServer({ logFile: file, now: () => (t += step) });
  await runAll(server.port, { copies: opts.copies ?? 2, delayMs: 3 });
  await server.close();
}
