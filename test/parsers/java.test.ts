/**
 * The Java parser on the exact texts of Spring WebSocket (CloseStatus, ExceptionWebSocketHandlerDecorator,
 * AbstractWebSocketMessage.toString), Tomcat 10.1.60 and Jetty 12, in the logback, log4j, Spring Boot,
 * Tomcat OneLineFormatter and java.util.logging line shapes, and as the JSON layouts write them; and
 * live on a real Tomcat, through Tomcat's OneLineFormatter, logback's LogstashEncoder and log4j2's JsonLayout, when the
 * Debian jars and a JDK are installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectParser } from '../../parsers/index.js';
import { javaParser } from '../../parsers/java.js';
import type { ExceptionEvent } from '../../src/model.js';
import { BlockFilter } from '../../src/prefilter.js';
import { expectSampleVerdicts } from '../support/expect-verdict.js';
import { parseLines } from '../support/parse.js';

const SESSION = 'StandardWebSocketSession[id=1f, uri=ws://localhost:8080/chat?room=1]';
const BOOT = '2026-11-24T17:54:16.123Z DEBUG 4242 --- [nio-8080-exec-3] s.w.s.h.LoggingWebSocketHandlerDecorator :';

describe('Spring WebSocket texts in Spring Boot\'s line shape', () => {
  it('reads open, frames and the close status of a session, keyed by its id, routed by its uri', () => {
    const { events } = parseLines(javaParser, 'app.log', [
      `${BOOT} New ${SESSION}`,
      `2026-11-24T17:54:16.130Z TRACE 4242 --- [nio-8080-exec-3] s.w.s.h.LoggingWebSocketHandlerDecorator : Handling TextMessage payload=[{"op":"joi..], byteCount=14, last=true] in ${SESSION}`,
      `2026-11-24T17:54:16.140Z TRACE 4242 --- [nio-8080-exec-4] s.w.s.h.LoggingWebSocketHandlerDecorator : Handling BinaryMessage payload=[java.nio.HeapByteBuffer[pos=0 lim=4 cap=4]], byteCount=4, last=true] in ${SESSION}`,
      `2026-11-24T17:54:16.150Z DEBUG 4242 --- [nio-8080-exec-4] s.w.s.h.LoggingWebSocketHandlerDecorator : ${SESSION} closed with CloseStatus[code=1003, reason=Binary messages not supported]`,
    ]);
    expect(events.map((e) => e.kind)).toEqual(['open', 'frame', 'frame', 'close']);
    for (const e of events) expect(e).toMatchObject({ conn: '1f', route: '/chat' }); // the query is dropped: it may hold a token
    expect(events[0].time).toBe(Date.parse('2026-11-24T17:54:16.123Z'));
    expect(events[1]).toMatchObject({ type: 'text', direction: 'in', size: 14 });
    expect(events[2]).toMatchObject({ type: 'binary', direction: 'in', size: 4 });
    expect(events[3]).toMatchObject({ code: 1003, reason: 'Binary messages not supported' });
  });

  it('reads a null reason as none', () => {
    const { events } = parseLines(javaParser, 'app.log', [`${BOOT} ${SESSION} closed with CloseStatus[code=1011, reason=null]`]);
    expect(events[0]).toMatchObject({ kind: 'close', code: 1011, reason: '' });
  });

  it('joins the handler exception with its causes and closes the session with 1011, as the decorator does', () => {
    const lines = [
      `2026-11-24T17:54:17.001Z ERROR 4242 --- [nio-8080-exec-5] s.w.s.h.ExceptionWebSocketHandlerDecorator : Closing session due to exception for ${SESSION}`,
      'org.springframework.messaging.converter.MessageConversionException: Could not read JSON: Unexpected character',
      '\tat com.example.chat.ChatHandler.handleTextMessage(ChatHandler.java:41)',
      '\tat org.springframework.web.socket.handler.AbstractWebSocketHandler.handleMessage(AbstractWebSocketHandler.java:43)',
      'Caused by: com.fasterxml.jackson.core.JsonParseException: Unexpected character (\'\\u0000\' (code 0)): expected a valid value',
      '\tat com.fasterxml.jackson.core.JsonParser._constructError(JsonParser.java:2477)',
      '\t... 42 common frames omitted',
    ];
    const { events } = parseLines(javaParser, 'app.log', lines);
    expect(events.map((e) => e.kind)).toEqual(['exception', 'close']);
    const e = events[0] as ExceptionEvent;
    expect(e).toMatchObject({ type: 'org.springframework.messaging.converter.MessageConversionException', message: 'Could not read JSON: Unexpected character', conn: '1f', at: 'app.log:1', fatal: false });
    expect(e.stack!.split('\n')).toEqual(lines.slice(1));
    expect(events[1]).toMatchObject({ code: 1011, initiator: 'server', conn: '1f' });
  });

  it('joins a trace while another thread\'s line interleaves, and keeps that line\'s event after it', () => {
    const { events } = parseLines(javaParser, 'app.log', [
      `2026-11-24 17:54:17,001 ERROR [exec-5] com.example.Chat - session 7 /chat: handler failed`,
      'java.lang.IllegalStateException: boom',
      '\tat com.example.Chat.onMessage(Chat.java:10)',
      `2026-11-24 17:54:17,002 INFO [exec-6] com.example.Chat - session 8 /chat: received text message (3 bytes)`,
      '\tat org.apache.tomcat.websocket.WsFrameBase.sendMessageText(WsFrameBase.java:434)',
      'Caused by: java.lang.NullPointerException',
      '\t... 3 more',
    ]);
    expect(events.map((e) => [e.kind, e.conn])).toEqual([['exception', '7'], ['frame', '8']]);
    expect((events[0] as ExceptionEvent).stack!.split('\n')).toHaveLength(5);
  });
});

describe('Tomcat texts', () => {
  const ONE = '26-Nov-2026 17:40:05.970';
  it('keys Tomcat\'s own error report by the session its thread logged last, and reads the close as the 1002 the peer got', () => {
    const { events } = parseLines(javaParser, 'app.log', [
      `${ONE} INFO [http-nio-127.0.0.1-auto-1-exec-5] Main$Logged.received session 4 /buggy: received text message (15 bytes)`,
      `${ONE} SEVERE [http-nio-127.0.0.1-auto-1-exec-5] org.apache.tomcat.websocket.pojo.PojoEndpointBase.onError No error handling configured for [Main$Buggy] and the following error occurred`,
      '\tjava.lang.IllegalStateException: bad payload: missing id',
      '\t\tat Main$Buggy.text(Main.java:110)',
      '\tCaused by: java.lang.IllegalArgumentException: no field id in 15 bytes',
      '\t\t... 24 more',
      `${ONE} INFO [http-nio-127.0.0.1-auto-1-exec-5] Main$Logged.onClose session 4 /buggy: closed: CloseReason: code [1006], reason [An unrecoverable IOException occurred so the connection was closed]`,
    ]);
    expect(events.map((e) => e.kind)).toEqual(['frame', 'exception', 'frame', 'close']);
    expect(events[1]).toMatchObject({ conn: '4', type: 'java.lang.IllegalStateException', message: 'bad payload: missing id', time: Date.parse('2026-11-26T17:40:05.970') });
    expect(events[2]).toMatchObject({ type: 'close', direction: 'out', code: 1002 });
    expect(events[3]).toMatchObject({ code: 1006, clean: false, initiator: 'server', route: '/buggy' });
  });

  it('reads java.util.logging\'s two-line records', () => {
    const { events } = parseLines(javaParser, 'app.log', [
      'Nov 24, 2026 5:54:16 PM com.example.Chat onClose',
      'INFO: session 3 closed: CloseReason: code [1000], reason [bye]',
    ]);
    expect(events).toEqual([expect.objectContaining({ kind: 'close', code: 1000, reason: 'bye', conn: '3', time: Date.parse('2026-11-24T17:54:16') })]);
  });
});

/** A log record, as each layout writes it below. */
interface Rec { time: string; thread: string; level: 'INFO' | 'WARN' | 'ERROR'; logger?: string; message: string; trace?: string; more?: Record<string, unknown> }

const SYSLOG = { ERROR: 3, WARN: 4, INFO: 6 };
/** The JSON layouts, each writing its keys in its order, from its source (see parsers/java.ts). */
const LAYOUTS: [string, (r: Rec) => unknown][] = [
  ['logback\'s LogstashEncoder (and Spring Boot\'s logstash)', (r) => ({
    '@timestamp': r.time, '@version': '1', message: r.message, logger_name: r.logger ?? 'chat', thread_name: r.thread, level: r.level,
    level_value: { ERROR: 40000, WARN: 30000, INFO: 20000 }[r.level], ...r.more, ...(r.trace && { stack_trace: `${r.trace}\n` }),
  })],
  ['ECS, dotted (Spring Boot 3.4, log4j2\'s EcsLayout)', (r) => ({
    '@timestamp': r.time, 'log.level': r.level, 'process.pid': 4242, 'process.thread.name': r.thread, 'service.name': 'chat', 'log.logger': r.logger ?? 'chat',
    message: r.message, ...r.more, ...(r.trace && { 'error.type': r.trace.split(':')[0], 'error.message': 'x', 'error.stack_trace': r.trace }), 'ecs.version': '8.11',
  })],
  ['ECS, nested (Spring Boot 3.5 on)', (r) => ({
    '@timestamp': r.time, log: { level: r.level, logger: r.logger ?? 'chat' }, process: { pid: 4242, thread: { name: r.thread } }, service: { name: 'chat' },
    message: r.message, ...r.more, ...(r.trace && { error: { type: r.trace.split(':')[0], message: 'x', stack_trace: r.trace } }), ecs: { version: '8.11' },
  })],
  ['GELF (Spring Boot\'s gelf)', (r) => ({
    version: '1.1', short_message: r.message, timestamp: Date.parse(r.time) / 1000, level: SYSLOG[r.level], _level_name: r.level, _process_pid: 4242,
    _process_thread_name: r.thread, host: 'chat', _log_logger: r.logger ?? 'chat', ...r.more,
    ...(r.trace && { full_message: `${r.message}\n\n${r.trace}`, _error_type: r.trace.split(':')[0], _error_stack_trace: r.trace, _error_message: 'x' }),
  })],
  ['log4j2\'s JsonLayout, its trace as text (stacktraceAsString)', (r) => ({
    instant: { epochSecond: Math.floor(Date.parse(r.time) / 1000), nanoOfSecond: (Date.parse(r.time) % 1000) * 1e6 + 734476 }, thread: r.thread, level: r.level,
    loggerName: r.logger ?? 'chat', message: r.message, ...(r.trace && { thrown: { commonElementCount: 0, localizedMessage: 'x', message: 'x', name: r.trace.split(':')[0], extendedStackTrace: r.trace } }),
    endOfBatch: false, loggerFqcn: 'org.apache.logging.log4j.jul.ApiLogger', threadId: 19, threadPriority: 5, ...r.more,
  })],
  ['log4j2\'s LogstashJsonEventLayoutV1', (r) => ({
    mdc: {}, ...(r.trace && { exception: { exception_class: r.trace.split(':')[0], exception_message: 'x', stacktrace: r.trace } }), '@version': 1,
    source_host: 'web-1', message: r.message, thread_name: r.thread, '@timestamp': r.time, level: r.level, logger_name: r.logger ?? 'chat', ...r.more,
  })],
];
const [, logstashLayout] = LAYOUTS[0];
const logstash = (time: string, thread: string, level: Rec['level'], message: string, more?: Record<string, unknown>) => JSON.stringify(logstashLayout({ time, thread, level, message, more }));

const EXEC = 'http-nio-127.0.0.1-auto-1-exec-11';
const TOMCAT_TRACE = [
  'java.lang.IllegalStateException: bad payload: missing id',
  '\tat Main$Buggy.text(Main.java:118)',
  '\tat org.apache.tomcat.websocket.pojo.PojoMessageHandlerWholeBase.onMessage(PojoMessageHandlerWholeBase.java:127)',
  'Caused by: java.lang.IllegalArgumentException: no field id in 15 bytes',
  '\t... 24 common frames omitted',
];
/** Tomcat's error report, as the sample's real run logged it (see samples/java-tomcat). */
const TOMCAT_ERROR: Rec[] = [
  { time: '2026-11-28T17:28:56.300Z', thread: EXEC, level: 'INFO', message: 'session 4 /buggy: received text message (15 bytes)' },
  {
    time: '2026-11-28T17:28:56.341Z', thread: EXEC, level: 'ERROR', logger: 'org.apache.tomcat.websocket.pojo.PojoEndpointBase',
    message: 'No error handling configured for [Main$Buggy] and the following error occurred', trace: TOMCAT_TRACE.join('\n'),
  },
  { time: '2026-11-28T17:28:56.342Z', thread: EXEC, level: 'INFO', message: 'session 4 /buggy: closed: CloseReason: code [1006], reason [An unrecoverable IOException occurred so the connection was closed]' },
];

describe('JSON layouts: Java\'s records a line', () => {
  it.each(LAYOUTS)('reads Tomcat\'s error report with its trace in %s, keyed by the session its thread logged last, and the close as the 1002 the peer got', (_name, layout) => {
    const lines = TOMCAT_ERROR.map((r) => JSON.stringify(layout(r)));
    expect(detectParser(lines)?.name).toBe('java');
    const { events, skipped } = parseLines(javaParser, 'app.log', lines);
    expect(skipped).toEqual({});
    expect(events).toEqual([
      { kind: 'frame', type: 'text', direction: 'in', size: undefined, conn: '4', route: '/buggy', time: Date.parse('2026-11-28T17:28:56.300Z'), at: 'app.log:1', process: undefined },
      {
        kind: 'exception', conn: '4', route: undefined, time: Date.parse('2026-11-28T17:28:56.341Z'), at: 'app.log:2',
        type: 'java.lang.IllegalStateException', message: 'bad payload: missing id', stack: TOMCAT_TRACE.join('\n'), fatal: false, handled: undefined,
      },
      { kind: 'frame', direction: 'out', type: 'close', code: 1002, reason: 'An unrecoverable IOException occurred so the connection was closed', conn: '4', route: '/buggy', time: Date.parse('2026-11-28T17:28:56.342Z'), at: 'app.log:3' },
      { kind: 'close', code: 1006, reason: 'An unrecoverable IOException occurred so the connection was closed', initiator: 'server', clean: false, conn: '4', route: '/buggy', time: Date.parse('2026-11-28T17:28:56.342Z'), at: 'app.log:3' },
    ]);
  });

  it.each(LAYOUTS)('reads the level %s writes: a warning\'s exception is handled, an error without a trace is a note at its level', (_name, layout) => {
    const { events } = parseLines(javaParser, 'app.log', [
      JSON.stringify(layout({ ...TOMCAT_ERROR[1], level: 'WARN', message: 'session 4: handler failed' })),
      JSON.stringify(layout({ ...TOMCAT_ERROR[0], level: 'ERROR', message: 'session 4: queue full' })),
    ]);
    expect(events.map((e) => e.kind)).toEqual(['exception', 'note']);
    expect(events[0]).toMatchObject({ conn: '4', handled: true });
    expect(events[1]).toMatchObject({ conn: '4', text: 'session 4: queue full', level: 'error' });
  });

  it('reads Spring\'s handler error with its trace as the exception and the 1011 the decorator closes with', () => {
    const trace = ['org.springframework.messaging.converter.MessageConversionException: Could not read JSON', '\tat com.example.chat.ChatHandler.handleTextMessage(ChatHandler.java:41)'];
    const { events } = parseLines(javaParser, 'app.log', [JSON.stringify({
      '@timestamp': '2026-11-24T17:54:17.001Z', '@version': '1', message: `Closing session due to exception for ${SESSION}`,
      logger_name: 'org.springframework.web.socket.handler.ExceptionWebSocketHandlerDecorator', thread_name: 'nio-8080-exec-5', level: 'ERROR', level_value: 40000, stack_trace: trace.join('\n'),
    })]);
    const base = { conn: '1f', route: '/chat', time: Date.parse('2026-11-24T17:54:17.001Z'), at: 'app.log:1' };
    expect(events).toEqual([
      { ...base, kind: 'exception', type: 'org.springframework.messaging.converter.MessageConversionException', message: 'Could not read JSON', stack: trace.join('\n'), fatal: false, handled: undefined },
      { ...base, kind: 'close', code: 1011, reason: '', initiator: 'server' },
    ]);
  });

  it('reads log4j2 JsonLayout\'s trace of frames as Java prints it, and its time (the record of the real run, its frames cut)', () => {
    const frame = (cls: string, method: string, file: string | null, line: number) => ({ class: cls, method, ...(file && { file }), line, exact: false, location: '?', version: '?' });
    const rec = {
      instant: { epochSecond: 1795888741, nanoOfSecond: 985977784 }, thread: EXEC, level: 'ERROR', loggerName: 'org.apache.tomcat.websocket.pojo.PojoEndpointBase',
      message: 'No error handling configured for [Main$Buggy] and the following error occurred',
      thrown: {
        commonElementCount: 0, localizedMessage: 'bad payload: missing id', message: 'bad payload: missing id', name: 'java.lang.IllegalStateException',
        cause: { commonElementCount: 24, localizedMessage: 'no field id in 15 bytes', message: 'no field id in 15 bytes', name: 'java.lang.IllegalArgumentException' },
        extendedStackTrace: [
          frame('Main$Buggy', 'text', 'Main.java', 118), frame('jdk.internal.reflect.NativeMethodAccessorImpl', 'invoke0', 'NativeMethodAccessorImpl.java', -2),
          frame('a.B', 'c', 'B.java', -1), frame('a.B', 'd', null, -1),
        ],
      },
      endOfBatch: false, loggerFqcn: 'org.apache.logging.log4j.jul.ApiLogger', threadId: 19, threadPriority: 5,
    };
    const { events } = parseLines(javaParser, 'app.log', [
      JSON.stringify({ instant: { epochSecond: 1795888741, nanoOfSecond: 941108558 }, thread: EXEC, level: 'INFO', loggerName: 'chat', message: 'session 1 /buggy: websocket opened' }),
      JSON.stringify(rec),
      JSON.stringify({ timeMillis: 1795888742000, thread: EXEC, level: 'INFO', loggerName: 'chat', message: 'session 1 /buggy: closed: CloseReason: code [1000], reason [bye]' }),
    ]);
    expect(events.map((e) => [e.kind, e.conn, e.time])).toEqual([['open', '1', 1795888741941], ['exception', '1', 1795888741985], ['close', '1', 1795888742000]]);
    expect(events[1]).toMatchObject({ type: 'java.lang.IllegalStateException', message: 'bad payload: missing id', handled: undefined, fatal: false });
    expect((events[1] as ExceptionEvent).stack).toBe([
      'java.lang.IllegalStateException: bad payload: missing id',
      '\tat Main$Buggy.text(Main.java:118)',
      '\tat jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)',
      '\tat a.B.c(B.java)',
      '\tat a.B.d(Unknown Source)',
      'Caused by: java.lang.IllegalArgumentException: no field id in 15 bytes',
      '\t... 24 more',
    ].join('\n'));
  });

  it('keeps as many lines of log4j2\'s trace of frames as of any trace, however deep its causes', () => {
    let thrown: Record<string, unknown> = { name: 'java.lang.Error', message: 'deepest' };
    for (let i = 0; i < 1000; i++) thrown = { name: 'java.lang.RuntimeException', message: `level ${i}`, extendedStackTrace: [{ class: 'a.B', method: 'c', file: 'B.java', line: i }], cause: thrown };
    const { events } = parseLines(javaParser, 'app.log', [JSON.stringify({ thread: EXEC, level: 'ERROR', loggerName: 'chat', message: 'session 3: failed', thrown })]);
    const lines = (events[0] as ExceptionEvent).stack!.split('\n');
    expect(lines).toHaveLength(200);
    expect(lines.slice(0, 3)).toEqual(['java.lang.RuntimeException: level 999', '\tat a.B.c(B.java:999)', 'Caused by: java.lang.RuntimeException: level 998']);
  });

  it('gives a line that names no session its thread\'s last one only for what it says of a connection, not for other lines nor an open', () => {
    const { events } = parseLines(javaParser, 'app.log', [
      logstash('2026-11-28T17:00:00.000Z', EXEC, 'INFO', 'session 4 /buggy: received text message (15 bytes)'),
      logstash('2026-11-28T17:00:00.100Z', EXEC, 'WARN', 'GET /upload 413: payload too large'),
      logstash('2026-11-28T17:00:00.200Z', EXEC, 'INFO', 'websocket opened'),
      logstash('2026-11-28T17:00:00.300Z', EXEC, 'INFO', 'closed: CloseReason: code [1009], reason [too big]'),
      `26-Nov-2026 17:40:05.970 WARNING [${EXEC}] com.example.Http.log GET /upload 413: payload too large`,
    ]);
    expect(events.map((e) => [e.kind, e.conn, e.at])).toEqual([['frame', '4', 'app.log:1'], ['close', '4', 'app.log:4']]);
  });

  it('takes the connection from the record\'s own field (an MDC\'s session id) before its thread\'s, and reads its other fields', () => {
    const { events } = parseLines(javaParser, 'app.log', [
      logstash('2026-11-28T17:00:00.000Z', 'exec-1', 'INFO', 'session 9 /chat: websocket opened'),
      logstash('2026-11-28T17:00:01.000Z', 'exec-1', 'WARN', 'connection closed', { sessionId: 'a1', path: '/room', closeCode: 1008, reason: 'policy' }),
    ]);
    expect(events[1]).toEqual({ kind: 'close', code: 1008, reason: 'policy', initiator: 'unknown', conn: 'a1', route: '/room', time: Date.parse('2026-11-28T17:00:01.000Z'), at: 'app.log:2', process: undefined });
  });

  it('keeps as many lines of a trace as of a trace read line by line, and reads a trace that names no throwable as none', () => {
    const frames = Array.from({ length: 300 }, (_, i) => `\tat a.B.c${i}(B.java:${i + 1})`);
    const { events } = parseLines(javaParser, 'app.log', [
      logstash('2026-11-28T17:00:00.000Z', 'exec-1', 'ERROR', 'session 2: handler failed', { stack_trace: ['java.lang.StackOverflowError', ...frames].join('\n') }),
      logstash('2026-11-28T17:00:01.000Z', 'exec-1', 'ERROR', 'session 2: handler failed', { stack_trace: 'no trace here\n\tat nothing' }),
    ]);
    expect(events.map((e) => e.kind)).toEqual(['exception', 'note']);
    expect((events[0] as ExceptionEvent).stack!.split('\n')).toEqual(['java.lang.StackOverflowError', ...frames.slice(0, 199)]);
    expect(events[1]).toMatchObject({ conn: '2', text: 'session 2: handler failed', level: 'error' });
  });

  it('has the prefilter find every record that yields an event, or names the session its thread serves, in each layout; and no other', () => {
    const filter = new BlockFilter(javaParser.prefilter!());
    const noise = logstash('2026-11-28T17:00:00.000Z', EXEC, 'INFO', 'GET /api/items 200 12ms');
    const hits = (line: string) => {
      const before = `${noise}\n`.repeat(20);
      const f = filter.scan(Buffer.from(`${before}${line}\n${noise}\n`), 0, Buffer.byteLength(`${before}${line}\n${noise}\n`));
      return Array.from(f.at.subarray(0, f.hits)).some((h) => h >= before.length && h < before.length + Buffer.byteLength(line));
    };
    const records: Rec[] = [
      ...TOMCAT_ERROR,
      { time: '2026-11-28T17:00:00.000Z', thread: EXEC, level: 'INFO', message: 'session 4 /buggy: websocket opened' },
      { time: '2026-11-28T17:00:00.000Z', thread: EXEC, level: 'INFO', message: `New ${SESSION}` },
      { time: '2026-11-28T17:00:00.000Z', thread: EXEC, level: 'INFO', message: 'Handling PingMessage payload=[java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]], byteCount=0, last=true]' },
      { time: '2026-11-28T17:00:00.000Z', thread: EXEC, level: 'INFO', message: 'ended {1011=SERVER_ERROR,bad payload}' },
      { time: '2026-11-28T17:00:00.000Z', thread: EXEC, level: 'ERROR', message: 'handler failed', trace: 'java.lang.OutOfMemoryError: Java heap space' },
      { time: '2026-11-28T17:00:00.000Z', thread: EXEC, level: 'INFO', message: 'bye', more: { connId: 'c1' } },
    ];
    for (const [name, layout] of LAYOUTS) {
      for (const r of records) {
        const line = JSON.stringify(layout(r));
        expect(parseLines(javaParser, 'app.log', [logstash('2026-11-28T17:00:00.000Z', EXEC, 'INFO', 'session 9: opened'), line]).events.length, `${name}: ${line}`).toBeGreaterThan(1);
        expect(hits(line), `${name}: ${line}`).toBe(true);
      }
      expect(hits(JSON.stringify(layout({ ...TOMCAT_ERROR[0], message: 'GET /api/items 200 12ms' }))), name).toBe(false);
    }
    expect(javaParser.lineStart!([noise, noise])).toBe('{');
    expect(javaParser.lineStart!([`${BOOT} New ${SESSION}`, noise])).toBe('{');
    expect(javaParser.lineStart!([`${BOOT} New ${SESSION}`, `${BOOT} ${SESSION} closed with CloseStatus[code=1000, reason=null]`, noise])).toBeUndefined();
  });

  it('reads no JSON line but the layouts\' records: a payload a text log dumped on a line of its own is no event', () => {
    const { events, skipped } = parseLines(javaParser, 'app.log', [
      `${BOOT} ${SESSION} closed with CloseStatus[code=1000, reason=null]`,
      '{"code": 1011, "type": "binary", "connId": "c1", "msg": "closed"}',
      `  ${logstash('2026-11-28T17:00:00.000Z', EXEC, 'INFO', 'session 2 /text: closed: CloseReason: code [1001], reason [bye]')}`,
    ]);
    expect(events.map((e) => [e.kind, e.conn, (e as { code?: number }).code])).toEqual([['close', '1f', 1000], ['close', '2', 1001]]);
    expect(skipped).toEqual({ 'not-java-log': 1 });
  });

  it('is picked for LogstashEncoder\'s lines, and not for JSON lines without a Java logger\'s thread', () => {
    const lines = [logstash('2026-11-28T17:00:00.000Z', EXEC, 'INFO', 'session 1 /text: websocket opened'), logstash('2026-11-28T17:00:00.001Z', EXEC, 'INFO', 'session 1 /text: closed: CloseReason: code [1000], reason [done]')];
    expect(detectParser(lines)?.name).toBe('java');
    expect(detectParser(lines.map((l) => l.replace('"thread_name"', '"thread_id"')))?.name).toBe('json');
    expect(detectParser(['{"level":30,"time":1,"pid":1,"hostname":"h","name":"chat","msg":"ws connection opened","connId":"c1"}'])?.name).toBe('json');
  });
});

describe('Jetty texts and other line shapes', () => {
  it('reads Jetty\'s close status', () => {
    const { events } = parseLines(javaParser, 'app.log', ['17:54:16.123 [qtp1-21] DEBUG o.e.j.websocket.core.WebSocketCoreSession - session 2a: closing {1011=SERVER_ERROR,bad payload}']);
    expect(events[0]).toMatchObject({ kind: 'close', code: 1011, reason: 'bad payload', conn: '2a', time: undefined });
  });

  it('counts lines that are not Java log lines, and goes on', () => {
    const { events, skipped } = parseLines(javaParser, 'app.log', ['garbage', `${BOOT} ${SESSION} closed with CloseStatus[code=1000, reason=null]`]);
    expect(skipped).toEqual({ 'not-java-log': 1 });
    expect(events).toHaveLength(1);
  });

  it('is picked for Java logs and not for Go or JSON lines', () => {
    expect(detectParser([`${BOOT} New ${SESSION}`, `${BOOT} ${SESSION} closed with CloseStatus[code=1000, reason=null]`])?.name).toBe('java');
    expect(javaParser.detect(['2026/11/24 17:48:34 127.0.0.1:1 /x: websocket connected'])).toBe(0);
    expect(javaParser.detect(['{"level":30,"msg":"ws connection opened"}'])).toBe(0);
  });
});

// Main.java is compiled against all of them, whichever format it writes.
const JARS = ['tomcat10-embed-core', 'tomcat10-embed-websocket', 'jakarta-annotation-api', 'slf4j-api', 'jul-to-slf4j', 'logback-classic', 'logstash-logback-encoder', 'jackson-databind', 'log4j-core', 'log4j-jul']
  .map((j) => `/usr/share/java/${j}.jar`);
const haveTomcat = spawnSync('javac', ['-version']).status === 0 && JARS.every((j) => existsSync(j));

describe('live: a real Tomcat 10.1 with Jakarta WebSocket endpoints', () => {
  // generate.sh's formats, and the files each writes.
  for (const [format, name] of [['oneline', 'server'], ['logstash', 'logstash'], ['log4j2', 'log4j2']]) {
    it.skipIf(!haveTomcat)(`regenerates the ${format} sample and reaches the verdict of every session`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'wsclose-tomcat-'));
      execFileSync('sh', ['samples/java-tomcat/generate.sh', dir, format], { stdio: 'ignore', timeout: 60_000 });
      const report = await expectSampleVerdicts(join(dir, `${name}.log`), join(dir, `${name}.expected.json`), 'java');
      expect(report.input.files[0].skipped).toEqual({});
    });
  }
  if (!haveTomcat) {
    it.skip('needs a JDK, libtomcat10-embed-java, libjakarta-annotation-api-java, libslf4j-java, liblogback-java, liblogstash-logback-encoder-java and liblog4j2-java (apt-get install them; .ci/run does)', () => {});
  }
});
