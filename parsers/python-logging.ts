/**
 * Lines written by Python's standard `logging` module (CPython 3.x, checked on 3.11): the
 * bare `basicConfig()` default `LEVEL:logger:message` and the usual explicit formats built
 * from `%(asctime)s`, `%(name)s`, `%(levelname)s` and `%(message)s` in either order, with
 * ` `, ` - `, `:` or ` | ` between them and the level optionally in brackets. Records come out
 * in order, each with the traceback that followed it joined into one exception, even when
 * lines of other loggers or processes came between the traceback's lines. Also the same
 * records as python-json-logger's JsonFormatter writes them, a JSON object a line, its fields
 * named as the formats above name them (`asctime`, `name`, `levelname`, `message`; or `created`,
 * or its `timestamp`), the traceback's text in `exc_info` (pythonjsonlogger 2.0, checked on
 * Debian's); and as structlog's stdlib recipe renders them (structlog 22.3, Debian's:
 * `event`, `level`, `logger`, `timestamp`, `exception`); uvicorn's default format
 * (`INFO:     message`); and daphne's, its level padded and no logger named, with its access log
 * between. Shared by every parser of a Python library's logs.
 */
import { toLevel, toTime } from './fields.js';
import { jsonObject } from './json-line.js';
import type { LineParser } from './parser.js';
import { type PyException, Traceback, TRACEBACK_START, tracebackOf } from './python-traceback.js';

export interface PyRecord {
  /** `file:line` of the record's first line. */
  at: string;
  time: number | undefined;
  /** Folded: debug, info, warn, error, fatal. */
  level: string;
  logger: string;
  message: string;
  /** The traceback logged with it (`exc_info`), joined. */
  exception?: PyException;
  /** A JSON record's fields, its `extra` among them. */
  fields?: Record<string, unknown>;
}

const SEP = '(?: - |: | \\| |:| )';
// Logger names are dotted identifiers, sometimes with hyphens (`my-app.ws`).
const TOKEN = '\\[?([A-Za-z_][\\w.-]{0,120})\\]?';
const HEADER = new RegExp(`^(?:(\\d{4}-\\d\\d-\\d\\d[ T]\\d\\d:\\d\\d:\\d\\d(?:[,.]\\d{1,6})?)${SEP}?)?${TOKEN}${SEP}${TOKEN}${SEP}(.*)$`);
const LEVEL = /^(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)$/;
/**
 * uvicorn's default log config, `%(levelprefix)s %(message)s`: the level and its colon padded to
 * nine characters, then a space (uvicorn/logging.py `ColourizedFormatter`, uncoloured when not
 * a terminal; unchanged from 0.17 to 0.35). It names no logger: its records are `UVICORN`'s.
 */
const UVICORN_PREFIX = /^(TRACE|DEBUG|INFO|WARNING|ERROR|CRITICAL):( {1,5})(?! )(.*)$/;
export const UVICORN = 'uvicorn';
/** daphne's default `--log-fmt`, `%(asctime)-15s %(levelname)-8s %(message)s` (daphne/cli.py): no logger named. */
const PADDED_LEVEL = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (DEBUG|INFO|WARNING|ERROR|CRITICAL)( {1,5})(?! )(.*)$/;
/**
 * daphne's access log (access.py `AccessLogGenerator`, NCSA-like; unchanged from 4.0 to main):
 * `HOST:PORT - - [28/Nov/2026:20:33:23] "WSCONNECT /path" - -` for a WebSocket's WSCONNECTING,
 * WSCONNECT, WSREJECT and WSDISCONNECT, in local time. Read as `DAPHNE_ACCESS`'s record, its
 * message the action and path, its client in `fields.client`.
 */
const DAPHNE_ACCESS_LINE = /^(\S{1,100}) - - \[(\d\d)\/([A-Z][a-z]{2})\/(\d{4}):(\d\d:\d\d:\d\d)\] "(WS[A-Z]{3,12} \S{1,4096})" - -$/;
export const DAPHNE_ACCESS = 'daphne.access';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Records of one second share their date and time: parse it once (asctime has no zone: local time).
let lastSecond = '';
let lastSecondMs: number | undefined;

function asctime(text: string): number | undefined {
  const second = text.slice(0, 19);
  if (second !== lastSecond) {
    lastSecond = second;
    lastSecondMs = toTime(second);
  }
  if (lastSecondMs === undefined || text.length <= 20) return lastSecondMs;
  const fraction = text.slice(20);
  return lastSecondMs + Number(fraction) / 10 ** (fraction.length - 3);
}

/** A record's fields but its place; a JSON record's traceback, written whole. */
type Header = Omit<PyRecord, 'at' | 'exception'> & { traceback?: string };

/** A record header (or a whole JSON record), or undefined when the line does not start a logging record. */
export function parseHeader(text: string): Header | undefined {
  const c = text.charCodeAt(0);
  if (c === 123 /* { */) return jsonRecord(text);
  // A record starts with a digit (asctime) or a capital (the level, or a logger name).
  if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 91 || c === 95)) return undefined;
  const u = UVICORN_PREFIX.exec(text);
  if (u && u[1].length + u[2].length === 9) return { time: undefined, level: toLevel(u[1] === 'TRACE' ? 'debug' : u[1]) ?? 'info', logger: UVICORN, message: u[3] };
  const m = HEADER.exec(text);
  if (!m) return paddedLevel(text) ?? daphneAccess(text);
  const [, time, a, b, message] = m;
  const levelFirst = LEVEL.test(a);
  if (!levelFirst && !LEVEL.test(b)) return undefined;
  return {
    time: time ? asctime(time) : undefined,
    level: toLevel(levelFirst ? a : b) ?? 'info',
    logger: levelFirst ? b : a,
    message,
  };
}

function paddedLevel(text: string): Header | undefined {
  const m = PADDED_LEVEL.exec(text);
  if (!m || m[2].length + m[3].length !== 9) return undefined;
  return { time: asctime(m[1]), level: toLevel(m[2]) ?? 'info', logger: '', message: m[4] };
}

function daphneAccess(text: string): Header | undefined {
  const m = DAPHNE_ACCESS_LINE.exec(text);
  const month = m ? MONTHS.indexOf(m[3]) + 1 : 0;
  if (!m || month === 0) return undefined;
  return {
    time: toTime(`${m[4]}-${String(month).padStart(2, '0')}-${m[2]}T${m[5]}`), level: 'info', logger: DAPHNE_ACCESS, message: m[6], fields: { client: m[1] },
  };
}

/**
 * A JSON record: python-json-logger's (`levelname`, `message`, `name`, the traceback in
 * `exc_info`) or structlog's, rendering the standard library's records with its
 * ProcessorFormatter (`level` in lower case, `event`, `logger`, `exception`); its level and
 * message at least, or undefined.
 */
function jsonRecord(text: string): Header | undefined {
  const rec = jsonObject(text);
  if (typeof rec === 'string') return undefined;
  const { asctime, created, timestamp } = rec;
  const levelName = rec.levelname ?? rec.level;
  const message = rec.message ?? rec.event;
  const name = rec.name ?? rec.logger;
  const exc = rec.exc_info ?? rec.exception;
  if (typeof levelName !== 'string' || !LEVEL.test(levelName.toUpperCase()) || typeof message !== 'string') return undefined;
  return {
    time: toTime(asctime ?? created ?? timestamp),
    level: toLevel(levelName) ?? 'info',
    logger: typeof name === 'string' ? name : '',
    message,
    traceback: typeof exc === 'string' && exc.startsWith(TRACEBACK_START) ? exc : undefined,
    fields: rec,
  };
}

/**
 * How sure a parser of one Python library's logs is about these first lines: the share of
 * logging records that `ours` recognizes, with `records` for a parser that also reads others.
 * Its JSON records rank above the JSON parser's generic reading (0.9), whose words miss the
 * library's own.
 */
export function detectRecords(lines: string[], ours: (h: Omit<PyRecord, 'at' | 'exception'>) => boolean): { records: number; score: number } {
  let records = 0;
  let mine = 0;
  let json = 0;
  for (const line of lines) {
    const h = parseHeader(line);
    if (!h) continue;
    records++;
    if (line.charCodeAt(0) === 123) json++;
    if (ours(h)) mine++;
  }
  const base = json > records / 2 ? 0.91 : 0.6;
  return { records, score: mine === 0 ? 0 : Math.min(0.95, base + ((0.95 - base) * mine) / records) };
}

/** Records of error level wait this many following records for their traceback. */
const TRACEBACK_WAIT = 8;
/** A complete traceback waits this many records for a chained part ("The above exception ..."). */
const CHAIN_WAIT = 8;
/** Records held back at most; beyond it everything held is released as it is. */
const MAX_HELD = 256;

interface Held {
  rec: PyRecord;
  /** Records read after this one. */
  age: number;
  waits: boolean;
}

/**
 * A line reader that turns Python logging output into records, in input order. A record is
 * released once no traceback can still join it, so events come out in the order they happened.
 */
export function pythonLogReader(file: string, onRecord: (r: PyRecord) => void, skip: (reason: string) => void): LineParser {
  const held: Held[] = [];
  let tb: Traceback | undefined;
  let owner: Held | undefined;
  /** Records read since the traceback's last line. */
  let tbIdle = 0;
  let lastWasTb = false;

  const finishTraceback = () => {
    if (tb && owner) {
      owner.rec.exception = tb.result();
      owner.waits = false;
    }
    tb = undefined;
    owner = undefined;
  };
  const release = (all: boolean) => {
    while (held.length > 0) {
      const h = held[0];
      if (!all && (h === owner || h.age < (h.waits ? TRACEBACK_WAIT : 1))) break;
      held.shift();
      onRecord(h.rec);
    }
  };
  const continues = (text: string): boolean => {
    if (tb && tb.add(text, lastWasTb)) {
      lastWasTb = true;
      tbIdle = 0;
      return true;
    }
    return false;
  };

  return {
    line(text, lineNo) {
      const c = text.charCodeAt(0);
      if (text.length === 0 || c === 32 || c === 9) {
        if (continues(text)) return;
        lastWasTb = false;
        if (text.trim() !== '') skip('not-python-log');
        return;
      }
      if (text.startsWith(TRACEBACK_START)) {
        if (continues(text)) return;
        finishTraceback();
        // The latest record still waiting for its traceback (an ERROR, other lines may have come
        // since), else the record right before (a DEBUG or WARNING logged with exc_info).
        owner = undefined;
        for (let i = held.length - 1; i >= 0 && !owner; i--) if (held[i].waits && !held[i].rec.exception) owner = held[i];
        const last = held.at(-1);
        if (!owner && last && !last.rec.exception) owner = last;
        if (!owner) {
          // A traceback with no record before it (print_exc on stderr).
          owner = { rec: { at: `${file}:${lineNo}`, time: undefined, level: 'error', logger: '', message: '' }, age: 0, waits: true };
          held.push(owner);
        }
        tb = new Traceback();
        tbIdle = 0;
        lastWasTb = true;
        return;
      }
      const header = parseHeader(text);
      if (!header) {
        if (continues(text)) return;
        lastWasTb = false;
        skip('not-python-log');
        return;
      }
      lastWasTb = false;
      for (const h of held) h.age++;
      if (tb && ++tbIdle > (tb.complete ? CHAIN_WAIT : TRACEBACK_WAIT * 4)) finishTraceback();
      const level = header.level;
      const rec: PyRecord = { at: `${file}:${lineNo}`, time: header.time, level, logger: header.logger, message: header.message, fields: header.fields };
      // A JSON record holds its traceback: it waits for none.
      if (header.traceback !== undefined) rec.exception = tracebackOf(header.traceback);
      held.push({ rec, age: 0, waits: header.traceback === undefined && (level === 'error' || level === 'fatal') });
      if (held.length > MAX_HELD) {
        finishTraceback();
        release(true);
      } else {
        release(false);
      }
    },
    end() {
      finishTraceback();
      release(true);
    },
  };
}
