/**
 * Python `logging` records: headers in the usual formats and tracebacks joined to their record,
 * on lines written by CPython 3.11's logging module (copied from the committed samples).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectParser } from '../../parsers/index.js';
import { parseHeader, type PyRecord, pythonLogReader } from '../../parsers/python-logging.js';

function read(lines: string[]): { records: PyRecord[]; skipped: string[] } {
  const records: PyRecord[] = [];
  const skipped: string[] = [];
  const r = pythonLogReader('app.log', (rec) => records.push(rec), (why) => skipped.push(why));
  lines.forEach((l, i) => r.line(l, i + 1));
  r.end();
  return { records, skipped };
}

describe('parseHeader', () => {
  it.each([
    ['%(asctime)s %(name)s %(levelname)s %(message)s', '2026-11-26 17:26:35,205 websockets.server DEBUG < TEXT \'hello\' [5 bytes]', 'debug', 'websockets.server', "< TEXT 'hello' [5 bytes]"],
    ['basicConfig() default', 'DEBUG:websockets.server:= connection is OPEN', 'debug', 'websockets.server', '= connection is OPEN'],
    ['basicConfig() default, root logger', 'WARNING:root:binary frame on /text, closing', 'warn', 'root', 'binary frame on /text, closing'],
    ['%(asctime)s - %(name)s - %(levelname)s - %(message)s', '2026-11-26 17:26:35,205 - aiohttp.server - ERROR - Error handling request', 'error', 'aiohttp.server', 'Error handling request'],
    ['%(asctime)s [%(levelname)s] %(name)s: %(message)s', '2026-11-26 17:26:35,205 [INFO] chat: websocket connection opened /text', 'info', 'chat', 'websocket connection opened /text'],
    ['%(asctime)s %(levelname)s %(name)s %(message)s', '2026-11-26T17:26:35.205 CRITICAL my-app.ws down hard', 'fatal', 'my-app.ws', 'down hard'],
  ])('reads %s', (_format, line, level, logger, message) => {
    expect(parseHeader(line)).toMatchObject({ level, logger, message });
  });

  it('reads asctime as a time', () => {
    expect(parseHeader('2026-11-26 17:26:35,205 chat INFO x')?.time).toBe(new Date(2026, 10, 26, 17, 26, 35, 205).getTime());
    expect(parseHeader('INFO:chat:x')?.time).toBeUndefined();
  });

  it.each([
    ["KeyError: 'user'"],
    ['websockets.exceptions.ConnectionClosedError: sent 1009 (message too big); no close frame received'],
    ['  File "/srv/app.py", line 3, in handler'],
    ['The above exception was the direct cause of the following exception:'],
    ['{"level":30,"msg":"hi"}'],
  ])('does not take %s for a record', (line) => {
    expect(parseHeader(line)).toBeUndefined();
  });
});

describe('python-json-logger\'s records', () => {
  const sample = readFileSync('samples/python-websockets/json/server.log', 'utf8').split('\n');
  // websockets 10.4, max_size exceeded: the ERROR record with its chained traceback in exc_info.
  const failed = sample.find((l) => l.includes('"message": "connection handler failed"') && l.includes('PayloadTooBig'))!;
  const text = readFileSync('samples/python-websockets/server.log', 'utf8').split('\n');
  const start = text.findIndex((l) => l.includes('ERROR connection handler failed') && text.slice(text.indexOf(l), text.indexOf(l) + 40).some((x) => x.includes('PayloadTooBig')));
  const lines = text.slice(start, text.findIndex((l, i) => i > start + 1 && /^\d{4}-/.test(l)));

  it('reads a record with its traceback, as the same record and traceback written as lines are read', () => {
    const { records, skipped } = read([sample[1], failed]);
    expect(skipped).toEqual([]);
    const { asctime, name, levelname, message, exc_info: exc } = JSON.parse(failed) as Record<string, string>;
    expect(records[1]).toEqual({
      at: 'app.log:2', time: new Date(asctime.replace(' ', 'T').replace(',', '.')).getTime(), level: 'error', logger: name, message,
      exception: read([`${asctime} ${name} ${levelname} ${message}`, ...exc.split('\n')]).records[0].exception, fields: JSON.parse(failed),
    });
    // The same exception as the sample's lines hold (their paths aside): type, message, causes.
    const fromLines = read(lines).records[0].exception!;
    expect(records[1].exception).toMatchObject({ type: fromLines.type, message: fromLines.message, causes: fromLines.causes });
    expect(records[1].exception!.causes).toEqual(['websockets.exceptions.PayloadTooBig']);
  });

  it('reads `created`, or else `timestamp`, when the format has no asctime; and no JSON record without levelname or message', () => {
    expect(parseHeader('{"created": 1795713628.612, "levelname": "INFO", "name": "chat", "message": "x"}')?.time).toBe(1795713628612);
    const record = { levelname: 'WARNING', message: 'x', timestamp: '2026-11-26T17:20:28.612000+00:00' };
    expect(parseHeader(JSON.stringify(record))).toEqual({
      time: Date.parse('2026-11-26T17:20:28.612Z'), level: 'warn', logger: '', message: 'x', traceback: undefined, fields: record,
    });
    expect(parseHeader('{"message": "x", "name": "chat"}')).toBeUndefined();
    expect(parseHeader('{"levelname": "INFO", "msg": "x"}')).toBeUndefined();
    expect(parseHeader('{"levelname": "NOTICE", "message": "x"}')).toBeUndefined();
  });

  it('reads structlog\'s rendering of a record (its stdlib recipe): event, level in lower case, logger, timestamp, exception', () => {
    const [first, second] = read([failed]).records;
    expect(second).toBeUndefined();
    const { asctime: _a, name, levelname: _l, message, exc_info: exception, ...extra } = JSON.parse(failed) as Record<string, string>;
    const structlog = { event: message, level: 'error', logger: name, ...extra, timestamp: '2026-11-28T18:54:05.005141Z', exception };
    const { records } = read([JSON.stringify(structlog)]);
    expect(records).toEqual([{ ...first, time: Date.parse('2026-11-28T18:54:05.005Z'), fields: structlog }]);
  });

  it('is read by the library\'s parser, not as generic JSON lines, and a pino log is not', () => {
    expect(detectParser(sample.slice(0, 50))?.name).toBe('python-websockets');
    expect(detectParser(readFileSync('samples/aiohttp/json/server.log', 'utf8').split('\n').slice(0, 50))?.name).toBe('aiohttp');
    expect(detectParser(readFileSync('samples/ws-pino/chat.log', 'utf8').split('\n').slice(0, 50))?.name).toBe('json');
  });
});

describe('pythonLogReader', () => {
  const sample = readFileSync('samples/python-websockets/server.log', 'utf8').split('\n');
  // websockets 10.4, max_size exceeded: the ERROR record and its chained traceback.
  const start = sample.findIndex((l) => l.includes('ERROR connection handler failed') && sample[sample.indexOf(l) + 1].startsWith('Traceback') && sample.slice(sample.indexOf(l), sample.indexOf(l) + 40).some((x) => x.includes('PayloadTooBig')));
  const end = sample.findIndex((l, i) => i > start + 1 && /^\d{4}-/.test(l));
  const record = sample.slice(start, end);

  it('joins a record and its chained traceback into one exception', () => {
    expect(record.length).toBeGreaterThan(20);
    const { records, skipped } = read(record);
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ at: 'app.log:1', level: 'error', logger: 'websockets.server', message: 'connection handler failed' });
    expect(records[0].exception).toMatchObject({
      type: 'websockets.exceptions.ConnectionClosedError',
      message: 'sent 1009 (message too big); no close frame received',
      causes: ['websockets.exceptions.PayloadTooBig'],
    });
    expect(records[0].exception!.stack.split('\n')).toEqual(record.slice(1));
  });

  it('joins it the same when lines of other loggers and processes come between its lines', () => {
    const other = (n: number) => `2026-11-26 17:26:35,49${n} worker-2 INFO heartbeat ${n}`;
    // Foreign records inside the frames, between the cause's final line and the chain marker, and after it.
    const chainAt = record.findIndex((l) => l.startsWith('The above exception'));
    const mixed = [...record.slice(0, 4), other(1), ...record.slice(4, chainAt - 1), other(2), other(3), ...record.slice(chainAt - 1, chainAt + 5), other(4), ...record.slice(chainAt + 5), other(5)];
    const { records, skipped } = read(mixed);
    expect(skipped).toEqual([]);
    expect(records.map((r) => r.message)).toEqual(['connection handler failed', 'heartbeat 1', 'heartbeat 2', 'heartbeat 3', 'heartbeat 4', 'heartbeat 5']);
    expect(records[0].exception!.type).toBe('websockets.exceptions.ConnectionClosedError');
    expect(records[0].exception!.causes).toEqual(['websockets.exceptions.PayloadTooBig']);
    expect(records[0].exception!.stack.split('\n')).toEqual(record.slice(1));
    expect(records.slice(1).every((r) => r.exception === undefined)).toBe(true);
  });

  it('gives a traceback to the ERROR record waiting for it, not to another logger\'s record in between', () => {
    const { records } = read([
      '2026-11-26 17:28:57,316 aiohttp.server ERROR Error handling request',
      '2026-11-26 17:28:57,316 worker-2 INFO heartbeat',
      'Traceback (most recent call last):',
      '  File "/srv/app/server.py", line 34, in handler',
      "KeyError: 'user'",
      '2026-11-26 17:28:57,317 chat DEBUG ! invalid origin',
      'Traceback (most recent call last):',
      '  File "/srv/app/server.py", line 9, in check',
      'ValueError: bad origin',
    ]);
    expect(records.map((r) => [r.message, r.exception?.type])).toEqual([
      ['Error handling request', 'KeyError'], ['heartbeat', undefined], ['! invalid origin', 'ValueError'],
    ]);
  });

  it('keeps records in input order around a traceback', () => {
    const lines = sample.slice(start - 3, end + 2);
    const { records } = read(lines);
    expect(records.map((r) => r.at)).toEqual(lines.map((l, i) => (/^\d{4}-/.test(l) ? `app.log:${i + 1}` : '')).filter(Boolean));
  });

  it('gives a traceback with no record before it one of its own', () => {
    const { records } = read(['Traceback (most recent call last):', '  File "/srv/app.py", line 3, in main', 'RuntimeError: boom']);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ at: 'app.log:1', level: 'error', exception: { type: 'RuntimeError', message: 'boom' } });
  });

  it('counts lines that are neither records nor traceback lines, and goes on', () => {
    const { records, skipped } = read(['garbage here', 'INFO:chat:ok', '   indented stray', '']);
    expect(records.map((r) => r.message)).toEqual(['ok']);
    expect(skipped).toEqual(['not-python-log', 'not-python-log']);
  });

  it('ends a traceback whose record never finishes at end of input', () => {
    const { records } = read(['ERROR:chat:failed', 'Traceback (most recent call last):', '  File "/srv/app.py", line 3, in main']);
    expect(records).toHaveLength(1);
    expect(records[0].exception?.stack).toContain('/srv/app.py');
  });
});
