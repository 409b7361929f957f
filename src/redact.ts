/**
 * Keeps payloads and secrets out of reports. Log text that reaches a report passes through
 * `redact` unless the user asked for payloads (--show-payloads).
 */
import { memo } from './memo.js';

const SECRET_PATTERNS: [RegExp, string][] = [
  // Authorization headers and bearer tokens.
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}/gi, '$1 [redacted]'],
  // key=value and "key": "value" for credential-like keys.
  [/\b((?:access_?|refresh_?|id_?|api_?|auth_?|session_?)?(?:token|secret|password|passwd|pwd|api_?key|apikey|cookie|authorization|credentials?|sig|signature))(["']?\s*[:=]\s*["']?)[^\s"'&,;}]{1,512}/gi, '$1$2[redacted]'],
  // JWTs; the lookbehind starts a match only where a run starts, so a long run is scanned once.
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, '[redacted-jwt]'],
  // Email addresses.
  [/[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}/g, '[redacted-email]'],
];

/** The text after a label that introduces a message's content (`received: ...`, `bad message: ...`) is its payload. */
const LABELLED = /\b(received|payload|body|data|content|message|msg|frame|text)([ \t]*[:=][ \t]*)[^\s[][^\n]{0,4095}/gi;

/** Double-quoted runs inside error messages are payload echoes (`"hello" is not valid JSON`). */
const QUOTED = /"(?:[^"\\\n]|\\.){0,4096}"/g;

/**
 * `text` cut to `max` characters (and an ellipsis) as a string of its own: V8's slice would
 * keep the whole original alive, and a report keeps up to a thousand of these.
 */
export function clip<T extends string | null | undefined>(text: T, max: number): T {
  if (!text || text.length <= max) return text;
  return Buffer.from(`${text.slice(0, max)}…`, 'utf16le').toString('utf16le') as T;
}

export function redact(text: string, showPayloads = false): string {
  if (showPayloads || text === '') return text;
  return redacted(text);
}

const redacted = memo((text: string): string => {
  let out = text.replace(QUOTED, '"[payload]"').replace(LABELLED, '$1$2[payload]');
  for (const [re, to] of SECRET_PATTERNS) out = out.replace(re, to);
  return out;
}, 1024, 1024);
