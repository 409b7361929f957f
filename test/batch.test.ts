/**
 * A batch crosses to the main thread as a structured clone (what postMessage does) and comes
 * back as the same events: every key in its order, undefined values kept, numbers and strings
 * exact; for every event the committed samples and a generated log yield.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeLog } from '../bench/pino-log.js';
import { pack, unpack } from '../src/batch.js';
import { isCapture } from '../src/capture.js';
import type { WsEvent } from '../src/model.js';
import { readFile } from '../src/reader.js';
import { SAMPLE_INPUTS } from './support/samples.js';
import { haveTshark } from './support/tools.js';

function roundTrip(events: WsEvent[]): WsEvent[] {
  const out: WsEvent[] = [];
  unpack(structuredClone(pack(events)), (e) => out.push(e));
  return out;
}

/** Keys in order with their values: `toEqual` alone ignores key order and undefined values. */
const entries = (es: WsEvent[]) => es.map((e) => Object.entries(e));

async function eventsOf(file: string): Promise<WsEvent[]> {
  const events: WsEvent[] = [];
  await readFile(file, {}, (e) => events.push(e));
  return events;
}

describe('a batch of events', () => {
  it.for(SAMPLE_INPUTS)('%s: every event comes back the same', async (file, { skip }) => {
    // A capture is read through tshark.
    if (!haveTshark && isCapture(readFileSync(file))) skip('tshark is not installed');
    const events = await eventsOf(file);
    expect(events.length).toBeGreaterThan(0);
    const back = roundTrip(events);
    expect(entries(back)).toEqual(entries(events));
    expect(back).toStrictEqual(events);
  });

  it('a generated log with crashes, in batches of 1,024: every event comes back the same', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wsclose-batch-')), 'gen.log');
    let text = '';
    writeLog({ seed: 21, wsShare: 1, concurrency: 80, crashEvery: 500 }, 2_000_000, (c: string) => { text += c; });
    writeFileSync(file, text);
    const events = await eventsOf(file);
    expect(new Set(events.map((e) => e.kind)).size).toBeGreaterThanOrEqual(4);
    for (let i = 0; i < events.length; i += 1024) {
      const slice = events.slice(i, i + 1024);
      expect(entries(roundTrip(slice))).toEqual(entries(slice));
    }
  });

  it('keeps what a clone keeps and a string table could confuse: undefined, null, negative and string-looking numbers, a string equal to an index', () => {
    const events = [
      { kind: 'close', time: undefined, conn: undefined, at: 'a:1', code: null, reason: '0', initiator: 'unknown' },
      { kind: 'frame', time: -1, conn: '0', at: 'a:2', direction: 'in', type: 'text', size: 0 },
      { kind: 'exception', time: 1.5, conn: '1', at: 'a:3', type: 'Error', message: '', fatal: false, handled: undefined },
      { kind: 'close', time: 0, conn: '0', at: 'a:4', code: 1000, reason: '', initiator: 'client', clean: true },
    ] as unknown as WsEvent[];
    const back = roundTrip(events);
    expect(entries(back)).toEqual(entries(events));
    expect(back.map((e) => Object.keys(e))).toEqual(events.map((e) => Object.keys(e)));
  });
});
