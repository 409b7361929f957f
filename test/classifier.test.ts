/**
 * The classifier on incidents built by the real correlator: the verdict comes from what
 * happened on the connection, and the code only where nothing else is known.
 */
import { describe, expect, it } from 'vitest';
import { classify } from '../src/classifier.js';
import { Correlator, type Incident } from '../src/correlator.js';
import type { Verdict, WsEvent } from '../src/model.js';
import { Profiles } from '../src/profile.js';
import { ev } from './support/events.js';

function judge(events: WsEvent[], expect?: [string, 'text' | 'binary' | 'any']): Verdict {
  let incident: Incident | undefined;
  const c = new Correlator((i) => { incident = i; });
  for (const e of events) c.push(e);
  const profiles = new Profiles();
  if (expect) profiles.expect(expect[0], expect[1]);
  return classify(incident!, profiles.lookup(incident!.route));
}

type Want = Pick<Verdict, 'rootCause' | 'closeCode' | 'codeAgreement' | 'incident'> & Partial<Verdict>;

const CASES: [string, () => WsEvent[], Want, [string, 'text' | 'binary' | 'any']?][] = [
  ['binary frame to a text endpoint answered 1003', () => [ev.open('a', 1), ev.frame('a', 2, 'binary'), ev.close('a', 3, 1003, 'text only')],
    { rootCause: 'data-type-mismatch', closeCode: 1003, codeAgreement: 'agrees', incident: true, confidence: 0.95, profile: 'user' }, ['/chat', 'text']],
  ['binary frame, JSON.parse throws, 1011', () => [ev.frame('a', 2, 'binary'), ev.error('a', 3, 'SyntaxError', 'Unexpected token in JSON at position 0'), ev.close('a', 4, 1011)],
    { rootCause: 'data-type-mismatch', closeCode: 1011, codeAgreement: 'disagrees', incident: true }],
  ['binary frame, JSON.parse throws, 1011: the fix says what the error became', () => [ev.frame('a', 2, 'binary'), ev.error('a', 3, 'SyntaxError', 'Unexpected token in JSON at position 0'), ev.close('a', 4, 1011)],
    { rootCause: 'data-type-mismatch', closeCode: 1011, codeAgreement: 'disagrees', incident: true, fix: expect.stringMatching(/close with 1003 instead of letting SyntaxError become a 1011\.$/) }],
  ['binary frame, the parse error drops the connection without a close frame (uvicorn): 1006', () => [ev.frame('a', 2, 'binary'), ev.error('a', 3, 'SyntaxError', 'Unexpected token in JSON at position 0'), ev.close('a', 4, 1006)],
    { rootCause: 'data-type-mismatch', closeCode: 1006, codeAgreement: 'disagrees', incident: true, fix: expect.stringMatching(/close with 1003 instead of letting SyntaxError drop the connection \(1006\)\.$/) }],
  ['text frame that fails to parse, 1011', () => [ev.frame('a', 2, 'text'), ev.error('a', 3, 'SyntaxError', 'Unexpected end of JSON input'), ev.close('a', 4, 1011)],
    { rootCause: 'invalid-payload', closeCode: 1011, codeAgreement: 'disagrees', incident: true }, ['/chat', 'text']],
  ['a bug answered 1011', () => [ev.frame('a', 2, 'text'), ev.error('a', 3, 'TypeError', "Cannot read properties of undefined (reading 'id')"), ev.close('a', 4, 1011)],
    { rootCause: 'unhandled-error', closeCode: 1011, codeAgreement: 'agrees', incident: true, confidence: 0.9 }],
  ['a crash: no close line, clients saw 1006', () => [ev.open('a', 1), ev.frame('a', 2, 'text'), ev.error(undefined, 3, 'TypeError', 'x is not a function', { fatal: true })],
    { rootCause: 'unhandled-error', closeCode: 1006, codeAgreement: 'disagrees', incident: true, initiator: 'server' }],
  ['a handled exception then 1000', () => [ev.frame('a', 2, 'text'), ev.error('a', 3, 'Error', 'upstream timeout', { handled: true }), ev.close('a', 4, 1000)],
    { rootCause: 'normal', closeCode: 1000, codeAgreement: 'agrees', incident: false, explanation: 'closed normally after 1 exception(s) that were handled' }],
  ['messages then 1000 (every frame packed: no event kept as an object)', () => [ev.open('a', 1), ev.frame('a', 2, 'text'), ev.frame('a', 3, 'text', 'out'), ev.frame('a', 4, 'binary'), ev.close('a', 5, 1000)],
    { rootCause: 'normal', closeCode: 1000, codeAgreement: 'agrees', incident: false, explanation: 'closed normally' }],
  ['1003 on an accepted frame type: the application\'s own use', () => [ev.frame('a', 2, 'text'), ev.close('a', 3, 1003, 'invalid command')],
    { rootCause: 'application', closeCode: 1003, codeAgreement: 'disagrees', incident: true }, ['/chat', 'text']],
  ['1003 for an auth rejection', () => [ev.frame('a', 2, 'text'), ev.close('a', 3, 1003, 'unauthorized: token expired')],
    { rootCause: 'policy-violation', closeCode: 1003, codeAgreement: 'disagrees', incident: true }, ['/chat', 'text']],
  ['ws sent 1007 and reported 1006', () => [ev.error('a', 2, 'Error', 'Invalid WebSocket frame: invalid UTF-8 sequence', { code: 'WS_ERR_INVALID_UTF8', wireCode: 1007 }), ev.close('a', 3, 1006)],
    { rootCause: 'invalid-payload', closeCode: 1007, reportedCode: 1006, codeAgreement: 'agrees', incident: true }],
  ['Tomcat sent 1002 after an unhandled exception and reported 1006', () => [ev.frame('a', 2, 'text'), ev.error('a', 3, 'java.lang.IllegalStateException', 'bad payload'),
    ev.frame('a', 4, 'close', 'out', { code: 1002 }), ev.close('a', 4, 1006, 'An unrecoverable IOException occurred so the connection was closed')],
    { rootCause: 'unhandled-error', closeCode: 1002, reportedCode: 1006, codeAgreement: 'disagrees', incident: true, initiator: 'server' }],
  ['websockets gave up on a peer that stopped answering pings: 1011 "keepalive ping timeout" is a lost connection, not an error',
    () => [ev.frame('a', 2, 'text'), ev.frame('a', 3, 'close', 'out', { code: 1011 }), ev.close('a', 4, 1011, 'keepalive ping timeout', { initiator: 'server' })],
    { rootCause: 'abnormal-closure', closeCode: 1011, codeAgreement: 'disagrees', incident: true, confidence: 0.85, fix: expect.stringMatching(/^A pong did not come in time/) }],
  ['a handler failure that is only the connection closing', () => [ev.frame('a', 2, 'text'), ev.error('a', 3, 'ConnectionClosedError', 'sent 1009 (message too big); no close frame received', { connectionClosed: true }), ev.close('a', 4, 1009)],
    { rootCause: 'message-too-big', closeCode: 1009, codeAgreement: 'agrees', incident: true }],
  ['client going away', () => [ev.close('a', 2, 1001, '', { initiator: 'client' })], { rootCause: 'normal', closeCode: 1001, codeAgreement: 'agrees', incident: false, explanation: 'closed normally' }],
  ['server going away', () => [ev.close('a', 2, 1001, 'shutting down', { initiator: 'server' })], { rootCause: 'server-restart', closeCode: 1001, codeAgreement: 'agrees', incident: true }],
  ['protocol error', () => [ev.close('a', 2, 1002)], { rootCause: 'protocol-error', closeCode: 1002, codeAgreement: 'agrees', incident: true }],
  ['missing extension', () => [ev.close('a', 2, 1010)], { rootCause: 'protocol-error', closeCode: 1010, codeAgreement: 'agrees', incident: true }],
  ['policy', () => [ev.close('a', 2, 1008, 'rate limited')], { rootCause: 'policy-violation', closeCode: 1008, codeAgreement: 'agrees', incident: true, confidence: 0.85 }],
  ['too big', () => [ev.close('a', 2, 1009)], { rootCause: 'message-too-big', closeCode: 1009, codeAgreement: 'agrees', incident: true }],
  ['invalid payload', () => [ev.close('a', 2, 1007)], { rootCause: 'invalid-payload', closeCode: 1007, codeAgreement: 'agrees', incident: true }],
  ['service restart', () => [ev.close('a', 2, 1012)], { rootCause: 'server-restart', closeCode: 1012, codeAgreement: 'agrees', incident: true }],
  ['try again later', () => [ev.close('a', 2, 1013)], { rootCause: 'server-restart', closeCode: 1013, codeAgreement: 'agrees', incident: true }],
  ['bad gateway', () => [ev.close('a', 2, 1014)], { rootCause: 'server-restart', closeCode: 1014, codeAgreement: 'agrees', incident: true }],
  ['abnormal with nothing to explain it', () => [ev.frame('a', 1, 'text'), ev.close('a', 2, 1006)], { rootCause: 'abnormal-closure', closeCode: 1006, codeAgreement: 'agrees', incident: true }],
  ['no status received', () => [ev.close('a', 2, 1005)], { rootCause: 'abnormal-closure', closeCode: 1005, codeAgreement: 'agrees', incident: true }],
  // Most often a plain close(): still an incident (DESIGN maps 1005 to abnormal-closure), with less confidence.
  ['a client\'s close frame without a status code', () => [ev.frame('a', 1, 'text'), ev.close('a', 2, 1005, '', { initiator: 'client' })],
    { rootCause: 'abnormal-closure', closeCode: 1005, codeAgreement: 'agrees', incident: true, initiator: 'client', confidence: 0.4,
      explanation: 'No Status Received: the client sent a close frame without a status code (what a plain close() sends), and nothing on it explains why',
      fix: 'Have clients close with an explicit code (1000 for a normal close).' }],
  ['TLS failure', () => [ev.close('a', 2, 1015)], { rootCause: 'abnormal-closure', closeCode: 1015, codeAgreement: 'agrees', incident: true }],
  ['an application code', () => [ev.close('a', 2, 4001, 'session expired')], { rootCause: 'application', closeCode: 4001, codeAgreement: 'agrees', incident: true }],
  ['1011 with no exception logged', () => [ev.close('a', 2, 1011)], { rootCause: 'unhandled-error', closeCode: 1011, codeAgreement: 'agrees', incident: true, confidence: 0.4 }],
  ['no code and no evidence', () => [ev.close('a', 2, null)], { rootCause: 'unknown', closeCode: null, codeAgreement: 'agrees', incident: true }],
  ['a reserved code', () => [ev.close('a', 2, 1004)], { rootCause: 'unknown', closeCode: 1004, codeAgreement: 'agrees', incident: true }],
  ['a keyless exception just before a 1006', () => [ev.frame('a', 100, 'text'), ev.error(undefined, 200, 'Error', 'ECONNRESET'), ev.close('a', 300, 1006)],
    { rootCause: 'unhandled-error', closeCode: 1006, codeAgreement: 'disagrees', incident: true, confidence: 0.6 }],
  ['a keyless exception that only says the connection had closed, before a 1006', () => [ev.frame('a', 100, 'text'),
    ev.error(undefined, 200, 'websockets.exceptions.ConnectionClosedError', 'no close frame received or sent', { connectionClosed: true }), ev.close('a', 300, 1006)],
  { rootCause: 'abnormal-closure', closeCode: 1006, codeAgreement: 'agrees', incident: true }],
];

describe('classify', () => {
  it.each(CASES)('%s', (_name, events, want, expectRoute) => {
    const v = judge(events(), expectRoute);
    for (const [k, value] of Object.entries(want)) expect(v[k as keyof Verdict], k).toEqual(value);
    expect(v.evidence.at(-1)?.kind === 'close' || v.evidence.some((e) => e.kind === 'crash')).toBe(true);
    expect(v.fix.length).toBeGreaterThan(10);
    if (v.codeAgreement === 'disagrees') expect(v.explanation).toMatch(/reported as|seen by clients as/);
  });

  it('says so when the only exceptions before an abnormal close are the connection closing', () => {
    const v = judge([ev.frame('a', 1, 'text'), ev.error('a', 2, 'ConnectionClosedError', 'no close frame received or sent', { connectionClosed: true }), ev.close('a', 3, 1006)]);
    expect(v.rootCause).toBe('abnormal-closure');
    expect(v.explanation).toMatch(/\(the exceptions logged only say the connection had closed\)$/);
  });

  it('explains a mismatch reported as 1011 in one line and names the exception and its frame', () => {
    const v = judge([ev.frame('a', 2, 'binary'), ev.error('a', 3, 'SyntaxError', 'Unexpected token'), ev.close('a', 4, 1011)]);
    expect(v.explanation.startsWith('data-type mismatch reported as 1011: check the opcode before parsing')).toBe(true);
    expect(v.exception).toMatchObject({ type: 'SyntaxError', topFrame: 'handle (/srv/app/handler.js:10)' });
    expect(v.evidence.map((e) => e.kind)).toEqual(['frame', 'exception', 'close']);
    expect(v.fix).toMatch(/isBinary/);
  });

  it('tells the connection that crashed the process from those that went down with it', () => {
    const events = [ev.open('a', 1), ev.open('b', 2), ev.frame('b', 3, 'text'), ev.frame('a', 4, 'binary'),
      ev.error(undefined, 5, 'TypeError', 'x is not a function', { fatal: true })];
    const verdicts = new Map<string, Verdict>();
    const c = new Correlator((i) => verdicts.set(i.connection, classify(i, undefined)));
    for (const e of events) c.push(e);
    expect(verdicts.get('a')).toMatchObject({ rootCause: 'unhandled-error', confidence: 0.95, closeCode: 1006 });
    expect(verdicts.get('a')!.explanation).toMatch(/while handling this connection's binary message/);
    expect(verdicts.get('a')!.evidence.map((e) => e.kind)).toEqual(['open', 'frame', 'crash', 'close']);
    expect(verdicts.get('b')).toMatchObject({ rootCause: 'unhandled-error', confidence: 0.9, closeCode: 1006 });
    expect(verdicts.get('b')!.explanation).toMatch(/while handling another connection's message; this connection was open and ended with it/);
  });

  it('a crash points at the crash line as evidence', () => {
    const crash = ev.error(undefined, 3, 'TypeError', 'x is not a function', { fatal: true });
    const v = judge([ev.open('a', 1), ev.frame('a', 2, 'text'), crash]);
    expect(v.evidence.find((e) => e.kind === 'crash')).toMatchObject({ at: crash.at });
    expect(v.at).toBe(crash.at);
  });

  it('a learned profile is named in the evidence', () => {
    let incident: Incident | undefined;
    const c = new Correlator((i) => { incident = i; });
    [ev.frame('a', 2, 'binary', 'in'), ev.close('a', 3, 1011)].forEach((e) => c.push(e));
    const profiles = new Profiles();
    profiles.learn('/chat', { text: 3, binary: 0 }, 'x.log:9');
    const v = classify(incident!, profiles.lookup('/chat'));
    expect(v).toMatchObject({ rootCause: 'data-type-mismatch', profile: 'learned', codeAgreement: 'disagrees' });
    expect(v.evidence.find((e) => e.kind === 'profile')).toMatchObject({ at: 'x.log:9', summary: expect.stringMatching(/learned from 1 normal connection/) });
  });
});

describe('a learned profile', () => {
  /** Connection `a` on `route` (learned from a normal connection that sent `learnedType` only) receives `frame` and its handler throws `error`. */
  function learned(route: string, learnedType: 'text' | 'binary', frame: 'text' | 'binary', error: [string, string]): Verdict {
    let incident: Incident | undefined;
    const c = new Correlator((i) => { incident = i; });
    [ev.open('a', 1, route), ev.frame('a', 2, frame, 'in'), ev.error('a', 3, ...error), ev.close('a', 4, 1011)].forEach((e) => c.push(e));
    const profiles = new Profiles();
    profiles.learn(route, { text: learnedType === 'text' ? 3 : 0, binary: learnedType === 'binary' ? 3 : 0 }, 'x.log:9');
    return classify(incident!, profiles.lookup(route));
  }

  it('holds for a text frame on a binary endpoint whose handler then fails on it, whatever the error', () => {
    const v = learned('/upload', 'binary', 'text', ['TypeError', 'The "data" argument must be of type Buffer. Received type string']);
    expect(v).toMatchObject({ rootCause: 'data-type-mismatch', closeCode: 1011, codeAgreement: 'disagrees', profile: 'learned', confidence: 0.74 });
    expect(v.explanation).toBe('data-type mismatch reported as 1011: check the opcode before parsing; a text frame reached /upload, which accepts binary (TypeError followed)');
  });

  it('yields for a binary frame on a text endpoint whose handler got past parsing it', () => {
    const v = learned('/rpc', 'text', 'binary', ['TypeError', "Cannot read properties of undefined (reading 'name')"]);
    expect(v).toMatchObject({ rootCause: 'unhandled-error', closeCode: 1011, codeAgreement: 'agrees' });
    expect(v.profile).toBeUndefined();
  });
});

describe('evidence times', () => {
  it('are the ISO text of each event time, whatever the order, across minutes, days and years, and for fractional ms', () => {
    // The classifier reuses the text of the minute before: times that leave it or go back must not, and a
    // fraction of a millisecond (span times) is dropped as a Date drops it, towards zero.
    const times = [
      Date.UTC(2026, 10, 26, 23, 59, 59, 999), Date.UTC(2026, 10, 27, 0, 0, 0, 0), Date.UTC(2026, 10, 26, 23, 59, 0, 5),
      Date.UTC(2026, 10, 26, 23, 58, 59, 999), 1.5e12 + 0.75, 1.5e12 + 10.25, 1.5e12 + 59_999.9, 1.5e12 + 60_000.1,
      Date.UTC(1969, 11, 31, 23, 59, 59, 1), -1, -0.5, -1.5, -60_000.25, 0, 59_999, 60_000,
      Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 1,
    ];
    for (let i = 0; i < times.length; i++) {
      const [open, close] = [times[i], times[(i + 1) % times.length]];
      const v = judge([ev.open(`c${i}`, open), ev.close(`c${i}`, close, 1011, 'boom')]);
      expect(v.time).toBe(new Date(close).toISOString());
      expect(v.evidence.map((e) => e.time)).toEqual([new Date(open).toISOString(), new Date(close).toISOString()]);
    }
  });
});
