/** Packet captures: recognized by magic bytes, decoded by the real tshark, its absence one clear error. */
import { createReadStream, readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { isCapture, tsharkStream } from '../src/capture.js';
import { readLines } from '../src/source.js';
import { haveTshark } from './support/tools.js';

const PCAPNG = 'samples/tshark/cap.pcapng';

describe('isCapture', () => {
  it('knows pcapng and classic pcap in both byte orders, µs and ns, and nothing else', () => {
    expect(isCapture(readFileSync(PCAPNG).subarray(0, 16))).toBe(true);
    for (const magic of [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]) {
      const b = Buffer.alloc(24);
      b.writeUInt32BE(magic, 0);
      expect(isCapture(b), magic.toString(16)).toBe(true);
    }
    expect(isCapture(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe(false);
    expect(isCapture(Buffer.from('{"level":30}'))).toBe(false);
    expect(isCapture(Buffer.from([0x0a, 0x0d]))).toBe(false);
  });
});

describe('tsharkStream', () => {
  it.skipIf(!haveTshark)('gives tshark -T ek lines for a file and for piped bytes alike', async () => {
    const fromFile = await text(tsharkStream(PCAPNG));
    const fromPipe = await text(tsharkStream(createReadStream(PCAPNG)));
    const packets = (s: string) => s.split('\n').filter((l) => l.startsWith('{"timestamp"'));
    expect(packets(fromFile).length).toBeGreaterThan(100);
    expect(packets(fromPipe)).toEqual(packets(fromFile));
  });

  it('throws one line naming the fix when tshark is not installed', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(text(tsharkStream(PCAPNG))).rejects.toThrow(
        /^is a packet capture and reading it needs tshark, which is not installed \(apt install tshark\)/);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('readLines on a capture', () => {
  it.skipIf(!haveTshark)('hands tshark\'s decoding to choose, flagged as a capture', async () => {
    let flagged: boolean | undefined;
    let first = '';
    const res = await readLines(PCAPNG, {
      skip: () => {},
      choose: (sample, capture) => { flagged = capture; first = sample[0]; return () => {}; },
    });
    expect(flagged).toBe(true);
    expect(res).toMatchObject({ capture: true, gzip: false });
    expect(first).toMatch(/^\{"index":\{"_index":"packets-/);
  });
});
