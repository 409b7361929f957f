import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Activity } from '../src/activity.js';

interface Item {
  name: number;
  pos: number;
}

describe('Activity', () => {
  it('keeps the order of a list whose item moves to the back at each touch, through compactions and growth', () => {
    // The model: an array, an item touched moves to its end, the oldest is its first.
    const op = fc.tuple(fc.constantFrom('touch', 'touch', 'touch', 'remove', 'oldest', 'evict', 'list', 'clear'), fc.integer({ min: 0, max: 40 }));
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 600 }), (capacity, ops) => {
      const items: Item[] = Array.from({ length: 41 }, (_, name) => ({ name, pos: -1 }));
      const order = new Activity<Item>(capacity);
      let model: Item[] = [];
      for (const [name, n] of ops) {
        const item = items[n];
        if (name === 'touch') {
          order.touch(item);
          model = [...model.filter((x) => x !== item), item];
        } else if (name === 'remove') {
          order.remove(item);
          model = model.filter((x) => x !== item);
        } else if (name === 'oldest') expect(order.oldest()).toBe(model[0]);
        else if (name === 'evict' && model.length > 0) {
          // The correlator's cap and idle eviction: the oldest goes.
          order.remove(order.oldest()!);
          model.shift();
        } else if (name === 'list') expect(order.list()).toEqual(model);
        else if (name === 'clear') {
          order.clear();
          model = [];
          for (const x of items) expect(x.pos).toBe(-1);
        }
        expect(order.size).toBe(model.length);
      }
      expect(order.list()).toEqual(model);
      for (const x of items) expect(x.pos >= 0).toBe(model.includes(x));
    }), { numRuns: 500 });
  });

  it('lets go of an item removed: no entry still refers to it', () => {
    const order = new Activity<Item>(4);
    const a = { name: 1, pos: -1 };
    const b = { name: 2, pos: -1 };
    order.touch(a);
    order.touch(b);
    order.touch(a); // a's first entry is stale now
    order.remove(a);
    expect((order as unknown as { items: unknown[] }).items.filter((x) => x === a)).toEqual([a]); // the stale one, until squeezed out
    expect(order.oldest()).toBe(b); // skipping the front's stale entry clears it
    expect((order as unknown as { items: unknown[] }).items.includes(a)).toBe(false);
  });

  it('holds at most four entries a live item', () => {
    const order = new Activity<Item>(16);
    const items: Item[] = Array.from({ length: 500 }, (_, name) => ({ name, pos: -1 }));
    for (let i = 0; i < 200_000; i++) order.touch(items[(i * 7919) % items.length]);
    const length = (order as unknown as { items: unknown[] }).items.length;
    expect(length).toBeLessThanOrEqual(4 * items.length);
    expect(order.size).toBe(items.length);
  });
});
