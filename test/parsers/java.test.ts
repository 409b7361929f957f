/**
 * The Java parser on the exact texts of Spring WebSocket (CloseStatus, ExceptionWebSocketHandlerDecorator,
 * AbstractWebSocketMessage.toString), Tomcat 10.1.60 and Jetty 12, in the logback, log4j, Spring Boot,
 * Tomcat OneLineFormatter and java.util.logging line shapes; and live on a real Tomcat when the
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

const JARS = ['tomcat10-embed-core.jar', 'tomcat10-embed-websocket.jar', 'jakarta-annotation-api.jar'].map((j) => `/usr/share/java/${j}`);
const haveTomcat = spawnSync('javac', ['-version']).status === 0 && JARS.every((j) => existsSync(j));

describe('live: a real Tomcat 10.1 with Jakarta WebSocket endpoints', () => {
  it.skipIf(!haveTomcat)('regenerates the sample and reaches the verdict of every session', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-tomcat-'));
    execFileSync('sh', ['samples/java-tomcat/generate.sh', dir], { stdio: 'ignore', timeout: 60_000 });
    const report = await expectSampleVerdicts(join(dir, 'server.log'), join(dir, 'server.expected.json'), 'java');
    expect(report.input.files[0].skipped).toEqual({});
  });
  if (!haveTomcat) it.skip('needs a JDK, libtomcat10-embed-java and libjakarta-annotation-api-java (apt-get install them; .ci/run does)', () => {});
});
