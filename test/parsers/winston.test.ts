/**
 * winston's format.simple() lines, written by REAL winston (its File transport) from a REAL ws
 * server driven by real clients, read by the built CLI; and the line reader on what winston's
 * colorize and padLevels make of them.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import winston from 'winston';
import { WebSocket, WebSocketServer } from 'ws';
import type { Report } from '../../src/report.js';
import { parseWinstonSimple } from '../../parsers/winston.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'wsclose-winston-'));

/** A logger writing `format` to `file`; `done()` waits for the file to be whole. */
function logger(file: string, format: winston.Logform.Format) {
  const log = winston.createLogger({ level: 'info', format, transports: [new winston.transports.File({ filename: file })] });
  return { log, done: async () => { log.end(); await once(log, 'finish'); await new Promise((r) => setTimeout(r, 50)); } };
}

describe('winston format.simple()', () => {
  it('reads a real ws server\'s log: a binary frame that broke its JSON handler, and a normal close', async () => {
    const file = join(dir, 'simple.log');
    const { log, done } = logger(file, winston.format.simple());
    const server = createServer();
    const wss = new WebSocketServer({ server });
    let next = 0;
    wss.on('connection', (ws, req) => {
      const connId = `c${++next}`;
      log.info('ws connection opened', { connId, route: req.url, remoteAddress: req.socket.remoteAddress, remotePort: req.socket.remotePort });
      ws.on('message', (data, isBinary) => {
        log.info('ws message received', { connId, isBinary, size: (data as Buffer).length });
        try {
          JSON.parse(data.toString());
        } catch (err) {
          log.error('message handler failed', { connId, stack: (err as Error).stack });
          ws.close(1011, 'internal error');
        }
      });
      ws.on('close', (code, reason) => log.info('ws connection closed', { connId, code, reason: reason.toString() }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/json`;
    for (const [data, binary] of [['{"op":"hi"}', false], [Buffer.from([0x00, 0x9f, 0xff]), true]] as const) {
      const client = new WebSocket(url);
      await once(client, 'open');
      client.send(data, { binary });
      if (!binary) client.close(1000);
      await once(client, 'close');
    }
    await new Promise((r) => setTimeout(r, 50));
    wss.close();
    server.close();
    await done();

    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^info: ws connection opened \{"connId":"c1",/);
    expect(lines.find((l) => l.startsWith('error: '))).toMatch(/^error: message handler failed \{"connId":"c2","stack":"SyntaxError: /);
    const res = await runCli(['analyze', file, '-o', 'json']);
    expect([res.code, res.stderr]).toEqual([0, '']);
    const r = JSON.parse(res.stdout) as Report;
    expect(r.input.files[0]).toMatchObject({ parser: 'winston', lines: lines.length, skipped: {} });
    expect(r.summary.closes).toBe(2);
    expect(r.incidents).toHaveLength(1);
    const [v] = r.incidents;
    expect(v.connection).toBe('c2');
    expect(v.route).toBe('/json');
    expect(v.rootCause).toBe('data-type-mismatch');
    expect(v.closeCode).toBe(1011);
    expect(v.codeAgreement).toBe('disagrees');
    expect(v.exception?.type).toBe('SyntaxError');
    // /json's text was learned from c1, closed normally on line 3.
    expect(v.evidence.map((e) => e.kind)).toEqual(['open', 'frame', 'exception', 'profile', 'close']);
    expect(v.evidence.map((e) => e.at)).toEqual([4, 5, 6, 3, 7].map((n) => `${file}:${n}`));
  });

  it("reads winston's colored and padded levels, a message with braces, and a line with no rest", async () => {
    const file = join(dir, 'colored.log');
    const { log, done } = logger(file, winston.format.combine(winston.format.colorize(), winston.format.padLevels(), winston.format.simple()));
    log.warn('closing {stale} socket', { connId: 'c9', code: 1001 });
    log.info('listening on 8080');
    await done();
    const [warn, info] = readFileSync(file, 'utf8').trim().split('\n');
    expect(warn).toMatch(/^\x1b\[33mwarn\x1b\[39m: +closing \{stale\} socket \{/);
    expect(parseWinstonSimple(warn)).toEqual({ level: 'warn', message: 'closing {stale} socket', connId: 'c9', code: 1001 });
    expect(parseWinstonSimple(info)).toEqual({ level: 'info', message: 'listening on 8080' });
    expect(parseWinstonSimple('{"level":"info","message":"x"}')).toBeUndefined();
  });
});
