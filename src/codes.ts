/**
 * RFC 6455 §7.4 and the IANA registry: what each close code means, when it is seen and the fix.
 * The classifier uses `cause` only as a fallback; verdicts come from the connection's evidence.
 */
import type { RootCause } from './model.js';

export interface CloseCodeInfo {
  code: number;
  name: string;
  meaning: string;
  /** When you typically see it in production. */
  seen: string;
  fix: string;
  /** The root cause this code names when nothing else is known. */
  cause: RootCause;
  /** 1005, 1006 and 1015 are reported locally and never sent in a close frame. */
  onWire: boolean;
}

const table: CloseCodeInfo[] = [
  { code: 1000, name: 'Normal Closure', cause: 'normal', onWire: true,
    meaning: 'The connection completed its purpose.',
    seen: 'A client or server closed on purpose: logout, page navigation, end of a job.',
    fix: 'Nothing to fix.' },
  { code: 1001, name: 'Going Away', cause: 'normal', onWire: true,
    meaning: 'An endpoint is going away: a server shutting down or a browser leaving the page.',
    seen: 'From browsers on tab close or navigation (normal); from servers on deploys and shutdowns.',
    fix: 'From clients, nothing. From servers: drain connections on deploy and have clients reconnect with backoff.' },
  { code: 1002, name: 'Protocol Error', cause: 'protocol-error', onWire: true,
    meaning: 'The endpoint received a frame that violates the protocol.',
    seen: 'Unmasked client frames, bad opcodes, reserved bits set, fragmented control frames: a buggy client library or a proxy that rewrites frames.',
    fix: 'Update or replace the client library; check proxies between client and server; read the error text for the violated rule.' },
  { code: 1003, name: 'Unsupported Data', cause: 'data-type-mismatch', onWire: true,
    meaning: 'The endpoint received a data type it cannot accept.',
    seen: 'A binary frame sent to a text-only endpoint, or text to a binary-only one.',
    fix: 'Send the opcode the endpoint expects (text vs binary); have the server check the frame type before it parses.' },
  { code: 1004, name: 'Reserved', cause: 'unknown', onWire: false,
    meaning: 'Reserved by RFC 6455; no meaning is defined.',
    seen: 'Never from a conforming endpoint.',
    fix: 'Find the code that sends it and use a defined code.' },
  { code: 1005, name: 'No Status Received', cause: 'abnormal-closure', onWire: false,
    meaning: 'A close frame arrived without a status code (reported locally, never sent).',
    seen: 'Clients calling close() with no code.',
    fix: 'Have clients close with an explicit code (1000 for a normal close).' },
  { code: 1006, name: 'Abnormal Closure', cause: 'abnormal-closure', onWire: false,
    meaning: 'The connection ended without a close frame (reported locally, never sent).',
    seen: 'Network drops, proxy idle timeouts, killed processes, a server that crashed on an uncaught exception.',
    fix: 'Look for a crash or an error just before the drop; add heartbeats (ping/pong) and align proxy idle timeouts.' },
  { code: 1007, name: 'Invalid Frame Payload Data', cause: 'invalid-payload', onWire: true,
    meaning: 'A message had data inconsistent with its type, such as invalid UTF-8 in a text frame.',
    seen: 'Binary data sent as a text frame; truncated multi-byte characters.',
    fix: 'Send binary data in binary frames; encode text as UTF-8.' },
  { code: 1008, name: 'Policy Violation', cause: 'policy-violation', onWire: true,
    meaning: 'A message violated the endpoint\'s policy.',
    seen: 'Authentication or authorization failures, rate limits, origin checks.',
    fix: 'Check credentials, token expiry, rate limits and allowed origins for the client.' },
  { code: 1009, name: 'Message Too Big', cause: 'message-too-big', onWire: true,
    meaning: 'A message was too big to process.',
    seen: 'A message over the server\'s maxPayload / max_size / read limit.',
    fix: 'Split large messages, or raise the limit (ws maxPayload, websockets max_size, gorilla SetReadLimit) where that is safe.' },
  { code: 1010, name: 'Mandatory Extension', cause: 'protocol-error', onWire: true,
    meaning: 'The client expected an extension the server did not negotiate.',
    seen: 'permessage-deflate or another extension required by the client but refused by the server or a proxy.',
    fix: 'Enable the extension on the server, or stop requiring it in the client.' },
  { code: 1011, name: 'Internal Error', cause: 'unhandled-error', onWire: true,
    meaning: 'The server hit an unexpected condition that kept it from fulfilling the request.',
    seen: 'An unhandled exception while processing a message: the WebSocket 500.',
    fix: 'Read the stack trace of the exception before the close, fix the bug, and put error handling around message processing.' },
  { code: 1012, name: 'Service Restart', cause: 'server-restart', onWire: true,
    meaning: 'The server is restarting.',
    seen: 'Deploys and rolling restarts.',
    fix: 'Reconnect with backoff and jitter; drain connections gracefully on deploy.' },
  { code: 1013, name: 'Try Again Later', cause: 'server-restart', onWire: true,
    meaning: 'The server is overloaded or temporarily unable to serve.',
    seen: 'Overload protection, connection limits.',
    fix: 'Reconnect with backoff; scale the service or raise its limits.' },
  { code: 1014, name: 'Bad Gateway', cause: 'server-restart', onWire: true,
    meaning: 'A gateway or proxy got an invalid response from the upstream server.',
    seen: 'A proxy whose upstream WebSocket server was down or restarting.',
    fix: 'Check the upstream service behind the gateway; reconnect with backoff.' },
  { code: 1015, name: 'TLS Handshake', cause: 'abnormal-closure', onWire: false,
    meaning: 'The TLS handshake failed (reported locally, never sent).',
    seen: 'Certificate errors, protocol or cipher mismatch.',
    fix: 'Check the certificate chain, its names and expiry, and the TLS versions both sides allow.' },
];

const byCode = new Map(table.map((c) => [c.code, c]));

/** Everything known about a close code, including the 3000-3999 and 4000-4999 ranges. */
export function closeCodeInfo(code: number | null): CloseCodeInfo {
  if (code === null) {
    return { code: 0, name: 'No code', cause: 'unknown', onWire: false,
      meaning: 'The log recorded the close without a status code.',
      seen: 'Loggers that do not print the code, or closes reported only as a dropped connection.',
      fix: 'Log the close code and reason in the close handler.' };
  }
  const known = byCode.get(code);
  if (known) return known;
  if (code >= 4000 && code <= 4999) {
    return { code, name: 'Application (private use)', cause: 'application', onWire: true,
      meaning: 'A code defined by the application itself (4000-4999 are for private use).',
      seen: 'Whatever the application documents for it: session expired, kicked, room closed.',
      fix: 'Look up the code in the application\'s own protocol documentation.' };
  }
  if (code >= 3000 && code <= 3999) {
    return { code, name: 'Registered (libraries and frameworks)', cause: 'application', onWire: true,
      meaning: 'A code registered with IANA for a library, framework or application.',
      seen: 'Frameworks such as Phoenix or SockJS use their own registered codes.',
      fix: 'Look up the code in the IANA registry and the framework\'s documentation.' };
  }
  return { code, name: 'Unassigned', cause: 'unknown', onWire: false,
    meaning: 'Not a valid close code: 0-999 are unused and 1016-2999 reserved for the protocol.',
    seen: 'A bug in the endpoint that sent it.',
    fix: 'Find the code that sends it and use a defined code.' };
}

/** The codes each root cause names; a verdict agrees when the close code is one of them. */
export const CANONICAL_CODES: Record<RootCause, readonly number[]> = {
  'data-type-mismatch': [1003],
  'unhandled-error': [1011],
  'invalid-payload': [1007],
  'message-too-big': [1009],
  'policy-violation': [1008],
  'protocol-error': [1002, 1010],
  'server-restart': [1001, 1012, 1013, 1014],
  'abnormal-closure': [1006, 1005, 1015],
  normal: [1000, 1001],
  application: [],
  unknown: [],
};

export function codeAgrees(cause: RootCause, code: number | null): boolean {
  if (cause === 'application') return code !== null && code >= 3000 && code <= 4999;
  if (cause === 'unknown') return true;
  return code !== null && CANONICAL_CODES[cause].includes(code);
}

/** Node ws receiver errors: the close code ws sends for each WS_ERR_* (ws 8.23.0 lib/receiver.js). */
export const WS_ERROR_WIRE_CODES: Record<string, number> = {
  WS_ERR_UNEXPECTED_RSV_2_3: 1002,
  WS_ERR_UNEXPECTED_RSV_1: 1002,
  WS_ERR_INVALID_OPCODE: 1002,
  WS_ERR_EXPECTED_FIN: 1002,
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: 1002,
  WS_ERR_EXPECTED_MASK: 1002,
  WS_ERR_UNEXPECTED_MASK: 1002,
  WS_ERR_INVALID_CLOSE_CODE: 1002,
  WS_ERR_INVALID_UTF8: 1007,
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: 1009,
  WS_ERR_TOO_MANY_BUFFERED_PARTS: 1008,
};

/** Every registered code, for `wsclose explain` listings. */
export const REGISTERED_CODES: readonly number[] = table.map((c) => c.code);
