/**
 * Span id → connection key, bounded, for the spans that link to, or run under, a WebSocket span
 * (dd-trace's message spans link to the handshake; a handler's span, even one started after its
 * message span ended, is a child of it). In the span processor a message span whose frame went at
 * its start has no entry while it is among the spans noted last (`RecentEntries`): its children
 * find it there, or, once it has ended, read its connection from the span itself.
 *
 * A set-associative table of numbers, not a Map of strings: the span processor looks up every
 * span a service makes. A span id (16 hex digits) is kept as its two 32-bit halves, so a lookup
 * reads 8 to 16 characters and compares integers, and an entry holds no string: nothing is
 * allocated, and the garbage collector has no span id string to keep alive or move. Ids that are not
 * 16 hex digits (some trace files) are hashed and also kept as text, compared on a match. Each
 * set replaces its entries in turn, sparing a span in flight (its frame pushed at its start) over
 * one that ended, so an entry lives about as long as `capacity` later spans (at least `WAYS`
 * landing in its set): a late child that finds nothing falls back to its trace, as it did when a
 * Map forgot it.
 *
 * An entry's numbers lie side by side (`FIELDS` int32s) and a set's four entries fill one 64-byte
 * cache line: the table (about 1 MB in all) is larger than a core's cache and a span's id lands
 * anywhere in it, so a lookup that read one array per field waited on memory once per field.
 */
const WAYS = 4;
/** Per entry: the id's low half, its high half, its state; the fourth is unused, so that a set fills one line. */
const FIELDS = 4;
const LO = 0;
const HI = 1;
const STATE = 2;
/** States: 0 empty; 1 in flight with its frame already pushed; 2 used; plus `TEXT` for an id kept as text. */
const IN_FLIGHT = 1;
const USED = 2;
const TEXT = 4;

export class SpanIds {
  /** `FIELDS` numbers per entry, entry i at `i * FIELDS`. */
  private readonly slots: Int32Array;
  /** The id's text, only for ids that are not 16 hex digits. */
  private readonly text: (string | undefined)[];
  private readonly keys: (string | undefined)[];
  /** Per set: the way to replace next. */
  private readonly next: Uint8Array;
  private readonly mask: number;
  /** The id last read, when it is not 16 hex digits. */
  private plain: string | undefined;
  private empty = true;

  constructor(capacity = 32_768) {
    let sets = 1;
    while (sets * WAYS < capacity) sets *= 2;
    const n = sets * WAYS;
    this.slots = new Int32Array(n * FIELDS);
    // Filled, not holey: every slot may be read.
    this.text = Array.from({ length: n }, () => undefined);
    this.keys = Array.from({ length: n }, () => undefined);
    this.next = new Uint8Array(sets);
    this.mask = sets - 1;
  }

  /** The entry holding `id`, or -1. */
  find(id: string): number {
    if (this.empty) return -1; // a service with no WebSocket span yet pays nothing more
    return this.lookup(id, this.low(id));
  }

  get(id: string): string | undefined {
    const i = this.find(id);
    return i < 0 ? undefined : this.keys[i];
  }

  key(entry: number): string {
    return this.keys[entry]!;
  }

  /** Whether the entry was marked in flight; the mark is cleared. */
  take(entry: number): boolean {
    const at = entry * FIELDS + STATE;
    const state = this.slots[at];
    this.slots[at] = (state & TEXT) | USED;
    return (state & ~TEXT) === IN_FLIGHT;
  }

  /** Keys `id` to `key`, `inFlight` for a framed message span's (spared when its set replaces an entry). */
  set(id: string, key: string, inFlight = false): void {
    const slots = this.slots;
    const lo = this.low(id);
    let i = this.empty ? -1 : this.lookup(id, lo);
    if (i < 0) {
      const hi = this.hexHigh(id);
      i = this.victim(lo & this.mask);
      const at = i * FIELDS;
      slots[at + LO] = lo;
      slots[at + HI] = hi;
      // The text array is written only for ids kept as text, or to let go of one: a hex id's
      // entry (the span processor's every one) touches no other memory than its set's line and its key.
      if (this.plain !== undefined || (slots[at + STATE] & TEXT) !== 0) this.text[i] = this.plain;
      slots[at + STATE] = this.plain === undefined ? 0 : TEXT;
    }
    const at = i * FIELDS + STATE;
    slots[at] = (slots[at] & TEXT) | (inFlight ? IN_FLIGHT : USED);
    this.keys[i] = key;
    this.empty = false;
  }

  private lookup(id: string, lo: number): number {
    const slots = this.slots;
    const base = (lo & this.mask) * WAYS;
    for (let i = base; i < base + WAYS; i++) {
      const at = i * FIELDS;
      if (slots[at + LO] !== lo) continue;
      const state = slots[at + STATE];
      if (state !== 0 && this.same(i, state, id)) return i;
    }
    return -1;
  }

  /** The low half of a hex id (its last 8 digits), else a hash of the whole id (then `plain` is set). */
  private low(id: string): number {
    let v = 0;
    if (id.length === 16) {
      for (let i = 8; i < 16; i++) {
        const d = hexDigit(id.charCodeAt(i));
        if (d < 0) return this.hashed(id);
        v = (v << 4) | d;
      }
      this.plain = undefined;
      return v;
    }
    return this.hashed(id);
  }

  private hashed(id: string): number {
    this.plain = id;
    let h = 0x811c9dc5;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
    return h ^ (h >>> 15);
  }

  /** The high half of a hex id (its first 8 digits); 0 for others, whose text then decides (`plain`). */
  private hexHigh(id: string): number {
    if (this.plain !== undefined) return 0;
    let v = 0;
    for (let i = 0; i < 8; i++) {
      const d = hexDigit(id.charCodeAt(i));
      if (d < 0) {
        this.plain = id;
        return 0;
      }
      v = (v << 4) | d;
    }
    return v;
  }

  private same(i: number, state: number, id: string): boolean {
    const hi = this.hexHigh(id);
    return this.plain !== undefined ? (state & TEXT) !== 0 && this.text[i] === id : (state & TEXT) === 0 && this.slots[i * FIELDS + HI] === hi;
  }

  /** The next entry of a set in turn, sparing spans in flight (spans that never end cannot hold a set for long). */
  private victim(set: number): number {
    const slots = this.slots;
    const base = set * WAYS;
    const first = this.next[set];
    let way = first;
    for (let n = 0; n < WAYS && (slots[(base + way) * FIELDS + STATE] & ~TEXT) === IN_FLIGHT; n++) way = (way + 1) % WAYS;
    if ((slots[(base + way) * FIELDS + STATE] & ~TEXT) === IN_FLIGHT) way = first;
    this.next[set] = (way + 1) % WAYS;
    return base + way;
  }
}

/** Spans `RecentEntries` keeps: a message span's and its handler's few own ones (a power of two). */
const RECENT = 8;

/**
 * How a span was noted (`RecentEntries.note`), as `take` and `peek` give it back with its key in
 * `key` (NOT_NOTED: not noted, or no longer): IN_TABLE, its id was set in the table at its start (a
 * span that opens a connection, a handler's own span: spans link to them or run under them);
 * FRAMED, a message span whose frame went at its start; KEYED, another span with no entry (a
 * close span).
 */
export const NOT_NOTED = -1;
export const IN_TABLE = 0;
export const FRAMED = 1;
export const KEYED = 2;
type Noted = typeof NOT_NOTED | typeof IN_TABLE | typeof FRAMED | typeof KEYED;

/** A span as `RecentEntries` needs it: its id, to place it in the table if it outlives its place. */
export interface NotedSpan {
  spanContext(): { spanId: string };
}

/**
 * The last few spans noted, by span object, with their connection's key, so a span's id is parsed
 * once and its key is at hand at its end and for its children without a read of the table's cold
 * lines: a message span ends right after it starts (and a span object compares by identity, for
 * nothing). A message span whose frame went at its start, and a close span, have no entry in the
 * table: nothing links to them, and most end before their place is taken, so the table's lines are
 * not written for them. A span that had not ended when its place went to a later one is kept in a
 * WeakSet (see `outlived`), and one with no entry is placed in the table then (a framed one marked
 * in flight), so a span never noted is known to have no entry without a look in the table.
 */
export class RecentEntries<T extends NotedSpan> {
  private readonly spans: (T | undefined)[] = new Array<T | undefined>(RECENT).fill(undefined);
  private readonly how = new Int8Array(RECENT);
  private readonly keys: (string | undefined)[] = new Array<string | undefined>(RECENT).fill(undefined);
  /** Made at the first span that outlived its place: until then, no span needs the look. */
  private outlivers: WeakSet<T> | undefined;
  /** Places held: none for most of a service's spans (no WebSocket span runs), and `take` then reads none. */
  private held = 0;
  private next = 0;
  /** The key of the span that `take` or `peek` last found. */
  key: string | undefined = undefined;

  constructor(private readonly ids: SpanIds) {}

  /** Notes a span of connection `key`, IN_TABLE (its id set in the table already), FRAMED or KEYED. */
  note(span: T, key: string, how: typeof IN_TABLE | typeof FRAMED | typeof KEYED): void {
    const k = this.place(span);
    this.how[k] = how;
    this.keys[k] = key;
  }

  private place(span: T): number {
    const k = this.next;
    this.next = (k + 1) & (RECENT - 1);
    const before = this.spans[k];
    if (before === undefined) this.held++;
    else {
      // Not ended yet (`take` forgets a span that ends): it may still have children, and its end must know it framed.
      (this.outlivers ??= new WeakSet()).add(before);
      const how = this.how[k];
      if (how !== IN_TABLE) this.ids.set(before.spanContext().spanId, this.keys[k]!, how === FRAMED);
    }
    this.spans[k] = span;
    return k;
  }

  /** How `span` was noted (its key in `key`), or NOT_NOTED; forgets the span. */
  take(span: T): Noted {
    const k = this.placeOf(span);
    if (k < 0) return NOT_NOTED;
    this.spans[k] = undefined;
    this.held--;
    this.key = this.keys[k];
    this.keys[k] = undefined;
    return this.how[k] as Noted;
  }

  /** As `take`, but the span stays noted. */
  peek(span: T): Noted {
    const k = this.placeOf(span);
    if (k < 0) return NOT_NOTED;
    this.key = this.keys[k];
    return this.how[k] as Noted;
  }

  private placeOf(span: T): number {
    if (this.held === 0) return -1;
    const spans = this.spans;
    for (let k = 0; k < RECENT; k++) if (spans[k] === span) return k;
    return -1;
  }

  /** Whether `span` was noted and, before it ended, gave its place to a later span: it may have an entry `take` does not know. */
  outlived(span: T): boolean {
    return this.outlivers !== undefined && this.outlivers.has(span);
  }
}

/** 0-15 for the code of a hex digit (either case), else -1. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = HEX[65 + i] = 10 + i;

function hexDigit(c: number): number {
  return c < 128 ? HEX[c] : -1;
}
