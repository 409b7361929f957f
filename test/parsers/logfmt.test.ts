/**
 * logfmt, read from what a real logfmt logger writes (pino with the pino-logfmt transport) and
 * from the encoding rules of go-logfmt and heroku's logfmt: quoting, escapes, bare keys, nil,
 * dotted keys nested again, and the record mapping shared with the JSON parser.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FIELDS } from '../../parsers/fields.js';
import { jsonParser } from '../../parsers/json.js';
import { logfmtParser, parseLogfmt } from '../../parsers/logfmt.js';
import { exceptionInfo } from '../../src/exception.js';
import type { ExceptionEvent, WsEvent } from '../../src/model.js';

function read(lines: string[]) {
  const events: WsEvent[] = [];
  const skipped: Record<string, number> = {};
  const lp = logfmtParser.create('app.log', { event: (e) => events.push(e), skip: (r) => { skipped[r] = (skipped[r] ?? 0) + 1; } });
  lines.forEach((l, i) => lp.line(l, i + 1));
  lp.end();
  return { events, skipped };
}

describe('logfmt parser on pino-logfmt output', () => {
  let lines: string[] = [];

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wsclose-logfmt-')), 'app.log');
    const transport = pino.transport({
      target: 'pino-logfmt',
      options: { destination: file, flattenNestedObjects: true, flattenNestedSeparator: '.', convertToSnakeCase: false, escapeMultilineStrings: true },
    });
    const log = pino({}, transport).child({ connId: 'c7', route: '/chat', remoteAddress: '127.0.0.1', remotePort: 50123 });
    log.info('ws connection opened');
    log.info({ isBinary: true, size: 8 }, 'ws message received');
    try {
      JSON.parse('{"op": join}');
    } catch (err) {
      log.error({ err }, 'message handler failed');
    }
    log.info({ code: 1011, reason: 'internal error: "op" = join\\x' }, 'ws connection closed');
    transport.ref();
    const closed = once(transport, 'close');
    transport.end();
    await closed;
    lines = readFileSync(file, 'utf8').trim().split('\n');
  });

  it('is what pino-logfmt writes: dotted keys, quoted values, the stack escaped twice', () => {
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^level=30 time=\d+ pid=\d+ hostname=\S+ connId=c7 route=\/chat remoteAddress=127\.0\.0\.1 remotePort=50123 msg="ws connection opened"$/);
    expect(lines[2]).toContain('err.type=SyntaxError');
    expect(lines[2]).toMatch(/err\.stack="SyntaxError: .*?\\\\n {4}at JSON\.parse/);
    expect(lines[3]).toContain('reason="internal error: \\"op\\" = join\\\\x"');
  });

  it('maps the records as the JSON parser maps the same fields', () => {
    const { events, skipped } = read(lines);
    expect(skipped).toEqual({});
    expect(events.map((e) => e.kind)).toEqual(['open', 'frame', 'exception', 'close']);
    for (const e of events) {
      expect(e.conn).toBe('c7');
      expect(e.route).toBe('/chat');
      expect(e.process).toMatch(/^\d+@/);
      expect(e.time).toBeGreaterThan(1.7e12);
    }
    expect(events[0]).toMatchObject({ kind: 'open', remote: '127.0.0.1', at: 'app.log:1' });
    expect(events[1]).toMatchObject({ kind: 'frame', type: 'binary', direction: 'in', size: 8 });
    expect(events[3]).toMatchObject({ kind: 'close', code: 1011, reason: 'internal error: "op" = join\\x' });
  });

  it('reads the error with its real stack: type, message, frames on their own lines', () => {
    const e = read(lines).events[2] as ExceptionEvent;
    expect(e).toMatchObject({ type: 'SyntaxError', fatal: false, at: 'app.log:3' });
    expect(e.message).toMatch(/JSON/);
    expect(e.stack!.split('\n').length).toBeGreaterThan(2);
    expect(e.stack!.split('\n')[1]).toMatch(/^ {4}at JSON\.parse/);
    expect(exceptionInfo(e).topFrame).toMatch(/test\/parsers\/logfmt\.test\.ts:\d+\)?$/);
  });

  it('detects its lines, and the JSON parser does not', () => {
    expect(logfmtParser.detect(lines)).toBeGreaterThan(0.8);
    expect(jsonParser.detect(lines)).toBe(0);
    expect(logfmtParser.detect(['{"level":30,"time":1,"msg":"x"}'])).toBe(0);
  });
});

describe('parseLogfmt', () => {
  const parse = (line: string) => parseLogfmt(line, DEFAULT_FIELDS);

  it('decodes quotes and go-logfmt escapes, numbers, booleans, bare keys and nil', () => {
    expect({ ...parse('level=info msg="a \\"quoted\\" value\\twith\\ttabs\\u00e9" n=42 f=1.5 neg=-3 id=007 ok=true no=false flag gone=nil empty=')! }).toEqual({
      level: 'info', msg: 'a "quoted" value\twith\ttabs\u00e9', n: 42, f: 1.5, neg: -3, id: '007', ok: true, no: false, flag: true,
    });
  });

  it('keeps a quoted number a string, and an empty quoted value', () => {
    expect({ ...parse('msg=x code="1011" reason=""')! }).toEqual({ msg: 'x', code: '1011', reason: '' });
  });

  it('nests dotted keys, and keeps one flat when its parent is a value', () => {
    const rec = parse('msg=x err.type=TypeError err.message="bad thing" ws.id=9 req=GET req.url=/chat')!;
    expect(JSON.parse(JSON.stringify(rec))).toEqual({ msg: 'x', err: { type: 'TypeError', message: 'bad thing' }, ws: { id: 9 }, req: 'GET', 'req.url': '/chat' });
  });

  it('reads each line by its own keys, however many keys a log has and however they nested before', () => {
    // Keys are read once for all lines (a bounded table): past its bound, keys are still read.
    for (let i = 0; i < 5000; i++) expect({ ...parse(`msg=x k${i}.id=${i}`)! }).toEqual({ msg: 'x', [`k${i}`]: { id: i } });
    expect(JSON.parse(JSON.stringify(parse('msg=x req=GET req.url=/b')))).toEqual({ msg: 'x', req: 'GET', 'req.url': '/b' });
    expect(JSON.parse(JSON.stringify(parse('msg=x req.url=/a')))).toEqual({ msg: 'x', req: { url: '/a' } });
  });

  it('treats __proto__ as a key like any other', () => {
    const rec = parse('msg=x __proto__.polluted=yes')!;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(rec)).toEqual(['msg', '__proto__']);
    expect({ ...(rec.__proto__ as object) }).toEqual({ polluted: 'yes' });
  });

  it('rejects what is not a logfmt record: prose, source code, one pair, no known field, broken quotes', () => {
    expect(parse('server listening on port 8080')).toBeUndefined();
    expect(parse('    const id = msg.user.id;')).toBeUndefined();
    expect(parse('if (a=1 && b=2) return')).toBeUndefined();
    expect(parse('msg=only-one-pair')).toBeUndefined();
    expect(parse('a=1 b=2 c=3')).toBeUndefined();
    expect(parse('level=info msg="never closed')).toBeUndefined();
    expect(parse('level=info "quoted key"=1')).toBeUndefined();
  });

  it('reads a Node crash report between logfmt lines, and counts other text as not-logfmt', () => {
    const crash = ['file:///srv/app/server.mjs:12', '    const id = msg.user.id;', '                        ^', '',
      "TypeError: Cannot read properties of undefined (reading 'id')", '    at WebSocket.<anonymous> (file:///srv/app/server.mjs:12:25)', '', 'Node.js v20.20.2'];
    const { events, skipped } = read([
      'level=30 time=1795714127969 pid=7 hostname=pod connId=c1 route=/chat msg="ws connection opened"',
      'server listening',
      ...crash,
    ]);
    expect(skipped).toEqual({ 'not-logfmt': 1 });
    expect(events.map((e) => e.kind)).toEqual(['open', 'exception']);
    expect(events[1]).toMatchObject({ type: 'TypeError', fatal: true, conn: undefined, at: 'app.log:7' });
  });
});
