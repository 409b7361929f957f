/**
 * Events as a worker thread posts them (pool.ts). Posted as they are, each event's keys travel
 * as strings and are looked up again on the main thread for every event, which is the costly
 * part of receiving them; here each combination of keys (a shape) travels once per batch, and
 * each string value (a connection id, a route, a process) once per batch too. The main thread,
 * which correlates every event, then only builds the objects.
 */
import type { WsEvent } from './model.js';

export interface Batch {
  /** The string values, each once. */
  strings: string[];
  /** Per shape: its keys, and which of them hold an index into `strings`. */
  shapes: [keys: string[], isString: boolean[]][];
  /** Per event: its shape's index, then its values in the shape's key order. */
  values: unknown[];
}

export function pack(events: WsEvent[]): Batch {
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const shapes: Batch['shapes'] = [];
  const shapeIndex = new Map<string, number>();
  const values: unknown[] = [];
  for (const e of events) {
    const o = e as unknown as Record<string, unknown>;
    let key = '';
    for (const k in o) key += typeof o[k] === 'string' ? `${k}\0s\0` : `${k}\0v\0`;
    let shape = shapeIndex.get(key);
    if (shape === undefined) {
      shape = shapes.length;
      shapeIndex.set(key, shape);
      const keys: string[] = [];
      for (const k in o) keys.push(k);
      shapes.push([keys, keys.map((k) => typeof o[k] === 'string')]);
    }
    values.push(shape);
    for (const k in o) {
      const v = o[k];
      if (typeof v !== 'string') values.push(v);
      else {
        let i = stringIndex.get(v);
        if (i === undefined) {
          i = strings.length;
          stringIndex.set(v, i);
          strings.push(v);
        }
        values.push(i);
      }
    }
  }
  return { strings, shapes, values };
}

/** Each event of the batch, in order, with its keys in their order. */
export function unpack(batch: Batch, each: (e: WsEvent) => void): void {
  const { strings, shapes, values } = batch;
  for (let p = 0; p < values.length;) {
    const [keys, isString] = shapes[values[p++] as number];
    const o: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const v = values[p++];
      o[keys[i]] = isString[i] ? strings[v as number] : v;
    }
    each(o as unknown as WsEvent);
  }
}
