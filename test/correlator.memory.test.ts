/**
 * Memory per open connection (DESIGN "Memory and time": O(open connections)). 20,000
 * connections are opened with events shaped as the JSON parser emits them, and the heap they
 * hold is counted after full collections: it stays under a bound per connection, and a
 * connection's ring stops growing at its size whatever number of events it logs.
 */
import { describe, expect, it } from 'vitest';
import { inChild } from './support/heap.js';

/** Bytes held per open connection with `frames` events each after its open. */
function bytesPerConnection(frames: number): number {
  return inChild<{ size: number; bytes: number }>(`
    const { Correlator } = await import(dist + 'src/correlator.js');
    const [n, frames] = process.argv.slice(-2).map(Number);
    const keys = Array.from({ length: n }, (_, i) => 'c' + i);
    const file = '/var/log/chat/server-2026-11-24.log';
    const t0 = Date.UTC(2026, 10, 24, 9);
    const c = new Correlator(() => {});
    let line = 0;
    // Flat strings, as a parser's are: a concatenation's shape in the heap varies from run to run.
    const at = () => JSON.parse(JSON.stringify(file + ':' + ++line));
    const before = retained();
    for (let i = 0; i < n; i++) {
      c.push({ time: t0 + line, conn: keys[i], at: at(), process: '4720@chat-7f9c4d', route: '/chat', kind: 'open',
        remote: '10.0.' + (i >> 8 & 255) + '.' + (i & 255) + ':' + (40000 + i % 20000) });
    }
    for (let f = 0; f < frames; f++) for (let i = 0; i < n; i++) {
      c.push({ time: t0 + line, conn: keys[i], at: at(), process: '4720@chat-7f9c4d', route: '/chat', kind: 'frame',
        direction: f % 2 ? 'out' : 'in', type: 'text', size: 100 + f });
    }
    console.log(JSON.stringify({ size: c.size, bytes: (retained() - before) / n }));
  `, ['20000', String(frames)]).bytes;
}

describe('Correlator memory', () => {
  it('holds under 800 bytes per open connection with its open and one message (the events included)', () => {
    const bytes = bytesPerConnection(1);
    console.log(`bytes per open connection, open + 1 message: ${bytes.toFixed(0)}`);
    expect(bytes).toBeLessThan(800);
    expect(bytes).toBeGreaterThan(200); // the measure sees the connections at all
  });

  it('stops growing a connection\'s state at the ring size, however many events it logs', () => {
    const full = bytesPerConnection(16);
    const more = bytesPerConnection(40);
    console.log(`bytes per open connection, 16 events: ${full.toFixed(0)}, 40 events: ${more.toFixed(0)}`);
    expect(Math.abs(more - full)).toBeLessThan(64);
    // 20,000 open: each packed frame's `at` is kept as its line (about 24 bytes a frame, not 90).
    expect(full).toBeLessThan(1100);
    // The ring does hold the events up to its size: each of the 12 more at least its two numbers (a packed frame).
    expect(full - bytesPerConnection(4)).toBeGreaterThanOrEqual(12 * 16);
  });
});
