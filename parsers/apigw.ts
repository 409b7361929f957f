/**
 * AWS API Gateway WebSocket API logs, one JSON object per line: access-log lines built from
 * `$context` variables (connectionId, eventType CONNECT/MESSAGE/DISCONNECT, routeKey,
 * requestTimeEpoch or requestTime, status, error.message, integration.error), and
 * `requestContext` dumps of integration events, whose $disconnect carries disconnectStatusCode
 * and disconnectReason. Names from the API Gateway developer guide ("Configure logging for
 * WebSocket APIs", "$disconnect" event); no real AWS log was available to check them. A line
 * may carry a CloudWatch prefix (`2026-11-26T17:30:40.947Z stream {...}`). API Gateway logs no
 * frame type, so these logs show closes, codes and integration errors, not type mismatches.
 */
import type { WsEvent } from '../src/model.js';
import { toCode, toTime } from './fields.js';
import { shareOf } from './detect.js';
import { jsonObject } from './json-line.js';
import type { Parser } from './parser.js';

type Rec = Record<string, unknown>;

const EVENT_TYPE = /"eventType"\s*:\s*"(?:CONNECT|MESSAGE|DISCONNECT)"/;
const MONTHS: Record<string, string> = { Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12' };
const CLF_TIME = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})$/;

export const apigwParser: Parser = {
  name: 'apigw',
  description: 'AWS API Gateway WebSocket access logs and $connect/$disconnect event dumps',

  detect(lines) {
    return shareOf(lines, (t) => EVENT_TYPE.test(t) && t.includes('"connectionId"'));
  },

  create(file, sink) {
    return {
      line(text, lineNo) {
        const start = text.indexOf('{');
        if (start < 0) {
          if (text.trim() !== '') sink.skip('not-json');
          return;
        }
        const r = jsonObject(text, start);
        if (typeof r === 'string') return sink.skip(r);
        const ctx = r.requestContext && typeof r.requestContext === 'object' ? r.requestContext as Rec : r;
        const conn = value(ctx, 'connectionId');
        const type = value(ctx, 'eventType');
        if (conn === undefined || type === undefined) {
          sink.skip('apigw-no-connection');
          return;
        }
        const e = eventOf(ctx, conn, type, `${file}:${lineNo}`);
        if (e) sink.event(e);
      },
      end() {},
    };
  },
};

/** The event one log line holds, or undefined when it says nothing a verdict uses (a message that went well). */
function eventOf(c: Rec, conn: string, type: string, at: string): WsEvent | undefined {
  const base = { conn, at, time: timeOf(c) };
  const status = Number(value(c, 'status') ?? NaN);
  // Access-log keys are the user's names for `$context.error.message` and `$context.integration.error`.
  const error = value(c, 'error.message') ?? value(c, 'errorMessage') ?? value(c, 'error')
    ?? value(c, 'integration.error') ?? value(c, 'integrationError') ?? value(c, 'integrationErrorMessage');
  switch (type) {
    case 'CONNECT':
      // A refused $connect (authorizer, integration) never became a WebSocket: nothing to judge.
      if (status >= 400) return undefined;
      return { ...base, kind: 'open', remote: value(c, 'identity.sourceIp') ?? value(c, 'ip') ?? value(c, 'sourceIp') };
    case 'MESSAGE':
      // The integration failed on a message: the client got an error message, the connection stayed open.
      if (status >= 500 || error !== undefined) {
        return { ...base, kind: 'exception', type: 'IntegrationError', message: error ?? `integration answered ${status}`, fatal: false };
      }
      return undefined;
    case 'DISCONNECT': {
      const code = toCode(value(c, 'disconnectStatusCode'));
      return { ...base, kind: 'close', code: code ?? null, reason: value(c, 'disconnectReason') ?? '', initiator: 'unknown' };
    }
    default:
      return undefined;
  }
}

/** A variable by its `$context` name, flat (`"error.message"`) or nested, as a string; API Gateway writes `-` for none. */
function value(c: Rec, name: string): string | undefined {
  let v: unknown = c[name];
  if (v === undefined && name.includes('.')) {
    v = c;
    for (const part of name.split('.')) v = v && typeof v === 'object' ? (v as Rec)[part] : undefined;
  }
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v !== '' && v !== '-' ? v : undefined;
}

/** requestTimeEpoch (ms), else requestTime in CLF (`26/Nov/2026:17:30:40 +0000`). */
function timeOf(c: Rec): number | undefined {
  const epoch = value(c, 'requestTimeEpoch');
  if (epoch !== undefined) return toTime(epoch);
  const clf = value(c, 'requestTime');
  const m = clf ? CLF_TIME.exec(clf) : null;
  if (!m) return clf ? toTime(clf) : undefined;
  return Date.parse(`${m[3]}-${MONTHS[m[2]]}-${m[1]}T${m[4]}${m[5]}:${m[6]}`);
}
