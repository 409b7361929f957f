/**
 * Reads several files on worker threads (worker.ts), one file per worker at a time, and gives
 * their events to the main thread file by file in the order given: the events arrive exactly
 * as a single-threaded read yields them, so a connection that spans files (a rotated log) is
 * correlated and judged the same. The expensive part (reading, gunzip, prefilter, decoding,
 * parsing) runs on the workers; a worker reading ahead stops after a few batches until the
 * main thread reaches its file, so memory stays bounded.
 */
import type { Worker } from 'node:worker_threads';
import { unpack, type Batch } from './batch.js';
import type { WsEvent } from './model.js';
import { runningKernel } from './prefilter.js';
import { describe, type ReaderOptions } from './reader.js';
import type { FileStats } from './report.js';

/** What a worker is started with. */
export interface WorkerSetup {
  opts: Sendable;
  /** Batches the main thread has taken from this worker: [0], shared. */
  acks: Int32Array;
  /** Post bytes read as they are read. */
  progress: boolean;
  /** The prefilter's kernel, compiled here (prefilter.ts, `useKernel`). */
  kernel: WebAssembly.Module;
}

export type ToWorker = { file: number; name: string } | 'abort';
export type FromWorker =
  | { file: number; batch: Batch }
  | { file: number; bytes: number }
  | { file: number; stats: FileStats };

/** The reader options a worker is sent; callbacks and the signal stay on the main thread. */
type Sendable = Omit<ReaderOptions, 'onProgress' | 'signal'>;
/** Every sendable option by name: an option added to ReaderOptions fails to compile until it is listed. */
const SENDABLE: { [K in keyof Required<Sendable>]: true } = { format: true, maxLineBytes: true, prefilter: true, fields: true, capturePositions: true };

const WORKER = new URL('./worker.js', import.meta.url);

/** A file to read, as the choice of workers sees it. */
export interface InputSize {
  size: number;
  gzip: boolean;
}

/** Bytes of log that pay for starting a worker. */
const WORKER_BYTES = 64 * 1024 * 1024;
/** A log gzipped is about this many times smaller (the bench's pino log: 13 times). */
const GZIP_RATIO = 8;

/**
 * How many workers read the files when `--jobs` is not given. One per core where there are more
 * than two: beside the main thread, which correlates every event, and V8's own compile and GC
 * threads, two cores leave nothing for a second reader (README, "Several files at once"). And
 * one per 64 MB of log at most (a gzipped file counted at eight times its size): a worker costs about
 * 150 ms of CPU to start (its isolate, its modules, the hot code compiled again), which a small
 * file does not pay back. `sizes`: the files', undefined with stdin among them.
 */
export function defaultJobs(cores: number, sizes: InputSize[] | undefined): number {
  if (cores <= 2 || sizes === undefined) return 1;
  let work = 0;
  for (const { size, gzip } of sizes) work += gzip ? GZIP_RATIO * size : size;
  return Math.max(1, Math.min(cores, Math.floor(work / WORKER_BYTES)));
}

interface Lane {
  worker: Worker;
  acks: Int32Array;
  /** The file it is reading. */
  file: number;
}

interface Slot {
  name: string;
  lane?: Lane;
  batches: Batch[];
  stats?: FileStats;
}

/**
 * Reads `names` on up to `jobs` workers, giving every event to `push` in the order of a
 * sequential read; the stats of each file read, in order. After an abort, the files being read
 * stop where they are and the rest are not started: the stats list only the files started.
 */
export async function readInWorkers(names: string[], jobs: number, opts: ReaderOptions, push: (e: WsEvent) => void): Promise<FileStats[]> {
  // Loaded here, not with this module (which the command line loads to choose --jobs): a few ms of every start.
  const { Worker } = await import('node:worker_threads');
  const sendable: Sendable = {};
  for (const key of Object.keys(SENDABLE) as (keyof Sendable)[]) if (opts[key] !== undefined) Object.assign(sendable, { [key]: opts[key] });
  const { onProgress, signal } = opts;
  const slots: Slot[] = names.map((name) => ({ name, batches: [] }));
  const lanes = new Set<Lane>();
  let next = 0;
  let head = 0;
  let ended = false;

  return new Promise((resolve) => {
    const start = (lane: Lane) => {
      if (next >= slots.length || signal?.aborted) return;
      lane.file = next++;
      slots[lane.file].lane = lane;
      lane.worker.postMessage({ file: lane.file, name: slots[lane.file].name } satisfies ToWorker);
    };

    const spawn = () => {
      const acks = new Int32Array(new SharedArrayBuffer(4));
      const setup: WorkerSetup = { opts: sendable, acks, progress: onProgress !== undefined, kernel: runningKernel() };
      const lane: Lane = { worker: new Worker(WORKER, { workerData: setup }), acks, file: -1 };
      lanes.add(lane);
      lane.worker.on('message', (msg: FromWorker) => {
        const slot = slots[msg.file];
        if ('batch' in msg) slot.batches.push(msg.batch);
        else if ('bytes' in msg) onProgress?.(msg.bytes);
        else {
          slot.stats = msg.stats;
          start(lane);
        }
        drain();
      });
      // A worker that dies (a bug, out of memory) fails its file only: another takes its place.
      lane.worker.on('error', (err) => {
        lanes.delete(lane);
        const slot = slots[lane.file];
        if (slot && !slot.stats) slot.stats = { name: slot.name, parser: null, lines: 0, bytes: 0, events: 0, skipped: {}, error: describe(err, slot.name) };
        if (next < slots.length && !signal?.aborted) start(spawn());
        drain();
      });
      return lane;
    };

    const abort = () => {
      for (const lane of lanes) lane.worker.postMessage('abort' satisfies ToWorker);
    };

    // The head file's events go to `push` as they come; the files after it wait their turn.
    const drain = () => {
      for (; head < slots.length; head++) {
        const slot = slots[head];
        if (!slot.lane) break; // not started: aborted
        for (let batch = slot.batches.shift(); batch; batch = slot.batches.shift()) {
          unpack(batch, push);
          if (lanes.has(slot.lane)) {
            Atomics.add(slot.lane.acks, 0, 1);
            Atomics.notify(slot.lane.acks, 0);
          }
        }
        if (!slot.stats) return;
      }
      if (ended) return;
      ended = true;
      signal?.removeEventListener('abort', abort);
      const done = slots.slice(0, head).map((s) => s.stats!);
      void Promise.all([...lanes].map((l) => l.worker.terminate())).then(() => resolve(done));
    };

    signal?.addEventListener('abort', abort);
    for (let i = 0; i < Math.min(jobs, slots.length); i++) start(spawn());
    if (signal?.aborted) drain();
  });
}
