import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Correlator, keptEvents, RecentKeys, type Incident, type RecentEvent } from '../src/correlator.js';
import type { FrameEvent, WsEvent } from '../src/model.js';
import { ev } from './support/events.js';

function collect(opts = {}) {
  const out: Incident[] = [];
  const c = new Correlator((i) => out.push(i), opts);
  return { c, out };
}

describe('Correlator', () => {
  it('links interleaved connections by key and hands over what came before each close', () => {
    const { c, out } = collect();
    c.push(ev.open('a', 1));
    c.push(ev.open('b', 2, '/feed'));
    c.push(ev.frame('a', 3, 'text'));
    c.push(ev.frame('b', 4, 'binary'));
    c.push(ev.error('b', 5, 'SyntaxError', 'bad'));
    c.push(ev.frame('a', 6, 'text', 'out'));
    c.push(ev.close('b', 7, 1011));
    c.push(ev.close('a', 8, 1000));
    expect(out.map((i) => i.connection)).toEqual(['b', 'a']);
    const [b, a] = out;
    expect(b.route).toBe('/feed');
    expect(b.lastInbound?.type).toBe('binary');
    expect(b.recent.map((e) => e.kind)).toEqual(['frame', 'exception']);
    expect(b.inbound).toEqual({ text: 0, binary: 1 });
    expect(a.lastInbound?.type).toBe('text');
    expect(a.inbound).toEqual({ text: 1, binary: 0 });
    expect(c.size).toBe(0);
  });

  it('keeps a bounded ring but never loses the last inbound frame', () => {
    const { c, out } = collect({ ringSize: 4 });
    c.push(ev.frame('a', 1, 'binary'));
    for (let i = 0; i < 10; i++) c.push(ev.frame('a', 2 + i, 'text', 'out'));
    c.push(ev.close('a', 20, 1003));
    expect(out[0].recent).toHaveLength(4);
    expect(out[0].lastInbound?.type).toBe('binary');
  });

  it('hands over the last ringSize events, oldest first, whether the ring grew, filled or wrapped', () => {
    for (const n of [1, 3, 4, 5, 8, 9, 15, 16, 17, 31, 40]) {
      const { c, out } = collect({ ringSize: 16 });
      const events = Array.from({ length: n }, (_, i) => ev.frame('a', i + 1, 'text', 'out'));
      for (const e of events) c.push(e);
      c.push(ev.close('a', n + 1, 1000));
      expect(out[0].recent, `${n} events`).toEqual(events.slice(-16));
    }
  });

  it('hands over frames it kept packed as they came, and the last inbound frame as the one in its slot', () => {
    const { c, out } = collect({ ringSize: 16 });
    const open = ev.open('a', 1);
    const frames = [
      ev.frame('a', 2, 'text', 'in', { size: 12 }),
      ev.frame('a', 3, 'binary', 'out', { route: undefined, process: undefined }),
      ev.frame('a', 4, 'ping', 'out', { size: 0, time: undefined }),
      ev.frame('a', 5, 'text', 'in', { route: '/other' }), // not the connection's route: kept as it is
      ev.frame('a', 6, 'continuation', 'in', { size: 2 ** 41 }), // too big to pack: kept as it is
      ev.frame('a', 7, 'pong', 'in', { size: 1.5 }),
      ev.frame('a', 8, 'binary', 'in', { size: 70_000 }),
      ev.frame('a', 9, 'text', 'out'),
    ];
    c.push(open);
    for (const f of frames) c.push(f);
    c.push(ev.close('a', 10, 1000));
    const [inc] = out;
    expect(inc.recent).toEqual(frames);
    expect(inc.lastInbound).toEqual(frames[6]);
    expect(inc.recent.indexOf(inc.lastInbound!)).toBe(6); // the same object: the classifier finds it by identity
    expect(inc.recent[3]).toBe(frames[3]);
    expect(inc.recent[4]).toBe(frames[4]);
    expect(inc.inbound).toEqual({ text: 2, binary: 1 });
  });

  it('with lastAtOnly, keeps the at of the last inbound frame alone, wherever the ring stands', () => {
    for (const n of [1, 2, 3, 16, 17, 40]) {
      const { c, out } = collect({ ringSize: 16, lastAtOnly: true });
      const frames = Array.from({ length: n }, (_, i) => ev.frame('a', i + 2, i % 3 === 2 ? 'binary' : 'text', i % 4 === 3 ? 'out' : 'in'));
      const error = ev.error('a', n + 2, 'SyntaxError', 'bad');
      c.push(ev.open('a', 1));
      for (const f of frames) c.push(f);
      c.push(error);
      c.push(ev.close('a', n + 3, 1011));
      const [inc] = out;
      const last = frames.filter((f) => f.direction === 'in').at(-1);
      expect(inc.lastInbound, `${n} frames`).toEqual(last);
      // Every other packed frame is whole but for its `at`; the exception is kept as it came.
      const expected = [...frames, error].slice(-16).map((e) => (e === last || e === error ? e : { ...e, at: '' }));
      expect(inc.recent, `${n} frames`).toEqual(expected);
      expect(keptEvents(inc).at(-1)).toBe(error);
    }
  });

  it('names the connection the last event went to, and none when it went to none', () => {
    const { c } = collect();
    c.push(ev.open('a', 1));
    expect(c.lastKey).toBe('a');
    c.push(ev.close('a', 2, 1000));
    expect(c.lastKey).toBe('a');
    c.push(ev.close('a', 3, 1000)); // a duplicate close: read, not judged
    expect(c.lastKey).toBeUndefined();
    const keyless = ev.frame(undefined, 4, 'text');
    c.push(keyless);
    expect(c.lastKey).toBe(keyless.at); // a keyless log's connection is named by its first line
    c.push(ev.error(undefined, 5, 'Error', 'boom', { fatal: true }));
    expect(c.lastKey).toBeUndefined();
  });

  it('packs the frames of a keyless connection too', () => {
    const { c, out } = collect({ ringSize: 4 });
    const frames = [1, 2, 3, 4, 5, 6].map((t) => ev.frame(undefined, t, t % 2 ? 'text' : 'binary', t % 3 ? 'in' : 'out'));
    c.push(ev.open(undefined, 0));
    for (const f of frames) c.push(f);
    c.push(ev.close(undefined, 7, 1000));
    expect(out[0].recent).toEqual(frames.slice(-4));
    expect(out[0].recent.map((f) => f.conn)).toEqual([undefined, undefined, undefined, undefined]);
    expect(out[0].lastInbound).toEqual(frames[4]);
    expect(keptEvents(out[0])).toContain(out[0].lastInbound);
  });

  it('gives back each packed frame\'s `at` as it was, whether or not it is its source and a line', () => {
    const { c, out } = collect();
    // Many connections open: a frame's `at` is then kept as its line where it can be.
    for (let i = 0; i < 10_000; i++) c.push({ ...ev.open(`k${i}`, 0), at: `t.log:${i}` });
    const ats = ['t.log:5', 't.log:0', 't.log:007', 'u.log:9', 't.log:', 't.log:12:3', 'x/t.log:4', 't.log:123456789012345678'];
    const frames = ats.map((at, i) => ({ ...ev.frame('a', 2 + i, 'text', i % 2 ? 'out' : 'in'), at }));
    c.push({ ...ev.open('a', 1), at: 't.log:1' });
    for (const f of frames) c.push(f);
    c.push(ev.close('a', 20, 1000));
    expect(out[0].recent).toEqual(frames);
    expect(out[0].lastInbound).toEqual(frames[6]);
  });

  it('keeps each connection\'s ring apart when their events interleave', () => {
    const { c, out } = collect({ ringSize: 3 });
    const a = [1, 3, 5, 7, 9].map((t) => ev.frame('a', t, 'text'));
    const b = [2, 4, 6].map((t) => ev.frame('b', t, 'binary'));
    for (let i = 0; i < a.length; i++) {
      c.push(a[i]);
      if (b[i]) c.push(b[i]);
    }
    c.push(ev.close('b', 10, 1000));
    c.push(ev.close('a', 11, 1000));
    expect(out[0].recent).toEqual(b);
    expect(out[1].recent).toEqual(a.slice(-3));
    expect(out[1].inbound).toEqual({ text: 5, binary: 0 });
  });

  it('evicts idle connections after the TTL and beyond the cap, and counts both', () => {
    const { c, out } = collect({ ttlMs: 1000, maxConnections: 3 });
    for (let i = 0; i < 5; i++) c.push(ev.open(`k${i}`, i));
    expect(c.stats.evictedCap).toBe(2);
    for (let i = 0; i < 1100; i++) c.push(ev.frame('hot', 10_000 + i, 'text'));
    expect(c.stats.evictedCap).toBe(3); // k2 made room for hot
    expect(c.stats.evictedIdle).toBe(2); // k3 and k4 idled out
    c.push(ev.close('k0', 20_000, 1000)); // evicted long ago: judged from its close alone
    expect(out).toHaveLength(1);
    c.end();
    expect(c.stats.openAtEnd).toBe(1);
  });

  it('tells the classifier when a connection came back after its eviction, its past gone', () => {
    const { c, out } = collect({ ttlMs: 1000, maxConnections: 2 });
    c.push(ev.open('a', 1));
    c.push(ev.error('a', 2, 'TypeError', 'boom'));
    c.push(ev.open('b', 3));
    c.push(ev.open('c', 4)); // a, the least recently active, is evicted
    c.push(ev.open('d', 5)); // and b
    expect(c.stats.evictedCap).toBe(2);
    c.push(ev.close('a', 6, 1011)); // a close makes no room: c stays
    c.push(ev.close('c', 7, 1000));
    c.push(ev.open('b', 8)); // b's key opened anew: a new connection, its own past whole
    c.push(ev.close('b', 9, 1000));
    expect(out.map((i) => [i.connection, i.evicted, i.recent.length])).toEqual([['a', true, 0], ['c', false, 0], ['b', false, 0]]);
    expect(c.stats.evictedCap).toBe(2);
    // Idled out, then back: the same.
    for (let i = 0; i < 1100; i++) c.push(ev.frame('hot', 10_000 + i, 'text'));
    expect(c.stats.evictedIdle).toBe(1); // d
    c.push(ev.close('d', 20_000, 1006));
    expect(out.at(-1)).toMatchObject({ connection: 'd', evicted: true });
  });

  it('ignores a second close line for the same connection and counts it', () => {
    const { c, out } = collect();
    c.push(ev.close('a', 1, 1003, 'text only', { initiator: 'server' }));
    c.push(ev.close('a', 2, 1003));
    expect(out).toHaveLength(1);
    expect(c.stats.duplicateCloses).toBe(1);
    c.push(ev.open('a', 3)); // a reused key is a new connection
    c.push(ev.close('a', 4, 1000));
    expect(out).toHaveLength(2);
  });

  it('starts a new connection when a key in use is opened again, and counts the one that ended unlogged', () => {
    const { c, out } = collect();
    c.push(ev.open('c1', 1));
    c.push(ev.frame('c1', 2, 'binary'));
    c.push(ev.open('c1', 3)); // the server restarted and counts from c1 again
    c.push(ev.frame('c1', 4, 'text'));
    c.push(ev.close('c1', 5, 1000));
    expect(out).toHaveLength(1);
    expect(out[0].lastInbound?.type).toBe('text');
    expect(out[0].inbound).toEqual({ text: 1, binary: 0 });
    expect(c.stats.unended).toBe(1);
  });

  it('reads a keyless log in order, one connection at a time', () => {
    const { c, out } = collect();
    c.push(ev.open(undefined, 1));
    c.push(ev.frame(undefined, 2, 'binary'));
    c.push(ev.close(undefined, 3, 1003));
    c.push(ev.open(undefined, 4));
    c.push(ev.frame(undefined, 5, 'text'));
    c.push(ev.error(undefined, 6, 'ValueError', 'x'));
    c.push(ev.close(undefined, 7, 1011));
    expect(out).toHaveLength(2);
    expect(out[0].lastInbound?.type).toBe('binary');
    expect(out[1].recent.map((e) => e.kind)).toEqual(['frame', 'exception']);
    expect(out[0].connection).not.toBe(out[1].connection);
  });

  it('ends every open connection of a process that crashed, and only those', () => {
    const { c, out } = collect();
    c.push(ev.open('a', 1));
    c.push(ev.open('b', 2));
    c.push(ev.close('b', 3, 1000));
    c.push(ev.open('other', 3, '/x'));
    (out as Incident[]).length = 0;
    const other = { ...ev.open('z', 3), process: '2@h' };
    c.push(other);
    c.push(ev.error(undefined, 4, 'TypeError', 'boom', { fatal: true }));
    expect(out.map((i) => i.connection).sort()).toEqual(['a', 'other']);
    for (const i of out) {
      expect(i.crash?.type).toBe('TypeError');
      expect(i.close).toMatchObject({ code: 1006, clean: false, initiator: 'server' });
    }
    expect(c.stats.crashed).toBe(2);
  });

  it('names the connection whose message the crashed process was handling', () => {
    const { c, out } = collect();
    c.push(ev.open('a', 1));
    c.push(ev.open('b', 2));
    c.push(ev.frame('b', 3, 'text'));
    c.push(ev.frame('a', 4, 'binary'));
    c.push(ev.frame('b', 5, 'text', 'out'));
    c.push(ev.open('idle', 6));
    c.push(ev.error(undefined, 7, 'TypeError', 'boom', { fatal: true }));
    expect(Object.fromEntries(out.map((i) => [i.connection, i.crashTrigger]))).toEqual({ a: true, b: false, idle: false });
  });

  it('offers a keyless exception to an abnormal close of the same process shortly after', () => {
    const { c, out } = collect({ orphanWindowMs: 1000 });
    c.push(ev.frame('a', 100, 'text'));
    c.push(ev.error(undefined, 500, 'Error', 'pool exhausted'));
    c.push(ev.close('a', 900, 1006));
    c.push(ev.close('late', 5000, 1006));
    c.push(ev.close('fine', 900, 1000));
    expect(out[0].orphans.map((e) => e.message)).toEqual(['pool exhausted']);
    expect(out[1].orphans).toEqual([]);
    expect(out[2].orphans).toEqual([]);
  });

  it('gives the classifier the events that are objects, in order, with the last message in its place, and packs none of them', () => {
    const { c, out } = collect({ ringSize: 8 });
    const events = [
      ev.frame('a', 1, 'text'),
      ev.frame('a', 2, 'text', 'out'),
      ev.error('a', 3, 'Error', 'handled one', { handled: true }),
      ev.frame('a', 4, 'binary'), // the last message
      { ...ev.frame('a', 5, 'close', 'out'), code: 1011, reason: 'bye' },
      ev.frame('a', 6, 'ping', 'out'),
      ev.error('a', 7, 'TypeError', 'boom'),
      { kind: 'note' as const, conn: 'a', time: 8, at: 't.log:note', text: 'shutting down' },
      ev.frame('a', 9, 'pong', 'in'),
    ];
    for (const e of events) c.push(e);
    c.push(ev.close('a', 10, 1011));
    const [inc] = out;
    const kept = keptEvents(inc);
    expect(kept).toEqual([events[2], events[3], events[4], events[6], events[7]]);
    expect(kept[1]).toBe(inc.lastInbound);
    // The same order as the whole ring, which holds the packed frames too.
    expect(inc.recent.filter((e) => kept.includes(e))).toEqual(kept);
    expect(inc.recent).toEqual(events.slice(1));
    // A hand-made incident is read whole.
    const plain: Incident = { ...inc, recent: inc.recent, inbound: inc.inbound };
    expect(keptEvents(plain)).toBe(plain.recent);
  });

  it('leaves the last message out of the kept events once it fell out of the ring', () => {
    const { c, out } = collect({ ringSize: 4 });
    const last = ev.frame('a', 1, 'binary');
    c.push(last);
    const after = [2, 3, 4, 5].map((t) => ev.error('a', t, 'Error', `e${t}`));
    for (const e of after) c.push(e);
    c.push(ev.close('a', 6, 1011));
    expect(out[0].lastInbound).toEqual(last); // made again from its packed slot when it was overwritten
    expect(keptEvents(out[0])).toEqual(after);
  });
});

/**
 * The correlator's incidents against a plain model: per connection, the last `ringSize` ring
 * events in a list, the last inbound data frame, counts. With `lastAtOnly`, a frame the
 * correlator could pack (see `packable`) shows an empty `at` unless it is the last inbound one.
 */
describe('Correlator against a plain model', () => {
  type Model = { route?: string; process?: string; open: boolean; ring: RecentEvent[]; last?: FrameEvent; text: number; binary: number };
  const packable = (f: FrameEvent, m: Model) => ['text', 'binary', 'ping', 'pong', 'continuation'].includes(f.type)
    && f.code === undefined && f.reason === undefined
    && (f.size === undefined || (Number.isInteger(f.size) && f.size >= 0 && f.size < 2 ** 40))
    && (f.route === undefined || f.route === m.route) && (f.process === undefined || f.process === m.process);

  const frameArb = fc.record({
    type: fc.constantFrom<FrameEvent['type']>('text', 'binary', 'ping', 'pong', 'continuation', 'close'),
    direction: fc.constantFrom<FrameEvent['direction']>('in', 'out'),
    size: fc.constantFrom(undefined, 0, 7, 1.5, 2 ** 41),
    time: fc.constantFrom(undefined, 1),
    route: fc.constantFrom(undefined, '/a', '/b'),
    process: fc.constantFrom(undefined, '1@h', '2@h'),
  });
  const step = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.oneof(
    { weight: 8, arbitrary: frameArb },
    { weight: 1, arbitrary: fc.constantFrom('open', 'error', 'note', 'close') },
  ));

  it('hands over the same recent events, last inbound frame, kept events and counts', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.boolean(), fc.array(step, { minLength: 50, maxLength: 300 }), (ringSize, lastAtOnly, steps) => {
      const { c, out } = collect({ ringSize, lastAtOnly });
      const models = new Map<string, Model>();
      const closed = new Set<string>();
      const expected: { key: string; recent: RecentEvent[]; kept: RecentEvent[]; last?: FrameEvent; inbound: { text: number; binary: number } }[] = [];
      let time = 0;
      let firstProcess: string | undefined;
      for (const [k, what] of steps) {
        const id = `k${k}`;
        time++;
        let e: WsEvent;
        if (what === 'open') e = ev.open(id, time, '/a');
        else if (what === 'error') e = ev.error(id, time, 'Error', 'e');
        else if (what === 'note') e = { kind: 'note', conn: id, time, at: `t.log:n${time}`, text: 'n', process: '1@h' };
        else if (what === 'close') e = ev.close(id, time, 1000);
        else {
          const f = ev.frame(id, time, what.type, what.direction, { route: what.route, process: what.process, time: what.time ?? undefined });
          if (what.size !== undefined) f.size = what.size;
          if (what.type === 'close') Object.assign(f, { code: 1000, reason: '' });
          e = f;
        }
        c.push(e);
        // One id in two processes is two connections; the first process named keeps the id alone.
        if (e.process !== undefined) firstProcess ??= e.process;
        const key = e.process === undefined || e.process === firstProcess ? id : `${id} in ${e.process}`;
        // Events after a close: a close, exception or note is read, not judged; a frame or an open starts anew.
        if (closed.has(key)) {
          if (e.kind === 'close' || e.kind === 'exception' || e.kind === 'note') continue;
          closed.delete(key);
        }
        let m = models.get(key);
        if (m && e.kind === 'open' && m.open) m = undefined; // a second open: the first ended unlogged
        if (!m) {
          m = { route: e.route, process: e.process, open: false, ring: [], text: 0, binary: 0 };
          models.set(key, m);
        }
        if (e.route && !m.route) m.route = e.route;
        if (e.process && !m.process) m.process = e.process;
        if (e.kind === 'open') m.open = true;
        else if (e.kind === 'close') {
          const shown = (x: RecentEvent) => (lastAtOnly && x.kind === 'frame' && x !== m!.last && packable(x, m!) ? { ...x, at: '' } : x);
          const kept = m.ring.filter((x) => x.kind !== 'frame' || x === m!.last || !packable(x, m!));
          expected.push({ key: id, recent: m.ring.map(shown), kept, last: m.last, inbound: { text: m.text, binary: m.binary } });
          models.delete(key);
          closed.add(key);
        } else {
          m.ring.push(e as RecentEvent);
          if (m.ring.length > ringSize) m.ring.shift();
          if (e.kind === 'frame' && e.direction === 'in' && (e.type === 'text' || e.type === 'binary')) {
            m.last = e;
            if (e.type === 'text') m.text++;
            else m.binary++;
          }
        }
      }
      expect(out.map((i) => i.connection)).toEqual(expected.map((x) => x.key));
      out.forEach((inc, i) => {
        const want = expected[i];
        expect(inc.recent).toEqual(want.recent);
        expect(inc.lastInbound).toEqual(want.last);
        expect(inc.inbound).toEqual(want.inbound);
        expect(keptEvents(inc)).toEqual(want.kept);
        if (inc.lastInbound && inc.recent.includes(inc.lastInbound)) expect(keptEvents(inc)).toContain(inc.lastInbound);
      });
    }), { numRuns: 300 });
  });
});

describe('RecentKeys', () => {
  it('holds what a Set would that drops its first entry when it grows past the limit', () => {
    const op = fc.tuple(fc.constantFrom('add', 'delete', 'has'), fc.integer({ min: 0, max: 12 }));
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 300 }), (max, ops) => {
      const keys = new RecentKeys(max);
      const model = new Set<string>();
      for (const [name, n] of ops) {
        const key = `k${n}`;
        if (name === 'add') {
          keys.add(key);
          model.add(key);
          if (model.size > max) model.delete(model.values().next().value as string);
        } else if (name === 'delete') {
          keys.delete(key);
          model.delete(key);
        } else expect(keys.has(key)).toBe(model.has(key));
        expect(keys.size).toBe(model.size);
      }
      for (let n = 0; n <= 12; n++) expect(keys.has(`k${n}`)).toBe(model.has(`k${n}`));
    }), { numRuns: 500 });
  });

  it('shares its map with an owner: other values are not members, a close turns one into a member, a reuse takes it out', () => {
    // The correlator's use: open keys hold an object, `add(key, value)` turns one into a member,
    // `forget(slot)` then an overwrite reopens a member. The reference model is a Set and a Map.
    const op = fc.tuple(fc.constantFrom('open', 'close', 'reopen', 'add', 'delete'), fc.integer({ min: 0, max: 15 }));
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 400 }), (max, ops) => {
      const map = new Map<string, unknown>();
      const keys = new RecentKeys(max, map);
      const members = new Set<string>();
      const open = new Map<string, object>();
      for (const [name, n] of ops) {
        const key = `k${n}`;
        const value = map.get(key);
        if (name === 'open' && value === undefined) {
          const conn = {};
          map.set(key, conn);
          open.set(key, conn);
        } else if (name === 'close' && open.has(key)) {
          keys.add(key, value);
          open.delete(key);
          members.add(key);
          if (members.size > max) members.delete(members.values().next().value as string);
        } else if (name === 'reopen' && typeof value === 'number') {
          keys.forget(value);
          const conn = {};
          map.set(key, conn);
          open.set(key, conn);
          members.delete(key);
        } else if (name === 'add' && !open.has(key)) {
          keys.add(key);
          members.add(key);
          if (members.size > max) members.delete(members.values().next().value as string);
        } else if (name === 'delete' && !open.has(key)) {
          keys.delete(key);
          members.delete(key);
        }
        expect(keys.size).toBe(members.size);
        for (let k = 0; k <= 15; k++) {
          const key = `k${k}`;
          expect(keys.has(key)).toBe(members.has(key));
          if (open.has(key)) expect(map.get(key)).toBe(open.get(key));
          else expect(map.has(key)).toBe(members.has(key));
        }
      }
    }), { numRuns: 500 });
  });

  it('agrees with that Set over many keys, as their tables grow, shrink and rehash', () => {
    const keys = new RecentKeys(64);
    const model = new Set<string>();
    let seed = 7;
    for (let i = 0; i < 100_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const key = `k${seed % 5000}`;
      if (seed % 3 === 0) {
        keys.delete(key);
        model.delete(key);
      } else {
        keys.add(key);
        model.add(key);
        if (model.size > 64) model.delete(model.values().next().value as string);
      }
    }
    expect(keys.size).toBe(model.size);
    for (const k of model) expect(keys.has(k)).toBe(true);
  });
});
