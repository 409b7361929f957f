// Captures real WebSocket traffic on the loopback interface with tshark: the project's `ws`
// test server (samples/ws-pino/server.mjs) and a Python websockets server (py_server.py), both
// driven by real `ws` clients. Shared by generate.mjs (the committed sample) and the live test.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runClient, SCENARIOS as WS_SCENARIOS, startServer } from '../ws-pino/server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const bin = Buffer.from([0x00, 0x9f, 0x92, 0x96, 0xff, 0x10, 0x20, 0x30]);
const json = (o) => JSON.stringify(o);

/** The ws server's scenarios this capture covers, with the verdict each calls for on the wire. */
const WS = ['text-normal', 'binary-to-text', 'binary-normal', 'text-to-binary', 'json-normal', 'binary-to-json',
  'buggy-normal', 'buggy-bug', 'invalid-utf8', 'dropped', 'expired-token'];

/** What the wire shows differs from the server log where the log only had an exception: */
const WIRE_EXPECT = {
  // The capture has no stack trace: a 1011 after an accepted text frame is an unhandled error by its code.
  'buggy-bug': { rootCause: 'unhandled-error', closeCode: 1011, codeAgreement: 'agrees', incident: true },
  // ws sends 1007 on the wire (the server's API reports 1006 afterwards, the capture shows the frame).
  'invalid-utf8': { rootCause: 'invalid-payload', closeCode: 1007, codeAgreement: 'agrees', incident: true },
};

export const PY_SCENARIOS = {
  'py-text-normal': { route: '/py/text', send: [['hello', false], ['again', false]], end: 'close',
    expect: { rootCause: 'normal', closeCode: 1000, codeAgreement: 'agrees', incident: false } },
  'py-binary-to-text': { route: '/py/text', send: [['hi', false], [bin, true]], end: 'wait',
    expect: { rootCause: 'data-type-mismatch', closeCode: 1003, codeAgreement: 'agrees', incident: true } },
  'py-json-normal': { route: '/py/json', send: [[json({ op: 'join' }), false], [json({ op: 'say' }), false]], end: 'close',
    expect: { rootCause: 'normal', closeCode: 1000, codeAgreement: 'agrees', incident: false } },
  'py-binary-to-json': { route: '/py/json', send: [[json({ op: 'join' }), false], [bin, true]], end: 'wait',
    expect: { rootCause: 'data-type-mismatch', closeCode: 1011, codeAgreement: 'disagrees', incident: true } },
  'py-buggy-normal': { route: '/py/buggy', send: [[json({ user: { id: 7 } }), false]], end: 'close',
    expect: { rootCause: 'normal', closeCode: 1000, codeAgreement: 'agrees', incident: false } },
  'py-buggy-bug': { route: '/py/buggy', send: [[json({ user: { id: 7 } }), false], [json({ op: 'whoami' }), false]], end: 'wait',
    expect: { rootCause: 'unhandled-error', closeCode: 1011, codeAgreement: 'agrees', incident: true } },
  'py-cut': { route: '/py/cut', send: [['one', false], ['two', false]], end: 'wait',
    expect: { rootCause: 'abnormal-closure', closeCode: 1006, codeAgreement: 'agrees', incident: true } },
};

/**
 * A client that writes a text and a binary frame in one TCP segment (as a busy client's
 * writes coalesce): tshark then decodes several WebSocket frames in one packet. Frames are
 * built by hand, since `ws` writes each frame on its own; /text answers the binary with 1003.
 */
const COALESCED = { route: '/text', expect: { rootCause: 'data-type-mismatch', closeCode: 1003, codeAgreement: 'agrees', incident: true } };

function coalescedClient(port) {
  const frame = (opcode, payload) => {
    const key = [0x11, 0x22, 0x33, 0x44];
    const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]));
    return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length, ...key]), masked]);
  };
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', reject);
    let localPort;
    s.once('connect', () => (localPort = s.localPort) && s.write(`GET ${COALESCED.route} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n`
      + 'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'));
    let greeted = false;
    s.on('data', (chunk) => {
      // The server's close frame (0x88; the payloads here are ASCII): hang up without echoing it.
      if (greeted) return void (chunk.includes(0x88) && s.end());
      greeted = true; // the 101 and the server's greeting: now both frames in one write
      s.write(Buffer.concat([frame(1, [...Buffer.from('hi')]), frame(2, [0x00, 0x9f, 0x92])]));
    });
    s.on('close', () => resolve({ name: 'coalesced', localPort }));
  });
}

/** Starts the Python server; resolves with its port and a stop function. */
function startPython() {
  const child = spawn('/usr/bin/python3', [join(here, 'py_server.py')], { stdio: ['pipe', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (d) => resolve({
      port: Number(String(d).trim()),
      stop: () => new Promise((r) => { child.once('exit', r); child.stdin.end(); }),
    }));
  });
}

/**
 * Starts tshark on lo for these ports; resolves once it really sees packets: "Capturing on"
 * comes before the capture filter is live, so probe connections are made until one shows up.
 */
async function startTshark(file, ports) {
  const child = spawn('tshark', ['-i', 'lo', '-f', ports.map((p) => `tcp port ${p}`).join(' or '), '-w', file, '-P', '-l'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = false;
  let last = 0;
  let err = '';
  child.stdout.on('data', () => { seen = true; last = Date.now(); });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((r) => child.once('exit', r));
  child.once('error', () => {});
  for (let i = 0; !seen; i++) {
    if (i === 100 || child.exitCode !== null) {
      child.kill();
      throw new Error(`tshark did not start capturing: ${err.trim()}`);
    }
    await new Promise((r) => connect(ports[0], '127.0.0.1').on('connect', function () { this.end(); r(); }).on('error', r));
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    /** Resolves once tshark has printed no packet for `ms` (at most 10 s): under load it lags behind the wire. */
    async quiet(ms) {
      for (const end = Date.now() + 10_000; Date.now() - last < ms && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
    },
    stop: () => { child.kill('SIGINT'); return exited; },
  };
}

/**
 * Runs every scenario against both servers (a few at a time, so streams interleave) while
 * tshark writes `file`; resolves with one entry per connection: scenario, server, client port
 * and expected verdict.
 */
export async function capture(file) {
  const logDir = mkdtempSync(join(tmpdir(), 'wsclose-cap-'));
  const ws = await startServer({ logFile: join(logDir, 'ws.log') });
  const py = await startPython();
  const tshark = await startTshark(file, [ws.port, py.port]);
  try {
    const runs = await Promise.all([
      ...WS.map((name) => runClient(ws.port, name, { delayMs: 5 }).then((r) => ({ ...r, server: 'ws', port: ws.port, sc: WS_SCENARIOS[name] }))),
      coalescedClient(ws.port).then((r) => ({ ...r, server: 'ws', port: ws.port, sc: COALESCED })),
      ...Object.keys(PY_SCENARIOS).map((name) => runClient(py.port, name, { delayMs: 5, scenarios: PY_SCENARIOS })
        .then((r) => ({ ...r, server: 'python-websockets', port: py.port, sc: PY_SCENARIOS[name] }))),
    ]);
    await tshark.quiet(500); // the last FIN/ACKs
    return runs.map(({ name, server, port, localPort, sc }) => ({
      scenario: name, server, ports: `${localPort}>${port}`, route: sc.route.split('?')[0],
      ...(WIRE_EXPECT[name] ?? withoutLogOnly(sc.expect)),
    }));
  } finally {
    await tshark.stop();
    await ws.close();
    await py.stop();
    rmSync(logDir, { recursive: true, force: true });
  }
}

/** A scenario's expected verdict without what only a log can show (exception type, the locally reported code). */
function withoutLogOnly({ exceptionType, topFrame, reportedCode, ...rest }) {
  return rest;
}

/** The display filter of parsers/tshark.ts: frames, handshakes and TCP ends. */
export const FILTER = 'websocket or http.request or http.response.code == 101 or tcp.flags.fin == 1 or tcp.flags.reset == 1';

/** tshark's decoding of the capture, as a user would run it: `-T json` or `-T ek`. */
export function decode(pcap, format) {
  return execFileSync('tshark', ['-r', pcap, '-n', '-Y', FILTER, '-T', format], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
}

/**
 * The verdicts the runs call for, keyed as wsclose names a capture's connection: its TCP stream,
 * found by the client's port and the server's (the two servers' clients may get the same port).
 */
export function expectedVerdicts(pcap, runs) {
  const streamOf = new Map();
  const rows = execFileSync('tshark', ['-r', pcap, '-n', '-Y', 'http.request', '-T', 'fields', '-e', 'tcp.stream', '-e', 'tcp.srcport', '-e', 'tcp.dstport'],
    { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim().split('\n');
  for (const row of rows) {
    const [stream, from, to] = row.split('\t');
    streamOf.set(`${from}>${to}`, Number(stream));
  }
  return runs.map(({ ports, ...run }) => ({ connection: `tcp.stream==${streamOf.get(ports)}`, ...run }))
    .sort((a, b) => Number(a.connection.slice(12)) - Number(b.connection.slice(12)));
}
