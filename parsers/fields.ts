/**
 * Field conventions of structured loggers (pino, bunyan, winston, generic JSON and logfmt) and
 * the message-text vocabulary that tells an open from a close from a message. Shared by every
 * parser whose records are key/value maps.
 */
import { WS_ERROR_WIRE_CODES } from '../src/codes.js';
import { clip } from '../src/redact.js';
import type { Direction, FrameType, Initiator } from '../src/model.js';
import type { FieldMap } from './parser.js';

export const DEFAULT_FIELDS: FieldMap = {
  message: ['msg', 'message', 'event', 'text'],
  time: ['time', 'timestamp', '@timestamp', 'ts', 'date', 't'],
  level: ['level', 'severity', 'lvl', 'log.level', 'levelname'],
  error: ['err', 'error', 'exception', 'exc'],
  conn: ['connId', 'connectionId', 'conn_id', 'connection_id', 'connection', 'socketId', 'socket_id', 'sid', 'wsId', 'ws.id', 'ws_id', 'clientId', 'client_id', 'sessionId', 'session_id'],
  route: ['route', 'path', 'url', 'endpoint', 'req.url', 'request.path', 'uri'],
  code: ['code', 'closeCode', 'close_code', 'statusCode', 'status_code', 'wsCode', 'ws.code'],
  reason: ['reason', 'closeReason', 'close_reason'],
  type: ['isBinary', 'binary', 'messageType', 'message_type', 'frameType', 'frame_type', 'opcode', 'dataType', 'data_type', 'type'],
  direction: ['direction', 'dir'],
  size: ['size', 'length', 'bytes', 'byteLength', 'len'],
  remote: ['remoteAddress', 'remote_addr', 'remoteAddr', 'remote', 'ip', 'clientIp', 'client_ip', 'peer', 'client.address'],
  port: ['remotePort', 'remote_port', 'port', 'client.port'],
  initiator: ['initiator', 'initiatedBy', 'closedBy', 'closed_by', 'by'],
  accepts: ['accepts', 'accept', 'expects', 'acceptedType', 'accepted_type'],
};

export function fieldMap(overrides: Partial<FieldMap> | undefined): FieldMap {
  return overrides ? { ...DEFAULT_FIELDS, ...overrides } : DEFAULT_FIELDS;
}

type Rec = Record<string, unknown>;

/** The roles of a field map, numbered: `picked[FIELD.code]` is the record's close-code field. */
export const FIELD = Object.fromEntries(Object.keys(DEFAULT_FIELDS).map((role, i) => [role, i])) as Record<keyof FieldMap, number>;
const ROLES = Object.keys(DEFAULT_FIELDS) as (keyof FieldMap)[];
export const ROLE_COUNT = ROLES.length;

/** Where a key of a record may serve: its role, its rank in the role's list, and the path into its value for a dotted name. */
export type Slot = { role: number; rank: number; name: string; path: string[] | undefined };
/** Per field map, built once: the slots of each key a record may have. */
const indexes = new WeakMap<FieldMap, Map<string, Slot[]>>();

export function keySlots(f: FieldMap): Map<string, Slot[]> {
  let index = indexes.get(f);
  if (index) return index;
  index = new Map();
  const add = (key: string, slot: Slot) => {
    const list = index!.get(key);
    if (list) list.push(slot);
    else index!.set(key, [slot]);
  };
  ROLES.forEach((role, r) => f[role].forEach((name, rank) => {
    add(name, { role: r, rank, name, path: undefined });
    // A dotted name is read from a nested object too: its first segment is the key that leads there.
    if (name.includes('.')) add(name.slice(0, name.indexOf('.')), { role: r, rank, name, path: name.split('.') });
  }));
  indexes.set(f, index);
  return index;
}

/**
 * What the events of a record are made from: each role's value (indexed by FIELD), the frame
 * type its type fields name, and its process. Filled by `pickAll` from a parsed object, or by
 * FlatJsonReader (json-fields.ts) from a JSON line's bytes without building the object.
 */
export interface Picked {
  /** Indexed by FIELD (a reader may keep values of its own past ROLE_COUNT). */
  values: unknown[];
  /** The frame type of the first field of the type role (in the order of its names) that names one. */
  frameType: FrameType | undefined;
  pid: unknown;
  /** `hostname`, else `host`. */
  host: unknown;
  /** The whole record, when it was parsed: an exception is read from its error object and its neighbours. */
  rec: Rec | undefined;
  /** The message's MessageText, when the reader found it (else `messageText` finds it). */
  said: MessageText | undefined;
}

/** Index in a ranks list (see `put`) of the frame type's rank, after the roles'. */
const TYPE_RANK = ROLE_COUNT;
const ranks: number[] = [];

/** Ranks of no value yet, for `put`: each role's, then the frame type's. */
export function resetRanks(r: number[]): void {
  for (let i = 0; i <= TYPE_RANK; i++) r[i] = Infinity;
}

/** The value of `slot` would take its role, or the frame type, from what `ranks` holds. */
function wanted(slot: Slot, r: number[]): boolean {
  return slot.rank < r[slot.role] || (slot.role === FIELD.type && slot.rank < r[TYPE_RANK]);
}

/**
 * Puts `v`, read from `slot`, where it ranks first so far: as its role's value, and for the type
 * role as the frame type too when it names one. True when it became its role's value.
 */
export function put(p: Picked, r: number[], slot: Slot, v: unknown): boolean {
  const role = slot.role;
  const taken = slot.rank < r[role];
  if (taken) {
    p.values[role] = v;
    r[role] = slot.rank;
  }
  if (role === FIELD.type && slot.rank < r[TYPE_RANK]) {
    const type = toFrameType(slot.name, v);
    if (type) {
      p.frameType = type;
      r[TYPE_RANK] = slot.rank;
    }
  }
  return taken;
}

/**
 * Every role's value in a record, indexed by FIELD: for each role the first present value in
 * the order of its names (dotted paths reach into nested objects), as a lookup of each name
 * would find, in one pass over the record's own keys instead of a lookup per name.
 */
export function pickAll(rec: Rec, f: FieldMap): Picked {
  const index = keySlots(f);
  const values: unknown[] = [];
  for (let r = 0; r < ROLE_COUNT; r++) values.push(undefined);
  const picked: Picked = { values, frameType: undefined, pid: rec.pid, host: rec.hostname ?? rec.host, rec, said: undefined };
  resetRanks(ranks);
  for (const key in rec) {
    const slots = index.get(key);
    if (slots === undefined) continue;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      if (!wanted(slot, ranks)) continue;
      // The literal key wins over the path, present even when empty, as `lookup` reads it.
      const { name, path } = slot;
      const v = path === undefined ? rec[key] : rec[name] === undefined ? follow(rec[key], path) : undefined;
      if (v !== undefined && v !== null && v !== '') put(picked, ranks, slot, v);
    }
  }
  return picked;
}

/** The value of `name` in `rec`: the literal key, else, for a dotted name, the path into nested objects (as `pickAll` reads it). */
export function valueAt(rec: Rec, name: string): unknown {
  const v = rec[name];
  const dot = name.indexOf('.');
  return v !== undefined || dot < 0 ? v : follow(rec[name.slice(0, dot)], name.split('.'));
}

function follow(v: unknown, path: string[]): unknown {
  for (let i = 1; i < path.length; i++) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Rec)[path[i]];
  }
  return v;
}

/** Epoch ms from epoch seconds, ms, µs or ns, or an ISO / RFC 3339 / common log time string. */
export function toTime(v: unknown): number | undefined {
  if (typeof v === 'number') return scaleEpoch(v);
  if (typeof v !== 'string') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return scaleEpoch(Number(v));
  // "2026-11-24 17:45:13,213" (Python logging) → ISO.
  const t = Date.parse(v.replace(/^(\d{4}-\d\d-\d\d) (\d)/, '$1T$2').replace(/,(\d{3})/, '.$1'));
  return Number.isNaN(t) ? undefined : t;
}

function scaleEpoch(n: number): number | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  if (n < 1e11) return n * 1000;
  if (n < 1e14) return n;
  if (n < 1e17) return n / 1e3;
  return n < 1e20 ? n / 1e6 : undefined; // beyond that it is no time a Date can hold
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A level name: pino/bunyan numbers, syslog-style names and their abbreviations folded. */
export function toLevel(v: unknown): string | undefined {
  if (typeof v === 'number') return LEVEL_NAMES[v] ?? (v >= 60 ? 'fatal' : v >= 50 ? 'error' : v >= 40 ? 'warn' : 'info');
  if (typeof v !== 'string') return undefined;
  const l = v.toLowerCase();
  if (l.startsWith('warn')) return 'warn';
  if (l === 'err' || l === 'error' || l === 'severe') return 'error';
  if (l === 'fatal' || l === 'crit' || l === 'critical' || l === 'emerg' || l === 'alert' || l === 'panic') return 'fatal';
  if (l === 'dbg') return 'debug';
  if (l === 'information') return 'info';
  return l;
}

/** A close status code, from a number or a numeric string, in the valid ranges. */
export function toCode(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{4}$/.test(v.trim()) ? Number(v) : NaN;
  return n >= 1000 && n <= 4999 ? n : undefined;
}

/** A frame type from a boolean isBinary, an opcode, or a type name. */
export function toFrameType(name: string, v: unknown): FrameType | undefined {
  if (typeof v === 'boolean') return name === 'isBinary' || name === 'binary' ? (v ? 'binary' : 'text') : undefined;
  if (typeof v === 'number') return OPCODES[v];
  if (typeof v !== 'string') return undefined;
  return TYPE_NAMES[v.toLowerCase()];
}

const OPCODES: Record<number, FrameType> = { 0: 'continuation', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' };
const TYPE_NAMES: Record<string, FrameType> = {
  text: 'text', string: 'text', str: 'text', utf8: 'text', 'utf-8': 'text',
  binary: 'binary', bytes: 'binary', buffer: 'binary', arraybuffer: 'binary', blob: 'binary',
  ping: 'ping', pong: 'pong', close: 'close', continuation: 'continuation', cont: 'continuation',
};

export function toDirection(v: unknown): Direction | undefined {
  if (typeof v !== 'string') return undefined;
  const d = v.toLowerCase();
  if (/^(in|inbound|incoming|recv|received|receive|rx|<)$/.test(d)) return 'in';
  if (/^(out|outbound|outgoing|send|sent|tx|>)$/.test(d)) return 'out';
  return undefined;
}

export function toInitiator(v: unknown): Initiator | undefined {
  if (typeof v !== 'string') return undefined;
  const d = v.toLowerCase();
  if (d === 'server' || d === 'self' || d === 'local') return 'server';
  if (d === 'client' || d === 'peer' || d === 'remote') return 'client';
  return undefined;
}

// Message-text vocabulary. Each pattern is anchored on words and bounded, so no input backtracks badly.
export const CLOSE_TEXT = /\b(?:clos(?:e|ed|ing)|disconnect(?:ed|ing)?|terminated|hang ?up|hung up|connection (?:lost|dropped|reset))\b/i;
export const CLOSING_BY_SERVER = /\b(?:closing|rejecting|kick(?:ed|ing)|sending close|server closed|terminating)\b/i;
// Words that name the client as the one who ended it. Not "client disconnected" nor a bare "client
// closed": handlers of the close event log them whoever sent the close frame (the connection to the
// client ended).
export const CLOSED_BY_CLIENT = /\b(?:client (?:closed (?:the )?(?:connection|socket|websocket)|went away|hung up)|closed by (?:the )?(?:client|peer|remote)|peer closed|remote closed|received close)\b/i;
export const OPEN_TEXT = /\b(?:open(?:ed)?|connected|new (?:connection|client|socket|websocket)|connection (?:open(?:ed)?|established|accepted)|upgraded?|handshake (?:complete|succeeded|ok|done)|accepted)\b/i;
export const FRAME_TEXT = /\b(?:message|msg|frame|recv|received|receiving|incoming|inbound|sent|sending|send|outgoing|outbound|data)\b/i;
export const OUT_TEXT = /\b(?:sent|sending|send|outgoing|outbound|broadcast|reply|replied|echo(?:ed)?)\b/i;
export const HANDLED_TEXT = /\b(?:handled|ignored|recovered|caught|retrying|will retry|skipped)\b/i;
export const FATAL_TEXT = /\b(?:uncaught|unhandled ?rejection|unhandledRejection|uncaughtException|crash(?:ed|ing)?|process (?:exit|died))\b/i;
const CODE_IN_TEXT = /\b(?:code|status)\s*(?:[=:]\s*)?(\d{4})\b|\bclos\w*\s+(?:with\s+)?(?:code\s+)?(\d{4})\b|\b(\d{4})\s+\((?:normal|going away|protocol error|unsupported|no status|abnormal|invalid|policy|message too big|mandatory|internal|service restart|try again|bad gateway|tls)/i;
/**
 * A close reason in a message: after the word (`reason: x`, `reason=x`, `reason "x"`), or after the
 * code and a colon (`closed with code 1003: x`, `close 1003 (unsupported data): x`).
 */
const REASON_IN_TEXT = /\breason\s{0,8}(?:[:=]\s{0,8}(?:"([^"]{0,1000})"|'([^']{0,1000})'|(.{0,1000}))|\s"([^"]{0,1000})")|\b(?:code|status|clos\w{0,8}(?: with)?)\s{0,8}[=:]?\s{0,8}\d{4}(?: \([^()]{0,40}\))?: (.{1,1000})/i;
/** A route in a message: `connected to /room`, `on ws://host/chat`, `path=/room`. */
const ROUTE_IN_TEXT = /\b(?:to|on|path|route|url|endpoint)(?:\s{1,8}|\s{0,8}[=:]\s{0,8})((?:wss?|https?):\/\/[^\s/"']{1,255})?(\/[^\s"'<>,;)]{0,255})/i;

/** The words of a message: each test of the vocabulary above, by its bit in MessageText. */
export const SAYS = {
  close: 1, closingByServer: 2, closedByClient: 4, open: 8, frame: 16, out: 32, handled: 64, fatal: 128, binary: 256, text: 512,
} as const;
const SAYS_TEXT: [number, RegExp][] = [
  [SAYS.close, CLOSE_TEXT], [SAYS.closingByServer, CLOSING_BY_SERVER], [SAYS.closedByClient, CLOSED_BY_CLIENT],
  [SAYS.open, OPEN_TEXT], [SAYS.frame, FRAME_TEXT], [SAYS.out, OUT_TEXT], [SAYS.handled, HANDLED_TEXT], [SAYS.fatal, FATAL_TEXT],
  [SAYS.binary, /\bbinary\b/i], [SAYS.text, /\btext\b/i],
];

/**
 * A message's text and what its words say, each test run at most once: a log repeats a few
 * messages ("ws message received") on most lines, and `messageText` hands back the same one.
 */
export class MessageText {
  private known = 0;
  private found = 0;
  private codeText: number | undefined | null = null;
  private reasonText: ReasonInText | undefined | null = null;
  private routeText: string | undefined | null = null;

  /** The text is written as it is inside a JSON string: no quote, backslash or control character. */
  readonly plain: boolean;

  constructor(readonly text: string) {
    this.plain = !/["\\\x00-\x1f]/.test(text);
  }

  /** The text has the words of `bit` (a SAYS value). */
  says(bit: number): boolean {
    if ((this.known & bit) === 0) {
      this.known |= bit;
      for (const [b, re] of SAYS_TEXT) if (b === bit && re.test(this.text)) this.found |= bit;
    }
    return (this.found & bit) !== 0;
  }

  /** The close code the text names (codeInText). */
  get code(): number | undefined {
    if (this.codeText === null) this.codeText = this.text ? codeInText(this.text) : undefined;
    return this.codeText;
  }

  /** The close reason the text names (reasonInText). */
  get reason(): ReasonInText | undefined {
    if (this.reasonText === null) this.reasonText = reasonInText(this.text);
    return this.reasonText;
  }

  /** The route the text names (routeInText). */
  get route(): string | undefined {
    if (this.routeText === null) this.routeText = routeInText(this.text);
    return this.routeText;
  }
}

const MEMO_SIZE = 16;
/** The messages read last, most recent at `memoNext - 1`, round robin. */
const memo: MessageText[] = [];
let memoNext = 0;

/** The MessageText of `text`, the same object while the text recurs. */
export function messageText(text: string): MessageText {
  for (let i = 0; i < memo.length; i++) if (memo[i].text === text) return memo[i];
  return remember(new MessageText(text));
}

function remember(m: MessageText): MessageText {
  memo[memoNext] = m;
  memoNext = (memoNext + 1) % MEMO_SIZE;
  return m;
}

/** `s` as a string of its own, for an event to keep: a slice of a line (logfmt) may be a view that keeps the line alive, text joined from parts a tree of them. */
export function own(s: string | undefined): string | undefined {
  return s === undefined || s.length < 13 ? s : JSON.parse(JSON.stringify(s)) as string;
}

/** A close code written in a message ("closed with 1003", "code=1011", "1003 (unsupported data)"). */
export function codeInText(text: string): number | undefined {
  const m = CODE_IN_TEXT.exec(text);
  if (!m) return undefined;
  return toCode(m[1] ?? m[2] ?? m[3]);
}

/** A close reason in a message (`code 1003, reason: text only`), and the words before it. */
export interface ReasonInText {
  reason: string;
  /** The log's own words: the reason is another's (the peer's, or the code's sender's). */
  before: string;
}

/** A close reason written in a message (`code 1003, reason: text only`, `closed with 1003: text only`). */
export function reasonInText(text: string): ReasonInText | undefined {
  const m = REASON_IN_TEXT.exec(text);
  if (!m) return undefined;
  const quoted = m[1] ?? m[2] ?? m[4];
  const raw = quoted ?? m[3] ?? m[5];
  // The words up to the reason, the code's among them (`sending close 1003: ...`).
  const before = text.slice(0, m.index + m[0].length - raw.length - (quoted === undefined ? 0 : 1));
  if (quoted !== undefined) return { reason: quoted, before };
  let reason = raw.trim();
  // `(code 1003, reason: text only)`: the parenthesis closes the words around the reason.
  if (reason.endsWith(')') && count(reason, '(') < count(reason, ')')) reason = reason.slice(0, -1).trimEnd();
  return { reason, before };
}

function count(text: string, c: string): number {
  let n = 0;
  for (let i = text.indexOf(c); i >= 0; i = text.indexOf(c, i + 1)) n++;
  return n;
}

/** A route written in a message (`client connected to /room`), without its query. */
export function routeInText(text: string): string | undefined {
  const m = ROUTE_IN_TEXT.exec(text);
  if (!m) return undefined;
  // A sentence's full stop or colon is no part of the path.
  let end = m[2].length;
  while (end > 1 && (m[2].charCodeAt(end - 1) === 46 || m[2].charCodeAt(end - 1) === 58)) end--;
  return toRoute((m[1] ?? '') + m[2].slice(0, end));
}

/** The close code a library sent because of an error it raised itself, from its code or text. */
export function wireCodeOf(code: unknown, message: string): number | undefined {
  if (typeof code === 'string' && code in WS_ERROR_WIRE_CODES) return WS_ERROR_WIRE_CODES[code];
  if (/\b(?:Max payload size exceeded|Message size \d+ exceeds limit|read limit exceeded|frame exceeds limit|message too big)\b/i.test(message)) return 1009;
  if (/\b(?:invalid UTF-8|Invalid UTF-8 text message|invalid utf8)\b/i.test(message)) return 1007;
  return undefined;
}

/**
 * `ws://host:80/chat?x=1` → `/chat`; a path stays a path. The query is dropped: it often holds
 * a token (`?access_token=`), and a route groups connections by endpoint, not by credential.
 * A path is the client's to choose: it is cut at MAX_ROUTE, so routes kept per summary stay small.
 */
export function toRoute(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  let path = v;
  if (v.charCodeAt(0) !== 47 /* / */) {
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(v);
    if (!m) return undefined;
    path = m[1] || '/';
  }
  const q = path.indexOf('?');
  if (q >= 0) path = path.slice(0, q);
  const h = path.indexOf('#');
  if (h >= 0) path = path.slice(0, h);
  return clip(path, MAX_ROUTE);
}

const MAX_ROUTE = 256;
