/**
 * Names the root cause of one ended connection from what happened on it: the last inbound
 * frame's type against what the endpoint accepts, the exceptions after it, a crash, library
 * errors that fixed the code on the wire. The close code is what the server said; it decides
 * only where the connection holds no better evidence.
 */
import { closeCodeInfo, codeAgrees } from './codes.js';
import { keptEvents, mayHoldExceptions, type Incident, type RecentEvent } from './correlator.js';
import {
  exceptionInfo, isParseError, KEEPALIVE_TIMEOUT_TEXT, POLICY_TEXT, RESTART_TEXT, SERVER_LEAVING_TEXT, TYPE_MISMATCH_TEXT,
} from './exception.js';
import type {
  CloseEvent, Evidence, ExceptionEvent, ExceptionInfo, FrameEvent, Initiator, RootCause, Verdict, WsEvent,
} from './model.js';
import { accepts, type EndpointProfile } from './profile.js';
import { redact } from './redact.js';

export interface ClassifyOptions {
  showPayloads?: boolean;
}

/** What proves a root cause: the classifier's reasoning about one connection. */
export interface Finding {
  cause: RootCause;
  confidence: number;
  explanation: string;
  fix?: string;
  /** The events that prove it, beyond the close itself. */
  proof: (WsEvent | Evidence)[];
  exception?: ExceptionEvent;
  usedProfile?: boolean;
}

const FIX: Record<RootCause, string> = {
  'data-type-mismatch': 'Send the frame type the endpoint expects (text vs binary); have the server check the opcode before it parses and answer 1003 when it is wrong.',
  'unhandled-error': 'Read the stack trace, fix the bug, and wrap message processing in error handling that logs the error and closes with 1011.',
  'invalid-payload': 'Validate messages before use and answer 1007 for malformed input; make the client send valid UTF-8 text and well-formed payloads.',
  'message-too-big': 'Split large messages on the client, or raise the server\'s message size limit where that is safe.',
  'policy-violation': 'Check the client\'s credentials, token expiry, origin and rate limits.',
  'protocol-error': 'Update or replace the client library, and check proxies that may rewrite frames or strip extensions.',
  'server-restart': 'Expected during deploys and overload: drain connections gracefully and have clients reconnect with backoff and jitter.',
  'abnormal-closure': 'Look for network drops, proxy idle timeouts and killed processes; add ping/pong heartbeats shorter than every idle timeout.',
  normal: 'Nothing to fix.',
  application: 'Look the code up in the application\'s own protocol documentation.',
  unknown: 'Log the close code, the reason and errors in the connection\'s handlers so the cause can be seen.',
};

/** The verdict on one ended connection, with its evidence and fix. */
export function classify(inc: Incident, profile: EndpointProfile | undefined, opts: ClassifyOptions = {}): Verdict {
  return verdictOf(judge(inc, profile, opts));
}

const EVICTED = 'its events before it was evicted (over the tracked connections cap, or idle past the TTL) are gone';

/**
 * One ended connection judged: its root cause and what a summary counts of it, without the
 * text of its verdict. Most closes are only counted: `verdictOf` writes the evidence, the fix
 * and the redacted reason for the few a report lists or a caller is handed.
 */
export class Judgement {
  readonly rootCause: RootCause;
  readonly incident: boolean;
  readonly codeAgreement: 'agrees' | 'disagrees';
  readonly route: string | null;
  readonly remote: string | undefined;
  readonly time: string | null;
  readonly exception: ExceptionInfo | undefined;

  constructor(
    readonly inc: Incident,
    readonly profile: EndpointProfile | undefined,
    readonly finding: Finding,
    readonly closeCode: number | null,
    readonly reported: number | null,
    readonly initiator: Initiator,
    readonly opts: ClassifyOptions,
  ) {
    this.rootCause = finding.cause;
    this.incident = finding.cause !== 'normal';
    this.codeAgreement = codeAgrees(finding.cause, closeCode) ? 'agrees' : 'disagrees';
    this.route = inc.route ?? null;
    this.remote = inc.remote;
    this.time = iso(inc.close.time);
    this.exception = finding.exception && exceptionInfo(finding.exception, opts.showPayloads);
  }

  /** Halved for a connection whose past was evicted: what would have confirmed or overturned the finding is gone. */
  get confidence(): number {
    return round(this.inc.evicted ? this.finding.confidence / 2 : this.finding.confidence);
  }

  /** Written on demand: a summary reads it for the first close of each disagreement only. */
  get explanation(): string {
    const { finding, closeCode } = this;
    let text = finding === NORMAL ? normalExplanation(this.inc) : finding.explanation;
    if (this.inc.evicted) text += `; ${EVICTED}`;
    return this.codeAgreement === 'agrees' ? text : `${disagreement(finding.cause, closeCode, closeCodeInfo(closeCode).name)}; ${text}`;
  }
}

export function judge(inc: Incident, profile: EndpointProfile | undefined, opts: ClassifyOptions = {}): Judgement {
  const initiator = initiatorOf(inc);
  const reported = inc.close.code ?? inc.closeSent?.code ?? inc.closeReceived?.code ?? null;
  // A library that sent 1007/1009/1002 itself and then reported 1006 locally: the wire code is the error's.
  // Likewise a close frame the server sent (Tomcat sends 1002 and reports 1006 to the endpoint).
  const local = reported === null || reported === 1006 || reported === 1005;
  if (!local && isNormal(reported, initiator)) return new Judgement(inc, profile, NORMAL, reported, reported, initiator, opts);
  const recent = keptEvents(inc);
  const exceptions = exceptionsOf(recent);
  const libraryError = lastOf(exceptions, hasWireCode);
  const code = libraryError && local ? libraryError.wireCode!
    : local && inc.closeSent?.code !== undefined ? inc.closeSent.code : reported;
  return new Judgement(inc, profile, find(inc, recent, profile, code, initiator, exceptions, libraryError, opts), code, reported, initiator, opts);
}

/** The verdict's full text for a judged connection. */
export function verdictOf(j: Judgement): Verdict {
  const { inc, finding, closeCode: code, opts } = j;
  const close = inc.close;
  const verdict: Verdict = {
    connection: inc.connection,
    route: j.route,
    closeCode: code,
    closeReason: redact(close.reason || inc.closeSent?.reason || inc.closeReceived?.reason || '', opts.showPayloads),
    initiator: j.initiator,
    rootCause: j.rootCause,
    incident: j.incident,
    codeAgreement: j.codeAgreement,
    explanation: j.explanation,
    confidence: j.confidence,
    evidence: evidence(inc, finding, opts),
    fix: finding.fix ?? FIX[finding.cause],
    at: close.at,
    time: j.time,
  };
  if (inc.remote) verdict.remote = inc.remote;
  if (inc.process) verdict.process = inc.process;
  if (code !== j.reported) verdict.reportedCode = j.reported;
  if (j.exception) verdict.exception = j.exception;
  if (finding.usedProfile && j.profile) verdict.profile = j.profile.source;
  return verdict;
}

function isNormal(code: number | null, initiator: Initiator): boolean {
  return code === 1000 || (code === 1001 && initiator !== 'server');
}

/** A normal close's finding: its explanation, which counts the handled exceptions, is written with its verdict. */
const NORMAL: Finding = Object.freeze({ cause: 'normal', confidence: 0.95, proof: Object.freeze([]) as unknown as WsEvent[], explanation: '' });

function normalExplanation(inc: Incident): string {
  // Counted without making the last inbound frame an object again where no exception can be (every close span's attributes read this).
  const n = mayHoldExceptions(inc) ? exceptionsOf(keptEvents(inc)).length : 0;
  return `closed normally${n > 0 ? ` after ${n} exception(s) that were handled` : ''}`;
}

function find(
  inc: Incident, recent: RecentEvent[], profile: EndpointProfile | undefined, code: number | null, initiator: Initiator,
  exceptions: ExceptionEvent[], libraryError: ExceptionEvent | undefined, opts: ClassifyOptions,
): Finding {
  const close = inc.close;
  const last = inc.lastInbound;
  if (isNormal(code, initiator)) return NORMAL;
  const crash = inc.crash;
  // A process crash ends every connection open in it: only the one whose message it was
  // handling (the trigger) holds evidence of why.
  const trigger = crash && inc.crashTrigger && last ? crash : undefined;
  if (crash && !trigger) {
    return {
      cause: 'unhandled-error', confidence: 0.9, proof: [crash], exception: crash,
      explanation: `the process crashed on ${crash.type}${inc.crashTrigger === false && last ? ' while handling another connection\'s message' : ''}; this connection was open and ended with it`,
    };
  }

  // The library rejected the frame before the application saw it.
  if (!trigger && libraryError && code === libraryError.wireCode) {
    const cause = closeCodeInfo(code).cause;
    const relabel = inc.close.code !== code ? `; the server then reported ${inc.close.code ?? 'no code'} locally` : '';
    return {
      cause, confidence: 0.9, proof: [libraryError], exception: libraryError,
      explanation: `the WebSocket library rejected the message (${libraryError.code ?? libraryError.type}) and sent ${code}${relabel}`,
    };
  }

  // The exceptions after the last message received (all when it left the ring) that can explain
  // the close: not handled, not a consequence of the connection closing. The texts that may say
  // why (tested for words only, in no order): the close's, the server's close frame's, the
  // notes' and those exceptions' messages. A crash report names no connection, so it is not in
  // the ring: on its trigger it is the last of them.
  const from = last ? recent.indexOf(last) : -1;
  const causal: ExceptionEvent[] = [];
  const texts = [close.reason, inc.closeSent?.reason ?? ''];
  for (let i = 0; i < recent.length; i++) {
    const e = recent[i];
    if (e.kind === 'note') texts.push(e.text);
    else if (e.kind === 'exception' && i > from && !e.handled && !e.connectionClosed && e.wireCode === undefined) {
      causal.push(e);
      texts.push(e.message);
    }
  }
  if (trigger) {
    causal.push(trigger);
    texts.push(trigger.message);
  }

  const parse = lastOf(causal, isParseError);
  const mismatch = typeMismatch(inc, recent, from, profile, causal, parse, texts);
  if (mismatch) return mismatch;
  if (trigger) {
    return {
      cause: 'unhandled-error', confidence: 0.95, proof: [last!, trigger], exception: trigger,
      explanation: `the process crashed on ${trigger.type} while handling this connection's ${last!.type} message, the last one it received`,
    };
  }

  if (code === 1003) {
    // 1003 although the frame was of an accepted type: the application used the code for its own reason.
    const policy = texts.some((t) => POLICY_TEXT.test(t));
    const typeNote = last && profile ? `the last frame was ${last.type}, which ${inc.route ?? 'the endpoint'} accepts` : 'no frame of a rejected type was seen';
    return {
      cause: policy ? 'policy-violation' : 'application', confidence: policy ? 0.75 : 0.6,
      proof: last ? [last, ...causal.slice(-1)] : causal.slice(-1), usedProfile: !!(last && profile),
      explanation: `1003 was sent but ${typeNote}${policy ? '; the close says the client was refused' : '; the application used 1003 for a content error'}`,
      fix: policy ? 'Close auth, origin and rate-limit rejections with 1008, and check the client\'s credentials.' : 'Use 1003 only for frame types the endpoint cannot take; use 1007 or an application code (4000-4999) for content errors.',
    };
  }

  if (parse && last?.type === 'text') {
    return {
      cause: 'invalid-payload', confidence: 0.7, proof: [last, parse], exception: parse,
      explanation: `a text frame failed to parse (${parse.type}) and nothing caught it`,
      fix: 'Validate and parse messages inside a try/catch, answer malformed input with 1007 (or an error message), and fix the client that sent it.',
    };
  }

  // The library gave up on a peer that stopped answering its pings: the connection was lost, whatever
  // code it then sent (websockets' 1011), and no exception logged on the way caused it.
  if (texts.some((t) => KEEPALIVE_TIMEOUT_TEXT.test(t))) {
    return {
      cause: 'abnormal-closure', confidence: 0.85, proof: last ? [last] : [],
      explanation: `the peer stopped answering keepalive pings and the server gave up on it${code !== null && code !== 1006 ? ` (it reported ${code})` : ''}`,
      fix: 'A pong did not come in time: the client went away without closing (network lost, device asleep), or an event loop was blocked (the client\'s, or this server\'s by synchronous work in a handler). Check the client side and any blocking call; raise the ping timeout only for slow links.',
    };
  }

  const canBeError = code === null || code === 1011 || code === 1006 || code === 1005 || code === 1002;
  const error = lastOf(causal, () => true);
  if (error && canBeError) {
    const fatal = error.fatal ? 'the process died of it; ' : '';
    return {
      cause: 'unhandled-error', confidence: code === 1011 ? 0.9 : 0.8, proof: last ? [last, error] : [error], exception: error,
      explanation: `${fatal}${error.type} thrown${last ? ` while processing a ${last.type} message` : ''}${code === 1011 ? '' : ` and the close came as ${code ?? 'no code'}`}`,
    };
  }
  // A keyless exception that says the connection had already closed explains nothing.
  const orphan = lastOf(inc.orphans, (e) => !e.handled && !e.connectionClosed);
  if (orphan && canBeError) {
    return {
      cause: 'unhandled-error', confidence: 0.6, proof: [orphan], exception: orphan,
      explanation: `${orphan.type} was logged by the same process just before the close, without a connection id`,
    };
  }

  return fromCode(inc, code, initiator, texts, exceptions, opts);
}

function typeMismatch(
  inc: Incident, recent: RecentEvent[], from: number, profile: EndpointProfile | undefined,
  causal: ExceptionEvent[], parse: ExceptionEvent | undefined, texts: string[],
): Finding | undefined {
  const last = inc.lastInbound;
  const route = inc.route ?? 'the endpoint';
  const data = last && (last.type === 'text' || last.type === 'binary') ? last.type : undefined;
  // The connection itself shows the endpoint takes this type: it received one before and
  // carried on, with no parse error on it (which a handled mismatch would have logged).
  const taken = data !== undefined && inc.inbound[data] > 1 && !recent.some((e, i) => i < from && e.kind === 'exception' && isParseError(e));
  // A learned profile only says which types normal connections happened to send: it yields to
  // the connection's own evidence, and to an exception that shows a binary frame was decoded as
  // text (the handler got past parsing it). Not for a text frame on a binary endpoint: there, a
  // TypeError or a decoder's error (`"data" must be of type Buffer`, protobuf's wire type) is
  // how the mismatch shows.
  const weak = profile?.source === 'learned' && (taken || (data === 'binary' && causal.length > 0 && !parse));
  if (data && profile && !weak) {
    if (accepts(profile, data)) return undefined;
    const how = profile.source === 'learned'
      ? `learned from ${profile.basis} normal connection(s): ${route} received only ${profile.accepts}`
      : profile.source === 'user' ? `${route} accepts ${profile.accepts} (--expect)` : `${route} accepts ${profile.accepts} (stated in the log)`;
    const error = lastOf(causal, () => true);
    return {
      cause: 'data-type-mismatch',
      confidence: profile.source === 'learned' ? Math.min(0.9, 0.7 + 0.04 * profile.basis) : 0.95,
      proof: error ? [last!, error, profileEvidence(profile, how)] : [last!, profileEvidence(profile, how)],
      exception: error, usedProfile: true,
      explanation: `a ${data} frame reached ${route}, which accepts ${profile.accepts}${error ? ` (${followed(error)})` : ''}`,
      fix: fixFor(data, profile.accepts === 'binary' ? 'binary' : 'text', error, inc.close.code),
    };
  }
  const saying = texts.find((t) => TYPE_MISMATCH_TEXT.test(t));
  if (saying !== undefined || (parse && data === 'binary' && !taken)) {
    const error = parse ?? lastOf(causal, () => true);
    const proofs: WsEvent[] = [];
    if (last) proofs.push(last);
    if (error) proofs.push(error);
    const expected = last ? (last.type === 'binary' ? 'text' : 'binary') : undefined;
    return {
      cause: 'data-type-mismatch', confidence: saying !== undefined ? (last ? 0.85 : 0.75) : 0.75, proof: proofs, exception: error,
      explanation: saying !== undefined
        ? `the server said it cannot take this data type${last ? ` (the last frame was ${last.type})` : ''}`
        : `a binary frame reached a handler that parses text: ${followed(error!)}`,
      fix: fixFor(last?.type ?? 'binary', expected ?? 'text', error, inc.close.code),
    };
  }
  return undefined;
}

function followed(error: ExceptionEvent): string {
  return `${error.type} followed${error.fatal ? ' and the process died of it' : ''}`;
}

function fromCode(
  inc: Incident, code: number | null, initiator: Initiator, texts: string[], exceptions: ExceptionEvent[],
  opts: ClassifyOptions,
): Finding {
  const info = closeCodeInfo(code);
  const reason = inc.close.reason ? ` ("${redact(inc.close.reason, opts.showPayloads)}")` : '';
  if (code === 1001 && initiator === 'server') {
    return { cause: 'server-restart', confidence: 0.8, proof: [], explanation: `the server went away${reason}` };
  }
  if (code === null) {
    if (inc.close.clean === false) {
      return { cause: 'abnormal-closure', confidence: 0.5, proof: [], explanation: 'the connection ended without a close frame and nothing on it explains why' };
    }
    return { cause: 'unknown', confidence: 0.3, proof: [], explanation: 'the close carries no code and the connection no evidence' };
  }
  if (code === 1011) {
    return { cause: 'unhandled-error', confidence: 0.4, proof: inc.lastInbound ? [inc.lastInbound] : [],
      explanation: `the server sent 1011${reason} and no exception on this connection was seen`,
      fix: 'Log the error before closing with 1011 so the cause can be traced; then fix it.' };
  }
  if (info.cause === 'abnormal-closure') {
    const restart = texts.some((t) => RESTART_TEXT.test(t));
    if (restart) return { cause: 'server-restart', confidence: 0.6, proof: [], explanation: 'the connection dropped while the server was shutting down' };
    const handled = exceptions.length === 0 ? ''
      : exceptions.every((e) => e.connectionClosed) ? ' (the exceptions logged only say the connection had closed)' : ' (only handled exceptions were logged)';
    if (code === 1005) {
      // A close frame did arrive, without a status: from a client, most often a plain close() call.
      const client = initiator === 'client';
      return { cause: 'abnormal-closure', confidence: client ? 0.4 : 0.6, proof: [], fix: info.fix,
        explanation: `${info.name}: ${client ? 'the client sent a close frame without a status code (what a plain close() sends)' : 'a close frame without a status code ended the connection'}, and nothing on it explains why${handled}` };
    }
    return { cause: 'abnormal-closure', confidence: 0.6, proof: [],
      explanation: `${info.name}: the connection ended without a close frame and nothing on it explains why${handled}` };
  }
  if (info.cause === 'policy-violation' || info.cause === 'server-restart') {
    const confirmed = texts.some((t) => (info.cause === 'policy-violation' ? POLICY_TEXT : RESTART_TEXT).test(t));
    return { cause: info.cause, confidence: confirmed ? 0.85 : 0.65, proof: [], explanation: `${info.name}${reason}` };
  }
  if (info.cause === 'application') {
    return { cause: 'application', confidence: 0.9, proof: [], explanation: `application-defined code ${code}${reason}` };
  }
  if (info.cause === 'unknown') {
    return { cause: 'unknown', confidence: 0.3, proof: [], explanation: `${code} is ${info.name.toLowerCase()}` };
  }
  return { cause: info.cause, confidence: 0.65, proof: [], explanation: `${info.name}${reason}; only the close code supports this` };
}

function fixFor(sent: string, wanted: string, error: ExceptionEvent | undefined, code: number | null): string {
  // What the error became: a crash, a connection dropped without a close frame (uvicorn after an app's exception), or a 1011.
  const became = error?.fatal ? 'crash the process' : code === 1006 ? 'drop the connection (1006)' : 'become a 1011';
  const guard = error && isParseError(error)
    ? `check the frame type before parsing (ws: isBinary; Python: isinstance(message, bytes); Go: the messageType) and close with 1003 instead of letting ${error.type} ${became}`
    : 'have the server check the frame type before it parses and answer 1003';
  return `Send ${wanted} frames to this endpoint, not ${sent}; ${guard}.`;
}

function disagreement(cause: RootCause, code: number | null, name: string): string {
  const label = cause === 'data-type-mismatch' ? 'data-type mismatch' : cause.replace(/-/g, ' ');
  if (cause === 'data-type-mismatch' && code === 1011) return `${label} reported as 1011: check the opcode before parsing`;
  // 1006 is never sent: it is what clients saw when no close frame came (a crash, a drop).
  if ((cause === 'unhandled-error' || cause === 'data-type-mismatch') && code === 1006) return `${label} seen by clients as 1006: no close frame was sent`;
  // Only the keepalive rule gives a lost connection a code the server sent.
  if (cause === 'abnormal-closure' && code === 1011) return `${label} reported as 1011: the peer stopped answering keepalive pings`;
  return `${label} reported as ${code ?? 'no code'} (${name})`;
}

function initiatorOf(inc: Incident): Initiator {
  if (inc.close.initiator !== 'unknown') return inc.close.initiator;
  const sent = inc.closeSent;
  const received = inc.closeReceived;
  if (sent && received) {
    const recent = keptEvents(inc);
    return recent.indexOf(sent) <= recent.indexOf(received) ? 'server' : 'client';
  }
  if (sent) return 'server';
  if (received) return 'client';
  // A server's close handler often logs no side, but the reason the server gave says it ("server shutting down").
  const reason = inc.close.reason;
  return reason && SERVER_LEAVING_TEXT.test(reason) ? 'server' : 'unknown';
}

function evidence(inc: Incident, finding: Finding, opts: ClassifyOptions): Evidence[] {
  const out: Evidence[] = [];
  if (inc.open) add(out, toEvidence(inc.open, opts));
  for (const e of between(inc, finding, opts)) add(out, e);
  add(out, toEvidence(inc.close, opts));
  return out;
}

/**
 * A judged connection's evidence between its open and its close, without the rest of its verdict:
 * what proves its cause (for a normal close, mostly nothing, and then nothing is made).
 */
export function proofOf(j: Judgement): Evidence[] {
  return between(j.inc, j.finding, j.opts);
}

function between(inc: Incident, finding: Finding, opts: ClassifyOptions): Evidence[] {
  const out: Evidence[] = [];
  for (const p of finding.proof) add(out, 'summary' in p ? p : toEvidence(p, opts));
  if (inc.closeSent) add(out, toEvidence(inc.closeSent, opts));
  return out;
}

/** Adds `e` unless the list has evidence of its kind from its place already. */
function add(out: Evidence[], e: Evidence): void {
  for (const x of out) if (x.kind === e.kind && x.at === e.at) return;
  out.push(e);
}

function toEvidence(e: WsEvent, opts: ClassifyOptions): Evidence {
  const time = iso(e.time);
  switch (e.kind) {
    case 'open':
      return { kind: 'open', at: e.at, time, summary: `opened${e.route ? ` ${e.route}` : ''}${e.remote ? ` from ${e.remote}` : ''}` };
    case 'frame':
      return { kind: 'frame', at: e.at, time, summary: frameSummary(e, opts) };
    case 'exception': {
      const info = exceptionInfo(e, opts.showPayloads);
      return { kind: e.fatal ? 'crash' : 'exception', at: e.at, time,
        summary: `${e.fatal ? 'process crashed: ' : ''}${info.type}: ${info.message}${info.topFrame ? ` at ${info.topFrame}` : ''}` };
    }
    case 'close':
      return { kind: 'close', at: e.at, time, summary: closeSummary(e, opts) };
    case 'note':
      return { kind: 'note', at: e.at, time, summary: redact(e.text, opts.showPayloads) };
    case 'accepts':
      return { kind: 'profile', at: e.at, time, summary: `${e.route} accepts ${e.accepts}` };
  }
}

function frameSummary(f: FrameEvent, opts: ClassifyOptions): string {
  const dir = f.direction === 'in' ? 'received' : 'sent';
  if (f.type === 'close') {
    return `${dir} close frame ${f.code ?? ''}${f.reason ? ` "${redact(f.reason, opts.showPayloads)}"` : ''}`.replace(/ +/g, ' ').trim();
  }
  return `${dir} ${f.type} frame${f.size !== undefined ? ` (${f.size} bytes)` : ''}`;
}

function closeSummary(c: CloseEvent, opts: ClassifyOptions): string {
  const code = c.code === null ? 'no code' : `${c.code} ${closeCodeInfo(c.code).name}`;
  const reason = c.reason ? ` "${redact(c.reason, opts.showPayloads)}"` : '';
  const by = c.initiator === 'unknown' ? '' : ` by the ${c.initiator}`;
  return `closed${by}: ${code}${reason}${c.clean === false ? ' (no close frame)' : ''}`;
}

function profileEvidence(profile: EndpointProfile, how: string): Evidence {
  return { kind: 'profile', at: profile.at, time: null, summary: how };
}

function exceptionsOf(recent: RecentEvent[]): ExceptionEvent[] {
  const out: ExceptionEvent[] = [];
  for (const e of recent) if (e.kind === 'exception') out.push(e);
  return out;
}

function hasWireCode(e: ExceptionEvent): boolean {
  return e.wireCode !== undefined;
}

function lastOf<T>(list: T[], pred: (x: T) => boolean): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (pred(list[i])) return list[i];
  return undefined;
}

function iso(at: number | undefined): string | null {
  if (at === undefined) return null;
  // A Date drops a time's fraction of a millisecond (span times have one): drop it first, so such
  // times also find their minute's text below.
  const time = Math.trunc(at);
  // Events come in time order: most fall in the minute of the one before, whose text is kept.
  const ms = time - isoMinute.start;
  if (ms >= 0 && ms < 60_000) {
    const s = (ms / 1000) | 0;
    const m = ms % 1000;
    return `${isoMinute.prefix}${s < 10 ? '0' : ''}${s}.${m < 10 ? '00' : m < 100 ? '0' : ''}${m}Z`;
  }
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) return null; // beyond ±8.64e15 ms a Date is invalid and toISOString throws
  const text = d.toISOString();
  // `YYYY-MM-DDTHH:MM:` of a four-digit year: the seconds and milliseconds follow.
  if (text.length === 24) isoMinute = { start: time - (time % 60_000 + 60_000) % 60_000, prefix: text.slice(0, 17) };
  return text;
}

let isoMinute = { start: NaN, prefix: '' };

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
