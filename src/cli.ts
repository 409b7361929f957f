#!/usr/bin/env node
/**
 * The command line: `wsclose analyze [files...]` and `wsclose explain CODE`.
 * Exit codes: 0 ok, 1 --fail-on matched, 2 usage or input error.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { analyzeFiles, VERSION, type AnalyzeOptions } from './analyze.js';
import { explain, listCodes } from './explain.js';
import { ROOT_CAUSES, type Accepts, type RootCause } from './model.js';
import { parseAccepts } from './profile.js';
import { renderJson } from './renderers/json.js';
import { renderMarkdown } from './renderers/markdown.js';
import { ndjsonWriter, type VerdictWriter } from './renderers/ndjson.js';
import { renderText } from './renderers/text.js';
import { PARSERS } from '../parsers/index.js';
import type { FieldMap } from '../parsers/parser.js';

const OUTPUTS = ['text', 'json', 'md', 'ndjson'] as const;

function expectPair(value: string, prev: [string, Accepts][]): [string, Accepts][] {
  const i = value.lastIndexOf('=');
  const accepts = i > 0 ? parseAccepts(value.slice(i + 1)) : undefined;
  if (!accepts) throw new InvalidArgumentError(`expected ROUTE=text|binary|any, got "${value}"`);
  return [...prev, [value.slice(0, i), accepts]];
}

function causes(value: string): RootCause[] {
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
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

function program(): Command {
  const cmd = new Command('wsclose')
    .description('Find out why WebSocket connections closed: links each close to the frames and exceptions before it and names the root cause.')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();

  const analyze = cmd.command('analyze')
    .description('analyze server logs (files, .gz, or stdin) and report why connections closed')
    .argument('[files...]', 'log files; none or "-" reads stdin')
    .addOption(new Option('-f, --format <name>', 'input format').choices(['auto', ...PARSERS.map((p) => p.name)]).default('auto'))
    .addOption(new Option('-o, --output <kind>', 'report format').choices([...OUTPUTS]).default('text'))
    .option('-e, --expect <route=type>', 'data type a route accepts: text, binary or any (repeatable; a trailing * matches a prefix)', expectPair, [])
    .option('--fail-on <causes>', 'exit 1 when an incident with one of these root causes (comma-separated, or "any") is found', causes)
    .option('--top <n>', 'rows in ranked tables and examples per cause', positive, 5)
    .option('--show-payloads', 'print payload text and secret-looking values found in logs (redacted by default)', false)
    .option('--max-connections <n>', 'open connections tracked at most; the least recently active is evicted beyond it', positive, 100_000)
    .option('--idle-ttl <seconds>', 'evict a connection idle this long (input time)', positive, 3600)
    .option('--max-line-bytes <n>', 'skip (and count) lines longer than this', positive, 1024 * 1024)
    .option('--no-prefilter', 'parse every line, even those the parser can tell hold no event without parsing them (slower; for checking)');
  for (const [, flag, help] of FIELD_FLAGS) analyze.option(flag, help, collect);
  analyze.addHelpText('after', `
Examples:
  kubectl logs deploy/chat --since=1h | wsclose analyze
  wsclose analyze /var/log/chat/*.log.gz --expect /chat=text --expect /upload=binary
  wsclose analyze app.log --output json > report.json
  wsclose analyze app.log --fail-on data-type-mismatch,unhandled-error   # gate CI
  wsclose analyze app.log --conn-field request_id --message-field event`);
  analyze.action(runAnalyze);

  cmd.command('explain')
    .description('what a close code means, when you see it and how to fix it')
    .argument('[code]', 'a close code (1000-1015, 3000-4999); none lists the registered codes')
    .action((code: string | undefined) => {
      process.stdout.write(code === undefined ? listCodes() : explain(code));
    })
    .addHelpText('after', '\nExamples:\n  wsclose explain 1003\n  wsclose explain 4001\n  wsclose explain');
  return cmd;
}

interface AnalyzeFlags {
  format: string;
  output: (typeof OUTPUTS)[number];
  expect: [string, Accepts][];
  failOn?: RootCause[];
  top: number;
  showPayloads: boolean;
  maxConnections: number;
  idleTtl: number;
  maxLineBytes: number;
  prefilter: boolean;
  [field: string]: unknown;
}

async function runAnalyze(files: string[], flags: AnalyzeFlags): Promise<void> {
  const fields: Partial<FieldMap> = {};
  for (const [key, flag] of FIELD_FLAGS) {
    const prop = flag.slice(2, flag.indexOf(' ')).replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    const v = flags[prop];
    if (Array.isArray(v) && v.length) fields[key] = v as string[];
  }
  let writer: VerdictWriter | undefined;
  if (flags.output === 'ndjson') writer = ndjsonWriter(process.stdout);
  const opts: AnalyzeOptions = {
    format: flags.format,
    expect: flags.expect,
    showPayloads: flags.showPayloads,
    fields,
    maxLineBytes: flags.maxLineBytes,
    prefilter: flags.prefilter,
    correlator: { maxConnections: flags.maxConnections, ttlMs: flags.idleTtl * 1000 },
    onVerdict: writer ? (v) => writer.write(v) : undefined,
  };
  const report = await analyzeFiles(files, opts);
  if (writer) await writer.end();
  else if (flags.output === 'json') process.stdout.write(renderJson(report));
  else if (flags.output === 'md') process.stdout.write(renderMarkdown(report, { top: flags.top }));
  else process.stdout.write(renderText(report, { top: flags.top }));

  let exit = 0;
  const failed = report.input.files.filter((f) => f.error);
  for (const f of failed) process.stderr.write(`wsclose: ${f.error}\n`);
  if (failed.length) exit = 2;
  if (exit === 0 && flags.failOn?.length) {
    const hit = flags.failOn.some((c) => (c as string) === 'any' ? report.summary.incidents > 0 : (report.summary.byRootCause[c] ?? 0) > 0 && c !== 'normal');
    if (hit) {
      process.stderr.write(`wsclose: --fail-on matched: ${flags.failOn.map((c) => `${c}=${(c as string) === 'any' ? report.summary.incidents : report.summary.byRootCause[c] ?? 0}`).join(', ')}\n`);
      exit = 1;
    }
  }
  process.exitCode = exit;
}

async function main(): Promise<void> {
  // `wsclose analyze big.log | head` closes our stdout early: that is a normal end, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    await program().parseAsync(process.argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
      process.exitCode = 0;
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

await main();
