/**
 * Keeps payloads and secrets out of reports. Log text that reaches a report passes through
 * `redact` unless the user asked for payloads (--show-payloads).
 */
import { memo } from './memo.js';

type Replacer = (match: string, ...groups: string[]) => string;

/**
 * A private key's PEM block, whole, before anything else: a label or a `private_key:` before it
 * would take its first line and leave the rest. A block cut short (a clipped message) is
 * redacted to the end.
 */
const PRIVATE_KEY = /-----BEGIN[A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)/g;

const SECRET_PATTERNS: [RegExp, string | Replacer][] = [
  // Authorization schemes and their credentials (`token expired` is prose).
  [/\b(Bearer|Basic|Token)(\s+)([A-Za-z0-9._~+/=-]{6,})/gi, (m, scheme, space, value) => (isWord(value) ? m : `${scheme}${space}[redacted]`)],
  // key=value, key: value and "key": "value" for credential-like keys. The distinctive names
  // also end identifiers (`dbPassword`, `client_secret`, `AWS_SECRET_ACCESS_KEY`); the short
  // ones stand alone or after `_`, `-`, `.` (`pw=`, `x-auth:`, not `bypass=`).
  [/((?<![A-Za-z0-9])(?:pw|pwd|pass|sid|auth|session(?:[_-]?id)?|sig)|(?:api|access|secret|private|client|signing|encryption)[_-]?key|apikey|password|passwd|passphrase|secret|token|credentials?|cookie|authorization|signature)(["']?\s*[:=]\s*["']?)([^\s"'&,;}]{1,512})/gi, keyValue],
  // Any other key, a word of its own, when its value could be one: long, letters and digits, no
  // dots or slashes (`key: user:42` is a cache key, `duplicate key: room/general/2026` a path,
  // `translation key: chat.errors.roomNotFound` a name; `monkey=`, `sortKey=` are no keys).
  [/(?<![A-Za-z])(key)(["']?\s*[:=]\s*["']?)([^\s"'&,;}]{16,512})/gi, (m, key, separator, value) => (/^[^./]*$/.test(value) && /\d/.test(value) && /[a-z]/i.test(value) ? `${key}${separator}[redacted]` : m)],
  // JWTs; the lookbehind starts a match only where a run starts, so a long run is scanned once.
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, '[redacted-jwt]'],
  // Email addresses.
  [/[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}/g, '[redacted-email]'],
  // Tokens known by their prefix: Stripe secret and restricted keys, GitHub, Slack, AWS access key ids, Google API keys.
  [/(?<![A-Za-z0-9])(?:[sr]k_(?:live|test)_[A-Za-z0-9]{10,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{22,}|xox[abprs]-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])|AIza[\w-]{35})/g, '[redacted-token]'],
  // Hex digests and keys of 32+ hex digits (a UUID's groups are shorter).
  [/(?<![A-Za-z0-9])[0-9a-fA-F]{32,}(?![A-Za-z0-9])/g, (m) => (/\d/.test(m) && /[a-f]/i.test(m) ? '[redacted]' : m)],
  // Base64 and base64url blobs of 32+ characters that look random (see `looksRandom`).
  // A path's directories and file are judged one by one, and only a random one goes: a frame's
  // file stays readable, and its signature apart from another's.
  [/(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{32,}={0,2}/g, (m) => m.split('/').map((part) => (part.length >= 32 && looksRandom(part) ? '[redacted]' : part)).join('/')],
];

/** A lowercase word: what follows `token: ` or `token ` in prose (`expired`, `missing`), not a credential. */
function isWord(value: string): boolean {
  return /^[a-z]{1,32}$/.test(value);
}

function keyValue(match: string, key: string, separator: string, value: string): string {
  // `auth: failed`, `session: expired`: an unquoted colon and a space start prose; `=` never does.
  if (/^:\s/.test(separator) && isWord(value)) return match;
  // A short name with a value of a few characters is a count or a status: `auth=ok`, `sid: 42`, `pass: 3 of 5`.
  return key.length <= 4 && value.length < 4 && /^[A-Za-z0-9]+$/.test(value) ? match : `${key}${separator}[redacted]`;
}

/**
 * Mixed case and digits, and a Shannon entropy of at least 0.78 of the most its length allows:
 * random base64 of 32+ characters scores 0.80 or more; camelCase names and paths (the
 * directories of a stack frame) 0.77 or less.
 */
function looksRandom(run: string): boolean {
  // Random base64 is about 40% capitals and 15% digits; a camelCase name (`processChatMessageForRoom42Handler`) has few of either.
  let upper = 0;
  let digits = 0;
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    if (c >= 65 && c <= 90) upper++;
    else if (c >= 48 && c <= 57) digits++;
  }
  if (upper < 0.2 * run.length || digits < 2 || !/[a-z]/.test(run)) return false;
  const counts = new Map<string, number>();
  for (const c of run) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / run.length) * Math.log2(n / run.length);
  return bits >= 0.78 * Math.log2(Math.min(run.length, 64));
}

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
  let out = text.replace(PRIVATE_KEY, '[redacted-private-key]').replace(QUOTED, '"[payload]"').replace(LABELLED, '$1$2[payload]');
  for (const [re, to] of SECRET_PATTERNS) out = typeof to === 'string' ? out.replace(re, to) : out.replace(re, to);
  return out;
}, 1024, 1024);
