#!/usr/bin/env node
/**
 * `npm run bench`: wsclose against the usual ways to read a log, in one run, on a generated
 * pino-style service log (seeded, cached under the temp folder): 5% WebSocket lines, the rest
 * HTTP request logs. Each tool runs as its own process, REPEAT times round-robin; the table
 * shows medians of wall time (MB/s, lines/s), CPU time (MB/s per CPU second: fairer on a busy
 * machine) and peak RSS, with wsclose's ratios and the targets beside them.
 *
 * Also: warm-up (the log analyzed again and again in one process: the first run against the
 * steady state), start-up (an empty input and 4 MB, against `node -e 0`), the log prefixed as
 * `kubectl logs --prefix --timestamps` writes it, as Docker's json-file driver writes it, as
 * `journalctl -a` prints it, a log where every line is a WebSocket event, the log gzipped (against Node's own
 * streaming gunzip), peak RSS on 5 GB piped through stdin, and with 100,000 connections open.
 * Then every other bench/*.js file (other than baselines) runs in turn.
 *
 * Environment: BENCH_MB (default 500), BENCH_REPEAT (3), BENCH_BIG_COPIES (10: the 5 GB
 * stdin run repeats the log this many times; 0 skips it), BENCH_OTHERS=0 skips other files.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDockerlog } from '../samples/docker-json-file/dockerlog.mjs';
import { journalMissing, linesOf, printJournal, writeJournal } from '../samples/journald/journal.mjs';
import { goLog, goSample } from './go-log.js';
import { JAVA_SAMPLE, javaLog } from './java-log.js';
import { pinoLog, writeLines } from './pino-log.js';
import { logfmtLines } from './pino-logfmt.js';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '..', 'dist', 'src', 'wsclose.cjs');
const MB = 1e6;
const SIZE = Number(process.env.BENCH_MB ?? 500) * MB;
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const BIG_COPIES = Number(process.env.BENCH_BIG_COPIES ?? 10);
const CACHE = join(tmpdir(), 'wsclose-bench');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const node = process.execPath;
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

mkdirSync(CACHE, { recursive: true });

/**
 * A generated log, cached by the generator's sources (`make`'s module and what it reads), its
 * options and its size: the pino log by default.
 */
function log(name, opts, bytes, make = pinoLog, sources = [join(here, 'pino-log.js')]) {
  const hash = createHash('sha1');
  for (const source of sources) hash.update(readFileSync(source));
  const key = hash.update(JSON.stringify([opts, bytes])).digest('hex').slice(0, 10);
  const file = join(CACHE, `${name}-${key}.log`);
  if (existsSync(file)) return file;
  process.stderr.write(`generating ${file} (${(bytes / MB).toFixed(0)} MB)...\n`);
  const fd = openSync(`${file}.tmp`, 'w');
  writeLines(make(opts), bytes, (chunk) => writeSync(fd, chunk));
  closeSync(fd);
  renameSync(`${file}.tmp`, file);
  return file;
}

/** The log as `kubectl logs --prefix --timestamps` writes it: the pod, then the kubelet's time (fixed-width nanoseconds). */
function prefixed(file) {
  const out = `${file}.kubectl`;
  if (!existsSync(out)) {
    process.stderr.write(`prefixing ${file}...\n`);
    const input = openSync(file, 'r');
    const fd = openSync(`${out}.tmp`, 'w');
    const buf = Buffer.alloc(4 * MB);
    const t0 = Date.parse('2026-11-27T02:00:00Z');
    let rest = '';
    let n = 0;
    for (let k; (k = readSync(input, buf, 0, buf.length, null)) > 0;) {
      const lines = (rest + buf.toString('latin1', 0, k)).split('\n');
      rest = lines.pop();
      const time = () => `${new Date(t0 + n).toISOString().slice(0, -1)}${String(n++ % 1e6).padStart(6, '0')}Z`;
      writeSync(fd, lines.map((l) => `[pod/chat-7d9f8c6b5-x2x9k/chat] ${time()} ${l}\n`).join(''), null, 'latin1');
    }
    closeSync(input);
    closeSync(fd);
    renameSync(`${out}.tmp`, out);
  }
  return out;
}

/** The log's first `bytes`, whole lines, in a file of their own (made once). */
function firstOf(file, bytes) {
  const out = `${file}.first-${bytes / MB}mb`;
  if (!existsSync(out)) {
    const buf = Buffer.alloc(bytes);
    const fd = openSync(file, 'r');
    const n = readSync(fd, buf, 0, bytes, 0);
    closeSync(fd);
    writeFileSync(`${out}.tmp`, buf.subarray(0, buf.lastIndexOf(10, n - 1) + 1));
    renameSync(`${out}.tmp`, out);
  }
  return out;
}

/** The log's first `bytes` (whole lines), and those lines as pino-logfmt writes them. */
function logfmtOf(file, bytes) {
  const json = firstOf(file, bytes);
  const out = `${json}.logfmt`;
  if (!existsSync(out)) {
    process.stderr.write(`writing the first ${bytes / MB} MB of ${file} as logfmt...\n`);
    writeFileSync(`${out}.tmp`, logfmtLines(readFileSync(json, 'utf8')));
    renameSync(`${out}.tmp`, out);
  }
  return { json, logfmt: out };
}

function gzipped(file) {
  const gz = `${file}.gz`;
  if (!existsSync(gz)) {
    process.stderr.write(`gzipping ${file}...\n`);
    const r = spawnSync('sh', ['-c', `gzip -6 -c '${file}' > '${gz}.tmp' && mv '${gz}.tmp' '${gz}'`], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('gzip failed');
  }
  return gz;
}

/** One run of a shell command: wall and CPU seconds, peak RSS (MB) of its largest process. */
function once(cmd) {
  const timeFile = join(CACHE, 'time.txt');
  const t0 = process.hrtime.bigint();
  const r = TIME
    ? spawnSync(TIME, ['-f', '%U %S %M', '-o', timeFile, 'sh', '-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] })
    : spawnSync('sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${cmd}`);
  if (!TIME) return { wall, cpu: NaN, rss: NaN };
  const [user, sys, rss] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-3).map(Number);
  return { wall, cpu: user + sys, rss: rss / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs the commands round-robin REPEAT times; medians per command. */
function compare(cmds, repeat = REPEAT) {
  const runs = cmds.map(() => []);
  for (let i = 0; i < repeat; i++) cmds.forEach(([, cmd], k) => runs[k].push(once(cmd)));
  return cmds.map(([name], k) => ({
    name,
    wall: median(runs[k].map((r) => r.wall)),
    cpu: median(runs[k].map((r) => r.cpu)),
    rss: Math.max(...runs[k].map((r) => r.rss)),
  }));
}

const q = (s) => `'${s}'`;
const wsclose = (input, extra = '') => `${q(node)} ${q(CLI)} analyze ${input} -o json ${extra} > /dev/null`;
// Node's platform runs V8's compiler and collector helpers on 4 threads whatever the cores: on 2,
// they take turns with the main thread. One thread, as a user can ask through NODE_OPTIONS.
const POOL1 = 'NODE_OPTIONS=--v8-pool-size=1';
const countLines = (file) => Number(spawnSync('wc', ['-l', file], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[0]);
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');

function table(title, rows, bytes, lines, ref = 'wsclose') {
  const me = rows.find((r) => r.name.startsWith(ref));
  const out = [`\n### ${title}\n`, '| tool | wall s | MB/s | lines/s | MB/s per CPU s | peak RSS MB | wsclose is (wall) | wsclose is (CPU) |', '|---|--:|--:|--:|--:|--:|--:|--:|'];
  for (const r of rows) {
    const ratio = (a, b) => (r === me ? '' : `${fmt(a / b, 2)}x`);
    out.push(`| ${r.name.replace(/\|/g, '\\|')} | ${fmt(r.wall, 2)} | ${fmt(bytes / MB / r.wall)} | ${fmt(lines / r.wall)} | ${fmt(bytes / MB / r.cpu)} | ${fmt(r.rss)} | ${ratio(r.wall, me.wall)} | ${ratio(r.cpu, me.cpu)} |`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return me;
}

const results = { machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM, Node ${process.version}`, date: new Date().toISOString() };
process.stdout.write(`wsclose bench: ${results.machine}; medians of ${REPEAT} runs\n`);

// 1. The 5% log.
const main = log('pino-5pct', { seed: 1, wsShare: 0.05, concurrency: 300 }, SIZE);
const bytes = statSync(main).size;
const lines = countLines(main);
const tools = [
  ['wsclose analyze -o json', wsclose(q(main))],
  ['wsclose, V8 pool of 1 thread', `${POOL1} ${wsclose(q(main))}`],
  ['wsclose --no-prefilter', wsclose(q(main), '--no-prefilter')],
  // As `kubectl logs … | wsclose analyze` reads: through a pipe, whose own cost `cat | wc -l` shows.
  ['wsclose, through a pipe (cat |)', `cat ${q(main)} | ${wsclose('-')}`],
  ['wc -l', `wc -l ${q(main)}`],
  ['cat | wc -l', `cat ${q(main)} | wc -l`],
  ['split + JSON.parse (Node)', `${q(node)} ${q(join(here, 'baseline-parse.js'))} ${q(main)}`],
  ['ndjson package', `${q(node)} ${q(join(here, 'baseline-ndjson.js'))} ${q(main)}`],
];
if (has('jq')) tools.push(['jq select', `jq -c 'select(.connId != null)' ${q(main)}`]);
const rows5 = compare(tools);
table(`${(bytes / MB).toFixed(0)} MB pino-style log, 5% WebSocket lines (${fmt(lines)} lines)`, rows5, bytes, lines);
results.five = { bytes, lines, rows: rows5 };

// 1a. Warm-up: the same log analyzed again and again in one process (bench/warm.js). The first
// run against the later ones is what code not yet optimized costs the CLI's one run.
const warm = JSON.parse(spawnSync(node, [join(here, 'warm.js'), main, '6'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).stdout);
process.stdout.write(`\n### Warm-up: the 5% log analyzed ${warm.ms.length} times in one process (Node's start-up not included)\n\n`
  + '| run | s | MB/s |\n|---|--:|--:|\n'
  + warm.ms.map((ms, i) => `| ${i + 1} | ${fmt(ms / 1000, 3)} | ${fmt(bytes / MB / (ms / 1000))} |\n`).join('')
  + `| steady state (median of the last ${warm.steadyOf}) | ${fmt(warm.steady / 1000, 3)} | ${fmt(bytes / MB / (warm.steady / 1000))} |\n`
  + `\nThe first run takes ${fmt(warm.ms[0] / warm.steady, 2)}x the steady state's time; the CLI's run is the first, plus Node's start-up.\n`);
results.warm = warm;

// 1b. Start-up: what a run costs before it reads much, against Node's own start-up (a
// `kubectl logs | wsclose analyze` of a few MB is mostly this).
const empty = join(CACHE, 'empty.log');
writeFileSync(empty, '');
const small = firstOf(main, 4 * MB);
const rowsStart = compare([
  ['wsclose, empty input', wsclose(q(empty))],
  ['wsclose, the first 4 MB of the 5% log', wsclose(q(small))],
  ['node -e 0', `${q(node)} -e 0`],
], Math.max(REPEAT, 5));
process.stdout.write('\n### Start-up\n\n| run | wall s | CPU s | peak RSS MB |\n|---|--:|--:|--:|\n');
for (const r of rowsStart) process.stdout.write(`| ${r.name} | ${fmt(r.wall, 3)} | ${fmt(r.cpu, 3)} | ${fmt(r.rss)} |\n`);
results.startup = rowsStart;

/**
 * The 5% log as a collector wrote it (`file`): wsclose on it, on the lines as the service wrote
 * them, and without the prefilter (the three names: how each row calls its input); MB/s of `file`'s bytes.
 */
function asWritten(key, file, title, [written, asService, short]) {
  const bytes = statSync(file).size;
  const rows = compare([
    [`wsclose, ${written}`, wsclose(q(file))],
    [`wsclose, ${asService}`, wsclose(q(main))],
    [`wsclose --no-prefilter, ${short}`, wsclose(q(file), '--no-prefilter')],
  ]);
  table(`${title} (${(bytes / MB).toFixed(0)} MB)`, rows, bytes, lines);
  results[key] = { bytes, rows };
}

// 1c. The same log as kubectl writes it with --prefix --timestamps: the prefixes come off each
// block before the prefilter's sweep. MB/s of the prefixed bytes.
const kubectl = prefixed(main);
asWritten('prefixed', kubectl, 'the 5% log prefixed as `kubectl logs --prefix --timestamps` writes it',
  ['prefixed as kubectl --prefix --timestamps writes it', 'the same lines unprefixed', 'prefixed']);

// 1d. The log as Docker's json-file driver writes a container's output (written by moby's own
// driver, samples/docker-json-file, where Debian's Go and moby sources are installed): each
// record unwrapped before the prefilter sees it.
const docker = buildDockerlog();
if (docker.missing) process.stdout.write(`\n### the 5% log as Docker's json-file\n\nskipped: ${docker.missing}\n`);
else {
  const jf = `${main}.json-file`;
  if (!existsSync(jf)) {
    process.stderr.write(`writing ${jf} with the json-file driver...\n`);
    rmSync(`${jf}.tmp`, { force: true });
    spawnSync(docker.bin, ['-out', `${jf}.tmp`, '--', 'cat', main], { stdio: 'inherit' });
    renameSync(`${jf}.tmp`, jf);
  }
  asWritten('jsonFile', jf, 'the 5% log as Docker\'s json-file driver writes it',
    ['Docker\'s json-file records', 'the same lines as the container wrote them', 'json-file']);
}

// 1e. The log as `journalctl -u <unit> -a` prints a service's output (written by systemd's own
// systemd-journal-remote, printed by journalctl, samples/journald): the time, host, identifier
// and pid come off each block before the prefilter's sweep, as kubectl's prefixes do.
const journalGone = journalMissing();
if (journalGone) process.stdout.write(`\n### the 5% log as journalctl prints it\n\nskipped: ${journalGone}\n`);
else {
  const jl = `${main}.journalctl`;
  if (!existsSync(jl)) {
    process.stderr.write(`writing ${jl} with systemd-journal-remote and journalctl...\n`);
    const journal = writeJournal(`${main}.journal`, linesOf(readFileSync(main)).filter((l) => l.length > 0).map((message) => ({ message, pid: 4242, host: 'web-1' })));
    printJournal(journal, ['-a'], `${jl}.tmp`);
    rmSync(journal, { recursive: true });
    renameSync(`${jl}.tmp`, jl);
  }
  asWritten('journal', jl, 'the 5% log as journalctl prints it',
    ['as `journalctl -u chat -a` prints it', 'the same lines as the service wrote them', 'journalctl']);
}

// 1f. logfmt: the first 50 MB of the log as pino-logfmt writes it, against the same lines as JSON.
const lf = logfmtOf(main, Math.min(SIZE, 50 * MB));
const lfBytes = statSync(lf.logfmt).size;
const rowsLogfmt = compare([
  ['wsclose, logfmt (pino-logfmt)', wsclose(q(lf.logfmt))],
  ['wsclose --no-prefilter, logfmt', wsclose(q(lf.logfmt), '--no-prefilter')],
  ['wsclose, the same lines as JSON', wsclose(q(lf.json))],
]);
table(`the first ${Math.min(SIZE, 50 * MB) / MB} MB of the 5% log as logfmt, written by pino-logfmt (${(lfBytes / MB).toFixed(0)} MB)`, rowsLogfmt, lfBytes, countLines(lf.logfmt));
results.logfmt = { bytes: lfBytes, rows: rowsLogfmt };

// 1g. A Java service's JSON log (logback's LogstashEncoder): the WebSocket records of a real
// Tomcat (samples/java-tomcat) among request logs on the same threads (bench/java-log.js).
const javaFile = log('java-logstash', { seed: 6, wsShare: 0.05 }, Math.min(SIZE, 100 * MB), javaLog, [join(here, 'java-log.js'), JAVA_SAMPLE]);
const javaBytes = statSync(javaFile).size;
const rowsJava = compare([
  ['wsclose analyze -o json', wsclose(q(javaFile))],
  ['wsclose --no-prefilter', wsclose(q(javaFile), '--no-prefilter')],
  ['split + JSON.parse (Node)', `${q(node)} ${q(join(here, 'baseline-parse.js'))} ${q(javaFile)}`],
]);
table(`a Java service's JSON log, ${(javaBytes / MB).toFixed(0)} MB: 5% a real Tomcat's WebSocket records (logback's LogstashEncoder), the rest request logs`, rowsJava, javaBytes, countLines(javaFile));
results.java = { bytes: javaBytes, rows: rowsJava };

// 1h. A Go service's log of zap's records: the WebSocket records of a real gorilla server
// (samples/go-gorilla/zap), net/http's panic traces between them, among its request logs (bench/go-log.js).
const goFile = log('go-zap', { seed: 6, wsShare: 0.05 }, Math.min(SIZE, 100 * MB), goLog, [join(here, 'go-log.js'), goSample('zap')]);
const goBytes = statSync(goFile).size;
const rowsGo = compare([
  ['wsclose analyze -o json', wsclose(q(goFile))],
  ['wsclose --no-prefilter', wsclose(q(goFile), '--no-prefilter')],
  ['split + JSON.parse (Node)', `${q(node)} ${q(join(here, 'baseline-parse.js'))} ${q(goFile)}`],
]);
table(`a Go service's log of zap's records, ${(goBytes / MB).toFixed(0)} MB: 5% a real gorilla server's WebSocket records and panics, the rest request logs`, rowsGo, goBytes, countLines(goFile));
results.go = { bytes: goBytes, rows: rowsGo };

// 2. Every line a WebSocket event.
const allWs = log('pino-all-ws', { seed: 2, wsShare: 1, concurrency: 300 }, Math.min(SIZE, 200 * MB));
const wsBytes = statSync(allWs).size;
const wsLines = countLines(allWs);
const rowsWs = compare([
  ['wsclose analyze -o json', wsclose(q(allWs))],
  ['wsclose, V8 pool of 1 thread', `${POOL1} ${wsclose(q(allWs))}`],
  ['split + JSON.parse (Node)', `${q(node)} ${q(join(here, 'baseline-parse.js'))} ${q(allWs)}`],
]);
table(`${(wsBytes / MB).toFixed(0)} MB log, every line a WebSocket event (${fmt(wsLines)} lines)`, rowsWs, wsBytes, wsLines);
results.allWs = { bytes: wsBytes, lines: wsLines, rows: rowsWs };

// 3. The 5% log gzipped: throughput counted in uncompressed bytes.
const gz = gzipped(main);
const rowsGz = compare([
  ['wsclose analyze -o json (.gz)', wsclose(q(gz))],
  ['Node streaming gunzip alone', `${q(node)} ${q(join(here, 'baseline-gunzip.js'))} ${q(gz)}`],
]);
table(`the same log gzipped (${(statSync(gz).size / MB).toFixed(0)} MB; MB/s of uncompressed bytes)`, rowsGz, bytes, lines);
results.gzip = { rows: rowsGz };

// 4. Memory: 5 GB through stdin, and 100,000 connections open at once.
const mem = [];
if (BIG_COPIES > 0) {
  const cat = `cat ${Array(BIG_COPIES).fill(q(main)).join(' ')}`;
  const r = compare([['wsclose, stdin', `${cat} | ${wsclose('-')}`]], 1)[0];
  mem.push([`${fmt((bytes * BIG_COPIES) / MB / 1000, 1)} GB through stdin`, r, bytes * BIG_COPIES]);
}
mem.push([`${(bytes / MB).toFixed(0)} MB file`, rows5[0], bytes]);
const manyFile = log('pino-100k-open', { seed: 3, wsShare: 1, concurrency: 100_000 }, Math.min(SIZE, 150 * MB));
const many = compare([['wsclose, 100k open', wsclose(q(manyFile))]], 1)[0];
const open = JSON.parse(spawnSync(node, [CLI, 'analyze', manyFile, '-o', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout).input.connections.openAtEnd;
mem.push([`100,000 connections open at once (${fmt(open)} still open at the end)`, many, statSync(manyFile).size]);
process.stdout.write('\n### Peak memory of wsclose\n\n| input | wall s | MB/s | peak RSS MB | target |\n|---|--:|--:|--:|--:|\n');
for (const [what, r, b] of mem) process.stdout.write(`| ${what} | ${fmt(r.wall, 1)} | ${fmt(b / MB / r.wall)} | ${fmt(r.rss)} | < ${what.startsWith('100,000') ? 300 : 150} |\n`);
results.memory = mem.map(([what, r, b]) => ({ what, bytes: b, ...r }));

// 4b. Several files: the 5% log and the all-WebSocket log each cut into 4 at line boundaries
// (connections span the parts, as in rotated logs), read on one worker thread per core (at
// least 2; the default on 3 cores or more) against --jobs 1.
const JOBS = Math.min(4, Math.max(2, availableParallelism())); // one worker per file at most, and there are 4
const parts = (file) => {
  const prefix = `${file}.part-`;
  if (!existsSync(`${prefix}03`)) {
    process.stderr.write(`cutting ${file} into 4...\n`);
    if (spawnSync('split', ['-n', 'l/4', '-d', file, prefix], { stdio: 'inherit' }).status !== 0) throw new Error('split failed');
  }
  return ['00', '01', '02', '03'].map((n) => q(prefix + n)).join(' ');
};
results.jobs = [];
for (const [what, file, b, l] of [['5% WebSocket lines', main, bytes, lines], ['every line a WebSocket event', allWs, wsBytes, wsLines]]) {
  const rows = compare([
    [`wsclose, 4 files, --jobs ${JOBS}`, wsclose(parts(file), `--jobs ${JOBS}`)],
    ['wsclose, 4 files, --jobs 1', wsclose(parts(file), '--jobs 1')],
  ]);
  table(`the ${(b / MB).toFixed(0)} MB log with ${what} as 4 files, on ${JOBS} worker threads (wsclose is: the speed-up)`, rows, b, l);
  results.jobs.push({ what, jobs: JOBS, rows, speedup: rows[1].wall / rows[0].wall, cpuCost: rows[0].cpu / rows[1].cpu });
}

// 5. Targets.
const get = (rows, prefix) => rows.find((r) => r.name.startsWith(prefix));
const w = rows5[0];
const ratioTo = (name, key) => { const o = get(rows5, name); return o ? o[key] / w[key] : NaN; };
const targets = [
  ['5% log: wsclose MB/s (wall)', bytes / MB / w.wall, 1000],
  ['5% log: x jq (wall)', ratioTo('jq', 'wall'), 20],
  ['5% log: x ndjson (wall)', ratioTo('ndjson', 'wall'), 9],
  ['5% log: x split + JSON.parse (wall)', ratioTo('split', 'wall'), 5],
  ['5% log: x split + JSON.parse (CPU)', ratioTo('split', 'cpu'), 5],
  ['all-WebSocket log: x split + JSON.parse (wall)', get(rowsWs, 'split').wall / rowsWs[0].wall, 1],
  ['with a V8 pool of 1 thread, 5% log: MB/s (wall)', bytes / MB / get(rows5, 'wsclose, V8').wall, 1000],
  ['with a V8 pool of 1 thread, all-WebSocket log: x split + JSON.parse (wall)', get(rowsWs, 'split').wall / get(rowsWs, 'wsclose, V8').wall, 1],
  ['gzip: share of gunzip-alone speed (wall)', rowsGz[1].wall / rowsGz[0].wall, 0.8],
];
process.stdout.write('\n### Targets\n\n| target | measured | wanted | met |\n|---|--:|--:|:-:|\n');
for (const [what, got, want] of targets) process.stdout.write(`| ${what} | ${fmt(got, 2)} | >= ${want} | ${got >= want ? 'yes' : 'no'} |\n`);
for (const [what, r] of mem) {
  const limit = what.startsWith('100,000') ? 300 : 150;
  process.stdout.write(`| peak RSS, ${what} | ${fmt(r.rss)} MB | < ${limit} MB | ${r.rss < limit ? 'yes' : 'no'} |\n`);
}
for (const j of results.jobs) process.stdout.write(`| 4 files, ${j.what}: --jobs ${j.jobs} against --jobs 1 (wall; CPU time ${fmt(j.cpuCost, 2)}x that of --jobs 1) | ${fmt(j.speedup, 2)}x | > 1 | ${j.speedup > 1 ? 'yes' : 'no'} |\n`);
results.targets = targets;
writeFileSync(join(CACHE, 'results.json'), JSON.stringify(results, null, 2));
process.stdout.write(`\n(results also in ${join(CACHE, 'results.json')})\n`);
rmSync(join(CACHE, 'time.txt'), { force: true });

// 6. Other benchmarks in this folder.
if (process.env.BENCH_OTHERS !== '0') {
  const others = readdirSync(here).filter((f) => f.endsWith('.js') && !/^(run|warm|pino-log|pino-logfmt|java-log|go-log|baseline-.*)\.js$/.test(f)).sort();
  for (const f of others) {
    process.stdout.write(`\n## bench/${f}\n\n`);
    spawnSync(node, [join(here, f)], { stdio: 'inherit' });
  }
}
