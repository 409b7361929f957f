/**
 * A worker thread of the pool (pool.ts): reads the files it is given with the same reader the
 * in-process path uses, and posts their events in batches, then each file's stats. It never
 * runs ahead of the main thread by more than WINDOW batches: it waits on the shared ack count.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pack } from './batch.js';
import type { WsEvent } from './model.js';
import type { FromWorker, ToWorker, WorkerSetup } from './pool.js';
import { useKernel } from './prefilter.js';
import { readFile, type ReaderOptions } from './reader.js';

const BATCH = 1024;
const WINDOW = 8;

const port = parentPort!;
const { opts, acks, progress, kernel } = workerData as WorkerSetup;
useKernel(kernel);
const interrupt = new AbortController();
let posted = 0;
/** The file being read: the pool gives a worker one file at a time. */
let current = -1;
/** One options object for every file of this worker, so that they share their parser's prefilter (reader.ts). */
const fileOpts: ReaderOptions = {
  ...opts,
  signal: interrupt.signal,
  onProgress: progress ? (bytes) => post({ file: current, bytes }) : undefined,
};

function post(msg: FromWorker): void {
  port.postMessage(msg);
}

async function read(file: number, name: string): Promise<void> {
  let batch: WsEvent[] = [];
  const flush = () => {
    post({ file, batch: pack(batch) });
    batch = [];
    posted++;
    // Bounded memory: a file ahead of the one the main thread is on waits here for its turn.
    for (let seen = Atomics.load(acks, 0); posted - seen > WINDOW; seen = Atomics.load(acks, 0)) {
      Atomics.wait(acks, 0, seen);
    }
  };
  current = file;
  const stats = await readFile(name, fileOpts, (e) => {
    if (batch.push(e) === BATCH) flush();
  });
  if (batch.length) flush();
  post({ file, stats });
}

port.on('message', (msg: ToWorker) => {
  if (msg === 'abort') interrupt.abort();
  else void read(msg.file, msg.name);
});
