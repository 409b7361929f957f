/**
 * Gzip input gunzipped on a worker thread into shared memory, read as the blocks of an input:
 * a file the worker reads itself, or a pipe whose bytes the main thread passes on.
 *
 * Off the main thread, because Node's gunzip stream allocates a new 256 KB buffer for each piece
 * it inflates: on the main thread that garbage set off a full collection every 20 MB or so (25
 * on a 500 MB log, against 2 for the same log unpacked), and the stream's callbacks took their
 * share of the analysis' core. The worker fills two slots ahead; the reader copies each slot
 * into its own buffer and frees it.
 */
import { Worker } from 'node:worker_threads';
import type { Reader } from './source.js';

const SLOTS = 2;
const SLOT = 4 * 1024 * 1024;
const ERROR_ROOM = 4096;
/** Control words (Int32) at the start of the shared memory. */
const CTL = { signal: 0, produced: 1, consumed: 2, state: 3, read: 4, errorLength: 5, lengths: 8 } as const;
const CTL_BYTES = 64;
const RUNNING = 0;
const DONE = 1;
const FAILED = 2;

/** Atomics.waitAsync (Node 16+); TypeScript's types list it from lib es2024 on. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

/** A pipe's compressed bytes posted to the worker and not yet taken by gunzip, at most. */
const IN_FLIGHT = 8;

/**
 * `input` gunzipped as it is read: a file's name, or a reader of compressed bytes (`head`, the
 * bytes already read of it, first). `onProgress` gets the compressed bytes read.
 */
export function gunzip(input: string | { reader: Reader; head: Buffer }, onProgress?: (bytes: number) => void): Reader {
  const file = typeof input === 'string' ? input : undefined;
  const shared = new SharedArrayBuffer(CTL_BYTES + SLOTS * SLOT + ERROR_ROOM);
  const ctl = new Int32Array(shared, 0, CTL_BYTES / 4);
  const data = new Uint8Array(shared, CTL_BYTES);
  const worker = new Worker(`(${inflater})()`, { eval: true, execArgv: [], workerData: { file, shared, SLOTS, SLOT, ERROR_ROOM, CTL, CTL_BYTES, DONE, FAILED } });
  let failure: Error | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    Atomics.add(ctl, CTL.signal, 1);
    Atomics.notify(ctl, CTL.signal);
  };
  worker.on('error', fail);
  worker.on('exit', (code) => { if (Atomics.load(ctl, CTL.state) === RUNNING) fail(new Error(`the gunzip worker stopped (exit code ${code})`)); });
  let consumed = 0;
  let offset = 0;
  let reported = 0;
  let closed = false;
  let acked: (() => void) | undefined;
  if (typeof input !== 'string') {
    let inFlight = 0;
    worker.on('message', () => {
      inFlight--;
      acked?.();
    });
    const post = (bytes: Buffer) => {
      worker.postMessage(bytes); // a copy: the buffer is reused
      inFlight++;
      onProgress?.(bytes.length);
    };
    (async () => {
      if (input.head.length) post(input.head);
      const buf = Buffer.allocUnsafe(64 * 1024);
      for (;;) {
        while (inFlight >= IN_FLIGHT && !closed) await new Promise<void>((resolve) => { acked = resolve; });
        if (closed) return;
        const n = await input.reader.read(buf, 0);
        if (n === 0) break;
        post(buf.subarray(0, n));
      }
      worker.postMessage(null);
    })().catch((err: Error) => fail(err));
  }
  return {
    async read(buf, at) {
      for (;;) {
        // The signal first: any change after it (a slot, the end) ends the wait below at once.
        const signal = Atomics.load(ctl, CTL.signal);
        const state = Atomics.load(ctl, CTL.state);
        if (consumed < Atomics.load(ctl, CTL.produced)) break;
        if (state === DONE) return 0;
        if (state === FAILED) throw gunzipError(data.subarray(SLOTS * SLOT, SLOTS * SLOT + Atomics.load(ctl, CTL.errorLength)));
        if (failure) throw failure;
        const wait = waitAsync(ctl, CTL.signal, signal);
        if (wait.async) await wait.value;
      }
      const slot = consumed % SLOTS;
      const length = Atomics.load(ctl, CTL.lengths + slot);
      const n = Math.min(length - offset, buf.length - at);
      buf.set(data.subarray(slot * SLOT + offset, slot * SLOT + offset + n), at);
      offset += n;
      if (offset === length) {
        offset = 0;
        Atomics.store(ctl, CTL.consumed, ++consumed);
        Atomics.notify(ctl, CTL.consumed);
      }
      const read = Atomics.load(ctl, CTL.read); // a file's, read by the worker
      if (read > reported) {
        onProgress?.(read - reported);
        reported = read;
      }
      return n;
    },
    async close() {
      closed = true;
      acked?.();
      // Frees the worker if it waits for a slot, then stops it.
      Atomics.store(ctl, CTL.consumed, 1 << 30);
      Atomics.notify(ctl, CTL.consumed);
      await worker.terminate();
      if (typeof input !== 'string') await input.reader.close();
    },
  };
}

/** zlib's error as the worker wrote it (message and code, which the report names). */
function gunzipError(json: Uint8Array): Error {
  const { message, code } = JSON.parse(new TextDecoder().decode(json)) as { message: string; code?: string };
  return Object.assign(new Error(message), { code });
}

/**
 * The worker's code, run from its text (`eval`): it has no file of its own, so the one build
 * serves the CLI, the tests (which run the TypeScript) and the package alike. It may use only
 * `require` (it runs as a script: no execArgv is passed on, so not even `--input-type=module`
 * makes it a module) and what it is given in workerData.
 */
function inflater(): void {
  const { createReadStream } = require('node:fs') as typeof import('node:fs');
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { createGunzip } = require('node:zlib') as typeof import('node:zlib');
  const { file, shared, SLOTS: slots, SLOT: slotSize, ERROR_ROOM: room, CTL: ctlAt, CTL_BYTES: ctlBytes, DONE: done, FAILED: failed } = workerData;
  const ctl = new Int32Array(shared, 0, ctlBytes / 4);
  const data = new Uint8Array(shared, ctlBytes);
  let produced = 0;
  let fill = 0;
  const signal = () => {
    Atomics.add(ctl, ctlAt.signal, 1);
    Atomics.notify(ctl, ctlAt.signal);
  };
  // Hands the filled slot to the reader, then waits while every slot is full: blocking is fine
  // here, the worker has nothing else to do and gunzip stops at its high-water mark.
  const publish = () => {
    Atomics.store(ctl, ctlAt.lengths + (produced % slots), fill);
    Atomics.store(ctl, ctlAt.produced, ++produced);
    signal();
    fill = 0;
    for (let c; produced - (c = Atomics.load(ctl, ctlAt.consumed)) >= slots;) Atomics.wait(ctl, ctlAt.consumed, c);
  };
  const finish = (state: number) => {
    Atomics.store(ctl, ctlAt.state, state);
    signal();
  };
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  gunzip.on('data', (chunk: Buffer) => {
    for (let off = 0; off < chunk.length;) {
      const k = Math.min(chunk.length - off, slotSize - fill);
      data.set(chunk.subarray(off, off + k), (produced % slots) * slotSize + fill);
      fill += k;
      off += k;
      if (fill === slotSize) publish();
    }
  });
  gunzip.on('end', () => {
    if (fill > 0) publish();
    finish(done);
  });
  gunzip.on('error', (err: NodeJS.ErrnoException) => {
    if (fill > 0) publish(); // what was inflated before the error is read first: a truncated .gz is still analyzed
    const text = new TextEncoder().encode(JSON.stringify({ message: err.message, code: err.code })).subarray(0, room);
    data.set(text, slots * slotSize);
    Atomics.store(ctl, ctlAt.errorLength, text.length);
    finish(failed);
  });
  if (file === undefined) {
    // A pipe's bytes, from the main thread: each one acknowledged once gunzip has taken it; null at the end.
    parentPort!.on('message', (bytes: Uint8Array | null) => {
      if (bytes === null) gunzip.end();
      else gunzip.write(bytes, () => parentPort!.postMessage(0));
    });
  } else {
    const input = createReadStream(file, { highWaterMark: 1024 * 1024 });
    input.on('data', (chunk) => Atomics.add(ctl, ctlAt.read, chunk.length));
    input.on('error', (err) => gunzip.destroy(err));
    input.pipe(gunzip);
  }
}
