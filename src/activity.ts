/**
 * Items in order of last activity, least recent first: the correlator's open connections, which
 * it evicts by (its cap, its idle TTL) and walks at a crash or at the end of input.
 *
 * An item active again is written anew at the array's end and its old entry is left behind,
 * stale (an entry is live when its item's `pos` is its index), instead of being unlinked from a
 * list: a move then writes the item and the array's end, not the item's two neighbours and the
 * last item, three cache lines spread over the heap, at every event. Stale entries are skipped
 * at the front and squeezed out when the array is full; it grows only when live entries fill
 * more than half of it, so each move costs O(1) amortized and the array at most four entries a
 * live item. The order is exact: the live entries are in the order of their items' last touch.
 */
export interface Listed {
  /** The item's index in its Activity, -1 when it is not listed. */
  pos: number;
}

export class Activity<T extends Listed> {
  private items: (T | undefined)[];
  /** Entries before `from` and from `to` on are empty. */
  private from = 0;
  private to = 0;
  private count = 0;

  constructor(capacity = 1024) {
    this.items = emptyArray(capacity);
  }

  /** Items listed. */
  get size(): number {
    return this.count;
  }

  /** Lists `item` as the most recently active, moving it if it was listed. */
  touch(item: T): void {
    const pos = item.pos;
    if (pos < 0) this.count++;
    else if (pos === this.to - 1) return;
    if (this.to === this.items.length) this.compact();
    this.items[this.to] = item;
    item.pos = this.to++;
  }

  remove(item: T): void {
    const pos = item.pos;
    if (pos < 0) return;
    this.items[pos] = undefined; // so that an item gone is not kept alive by its entry
    item.pos = -1;
    this.count--;
  }

  /** The least recently active item, or undefined when none is listed. */
  oldest(): T | undefined {
    const items = this.items;
    while (this.from < this.to) {
      const item = items[this.from];
      if (item !== undefined && item.pos === this.from) return item;
      items[this.from++] = undefined;
    }
    return undefined;
  }

  /** The items, least recently active first, in a new array. */
  list(): T[] {
    const out: T[] = [];
    for (let i = this.from; i < this.to; i++) {
      const item = this.items[i];
      if (item !== undefined && item.pos === i) out.push(item);
    }
    return out;
  }

  clear(): void {
    for (const item of this.list()) item.pos = -1;
    this.items.fill(undefined, this.from, this.to);
    this.from = this.to = this.count = 0;
  }

  /** Squeezes the stale entries out, keeping the order; grows the array if live ones fill more than half. */
  private compact(): void {
    const items = this.items;
    let n = 0;
    for (let i = this.from; i < this.to; i++) {
      const item = items[i];
      if (item === undefined || item.pos !== i) continue;
      items[n] = item; // n <= i: an entry already read
      item.pos = n++;
    }
    items.fill(undefined, n, this.to);
    this.from = 0;
    this.to = n;
    if (2 * n > items.length) {
      const grown = emptyArray<T>(2 * items.length);
      for (let i = 0; i < n; i++) grown[i] = items[i];
      this.items = grown;
    }
  }
}

/** Filled, not holey, so that every read is of one kind of array. */
function emptyArray<T>(n: number): (T | undefined)[] {
  return new Array<T | undefined>(n).fill(undefined);
}
