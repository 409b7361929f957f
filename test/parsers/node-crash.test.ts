/**
 * Node's crash report, read from the stderr of real node processes that die of it: every shape
 * Node 20 prints (uncaught exceptions, `Error [ERR_*]`, own properties, unhandled rejections,
 * unhandled 'error' events, thrown non-Errors, no trailer), and the report inside a stream of
 * pino JSON lines, as `kubectl logs` shows a service.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jsonParser } from '../../parsers/json.js';
import { nodeCrashParser } from '../../parsers/node-crash.js';
import type { Parser } from '../../parsers/parser.js';
import { exceptionInfo } from '../../src/exception.js';
import type { ExceptionEvent, WsEvent } from '../../src/model.js';

const dir = mkdtempSync(join(tmpdir(), 'wsclose-node-crash-'));
const require = createRequire(import.meta.url);
const PINO = pathToFileURL(require.resolve('pino')).href;
const WS = pathToFileURL(require.resolve('ws')).href;
let scripts = 0;

/** Runs `source` as an ES module in a real node process; its stderr (or stdout+stderr in one stream). */
function run(source: string, { args = [] as string[], merged = false } = {}) {
  const file = join(dir, `crash${++scripts}.mjs`);
  writeFileSync(file, source);
  const res = merged
    ? spawnSync('/bin/sh', ['-c', `"${process.execPath}" ${args.join(' ')} "${file}" 2>&1`], { encoding: 'utf8' })
    : spawnSync(process.execPath, [...args, file], { encoding: 'utf8' });
  return { file, status: res.status, text: merged ? res.stdout : res.stderr };
}

function read(text: string, parser: Parser = nodeCrashParser) {
  const events: WsEvent[] = [];
  const skipped: Record<string, number> = {};
  const lp = parser.create('stderr.log', { event: (e) => events.push(e), skip: (r) => { skipped[r] = (skipped[r] ?? 0) + 1; } });
  text.split('\n').forEach((line, i) => lp.line(line, i + 1));
  lp.end();
  return { events, skipped, exceptions: events.filter((e): e is ExceptionEvent => e.kind === 'exception') };
}

/** The 1-based line of the first line of `text` that starts with `prefix`: where the error line is. */
function lineOf(text: string, prefix: string): number {
  return text.split('\n').findIndex((l) => l.startsWith(prefix)) + 1;
}

function only(text: string): ExceptionEvent {
  const { exceptions, skipped, events } = read(text);
  expect(skipped).toEqual({});
  expect(events).toHaveLength(1);
  return exceptions[0];
}

describe('node-crash parser on real node crashes', () => {
  it('reads an uncaught TypeError: type, message, the error line, frames, fatal, no connection', () => {
    const { file, status, text } = run(`setTimeout(() => {\n  const msg = {};\n  console.log(msg.user.id);\n}, 1);\n`);
    expect(status).toBe(1);
    expect(text).toMatch(/^Node\.js v\d+/m);
    const e = only(text);
    expect(e).toMatchObject({
      kind: 'exception', type: 'TypeError', message: "Cannot read properties of undefined (reading 'id')",
      fatal: true, conn: undefined, time: undefined, code: undefined,
      at: `stderr.log:${lineOf(text, 'TypeError: ')}`,
    });
    expect(e.process).toBeUndefined();
    expect(e.stack).toMatch(/^TypeError: Cannot read properties of undefined \(reading 'id'\)\n {4}at /);
    expect(e.stack).not.toContain('Node.js');
    expect(exceptionInfo(e).topFrame).toBe(`Timeout._onTimeout (${pathToFileURL(file).href}:3)`);
  });

  it('reads the code from the own properties util.inspect prints after the last frame', () => {
    const { text } = run(`setTimeout(() => { const err = new Error('room is full'); err.code = 'E_ROOM_FULL'; err.room = 7; throw err; }, 1);\n`);
    expect(text).toContain("  code: 'E_ROOM_FULL',");
    const e = only(text);
    expect(e).toMatchObject({ type: 'Error', message: 'room is full', code: 'E_ROOM_FULL', fatal: true });
    expect(e.stack).not.toMatch(/code:|room: 7|\{$/m);
    expect(exceptionInfo(e).topFrame).toMatch(/crash\d+\.mjs:1\)$/);
  });

  it('reads `Name [ERR_CODE]: message` from Node\'s own errors', () => {
    const { text } = run(`Buffer.alloc(-1);\n`);
    expect(text).toMatch(/^RangeError \[ERR_OUT_OF_RANGE\]: /m);
    const e = only(text);
    expect(e).toMatchObject({ type: 'RangeError', code: 'ERR_OUT_OF_RANGE', fatal: true, at: `stderr.log:${lineOf(text, 'RangeError')}` });
    expect(e.message).toMatch(/^The value of "size" is out of range/);
  });

  it('reads an unhandled rejection of a value that is not an Error', () => {
    const { status, text } = run(`Promise.reject('no such room');\n`);
    expect(status).toBe(1);
    const e = only(text);
    expect(e).toMatchObject({ type: 'UnhandledPromiseRejection', code: 'ERR_UNHANDLED_REJECTION', fatal: true });
    expect(e.message).toContain('The promise rejected with the reason "no such room".');
  });

  it('reads an async listener that rejects with an Error as that Error', () => {
    const { text } = run(`const onMessage = async (data) => { await null; return JSON.parse(data).op; };\nonMessage('\\u0000binary');\n`);
    const e = only(text);
    expect(e).toMatchObject({ type: 'SyntaxError', fatal: true, at: `stderr.log:${lineOf(text, 'SyntaxError')}` });
    expect(e.message).toMatch(/is not valid JSON/);
  });

  it('reads the bracketed form of an error without frames: `[AggregateError: ...] {`', () => {
    const { text } = run(`Promise.any([Promise.reject(new Error('a'))]);\n`);
    expect(text).toMatch(/^\[AggregateError: All promises were rejected\] \{$/m);
    const e = only(text);
    expect(e).toMatchObject({ type: 'AggregateError', message: 'All promises were rejected', fatal: true,
      at: `stderr.log:${lineOf(text, '[AggregateError')}` });
  });

  it("reads an 'error' event nobody listened to on a ws WebSocket", () => {
    // A port that was just closed: the connection is refused and ws emits 'error'.
    const { text } = run(`import { createServer } from 'node:net';\nimport WebSocket from '${WS}';\n`
      + `const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => new WebSocket('ws://127.0.0.1:' + port + '/chat')); });\n`);
    expect(text).toContain("Emitted 'error' event on WebSocket instance at:");
    const e = only(text);
    expect(e).toMatchObject({ type: 'Error', code: 'ECONNREFUSED', fatal: true });
    expect(e.message).toMatch(/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expect(e.stack).toContain("Emitted 'error' event on WebSocket instance at:");
  });

  it('reads a module that fails to link: its SyntaxError right under the underline, its message over several lines', () => {
    const { status, text } = run(`import { WebSocket } from '${WS}';\nnew WebSocket('ws://127.0.0.1:1');\n`);
    expect(status).toBe(1);
    expect(text).toMatch(/\^\nSyntaxError: Named export 'WebSocket' not found/);
    const e = only(text);
    expect(e).toMatchObject({ type: 'SyntaxError', fatal: true, at: `stderr.log:${lineOf(text, 'SyntaxError')}` });
    expect(e.message).toMatch(/^Named export 'WebSocket' not found\./);
    expect(e.stack).toContain('const { WebSocket } = pkg;');
  });

  it('reads a thrown value that is not an Error, printed under the underline', () => {
    const { text } = run(`setTimeout(() => { throw 'room closed'; }, 1);\n`);
    const e = only(text);
    expect(e).toMatchObject({ type: 'Uncaught', message: 'room closed', fatal: true, at: `stderr.log:${lineOf(text, 'room closed')}` });
  });

  it('reads the frames under "Thrown at:" (--trace-uncaught) as the thrown value\'s stack', () => {
    const { file, text } = run(`setTimeout(function tick() { throw 'room closed'; }, 1);\n`, { args: ['--trace-uncaught'] });
    expect(text).toContain('Thrown at:');
    const e = only(text);
    expect(e).toMatchObject({ type: 'Uncaught', message: 'room closed', fatal: true });
    expect(exceptionInfo(e).topFrame).toBe(`tick (${pathToFileURL(file).href}:1)`);
  });

  it('ends a report without the trailer at the next one, and keeps both fatal', () => {
    const first = run(`null.x;\n`, { args: ['--no-extra-info-on-fatal-exception'] }).text;
    expect(first).not.toContain('Node.js v');
    const second = run(`undefined.y;\n`).text;
    const { exceptions, skipped } = read(first + second);
    expect(skipped).toEqual({});
    expect(exceptions.map((e) => [e.type, e.fatal, e.message])).toEqual([
      ['TypeError', true, "Cannot read properties of null (reading 'x')"],
      ['TypeError', true, "Cannot read properties of undefined (reading 'y')"],
    ]);
    expect(exceptions[1].at).toBe(`stderr.log:${first.split('\n').length - 1 + lineOf(second, 'TypeError')}`);
  });

  it('reads an error the application printed and survived (console.error) as not fatal', () => {
    const { status, text } = run(`const err = new TypeError('bad frame'); err.code = 'E_FRAME'; console.error(err);\n`);
    expect(status).toBe(0);
    const e = only(text);
    expect(e).toMatchObject({ type: 'TypeError', message: 'bad frame', code: 'E_FRAME', fatal: false, at: 'stderr.log:1' });
  });

  it('counts lines that are no crash report, and takes a path-like line without the report shape for text', () => {
    const { events, skipped } = read('server listening on 8080\n/healthz:200\nGET /healthz 200\nError: not a trace\nplain text\n');
    expect(events).toEqual([]);
    expect(skipped).toEqual({ 'not-node-crash': 5 });
  });

  it('detects stderr with a crash report, and leaves JSON lines with one to the JSON parser', () => {
    const crash = run(`null.x;\n`).text.split('\n');
    expect(nodeCrashParser.detect(crash)).toBeGreaterThan(0.9);
    expect(nodeCrashParser.detect(['server listening on 8080', 'GET / 200'])).toBe(0);
    const plain = ['server listening on 8080', ...crash];
    expect(nodeCrashParser.detect(plain)).toBeGreaterThan(0.8);
    expect(jsonParser.detect(plain)).toBe(0);
    const mixed = ['{"level":30,"time":1,"pid":1,"hostname":"h","msg":"listening"}', ...crash];
    expect(nodeCrashParser.detect(mixed)).toBeLessThan(jsonParser.detect(mixed));
    expect(jsonParser.detect(mixed)).toBeGreaterThan(0.8);
  });
});

describe('the JSON parser with a crash report in its stream', () => {
  const service = `import pino from '${PINO}';\n`
    + `const log = pino(pino.destination({ dest: 1, sync: true })).child({ connId: 'c1', route: '/chat' });\n`
    + `log.info('ws connection opened');\n`
    + `setTimeout(() => { log.info({ isBinary: false, size: 2 }, 'ws message received'); const msg = {}; msg.user.id; }, 5);\n`;

  it('reads pino lines and the crash of the same process in order, with nothing skipped', () => {
    const { status, text } = run(service, { merged: true });
    expect(status).toBe(1);
    const { events, skipped } = read(text, jsonParser);
    expect(skipped).toEqual({});
    expect(events.map((e) => e.kind)).toEqual(['open', 'frame', 'exception']);
    expect(events[0].process).toMatch(/^\d+@/);
    expect(events[2]).toMatchObject({ type: 'TypeError', fatal: true, conn: undefined, at: `stderr.log:${lineOf(text, 'TypeError')}` });
  });

  it('ends the report at the next JSON line (a restarted process), before that line\'s events', () => {
    const first = run(service, { args: ['--no-extra-info-on-fatal-exception'], merged: true }).text;
    const second = run(service, { merged: true }).text;
    const { events, skipped } = read(first + second, jsonParser);
    expect(skipped).toEqual({});
    expect(events.map((e) => e.kind)).toEqual(['open', 'frame', 'exception', 'open', 'frame', 'exception']);
    expect(events[0].process).not.toBe(events[3].process);
  });

  it('reads a thrown object, whose inspect text starts with `{`, as crash text rather than broken JSON', () => {
    const { text } = run(`setTimeout(() => { throw { op: 'join' }; }, 1);\n`);
    const { exceptions, skipped } = read(text, jsonParser);
    expect(skipped).toEqual({});
    expect(exceptions).toMatchObject([{ type: 'Uncaught', message: "{ op: 'join' }", fatal: true }]);
  });
});
