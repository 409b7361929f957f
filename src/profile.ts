/**
 * Which data type each endpoint accepts. In order of authority: the user (--expect), the log
 * (a startup line), or learned from the input: the types an endpoint received on connections
 * that closed normally. DESIGN.md "Which type does an endpoint accept?".
 */
import type { Accepts, DataType } from './model.js';

export type ProfileSource = 'user' | 'log' | 'learned';

export interface EndpointProfile {
  accepts: Accepts;
  source: ProfileSource;
  /** Learned profiles: how many normal connections it rests on. */
  basis: number;
  /** Where it was stated, or one connection it was learned from. */
  at: string;
}

/**
 * A route's profile learned so far, itself the profile `lookup` gives: most closes look one up,
 * and a copy made for each would be garbage at once. A verdict reads it when judged.
 */
class Learned implements EndpointProfile {
  readonly source = 'learned';
  text = 0;
  binary = 0;
  basis = 0;

  constructor(readonly at: string) {}

  get accepts(): Accepts {
    return this.text && this.binary ? 'any' : this.text ? 'text' : 'binary';
  }
}

/** `/chat?room=1` and `/chat/` are the route `/chat`. */
export function routeKey(route: string): string {
  let r = route;
  const q = queryAt(r);
  if (q >= 0) r = r.slice(0, q);
  if (r.length > 1 && r.endsWith('/')) r = r.slice(0, -1);
  return r;
}

/** Where the query or the fragment starts, or -1. */
function queryAt(route: string): number {
  for (let i = 0; i < route.length; i++) {
    const c = route.charCodeAt(i);
    if (c === 63 /* ? */ || c === 35 /* # */) return i;
  }
  return -1;
}

const MAX_LEARNED = 10_000;

export class Profiles {
  private readonly stated = new Map<string, EndpointProfile>();
  private readonly prefixes: [string, EndpointProfile][] = [];
  private readonly learned = new Map<string, Learned>();
  /** The route asked for last and its key: most closes name the route of the one before. */
  private lastRoute: string | undefined = undefined;
  private lastKey = '';

  /** `--expect /chat=text`; a route ending in `*` matches by prefix. */
  expect(route: string, accepts: Accepts, source: ProfileSource = 'user', at = '--expect'): void {
    const profile: EndpointProfile = { accepts, source, basis: 0, at };
    if (route.endsWith('*')) {
      this.prefixes.push([route.slice(0, -1), profile]);
      return;
    }
    const key = routeKey(route);
    const current = this.stated.get(key);
    if (current?.source === 'user' && source !== 'user') return; // the user outranks the log
    this.stated.set(key, profile);
  }

  /** A connection closed normally after receiving these data types. */
  learn(route: string, received: { text: number; binary: number }, at: string): void {
    if (received.text === 0 && received.binary === 0) return;
    const key = this.keyOf(route);
    let l = this.learned.get(key);
    if (!l) {
      // Paths are the client's to choose: beyond this many routes, new ones are not learned.
      if (this.learned.size >= MAX_LEARNED) return;
      this.learned.set(key, (l = new Learned(at)));
    }
    l.basis++;
    if (received.text) l.text++;
    if (received.binary) l.binary++;
  }

  lookup(route: string | undefined): EndpointProfile | undefined {
    if (route === undefined) return undefined;
    const key = this.keyOf(route);
    const stated = this.stated.get(key);
    if (stated) return stated;
    for (const [prefix, profile] of this.prefixes) if (key.startsWith(prefix)) return profile;
    return this.learned.get(key);
  }

  private keyOf(route: string): string {
    if (route !== this.lastRoute) {
      this.lastKey = routeKey(route);
      this.lastRoute = route;
    }
    return this.lastKey;
  }
}

/** True when a verdict that used this profile (looked up now) may still change as more of the input is read. */
export function provisional(profile: EndpointProfile | undefined): boolean {
  return profile === undefined || profile.source === 'learned';
}

export function accepts(profile: EndpointProfile, type: DataType): boolean {
  return profile.accepts === 'any' || profile.accepts === type;
}

export function parseAccepts(value: string): Accepts | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'text' || v === 'string' || v === 'str' || v === 'json') return 'text';
  if (v === 'binary' || v === 'bytes' || v === 'arraybuffer' || v === 'blob') return 'binary';
  if (v === 'any' || v === 'both' || v === '*') return 'any';
  return undefined;
}
