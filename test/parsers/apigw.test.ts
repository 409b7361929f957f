/**
 * The API Gateway parser. No AWS account is reachable here, so there is no real log: the lines
 * are built the way API Gateway builds them, by substituting `$context` variables into an
 * access-log format (the JSON format of the developer guide's WebSocket logging page, plus the
 * disconnect variables), and `requestContext` dumps shaped like the $disconnect integration event.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apigwParser } from '../../parsers/apigw.js';
import type { Report } from '../../src/report.js';
import { runCli } from '../support/cli.js';
import { parseLines } from '../support/parse.js';

const FORMAT = '{ "requestId":"$context.requestId", "ip": "$context.identity.sourceIp", "requestTime":"$context.requestTime", '
  + '"requestTimeEpoch":$context.requestTimeEpoch, "eventType":"$context.eventType", "routeKey":"$context.routeKey", '
  + '"status":"$context.status", "connectionId":"$context.connectionId", "error":"$context.error.message", '
  + '"integrationError":"$context.integration.error", "disconnectStatusCode":"$context.disconnectStatusCode", '
  + '"disconnectReason":"$context.disconnectReason" }';

const T0 = Date.parse('2026-11-26T17:30:40Z');

/** One access-log line: API Gateway writes `-` for a variable with no value. */
function access(vars: Record<string, string | number>): string {
  return FORMAT.replace(/\$context\.([\w.]+)/g, (_, name: string) => String(vars[name] ?? '-'))
    .replace('"requestTimeEpoch":-', '"requestTimeEpoch":"-"');
}

function clf(ms: number): string {
  const d = new Date(ms);
  const mon = d.toUTCString().slice(8, 11);
  return `${String(d.getUTCDate()).padStart(2, '0')}/${mon}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;
}

const at = (i: number, id: string, eventType: string, more: Record<string, string | number> = {}) => access({
  requestId: `req-${id}-${i}`, 'identity.sourceIp': '203.0.113.7', requestTime: clf(T0 + i * 1000), requestTimeEpoch: T0 + i * 1000,
  eventType, routeKey: eventType === 'CONNECT' ? '$connect' : eventType === 'DISCONNECT' ? '$disconnect' : 'sendmessage',
  status: 200, connectionId: id, ...more,
});

const LINES = [
  at(0, 'Ab1CdEfGhIJ=', 'CONNECT'),
  at(1, 'Ab1CdEfGhIJ=', 'MESSAGE', { messageId: 'm1' }),
  at(2, 'Ab1CdEfGhIJ=', 'DISCONNECT', { disconnectStatusCode: 1000, disconnectReason: 'Connection Closed Normally' }),
  at(3, 'Zz9YyXxWwVV=', 'CONNECT'),
  at(4, 'Zz9YyXxWwVV=', 'MESSAGE', { status: 500, 'error.message': 'Internal server error', 'integration.error': 'Lambda function error' }),
  // CloudWatch prefixes each event with its ingestion time and stream when tailed.
  `2026-11-26T17:30:45.120000+00:00 b1f5 ${at(5, 'Zz9YyXxWwVV=', 'DISCONNECT', { disconnectStatusCode: 1006, disconnectReason: 'Connection Closed Abnormally' })}`,
  at(6, 'Qq7RrSsTtUU=', 'CONNECT', { status: 403, 'error.message': 'Forbidden' }),
  at(7, 'Kk5LlMmNnOO=', 'CONNECT'),
  // The $disconnect integration event's requestContext, logged by its Lambda.
  JSON.stringify({ requestContext: { routeKey: '$disconnect', disconnectStatusCode: 1005, eventType: 'DISCONNECT', extendedRequestId: 'x',
    requestTime: clf(T0 + 8000), messageDirection: 'IN', disconnectReason: 'Client-side close frame status not set', stage: 'prod',
    connectedAt: T0 + 7000, requestTimeEpoch: T0 + 8000, identity: { sourceIp: '203.0.113.9' }, requestId: 'x', domainName: 'abc.execute-api.eu-west-1.amazonaws.com',
    connectionId: 'Kk5LlMmNnOO=', apiId: 'abc' }, isBase64Encoded: false }),
  at(9, 'Pp3OoNnMmLL=', 'CONNECT'),
  access({ eventType: 'DISCONNECT', connectionId: 'Pp3OoNnMmLL=', requestTime: clf(T0 + 10_000), routeKey: '$disconnect', status: 200 }),
];

const parse = (lines: string[]) => parseLines(apigwParser, 'gw.log', lines);

describe('API Gateway parser', () => {
  it('detects access-log lines and event dumps, and not other JSON logs', () => {
    expect(apigwParser.detect(LINES)).toBe(1);
    expect(apigwParser.detect(['{"level":30,"msg":"ws connection closed","connectionId":"c1","code":1000}'])).toBe(0);
  });

  it('turns CONNECT, failed MESSAGEs and DISCONNECT into open, exception and close', () => {
    const { events, skipped } = parse(LINES);
    expect(skipped).toEqual({});
    expect(events.map((e) => [e.kind, e.conn, e.at])).toEqual([
      ['open', 'Ab1CdEfGhIJ=', 'gw.log:1'],
      ['close', 'Ab1CdEfGhIJ=', 'gw.log:3'],
      ['open', 'Zz9YyXxWwVV=', 'gw.log:4'],
      ['exception', 'Zz9YyXxWwVV=', 'gw.log:5'],
      ['close', 'Zz9YyXxWwVV=', 'gw.log:6'],
      ['open', 'Kk5LlMmNnOO=', 'gw.log:8'],
      ['close', 'Kk5LlMmNnOO=', 'gw.log:9'],
      ['open', 'Pp3OoNnMmLL=', 'gw.log:10'],
      ['close', 'Pp3OoNnMmLL=', 'gw.log:11'],
    ]);
    expect(events[0]).toMatchObject({ remote: '203.0.113.7', time: T0 });
    expect(events[1]).toMatchObject({ code: 1000, reason: 'Connection Closed Normally', time: T0 + 2000 });
    expect(events[3]).toMatchObject({ type: 'IntegrationError', message: 'Internal server error', fatal: false });
    expect(events[6]).toMatchObject({ code: 1005, reason: 'Client-side close frame status not set', time: T0 + 8000 });
    // No requestTimeEpoch and no disconnect variables: the CLF time, and no code.
    expect(events[8]).toMatchObject({ code: null, reason: '', time: T0 + 10_000 });
  });

  it('counts lines it cannot read', () => {
    const { events, skipped } = parse(['not json at all', '{"eventType":"MESSAGE"}', '{"connectionId":"x"', ...LINES.slice(0, 3)]);
    expect(skipped).toEqual({ 'not-json': 2, 'apigw-no-connection': 1 });
    expect(events).toHaveLength(2);
  });

  it('judges each connection through the CLI', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wsclose-apigw-')), 'gw.log');
    writeFileSync(file, LINES.join('\n') + '\n');
    const res = await runCli(['analyze', file, '-o', 'json']);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as Report;
    expect(report.input.files[0]).toMatchObject({ parser: 'apigw', skipped: {} });
    expect(report.summary.closes).toBe(4);
    const v = new Map(report.incidents.map((x) => [x.connection, x]));
    expect([...v.keys()].sort()).toEqual(['Kk5LlMmNnOO=', 'Pp3OoNnMmLL=', 'Zz9YyXxWwVV=']);
    expect(v.get('Zz9YyXxWwVV=')).toMatchObject({
      rootCause: 'unhandled-error', closeCode: 1006, codeAgreement: 'disagrees', at: `${file}:6`,
      exception: { type: 'IntegrationError', message: 'Internal server error' },
    });
    expect(v.get('Zz9YyXxWwVV=')!.evidence.map((e) => [e.kind, e.at])).toEqual([
      ['open', `${file}:4`], ['exception', `${file}:5`], ['close', `${file}:6`]]);
    expect(v.get('Kk5LlMmNnOO=')).toMatchObject({ rootCause: 'abnormal-closure', closeCode: 1005, codeAgreement: 'agrees', at: `${file}:9` });
    expect(v.get('Pp3OoNnMmLL=')).toMatchObject({ rootCause: 'unknown', closeCode: null, at: `${file}:11` });
  });
});
