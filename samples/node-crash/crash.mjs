// Drives a real crash of server.mjs with stdout and stderr in ONE file, as `kubectl logs` shows
// a container: some connections close first (normally, or with an incident of their own), then
// several stay open while a message makes the server's listener throw. The process dies of it;
// the clients of the open connections see 1006. Used by generate.mjs and by the live test.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { byConnection, expectedFor, runClient } from '../ws-pino/server.mjs';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));

/** Connections that end before the crash: ws-pino's scenarios, their verdicts unchanged by it. */
export const BEFORE = ['text-normal', 'json-normal', 'binary-normal', 'handled-then-normal', 'binary-to-text', 'expired-token'];

/** What the crash calls for on every connection open in the process when it died. */
export const CRASHED = {
  rootCause: 'unhandled-error', closeCode: 1006, codeAgreement: 'disagrees', incident: true,
  exceptionType: 'TypeError', topFrame: 'node-crash/server\\.mjs', crash: true,
};

/** Connections open at the crash: what each sends first. */
export const OPEN = {
  'open-text': { route: '/text', send: [['hello', false]] },
  'open-json': { route: '/json', send: [[JSON.stringify({ op: 'join', room: 'a' }), false]] },
  'open-binary': { route: '/binary', send: [[Buffer.from([1, 2, 3]), true]] },
};

const whoami = JSON.stringify({ op: 'whoami', user: { name: 'ann' } });

/**
 * The connections that send the fatal message, last: what each sends, and what it calls for on
 * its own connection and (`exceptionType`) on the others.
 */
export const FATAL = {
  // A message without `user`: a TypeError, a bug.
  'profile-crash': { route: '/profile', send: [[whoami, false], [JSON.stringify({ op: 'whoami' }), false]], expect: CRASHED },
  // A binary frame that JSON.parse cannot read: a SyntaxError, a data-type mismatch.
  'profile-binary-crash': { route: '/profile', send: [[whoami, false], [Buffer.from([0x00, 0x9f, 0xff, 0x10]), true]],
    expect: { ...CRASHED, rootCause: 'data-type-mismatch', exceptionType: 'SyntaxError' } },
};

/** Opens a connection, sends its messages, and resolves once they are sent; `closed` is the code its client saw. */
async function hold(port, name) {
  const sc = OPEN[name] ?? FATAL[name];
  const ws = new WebSocket(`ws://127.0.0.1:${port}${sc.route}`);
  ws.on('error', () => {});
  const closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  const [first] = await once(ws, 'message');
  const { connId } = JSON.parse(first.toString());
  for (const [data, binary] of sc.send) {
    ws.send(data, { binary });
    await new Promise((r) => setTimeout(r, 10));
  }
  return { name, connId, closed };
}

/**
 * `fatal` names the connection whose message kills the server (a FATAL key). `anonymous`: its
 * records name no process (pino's `base: null`: no `pid`, no `hostname`). `runner`, when given,
 * is the command the server runs under, which writes `logFile` itself (a logging driver's,
 * samples/docker-json-file); the server's IPC channel is passed through it as fd 3.
 */
export async function runCrash(logFile, { copies = 2, fatal = 'profile-crash', anonymous = false, runner } = {}) {
  const fd = runner ? 'inherit' : openSync(logFile, 'w');
  const env = anonymous ? { ...process.env, SAMPLE_PINO_BASE: 'null' } : process.env;
  const [cmd, ...args] = [...(runner ?? []), process.execPath, SERVER];
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd, 'ipc'], env });
  if (!runner) closeSync(fd);
  const exited = once(child, 'exit');
  try {
    const [{ port }] = await once(child, 'message');
    const before = [];
    for (let i = 0; i < copies; i++) before.push(...await Promise.all(BEFORE.map((n) => runClient(port, n, { delayMs: 3 }))));
    const open = [];
    for (let i = 0; i < copies; i++) for (const n of Object.keys(OPEN)) open.push(await hold(port, n));
    open.push(await hold(port, fatal));
    const [exitCode] = await exited;
    const seen = await Promise.all(open.map((o) => o.closed));
    // The scenario itself, checked on the real processes: the server died of it, its clients saw 1006.
    if (exitCode !== 1) throw new Error(`the server exited with ${exitCode}, not 1`);
    if (seen.some((c) => c !== 1006)) throw new Error(`clients of open connections saw ${seen}, not 1006`);
    return { before, open: open.map(({ name, connId }) => ({ name, connId })), fatal };
  } finally {
    child.kill();
  }
}

/** The verdict each connection of a run calls for, by connection id. */
export function expectedVerdicts({ before, open, fatal }) {
  const killer = FATAL[fatal];
  const expect = (name) => (name === fatal ? killer.expect : { ...CRASHED, exceptionType: killer.expect.exceptionType });
  return [
    ...before.map(expectedFor),
    ...open.map(({ name, connId }) => ({ connection: connId, scenario: name, route: (OPEN[name] ?? killer).route, ...expect(name) })),
  ].sort(byConnection);
}
