/**
 * Links events to connections. State is per open connection and bounded: a small ring of
 * recent frames, exceptions and notes, dropped at close. Idle connections are evicted after
 * a TTL and beyond a cap, and both are counted. The correlator knows connections, not formats.
 */
import { Activity } from './activity.js';
import { colonNumber } from './exception.js';
import type {
  CloseEvent, ExceptionEvent, FrameEvent, FrameType, NoteEvent, OpenEvent, WsEvent,
} from './model.js';

export type RecentEvent = FrameEvent | ExceptionEvent | NoteEvent;

/** A connection that ended, with what came before its close: the classifier's input. */
export interface Incident {
  connection: string;
  route?: string;
  remote?: string;
  process?: string;
  open?: OpenEvent;
  close: CloseEvent;
  /** Recent frames, exceptions and notes, oldest first (at most `ringSize`). */
  recent: RecentEvent[];
  /** The last inbound text or binary frame, kept even when it fell out of the ring. */
  lastInbound?: FrameEvent;
  /** Inbound data frames by type over the whole connection. */
  inbound: { text: number; binary: number };
  closeSent?: FrameEvent;
  closeReceived?: FrameEvent;
  /** The process crashed while this connection was open: its close is synthetic. */
  crash?: ExceptionEvent;
  /** With `crash`: this connection's message was the last any connection of the process received before it. */
  crashTrigger?: boolean;
  /** Exceptions with no connection key, from the same process, shortly before an abnormal close. */
  orphans: ExceptionEvent[];
  /** It was evicted (the cap, the idle TTL) and came back without an open: what came before that is gone. */
  evicted: boolean;
}

export interface CorrelatorOptions {
  /** Evict a connection idle this long in input time (ms). */
  ttlMs?: number;
  /** Track at most this many open connections; the least recently active is evicted. */
  maxConnections?: number;
  /** Recent events kept per connection. */
  ringSize?: number;
  /** How long before an abnormal close a keyless exception may still explain it (ms). */
  orphanWindowMs?: number;
  /**
   * Packed data frames give up their `at` once they are not the connection's last inbound one:
   * no verdict shows them (the classifier reads the last inbound frame, exceptions, notes and
   * close frames), and the span processor makes one id text per frame, which rings would keep
   * alive for the collector to move. Such frames in `Incident.recent` then have an empty `at`.
   */
  lastAtOnly?: boolean;
}

export interface CorrelatorStats {
  evictedIdle: number;
  evictedCap: number;
  /** Connections still open at end of input: no verdict, since they did not end. */
  openAtEnd: number;
  /** Connections whose key was opened again before their close was logged: they ended unlogged, no verdict. */
  unended: number;
  /** Close lines for a connection that had just closed (a server logging "closing" then "closed"). */
  duplicateCloses: number;
  /** Connections ended by a process crash, with no close line. */
  crashed: number;
  /**
   * Exceptions and notes logged for a connection after its close, and messages after the crash
   * that ended it (a process's stdout and stderr are copied apart: its last records may come after
   * its crash report): read, not judged.
   */
  afterClose: number;
}

/**
 * One open connection. Memory is O(open connections), so this is kept small: a class whose
 * fields are all set at construction (one shape, no property store added later), its numbers
 * unboxed, and a ring that grows to `ringSize` (most connections log a few events).
 *
 * A connection's state is touched once in many events (hundreds apart on a busy service), and
 * what runs between streams through the caches, so each distinct cache line a frame touches is
 * a miss. Hence a Conn is itself an array of doubles, its numbers: the header (see `HEADER`),
 * then two per ring slot (see `pack`). A frame reads the fields and the numbers' store from the
 * one object (no array object between, a line saved), the fields it reads first, and writes the
 * header and one slot. The ring's objects (`recent`) are written only for an event kept as an
 * object or a packed frame's `at`, which `lastAtOnly` keeps for the last inbound frame alone,
 * here (`inboundAt`). The ring grows by appending numbers: V8 gives the store room for about
 * half as many again plus 16, so at the default size it is made twice (4 slots, then 16).
 */
class Conn extends Array<number> {
  /** Its key in the connections' map (see `Correlator.keyOf`). */
  readonly key: string;
  /** Its id as the input names it (most often the same text as `key`). */
  readonly id: string;
  /** Its place in the keyed connections' activity order (see Activity), -1 when not there. */
  pos = -1;
  route: string | undefined;
  process: string | undefined;
  /**
   * The last inbound data frame as an object, or undefined while it is kept packed in its slot:
   * the object (with its `at` text) is most of what an open connection would weigh beyond its
   * ring. `lastInbound` makes it again, once, when asked (mostly at close).
   */
  private inbound: FrameEvent | undefined = undefined;
  /** The `at` of `lastInbound` while it is packed with AT_DROPPED (`lastAtOnly`): the one such frame that keeps it. */
  private inboundAt = '';
  /**
   * The ring's objects: slot i holds the event if it is kept as one (its second number is
   * OBJECT), else the `at` of the frame packed there (or its line, see `pack`), unless dropped.
   * Made (and grown to the ring's size) when first written: with `lastAtOnly`, most rings never are.
   */
  recent: (RecentEvent | string | number)[] = NO_EVENTS;
  readonly source: string;
  open: OpenEvent | undefined = undefined;
  closeSent: FrameEvent | undefined = undefined;
  closeReceived: FrameEvent | undefined = undefined;
  /** The current connection of a keyless log's source (in `sequential`), not in the keyed map. */
  readonly keyless: boolean;
  /** See `Incident.evicted`. */
  evicted = false;

  constructor(
    key: string, id: string, source: string, route: string | undefined, process: string | undefined, lastTime: number,
    keyless: boolean, ring: number,
  ) {
    super();
    this.grow(ring);
    this[LAST_TIME] = lastTime;
    this[COUNT] = 0;
    this[START] = 0;
    this[INBOUND_SLOT] = -1;
    this[INBOUND_SEQ] = 0;
    this[INBOUND_TEXT] = 0;
    this[INBOUND_BINARY] = 0;
    this[OBJECTS] = 0;
    this.key = key;
    this.id = id;
    this.route = route;
    this.process = process;
    this.source = source;
    this.keyless = keyless;
  }

  get lastTime(): number {
    return this[LAST_TIME];
  }

  /** The ring slot of `lastInbound` while the ring holds it, else -1. */
  get inboundSlot(): number {
    return this[INBOUND_SLOT];
  }

  /** The event count at `lastInbound`: orders the connections' last messages, whatever their times. */
  get inboundSeq(): number {
    return this[INBOUND_SEQ];
  }

  get inboundText(): number {
    return this[INBOUND_TEXT];
  }

  get inboundBinary(): number {
    return this[INBOUND_BINARY];
  }

  get lastInbound(): FrameEvent | undefined {
    const slot = this.inboundSlot;
    if (this.inbound === undefined && slot >= 0) this.inbound = this.event(slot) as FrameEvent;
    return this.inbound;
  }

  /** A new last inbound data frame, into ring slot `slot`: packed there if it can be. */
  received(f: FrameEvent, slot: number, at: AtMode): void {
    // The one before, if packed with AT_DROPPED, loses its `at` now that it is no longer the last
    // (see `unpack`); if kept as an object, it could not be packed and still cannot (a frame's
    // route and process are the connection's from its own event on, or never).
    this[INBOUND_SLOT] = slot;
    if (f.type === 'text') this[INBOUND_TEXT]++;
    else this[INBOUND_BINARY]++;
    if (this.pack(slot, f, at)) {
      this.inbound = undefined;
      if (at === AT_DROPPED) this.inboundAt = f.at;
    } else {
      this.hold(slot, f);
      this.inbound = f;
    }
  }

  /** Keeps `e` in ring slot `slot` as an object. */
  hold(slot: number, e: RecentEvent): void {
    this.objects()[slot] = e;
    const i = HEADER + 2 * slot + 1;
    if (this[i] !== OBJECT) this[OBJECTS]++;
    this[i] = OBJECT;
  }

  /** The ring's slot `slot` is about to be overwritten: `lastInbound`, if there, is kept as an object. */
  overwriting(slot: number): void {
    if (slot !== this.inboundSlot) return;
    this.inbound = this.lastInbound;
    this[INBOUND_SLOT] = -1;
  }

  /** The ring's size now: it grows up to `ringSize`, then wraps. */
  get ring(): number {
    return (this.length - HEADER) >> 1;
  }

  /** The ring grows to `size` slots (it wraps only at full size: no slot moves), the header first when new. */
  grow(size: number): void {
    for (let i = this.length; i < HEADER + 2 * size; i++) this[i] = 0.5; // doubles, unboxed (not Smis first: one kind for all)
  }

  /** The recent events, oldest first, in a new array; packed frames made objects again. */
  ordered(): RecentEvent[] {
    return this.events(true);
  }

  /** The recent events that are objects, oldest first, with `lastInbound` in its slot: the packed data frames left out. */
  kept(): RecentEvent[] {
    return this.events(false);
  }

  private events(unpacked: boolean): RecentEvent[] {
    const slot = this.inboundSlot;
    if (!unpacked && this[OBJECTS] === 0) return slot >= 0 ? [this.lastInbound!] : [];
    const ring = this.ring;
    const start = this[START];
    const count = this[COUNT];
    const out: RecentEvent[] = [];
    for (let i = 0; i < count; i++) {
      const j = (start + i) % ring;
      if (j === slot) out.push(this.lastInbound!);
      else if (unpacked || this[HEADER + 2 * j + 1] === OBJECT) out.push(this.event(j));
    }
    return out;
  }

  /** The event in ring slot `slot`: the object kept there, or the frame packed there made again. */
  private event(slot: number): RecentEvent {
    return this[HEADER + 2 * slot + 1] === OBJECT ? this.recent[slot] as RecentEvent : this.unpack(slot);
  }

  /** The ring's objects, as long as the ring (see `recent`). */
  private objects(): (RecentEvent | string | number)[] {
    const ring = this.ring;
    if (this.recent.length !== ring) {
      const grown = new Array<RecentEvent | string | number>(ring);
      for (let i = 0; i < this.recent.length; i++) grown[i] = this.recent[i];
      this.recent = grown;
    }
    return this.recent;
  }

  /**
   * Keeps a data frame in its slot as two numbers and its `at`, not as an object: frames are
   * most of what rings hold, and an object per frame kept alive (with its time, a heap number)
   * is what the garbage collector moves and promotes. Only a frame that `unpack` gives back whole
   * is packed (else it stays an object): its route and process are the connection's or none, its
   * connection this one, its size a whole number. With AT_FOLDED, its `at` is kept as its line
   * alone where it is `source:line` (see `FOLD_FROM`); with AT_DROPPED, not at all (`lastAtOnly`),
   * and the ring's objects are not written. Returns whether it packed the frame: if not, the slot
   * is left as it was.
   */
  pack(slot: number, f: FrameEvent, at: AtMode): boolean {
    const size = f.size;
    const type = packedType(f.type);
    if (type < 0 || f.code !== undefined || f.reason !== undefined || f.time !== f.time) return false;
    if (size !== undefined && !(Number.isInteger(size) && size >= 0 && size < 2 ** 40)) return false;
    let bits = type | (f.direction === 'out' ? OUT : 0) | (f.conn === undefined ? NO_CONN : 0);
    if (f.route === undefined) bits |= NO_ROUTE;
    else if (f.route !== this.route) return false;
    if (f.process === undefined) bits |= NO_PROCESS;
    else if (f.process !== this.process) return false;
    const i = HEADER + 2 * slot;
    if (this[i + 1] === OBJECT) {
      this[OBJECTS]--;
      if (at === AT_DROPPED) this.recent[slot] = NO_AT; // the object there is not kept alive
    }
    if (at === AT_DROPPED) bits |= AT_GONE;
    else {
      const line = at === AT_FOLDED ? lineIn(f.at, this.source) : -1;
      this.objects()[slot] = line < 0 ? f.at : line;
    }
    this[i] = f.time ?? NaN;
    this[i + 1] = (size === undefined ? 0 : size + 1) * FLAGS + bits;
    return true;
  }

  private unpack(slot: number): FrameEvent {
    const time = this[HEADER + 2 * slot];
    const n = this[HEADER + 2 * slot + 1];
    const bits = n % FLAGS;
    const size = (n - bits) / FLAGS - 1;
    let at: string;
    if (bits & AT_GONE) at = slot === this.inboundSlot ? this.inboundAt : '';
    else {
      const x = this.recent[slot] as string | number;
      at = typeof x === 'string' ? x : `${this.source}:${x}`;
    }
    return {
      kind: 'frame', direction: bits & OUT ? 'out' : 'in', type: PACKED_TYPES[bits & 7], size: size < 0 ? undefined : size,
      time: time === time ? time : undefined, conn: bits & NO_CONN ? undefined : this.id, at,
      route: bits & NO_ROUTE ? undefined : this.route, process: bits & NO_PROCESS ? undefined : this.process,
    };
  }
}

/**
 * The Incident the correlator hands over: the ended connection's state as it was, read where
 * it is. Most closes are normal and judged from the close alone, so the ring is made objects
 * again (`recent`) only when asked; the classifier reads `kept` (see `keptEvents`).
 */
class Ended implements Incident {
  readonly connection: string;
  readonly route: string | undefined;
  readonly remote: string | undefined;
  readonly process: string | undefined;
  readonly open: OpenEvent | undefined;
  readonly closeSent: FrameEvent | undefined;
  readonly closeReceived: FrameEvent | undefined;
  readonly evicted: boolean;

  constructor(
    private readonly conn: Conn, readonly close: CloseEvent, readonly crash: ExceptionEvent | undefined,
    readonly crashTrigger: boolean | undefined, readonly orphans: ExceptionEvent[],
  ) {
    this.connection = conn.id;
    this.evicted = conn.evicted;
    this.route = conn.route;
    this.remote = conn.open?.remote;
    this.process = conn.process;
    this.open = conn.open;
    this.closeSent = conn.closeSent;
    this.closeReceived = conn.closeReceived;
  }

  get recent(): RecentEvent[] {
    return this.conn.ordered();
  }

  /** Made an object again only when read: a normal close is judged without it. */
  get lastInbound(): FrameEvent | undefined {
    return this.conn.lastInbound;
  }

  get inbound(): { text: number; binary: number } {
    return { text: this.conn.inboundText, binary: this.conn.inboundBinary };
  }

  kept(): RecentEvent[] {
    return this.conn.kept();
  }

  /** Whether its ring holds an event as an object: an exception is always one. */
  get holdsObjects(): boolean {
    return this.conn[OBJECTS] > 0;
  }
}

/**
 * The recent events of an incident in order, or at least those that are not data frames, and
 * its last inbound frame if they hold it: what the classifier reads (exceptions, notes, close
 * frames and where the last message stands among them) without making packed frames objects.
 */
export function keptEvents(inc: Incident): RecentEvent[] {
  return inc instanceof Ended ? inc.kept() : inc.recent;
}

/**
 * Whether an incident's recent events may hold an exception. Not where its ring holds no event
 * as an object: then `keptEvents` would only make its last inbound frame an object again.
 */
export function mayHoldExceptions(inc: Incident): boolean {
  return !(inc instanceof Ended) || inc.holdsObjects;
}

/**
 * A set of at most `max` keys that forgets the oldest added first (as a Set whose first entry is
 * deleted when it grows too big). Its members are the keys whose value is a number (their slot)
 * in a map it may share with its owner: the correlator keeps its open connections in the same
 * map, so a close turns the connection's entry into a slot and a new connection's one lookup
 * tells whether its key was just closed. The order is a list linked through typed arrays: no
 * Set iterator to walk past deleted entries, no object per key.
 */
export class RecentKeys {
  /** Each member's key by slot; slots are reused, at most `max` are in use. */
  private readonly keys: string[] = [];
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  /** The oldest and the newest member's slot, -1 when empty. */
  private head = -1;
  private tail = -1;
  /** Slots free for reuse, linked through `next`; slots never used start at `keys.length`. */
  private free = -1;
  private count = 0;

  constructor(private readonly max: number, readonly slots: Map<string, unknown> = new Map()) {
    this.prev = new Int32Array(max);
    this.next = new Int32Array(max);
  }

  get size(): number {
    return this.count;
  }

  has(key: string): boolean {
    return typeof this.slots.get(key) === 'number';
  }

  delete(key: string): void {
    const slot = this.slots.get(key);
    if (typeof slot !== 'number') return;
    this.slots.delete(key);
    this.forget(slot);
  }

  /** Adds `key`, whose value in `slots` (if the caller has it at hand) is `value`. */
  add(key: string, value: unknown = this.slots.get(key)): void {
    if (typeof value === 'number') return; // a member keeps its place, as in a Set
    let slot: number;
    if (this.count >= this.max) {
      slot = this.head; // full: the oldest goes, and its slot serves the new key
      this.slots.delete(this.keys[slot]);
      this.unlink(slot);
    } else if (this.free >= 0) {
      slot = this.free;
      this.free = this.next[slot];
    } else slot = this.keys.length;
    this.keys[slot] = key;
    this.prev[slot] = this.tail;
    this.next[slot] = -1;
    if (this.tail >= 0) this.next[this.tail] = slot;
    else this.head = slot;
    this.tail = slot;
    this.count++;
    this.slots.set(key, slot);
  }

  /** Takes the member at `slot` out of the order; its entry in `slots` is the owner's to delete or overwrite. */
  forget(slot: number): void {
    this.unlink(slot);
    this.keys[slot] = '';
    this.next[slot] = this.free;
    this.free = slot;
  }

  private unlink(slot: number): void {
    const prev = this.prev[slot];
    const next = this.next[slot];
    if (prev >= 0) this.next[prev] = next;
    else this.head = next;
    if (next >= 0) this.prev[next] = prev;
    else this.tail = prev;
    this.count--;
  }
}

/** The line `n` of an `at` that is `source:n` exactly (no leading zero, so `${source}:${n}` gives it back), else -1. */
function lineIn(at: string, source: string): number {
  const colon = colonNumber(at, at.length);
  const digits = at.length - colon - 1;
  if (colon !== source.length || digits > 15 || (digits > 1 && at.charCodeAt(colon + 1) === 48 /* 0 */)) return -1;
  if (!at.startsWith(source)) return -1;
  let n = 0;
  for (let i = colon + 1; i < at.length; i++) n = n * 10 + at.charCodeAt(i) - 48;
  return n;
}

function packedType(t: FrameType): number {
  switch (t) {
    case 'text': return 0;
    case 'binary': return 1;
    case 'ping': return 2;
    case 'pong': return 3;
    case 'continuation': return 4;
    default: return -1;
  }
}

/** How a packed frame keeps its `at`: as it is, as its line alone (`FOLD_FROM`), or not at all (`lastAtOnly`). */
type AtMode = 0 | 1 | 2;
const AT_KEPT = 0;
const AT_FOLDED = 1;
const AT_DROPPED = 2;
/** What a ring's objects hold in a slot whose object was dropped (lines are never negative). */
const NO_AT = -1;
const NO_EVENTS: RecentEvent[] = [];
/** A connection's numbers (a Conn's elements): its header, then two per ring slot from HEADER. */
const LAST_TIME = 0;
const COUNT = 1;
const START = 2;
const INBOUND_SLOT = 3;
const INBOUND_SEQ = 4;
const INBOUND_TEXT = 5;
const INBOUND_BINARY = 6;
/** Ring slots that hold an object: with none, the kept events are the last inbound frame alone (most closes). */
const OBJECTS = 7;
const HEADER = 8;
/** A ring slot's second number when the slot holds an object in `recent` (a packed frame's is >= 0). */
const OBJECT = -1;
/** Most closes have no orphans to hand over: one frozen list serves them all. */
const NO_ORPHANS = Object.freeze([]) as unknown as ExceptionEvent[];
/** The frame types a packed frame may have, by `packedType` (close frames carry a code and reason: never packed). */
const PACKED_TYPES: readonly FrameType[] = ['text', 'binary', 'ping', 'pong', 'continuation'];
const OUT = 8;
const NO_CONN = 16;
const NO_ROUTE = 32;
const NO_PROCESS = 64;
/** Its `at` was not kept (AT_DROPPED): it is `inboundAt` if it is the last inbound frame, else empty. */
const AT_GONE = 128;
/** A packed frame's size + 1 (0 for none) is kept above its bits: `(size + 1) * FLAGS + bits`. */
const FLAGS = 256;
/** The ring's first size (a connection's numbers are made with it): it then doubles up to `ringSize`. */
const RING_START = 4;
const SWEEP_EVERY = 1024;
/**
 * Open connections from which a packed frame's `at` is kept as its line: its text (about 60
 * bytes) is then most of what an open connection weighs. Not below: reading the text's head
 * makes the parser's joined `file:` + `line` one piece (a copy), which costs more than it saves
 * while few connections are open.
 */
const FOLD_FROM = 8192;
const RECENT_CLOSED = 4096;
const ORPHANS_PER_PROCESS = 8;

export class Correlator {
  readonly stats: CorrelatorStats = { evictedIdle: 0, evictedCap: 0, openAtEnd: 0, unended: 0, duplicateCloses: 0, crashed: 0, afterClose: 0 };
  /**
   * The keyed connections open (a Conn) and the keys closed last (a number: their slot in
   * `recentlyClosed`, which shares this map). One map for both: a close overwrites the entry it
   * finds, and a new key costs one lookup.
   */
  private readonly conns = new Map<string, Conn | number>();
  /**
   * The keyed connections open (the Conns in `conns`), least recently active first, for cap and
   * idle eviction: not the Map's order, since moving an entry to its back cost a delete and a set.
   */
  private readonly activity = new Activity<Conn>();
  /** The current connection of a keyless log, per source: read in order, split at open and close. */
  private readonly sequential = new Map<string, Conn>();
  /** The source of the last keyed connection: sources are read one after another. */
  private keyedSource: string | undefined = undefined;
  private readonly recentlyClosed = new RecentKeys(RECENT_CLOSED, this.conns);
  private readonly orphans = new Map<string, ExceptionEvent[]>();
  /** The keys of the connections evicted last, oldest first (at most RECENT_CLOSED). */
  private readonly evictedKeys = new Set<string>();
  /** The keys of connections a crash ended, until opened again (at most RECENT_CLOSED). */
  private readonly crashedKeys = new Set<string>();
  /**
   * The last source, route and process named: each connection keeps its own, and most share one
   * text, so the lookups by them at each close (profiles, summary, orphans) find its hash kept.
   */
  private readonly sources = new LastText();
  private readonly routes = new LastText();
  private readonly processes = new LastText();
  /** The last event that named its process: a crash report names none, and the process that wrote just before it is the one that died. */
  private lastWithProcess: WsEvent | undefined;
  /** The first process an event named (`keyOf`). */
  private firstProcess: string | undefined;
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly ringSize: number;
  private readonly orphanWindowMs: number;
  private readonly lastAtOnly: boolean;
  /**
   * The key of the connection the last event pushed went to, if any: a producer that keeps keys
   * for long (the span processor's id table) keeps this one, not a copy made per event.
   */
  lastKey: string | undefined = undefined;
  private now = -Infinity;
  private seq = 0;
  private sinceSweep = 0;

  constructor(private readonly onIncident: (incident: Incident) => void, opts: CorrelatorOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 60 * 60 * 1000;
    this.max = opts.maxConnections ?? 100_000;
    this.ringSize = Math.max(1, opts.ringSize ?? 16);
    this.orphanWindowMs = opts.orphanWindowMs ?? 5_000;
    this.lastAtOnly = opts.lastAtOnly === true;
  }

  /** Open connections being tracked. */
  get size(): number {
    return this.activity.size + this.sequential.size;
  }

  push(e: WsEvent): void {
    // Each field read once into a local: events of every kind pass here, so each read of one is
    // a megamorphic lookup (several instructions tens of times over), not a load.
    const kind = e.kind;
    if (kind === 'accepts') {
      this.lastKey = undefined;
      return;
    }
    const time = e.time;
    const process = e.process;
    if (time !== undefined && time > this.now) this.now = time;
    this.seq++;
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep();
    if (process !== undefined) this.lastWithProcess = e;

    const key = e.conn;
    if (kind === 'exception' && e.fatal && key === undefined) {
      this.lastKey = undefined;
      this.crash(e);
      return;
    }
    const conn = key === undefined ? this.keyless(e) : this.keyed(e, key, kind);
    this.lastKey = conn?.id;
    if (!conn) return;
    if (time !== undefined) conn[LAST_TIME] = time;
    const route = e.route;
    if (route && !conn.route) conn.route = this.routes.of(route);
    if (process && !conn.process) conn.process = this.processes.of(process);

    switch (kind) {
      case 'open':
        conn.open ??= e;
        break;
      case 'frame':
        this.frame(conn, e);
        break;
      case 'exception':
        this.remember(conn, e);
        if (e.fatal) this.conclude(conn, syntheticClose(conn, e), e);
        break;
      case 'note':
        this.remember(conn, e);
        break;
      case 'close':
        this.conclude(conn, e);
        break;
    }
  }

  /** End of input: connections still open are counted, not judged. */
  end(): void {
    this.stats.openAtEnd += this.size;
    for (const conn of this.activity.list()) this.conns.delete(conn.key);
    this.activity.clear();
    this.sequential.clear();
  }

  /**
   * The map key of connection `id` of `process`: the id alone for the first process the input
   * names (and for events that name none), the id with its process for any other, so that ids each
   * process counts from 1 (c1, c2, …) are not taken for one connection across replicas or restarts.
   */
  private keyOf(id: string, process: string | undefined): string {
    return process === undefined || process === (this.firstProcess ??= process) ? id : `${id}\u0000${process}`;
  }

  private keyed(e: WsEvent, id: string, kind: WsEvent['kind']): Conn | undefined {
    const key = this.keyOf(id, e.process);
    const found = this.conns.get(key);
    let conn = typeof found === 'number' ? undefined : found;
    if (conn && kind === 'open' && conn.open) {
      // A second open under a key in use: the first connection ended unlogged (a restart, another host's file).
      this.drop(conn);
      this.stats.unended++;
      conn = undefined;
    }
    if (conn) {
      // Not moved for its close: it leaves the order at once.
      if (kind !== 'close') this.activity.touch(conn);
      return conn;
    }
    if (typeof found === 'number') {
      if (kind === 'close') {
        this.stats.duplicateCloses++;
        return undefined;
      }
      if (kind === 'exception' || kind === 'note' || (kind !== 'open' && this.crashedKeys.size !== 0 && this.crashedKeys.has(key))) {
        this.stats.afterClose++;
        return undefined;
      }
      this.recentlyClosed.forget(found); // the key was reused by a new connection: its entry is overwritten below
    }
    // A new connection under the key: a message after its end is no late record of the crash's.
    if (this.crashedKeys.size !== 0) this.crashedKeys.delete(key);
    conn = this.create(key, id, e, false);
    this.keyedSource = conn.source;
    // Not for an open: the key's new connection, not the evicted one again.
    if (kind !== 'open' && this.evictedKeys.size !== 0 && this.evictedKeys.delete(key)) conn.evicted = true;
    // A close's connection leaves at once: no other is evicted to make room for it.
    if (kind !== 'close' && this.activity.size >= this.max) {
      this.evict(this.activity.oldest()!);
      this.stats.evictedCap++;
    }
    this.conns.set(key, conn);
    this.activity.touch(conn);
    return conn;
  }

  /** Stops tracking a keyed connection. */
  private drop(conn: Conn): void {
    this.conns.delete(conn.key);
    this.activity.remove(conn);
  }

  /** Lines that name no connection: in a keyless log, they belong to the current one of their source. */
  private keyless(e: WsEvent): Conn | undefined {
    const source = this.sourceOf(e);
    let conn = this.sequential.get(source);
    if (e.kind === 'open' && conn) {
      // An open line while one is current: the previous connection ended unlogged.
      this.sequential.delete(source);
      this.stats.unended++;
      conn = undefined;
    }
    if (!conn) {
      if (e.kind === 'exception') {
        this.orphan(e);
        return undefined;
      }
      // A close line with no connection before it, in a log whose connections have keys, is about
      // the process ("shutting down: closing 2 clients"), not a connection of its own.
      if (e.kind === 'note' || (e.kind === 'close' && source === this.keyedSource)) return undefined;
      conn = this.create(e.at, e.at, e, true);
      this.sequential.set(source, conn);
    }
    return conn;
  }

  private create(key: string, id: string, e: WsEvent, keyless: boolean): Conn {
    const { route, process } = e;
    return new Conn(key, id, this.sourceOf(e), route === undefined ? route : this.routes.of(route),
      process === undefined ? process : this.processes.of(process), e.time ?? this.now, keyless, Math.min(this.ringSize, RING_START));
  }

  private sourceOf(e: WsEvent): string {
    return this.sources.of(sourceOf(e));
  }

  private frame(conn: Conn, f: FrameEvent): void {
    if (f.type === 'close') {
      if (f.direction === 'out') conn.closeSent ??= f;
      else conn.closeReceived ??= f;
      this.remember(conn, f);
    } else if (f.direction === 'in' && (f.type === 'text' || f.type === 'binary')) {
      conn.received(f, this.place(conn), this.atMode());
      conn[INBOUND_SEQ] = this.seq;
    } else {
      const slot = this.place(conn);
      if (!conn.pack(slot, f, this.atMode())) conn.hold(slot, f);
    }
  }

  private atMode(): AtMode {
    return this.lastAtOnly ? AT_DROPPED : this.activity.size >= FOLD_FROM ? AT_FOLDED : AT_KEPT;
  }

  /** Puts the event in its connection's ring. */
  private remember(conn: Conn, e: RecentEvent): void {
    conn.hold(this.place(conn), e);
  }

  /** The ring slot of the connection's next event, which the caller writes (packed or not). */
  private place(conn: Conn): number {
    const count = conn[COUNT];
    const ring = conn.ring;
    if (count < ring) {
      conn[COUNT] = count + 1;
      return count;
    }
    if (ring < this.ringSize) {
      conn.grow(Math.min(this.ringSize, ring * 2)); // not wrapped yet (it wraps only at full size)
      conn[COUNT] = count + 1;
      return count;
    }
    const slot = conn[START]; // full: overwrite the oldest
    conn.overwriting(slot);
    conn[START] = (slot + 1) % ring;
    return slot;
  }

  private orphan(e: ExceptionEvent): void {
    const key = e.process ?? sourceOf(e);
    let list = this.orphans.get(key);
    if (!list) this.orphans.set(key, (list = []));
    if (list.length >= ORPHANS_PER_PROCESS) list.shift();
    list.push(e);
  }

  private conclude(conn: Conn, close: CloseEvent, crash?: ExceptionEvent, crashTrigger?: boolean): void {
    // A keyless connection that ends is its source's current one: one that is not is unreachable.
    if (conn.keyless) this.sequential.delete(conn.source);
    else {
      // Its entry in `conns` becomes its slot among the keys closed last.
      this.activity.remove(conn);
      this.recentlyClosed.add(conn.key, conn);
    }
    this.onIncident(new Ended(conn, close, crash, crashTrigger, this.orphansFor(conn, close)));
  }

  private orphansFor(conn: Conn, close: CloseEvent): ExceptionEvent[] {
    if (close.code !== null && close.code !== 1006 && close.code !== 1011) return NO_ORPHANS;
    const list = this.orphans.get(conn.process ?? conn.source);
    if (!list || close.time === undefined) return NO_ORPHANS;
    const after = conn.lastInbound?.time ?? -Infinity;
    return list.filter((x) => x.time !== undefined && x.time <= close.time! && x.time >= after
      && close.time! - x.time <= this.orphanWindowMs);
  }

  /**
   * A process died: every connection open in it ended without a close frame. A report that
   * names no process (Node's stderr) belongs to the source it was read from, and within it to
   * the process of the source's last line: several processes may share one stream.
   */
  private crash(e: ExceptionEvent): void {
    const source = sourceOf(e);
    const last = this.lastWithProcess;
    const process = e.process ?? (last && sourceOf(last) === source ? last.process : undefined);
    const victims: Conn[] = [];
    for (const conn of this.activity.list()) if (sameProcess(conn, process, source)) victims.push(conn);
    for (const conn of this.sequential.values()) if (sameProcess(conn, process, source)) victims.push(conn);
    // The connection whose message came last is the one the process was handling when it died.
    let trigger: Conn | undefined;
    for (const conn of victims) if (conn.inboundSeq > (trigger?.inboundSeq ?? 0)) trigger = conn;
    if (this.crashedKeys.size + victims.length > RECENT_CLOSED) this.crashedKeys.clear();
    for (const conn of victims) {
      this.stats.crashed++;
      if (!conn.keyless) this.crashedKeys.add(conn.key);
      this.conclude(conn, syntheticClose(conn, e), e, conn === trigger);
    }
    if (victims.length === 0) this.orphan(e);
  }

  private sweep(): void {
    this.sinceSweep = 0;
    if (this.now === -Infinity) return;
    const limit = this.now - this.ttlMs;
    for (let conn = this.activity.oldest(); conn && conn.lastTime < limit; conn = this.activity.oldest()) {
      this.evict(conn);
      this.stats.evictedIdle++;
    }
  }

  /** Drops a connection still open, its key kept for a while: should it come back, its verdict must know its past is gone. */
  private evict(conn: Conn): void {
    this.drop(conn);
    const keys = this.evictedKeys;
    if (keys.size >= RECENT_CLOSED) keys.delete(keys.values().next().value!);
    keys.add(conn.key);
  }
}

/** The text last given, kept: a text equal to it is answered with the one kept. */
class LastText {
  private text = '';

  of(text: string): string {
    if (text !== this.text) this.text = text;
    return this.text;
  }
}

function sourceOf(e: WsEvent): string {
  const i = e.at.lastIndexOf(':');
  return i > 0 ? e.at.slice(0, i) : e.at;
}

function sameProcess(conn: Conn, process: string | undefined, source: string): boolean {
  if (process && conn.process) return process === conn.process;
  return conn.source === source;
}

/** The close a crash implies: no close frame, so the peer saw 1006. */
function syntheticClose(conn: Conn, e: ExceptionEvent): CloseEvent {
  return {
    kind: 'close', code: 1006, reason: '', initiator: 'server', clean: false,
    time: e.time, conn: conn.id, at: e.at, process: e.process, route: conn.route,
  };
}
