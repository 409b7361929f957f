/**
 * Secrets and payloads planted in a real log never reach any output format (found from the
 * CLI's help, so formats added later are covered) unless --show-payloads: a real ws server
 * logging with a real pino logger, driven by real ws clients that send credentials in the
 * URL, in headers and in messages, and a handler that echoes them into errors, notes and close
 * reasons as careless servers do. With --show-payloads each secret does reach the output, so
 * the planting is real and the test can fail.
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report.js';
import { runCli } from './support/cli.js';
import { outputKinds } from './support/outputs.js';

/** Distinctive values, so a match in the output can only be a leak. */
export const SECRETS = {
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsInJvbGUiOiJhZG1pbiJ9.c2lnLXNlY3JldC03NzE5',
  bearer: 'tok7f3a9c1e2b4d8e6f',
  cookie: 'sess0c00k1e9931abc',
  password: 'hunter2Pa55w0rd',
  apiKey: 'AKIA0TEST0ZX81QQ',
  email: 'alice.secret@example.org',
  payload: 'card-4111-1111-1111-1111',
  basic: 'YWxpY2U6czNjcjN0cGFzcw',
};

const dir = mkdtempSync(join(tmpdir(), 'wsclose-redact-'));
const logFile = join(dir, 'leaky.log');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A server that logs what it should not: full URLs, credentials in messages, payload echoes. */
async function leakyServer(): Promise<{ port: number; close(): Promise<void> }> {
  const logger = pino({ level: 'info' }, pino.destination({ dest: logFile, sync: true }));
  const server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ server });
  let next = 0;
  wss.on('connection', (ws, req) => {
    const url = new URL(req.url!, 'http://localhost');
    const log = logger.child({ connId: `c${++next}`, route: req.url, remoteAddress: req.socket.remoteAddress });
    log.info('ws connection opened');
    ws.on('close', (code, reason) => log.info({ code, reason: reason.toString() }, 'ws connection closed'));
    if (url.pathname === '/login') {
      log.warn(`auth failed for ${SECRETS.email}: Authorization: ${req.headers.authorization}; Cookie: ${req.headers.cookie}`);
      ws.close(1008, `invalid api_key=${SECRETS.apiKey}`);
      return;
    }
    ws.on('message', (data, isBinary) => {
      log.info({ isBinary, size: (data as Buffer).length }, 'ws message received');
      log.info(`received: ${data.toString()}`);
      try {
        if (url.pathname === '/json') JSON.parse(data.toString());
        if (url.pathname === '/buggy') throw new Error(`login failed for ${SECRETS.email} with password=${SECRETS.password} and {"token":"${SECRETS.jwt}"}`);
        if (url.pathname === '/basic') throw new Error(`upstream said 401 to Authorization: Basic ${SECRETS.basic}`);
        if (url.pathname === '/admin') throw new Error(`forbidden for Authorization: Bearer ${req.headers.authorization?.slice(7)}; Cookie: ${req.headers.cookie}`);
      } catch (err) {
        log.error({ err }, 'message handler failed');
        ws.close(1011, `bad message: ${data.toString().slice(0, 80)}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    async close() {
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function client(port: number, path: string, send?: string, headers: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    const timer = setTimeout(() => reject(new Error(`${path} timed out`)), 10_000);
    ws.on('error', () => {});
    ws.on('open', () => { if (send) ws.send(send); });
    ws.on('close', () => {
      clearTimeout(timer);
      setTimeout(resolve, 30);
    });
  });
}

describe('secrets planted in a real ws + pino log', () => {
  let kinds: string[] = [];
  const outputs: Record<string, string> = {};
  const shown: Record<string, string> = {};

  beforeAll(async () => {
    const server = await leakyServer();
    await client(server.port, `/login?access_token=${SECRETS.jwt}&api_key=${SECRETS.apiKey}`, undefined, {
      Authorization: `Bearer ${SECRETS.bearer}`,
      Cookie: `session=${SECRETS.cookie}; theme=dark`,
    });
    await client(server.port, '/json', `password=${SECRETS.password} ${SECRETS.payload}`);
    await client(server.port, '/json', `{"password":"${SECRETS.password}","card":"${SECRETS.payload}"`);
    await client(server.port, '/buggy', `{"op":"login","email":"${SECRETS.email}"}`);
    await client(server.port, '/basic', 'hello');
    await client(server.port, '/admin', 'hello', { Authorization: `Bearer ${SECRETS.bearer}`, Cookie: `session=${SECRETS.cookie}; theme=dark` });
    await server.close();
    kinds = await outputKinds();
    for (const kind of kinds) {
      outputs[kind] = (await runCli(['analyze', logFile, '-o', kind])).stdout;
      shown[kind] = (await runCli(['analyze', logFile, '-o', kind, '--show-payloads'])).stdout;
    }
  });

  it('judges every planted connection as an incident, so their evidence is in every report', () => {
    const r = JSON.parse(outputs.json) as Report;
    expect(r.summary.closes).toBe(6);
    expect(r.summary.incidents).toBe(6);
    expect(r.summary.byRootCause['policy-violation']).toBe(1);
  });

  it.each(Object.entries(SECRETS))('%s never appears in any output format without --show-payloads', (name, secret) => {
    for (const kind of kinds) {
      expect(outputs[kind].length, kind).toBeGreaterThan(100);
      expect(outputs[kind], `${name} leaks in --output ${kind}`).not.toContain(secret);
    }
  });

  it.each(Object.entries(SECRETS))('%s is in the output with --show-payloads (the planting reached the report)', (_, secret) => {
    expect(kinds.some((kind) => shown[kind].includes(secret))).toBe(true);
  });
});
