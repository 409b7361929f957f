#!/usr/bin/env node
/**
 * The command line: `wsclose analyze [files...]`, `wsclose merge REPORT.json...` and `wsclose explain CODE`.
 * Exit codes: 0 ok, 1 --fail-on matched, 2 usage or input error.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { once } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { analyzeFiles, VERSION, type AnalyzeOptions } from './analyze.js';
import { cacheFolder } from './cache.cjs';
import { placementFiles } from './placements.js';
import { keepPlacements } from './prefilter.js';
import { explain, listCodes } from './explain.js';
import { parseTime } from './filter.js';
import { asReport, mergeReports } from './merge.js';
import { ROOT_CAUSES, type Accepts, type RootCause } from './model.js';
import { isAnInput, openOut, REPORT_FORMATS, reportParts, writeFailure, type ReportFormat } from './output.js';
import { parseAccepts } from './profile.js';
import { defaultJobs, type InputSize } from './pool.js';
import { Progress } from './progress.js';
import { describe } from './reader.js';
import { isGzipFile } from './source.js';
import type { Report } from './report.js';
import { ndjsonWriter } from './renderers/ndjson.js';
import { GROUPS, type GroupBy } from './renderers/outline.js';
import { PARSERS } from '../parsers/index.js';
import type { FieldMap } from '../parsers/parser.js';

const OUTPUTS = [...REPORT_FORMATS, 'ndjson'] as const;

function expectPair(value: string, prev: [string, Accepts][]): [string, Accepts][] {
  const i = value.lastIndexOf('=');
  const accepts = i > 0 ? parseAccepts(value.slice(i + 1)) : undefined;
  if (!accepts) throw new InvalidArgumentError(`expected ROUTE=text|binary|any, got "${value}"`);
  return [...prev, [value.slice(0, i), accepts]];
}

function causes(value: string): RootCause[] {
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (!list.length) throw new InvalidArgumentError(`expected root causes (comma-separated) or "any"; one of: ${ROOT_CAUSES.join(', ')}`);
  for (const c of list) {
    if (!(ROOT_CAUSES as readonly string[]).includes(c) && c !== 'any') {
      throw new InvalidArgumentError(`unknown root cause "${c}"; one of: any, ${ROOT_CAUSES.join(', ')}`);
    }
  }
  return list as RootCause[];
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function time(value: string): number {
  const t = parseTime(value);
  if (typeof t === 'string') throw new InvalidArgumentError(t);
  return t;
}

function collect(value: string, prev: string[] = []): string[] {
  return [...prev, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

const FIELD_FLAGS: [keyof FieldMap, string, string][] = [
  ['conn', '--conn-field <name>', 'field holding the connection id (repeatable; default connId, connectionId, socketId, sid, ws.id, ...)'],
  ['message', '--message-field <name>', 'field holding the message text (default msg, message)'],
  ['time', '--time-field <name>', 'field holding the time (default time, timestamp, @timestamp)'],
  ['level', '--level-field <name>', 'field holding the level (default level, severity)'],
  ['error', '--error-field <name>', 'field holding the error object (default err, error, exception)'],
  ['route', '--route-field <name>', 'field holding the route or path (default route, path, url)'],
  ['code', '--code-field <name>', 'field holding the close code (default code, closeCode)'],
  ['type', '--type-field <name>', 'field holding the message type (default isBinary, messageType, opcode)'],
];

/** Options every command that writes a report takes. */
function reportOptions(cmd: Command): Command {
  return cmd
    .option('--out <file>', 'write the report to this file (whole or not at all) instead of stdout')
    .option('--fail-on <causes>', 'exit 1 when an incident with one of these root causes (comma-separated, or "any") is found', causes)
    .option('--top <n>', 'rows in ranked tables and examples per cause', positive, 5)
    .addOption(new Option('--group-by <key>', 'the breakdown table of text, md and html reports').choices([...GROUPS]).default('route'))
    .option('--color', 'colour the text report even when stdout is not a terminal')
    .option('--no-color', 'no colour (also: the NO_COLOR environment variable)');
}

function program(): Command {
  const cmd = new Command('wsclose')
    .description('Find out why WebSocket connections closed: links each close to the frames and exceptions before it and names the root cause.')
    .version(VERSION)
    .showHelpAfterError(`Run 'wsclose --help' for the commands.`)
    .exitOverride();

  const analyze = cmd.command('analyze')
    .description('analyze server logs (files, .gz, or stdin), packet captures, HAR files or API Gateway logs and report why connections closed')
    .argument('[files...]', 'log files; none or "-" reads stdin')
    .addOption(new Option('-f, --format <name>', 'input format').choices(['auto', ...PARSERS.map((p) => p.name)]).default('auto'))
    .addOption(new Option('-o, --output <kind>', 'report format').choices([...OUTPUTS]).default('text'))
    .option('-e, --expect <route=type>', 'data type a route accepts: text, binary or any (repeatable; a trailing * matches a prefix)', expectPair, [])
    .option('--since <time>', 'only closes at or after this time: ISO (UTC unless it names a zone, as reports print times), or a span back from now (30m, 2h, 1d)', time)
    .option('--until <time>', 'only closes at or before this time (same forms as --since)', time)
    .option('--route <route>', 'only closes on this route (repeatable or comma-separated; a trailing * matches a prefix)', collect)
    .option('-q, --quiet', 'no progress on stderr', false)
    .showHelpAfterError(`Run 'wsclose analyze --help' for the options.`);
  reportOptions(analyze)
    .option('--show-payloads', 'print payload text and secret-looking values found in logs (redacted by default)', false)
    .option('--max-connections <n>', 'open connections tracked at most; the least recently active is evicted beyond it', positive, 100_000)
    .option('--idle-ttl <seconds>', 'evict a connection idle this long (input time)', positive, 3600)
    .option('--max-line-bytes <n>', 'skip (and count) lines longer than this', positive, 1024 * 1024)
    .option('--no-prefilter', 'parse every line, even those the parser can tell hold no event without parsing them (slower; for checking)')
    .option('-j, --jobs <n>', 'read up to this many files at once on worker threads (default: one per core on 3 cores or more, at most one per file and per 64 MB; 1 reads all in this thread)', positive);
  for (const [, flag, help] of FIELD_FLAGS) analyze.option(flag, help, collect);
  analyze.addHelpText('after', `
Examples:
  kubectl logs deploy/chat --since=1h | wsclose analyze
  docker logs chat 2>&1 | wsclose analyze --since 30m
  journalctl -u chat -a --since "1 hour ago" | wsclose analyze        # -a: lines with any byte
  wsclose analyze /var/log/chat/*.log.gz --expect /chat=text --expect /upload=binary
  wsclose analyze app.log --route '/api/*' --group-by client
  wsclose analyze app.log --output html --out report.html
  wsclose analyze app.log --output json > report.json
  wsclose analyze app.log --fail-on data-type-mismatch,unhandled-error   # gate CI
  wsclose analyze app.log --conn-field request_id --message-field event
  wsclose analyze /var/lib/docker/containers/<id>/<id>-json.log         # Docker's own log file
  wsclose analyze cap.pcapng                                            # needs tshark
  wsclose analyze session.har --expect /chat=text                       # a browser's HAR export`);
  analyze.action(runAnalyze);

  const merge = cmd.command('merge')
    .description('combine JSON reports of several hosts or shards into one report, as if all inputs had been analyzed together')
    .argument('<reports...>', 'JSON reports written by wsclose analyze --output json')
    .addOption(new Option('-o, --output <kind>', 'report format').choices([...REPORT_FORMATS]).default('text'))
    .showHelpAfterError(`Run 'wsclose merge --help' for the options.`);
  reportOptions(merge)
    .addHelpText('after', `
Examples:
  for h in web1 web2 web3; do ssh $h wsclose analyze /var/log/chat.log -o json > $h.json; done
  wsclose merge web1.json web2.json web3.json
  wsclose merge shard-*.json -o json > all.json
  wsclose merge shard-*.json -o html --out report.html --fail-on any`)
    .action(runMerge);

  cmd.addHelpText('after', `
Examples:
  kubectl logs deploy/chat --since=1h | wsclose analyze
  wsclose analyze app.log --output html --out report.html
  wsclose merge web1.json web2.json --fail-on unhandled-error
  wsclose explain 1011

Run "wsclose help <command>" for a command's options and more examples.`);

  cmd.command('explain')
    .description('what a close code means, when you see it and how to fix it')
    .argument('[code]', 'a close code (1000-1015, 3000-4999); none lists the registered codes')
    .action((code: string | undefined) => {
      process.stdout.write(code === undefined ? listCodes() : explain(code));
    })
    .addHelpText('after', '\nExamples:\n  wsclose explain 1003\n  wsclose explain 4001\n  wsclose explain');
  return cmd;
}

interface ReportFlags {
  output: (typeof OUTPUTS)[number];
  out?: string;
  failOn?: RootCause[];
  top: number;
  groupBy: GroupBy;
  color?: boolean;
}

interface AnalyzeFlags extends ReportFlags {
  format: string;
  expect: [string, Accepts][];
  since?: number;
  until?: number;
  route?: string[];
  quiet: boolean;
  showPayloads: boolean;
  maxConnections: number;
  idleTtl: number;
  maxLineBytes: number;
  prefilter: boolean;
  jobs?: number;
  [field: string]: unknown;
}

async function runAnalyze(files: string[], flags: AnalyzeFlags): Promise<void> {
  const fields: Partial<FieldMap> = {};
  for (const [key, flag] of FIELD_FLAGS) {
    const prop = flag.slice(2, flag.indexOf(' ')).replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    const v = flags[prop];
    if (Array.isArray(v) && v.length) fields[key] = v as string[];
  }
  if (flags.out && isAnInput(flags.out, files.length ? files : ['-'])) throw new Error(`--out ${flags.out} is one of the inputs`);
  // Typed at a shell with no file, it would wait for input with no word.
  if (!flags.quiet && (files.length === 0 || files.includes('-')) && process.stdin.isTTY) {
    process.stderr.write('wsclose: reading a log from stdin (a terminal); pipe one in or name files, Ctrl-D to end\n');
  }
  const out = openReport(flags.out);
  const interrupt = new AbortController();
  const writer = flags.output === 'ndjson' ? ndjsonWriter(out.stream) : undefined;
  const sizes = inputSizes(files);
  const progress = new Progress({ total: sizes?.reduce((n, f) => n + f.size, 0), stream: process.stderr });
  const opts: AnalyzeOptions = {
    format: flags.format,
    expect: flags.expect,
    showPayloads: flags.showPayloads,
    fields,
    maxLineBytes: flags.maxLineBytes,
    prefilter: flags.prefilter,
    jobs: flags.jobs ?? defaultJobs(availableParallelism(), sizes),
    correlator: { maxConnections: flags.maxConnections, ttlMs: flags.idleTtl * 1000 },
    filter: { since: flags.since, until: flags.until, routes: flags.route },
    onVerdict: writer ? (v) => writer.write(v) : undefined,
    onProgress: !flags.quiet && progress.active ? (n) => progress.add(n) : undefined,
    signal: interrupt.signal,
  };
  // ^C (or `timeout -s INT`) mid-run: stop reading and report what was read; a second one stops at once.
  const onInterrupt = () => (interrupt.signal.aborted ? process.exit(130) : interrupt.abort());
  process.on('SIGINT', onInterrupt);
  const cache = cacheFolder();
  if (cache !== undefined) keepPlacements(placementFiles(cache));
  const report = await analyzeFiles(files, opts);
  process.off('SIGINT', onInterrupt);
  progress.end();
  if (writer) await writer.end();
  else await emit(report, flags, out.stream);
  await out.commit();

  const failed = report.input.files.filter((f) => f.error);
  for (const f of failed) process.stderr.write(`wsclose: ${f.error}\n`);
  process.exitCode = failed.length ? 2 : failOn(report, flags.failOn);
  if (report.input.interrupted) {
    process.stderr.write(`wsclose: interrupted; the report covers the ${report.input.lines} line(s) read before it\n`);
    process.exitCode = 130;
    process.stdin.destroy(); // a pipe still open on stdin would keep the process alive
  }
}

async function runMerge(files: string[], flags: ReportFlags): Promise<void> {
  const out = openReport(flags.out);
  const reports: Report[] = [];
  let bad = 0;
  for (const file of files) {
    let doc: Report | string;
    try {
      const text = readFileSync(file, 'utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        // an ndjson report or a log: asReport says it is no report
      }
      doc = asReport(parsed);
      if (typeof doc === 'string') doc = `${file}: ${doc}`;
    } catch (err) {
      doc = describe(err, file);
    }
    if (typeof doc === 'string') {
      process.stderr.write(`wsclose: ${doc}\n`);
      bad++;
    } else reports.push(doc);
  }
  const report = mergeReports(reports);
  await emit(report, flags, out.stream);
  await out.commit();
  process.exitCode = bad ? 2 : failOn(report, flags.failOn);
}

/** The named files' sizes, or undefined when one is stdin; one that cannot be stat'ed is reported when it is read. */
function inputSizes(files: string[]): InputSize[] | undefined {
  const sizes: InputSize[] = [];
  for (const name of files.length ? files : ['-']) {
    if (name === '-') return undefined;
    try {
      const st = statSync(name);
      // A pipe (`<(cmd)`, a fifo) is not opened here: its bytes can be read only once, by the reader.
      sizes.push({ size: st.size, gzip: st.isFile() && isGzipFile(name) });
    } catch {
      // reported when it is read
    }
  }
  return sizes;
}

/** Where the report goes: `--out`'s file, or stdout. */
function openReport(file: string | undefined): { stream: Writable; commit(): Promise<void> } {
  if (!file) return { stream: process.stdout, commit: async () => {} };
  const out = openOut(file);
  out.stream.on('error', failedWrite(file));
  return out;
}

/**
 * A failed write of the report ends the run with exit 2: a report cut short is no report. But
 * EPIPE is a normal end: the reader of the pipe (`wsclose analyze big.log | head`) had enough.
 */
function failedWrite(name: string): (err: NodeJS.ErrnoException) => void {
  return (err) => {
    if (err.code !== 'EPIPE') {
      process.stderr.write(`wsclose: cannot write ${name}: ${writeFailure(err)}\n`);
      process.exitCode = 2;
    }
    process.exit();
  };
}

/** Writes the report in parts: a big report's text is never whole in memory. */
async function emit(report: Report, flags: ReportFlags, out: Writable): Promise<void> {
  const tty = !flags.out && process.stdout.isTTY;
  const color = flags.color ?? (tty && !process.env.NO_COLOR);
  const parts = reportParts(report, flags.output as ReportFormat, {
    top: flags.top, groupBy: flags.groupBy, color, width: (tty && process.stdout.columns) || 80,
  });
  for (const part of parts) if (!out.write(part)) await once(out, 'drain');
}

/** Exit code for --fail-on: 1 when an incident of one of the causes was found. */
function failOn(report: Report, list: RootCause[] | undefined): number {
  if (!list?.length) return 0;
  const count = (c: RootCause) => ((c as string) === 'any' ? report.summary.incidents : c === 'normal' ? 0 : report.summary.byRootCause[c] ?? 0);
  if (!list.some((c) => count(c) > 0)) return 0;
  process.stderr.write(`wsclose: --fail-on matched: ${list.map((c) => `${c}=${count(c)}`).join(', ')}\n`);
  return 1;
}

async function main(): Promise<void> {
  process.stdout.on('error', failedWrite('the report'));
  try {
    await program().parseAsync(process.argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') {
      process.exitCode = 0;
      return;
    }
    if (e.code === 'commander.help') {
      process.exitCode = e.exitCode ? 2 : 0; // `wsclose` with no command printed the help on stderr: a usage error
      return;
    }
    if (e.code?.startsWith('commander.')) {
      process.exitCode = 2; // commander already printed the message
      return;
    }
    process.stderr.write(`wsclose: ${e.message ?? String(err)}\n`);
    process.exitCode = 2;
  }
}

void main();
