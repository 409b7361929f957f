/**
 * The .NET parser. dotnet is not installable on this machine, so no real ASP.NET Core sample
 * exists: every text below is taken from the sources and laid out the way they lay it out —
 * dotnet/runtime SimpleConsoleFormatter.cs (commit 04da5a1: "fail: Category[eventId]", six-space
 * padding), Exception.cs (20dcbe5: " ---> ", "   --- End of inner exception stack trace ---"),
 * WebSocketCloseStatus.cs (02f0b04), System.Net.WebSockets Strings.resx (0046881), System.Text.Json's
 * "'{0}' is an invalid start of a value." with the JsonException path suffix, and aspnetcore
 * Kestrel's ApplicationError (event 13).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dotnetParser } from '../../parsers/dotnet.js';
import { detectParser } from '../../parsers/index.js';
import type { ExceptionEvent } from '../../src/model.js';
import type { Report } from '../../src/report.js';
import { runCli } from '../support/cli.js';
import { expectVerdict } from '../support/expect-verdict.js';
import { parseLines } from '../support/parse.js';

const ID = '0HN7A2B3C4D5E';

describe('WebSocketCloseStatus names', () => {
  it.each([
    ['NormalClosure', 1000], ['EndpointUnavailable', 1001], ['ProtocolError', 1002], ['InvalidMessageType', 1003],
    ['WebSocketCloseStatus.Empty', 1005], ['InvalidPayloadData', 1007], ['PolicyViolation', 1008], ['MessageTooBig', 1009],
    ['MandatoryExtension', 1010], ['InternalServerError', 1011],
  ])('reads %s as %i', (name, code) => {
    const { events } = parseLines(dotnetParser, 'app.log', ['info: Chat.Sockets[3]', `      WebSocket ${ID} closed with ${name}`]);
    expect(events).toEqual([expect.objectContaining({ kind: 'close', code, conn: ID, at: 'app.log:1' })]);
  });

  it('takes the quoted description as the reason, and reads a plain "Empty" as a word', () => {
    const { events } = parseLines(dotnetParser, 'app.log', [
      'info: Chat.Sockets[3]', `      WebSocket ${ID} closing with InvalidMessageType "text frames only"`,
      'info: Chat.Sockets[4]', '      Empty queue closed for socket 12',
    ]);
    expect(events[0]).toMatchObject({ kind: 'close', code: 1003, reason: 'text frames only' });
    expect(events[1]).toMatchObject({ kind: 'close', code: null, conn: '12' });
  });
});

describe('entries and exceptions', () => {
  const kestrel = [
    '2026-11-24 17:48:34 fail: Microsoft.AspNetCore.Server.Kestrel[13]',
    `      Connection id "${ID}", Request id "${ID}:00000001": An unhandled exception was thrown by the application.`,
    '      System.InvalidOperationException: Chat message has no user',
    '       ---> System.Collections.Generic.KeyNotFoundException: The given key \'user\' was not present in the dictionary.',
    '         at System.Collections.Generic.Dictionary`2.get_Item(TKey key)',
    '         at Chat.Rooms.Join(Message msg) in /src/Chat/Rooms.cs:line 18',
    '         --- End of inner exception stack trace ---',
    '         at Chat.SocketHandler.HandleAsync(WebSocket socket) in /src/Chat/SocketHandler.cs:line 44',
    '         at Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.HttpProtocol.ProcessRequests[TContext](IHttpApplication`1 application)',
  ];

  it('joins Kestrel\'s unhandled-exception entry into one exception with its inner one, and drops the connection', () => {
    const { events } = parseLines(dotnetParser, 'app.log', kestrel);
    expect(events.map((e) => e.kind)).toEqual(['exception', 'close']);
    const e = events[0] as ExceptionEvent;
    expect(e).toMatchObject({ type: 'System.InvalidOperationException', message: 'Chat message has no user', conn: ID, at: 'app.log:1', fatal: false, time: Date.parse('2026-11-24T17:48:34') });
    expect(e.stack!.split('\n')).toHaveLength(7);
    expect(e.stack).toContain('--- End of inner exception stack trace ---');
    expect(events[1]).toMatchObject({ code: 1006, clean: false, initiator: 'server', conn: ID });
  });

  it('reads scopes for the connection id and the route', () => {
    const { events } = parseLines(dotnetParser, 'app.log', [
      'info: Chat.Sockets[1]',
      `      => SpanId:1a2b, TraceId:3c4d, ParentId:0000 => ConnectionId:${ID} => RequestPath:/ws RequestId:${ID}:00000001`,
      '      websocket connection opened',
    ]);
    expect(events).toEqual([expect.objectContaining({ kind: 'open', conn: ID, route: '/ws' })]);
  });

  it('reads a peer that vanished as a consequence, not a cause', () => {
    const { events } = parseLines(dotnetParser, 'app.log', [
      'warn: Chat.Sockets[9]',
      `      WebSocket ${ID} receive failed`,
      '      System.Net.WebSockets.WebSocketException (0x80004005): The remote party closed the WebSocket connection without completing the close handshake.',
      '         at System.Net.WebSockets.ManagedWebSocket.ThrowEOFUnexpected()',
    ]);
    expect(events[0]).toMatchObject({ kind: 'exception', connectionClosed: true, handled: true });
    expect(events[1]).toMatchObject({ kind: 'close', code: 1006, clean: false });
  });

  it('reads a frame error as the 1002 ManagedWebSocket sent', () => {
    const { events } = parseLines(dotnetParser, 'app.log', [
      'fail: Chat.Sockets[9]',
      `      WebSocket ${ID} receive failed`,
      '      System.Net.WebSockets.WebSocketException (0x80004005): The WebSocket received a frame with an unknown opcode: \'0x3\'.',
    ]);
    expect(events[0]).toMatchObject({ kind: 'exception', wireCode: 1002 });
    expect(events[1]).toMatchObject({ kind: 'close', code: 1002, initiator: 'server' });
  });

  it('reads SingleLine entries', () => {
    const { events } = parseLines(dotnetParser, 'app.log', [`fail: Chat.Sockets[5] WebSocket ${ID} handler failed System.Text.Json.JsonException: '0x00' is an invalid start of a value. Path: $ | LineNumber: 0 | BytePositionInLine: 0.`]);
    expect(events[0]).toMatchObject({ kind: 'exception', type: 'System.Text.Json.JsonException', conn: ID });
  });

  it('reads the runtime\'s crash output as the fatal end of the process', () => {
    const { events } = parseLines(dotnetParser, 'app.log', [
      'info: Chat.Sockets[1]', `      WebSocket ${ID} opened`,
      'Unhandled exception. System.NullReferenceException: Object reference not set to an instance of an object.',
      '   at Chat.Worker.Run() in /src/Chat/Worker.cs:line 12',
    ]);
    expect(events.map((e) => e.kind)).toEqual(['open', 'exception']);
    expect(events[1]).toMatchObject({ type: 'System.NullReferenceException', fatal: true, conn: undefined, at: 'app.log:3' });
    expect((events[1] as ExceptionEvent).stack).toContain('Worker.cs:line 12');
  });

  it('counts lines that are not entries, and goes on', () => {
    const { events, skipped } = parseLines(dotnetParser, 'app.log', ['garbage', 'info: Chat.Sockets[3]', `      WebSocket ${ID} closed with NormalClosure`]);
    expect(skipped).toEqual({ 'not-dotnet-log': 1 });
    expect(events).toHaveLength(1);
  });

  it('is picked for console logger output', () => {
    expect(detectParser(kestrel)?.name).toBe('dotnet');
    expect(dotnetParser.detect(['{"level":30,"msg":"x"}'])).toBe(0);
  });
});

describe('verdicts on an ASP.NET Core log laid out from the sources', () => {
  // Four connections an app would log with ILogger: a normal close, binary to a text endpoint
  // answered InvalidMessageType, binary into JsonSerializer answered InternalServerError, and an
  // exception Kestrel reports as unhandled.
  const c = (n: number) => `0HN7A2B3C4D5${'EFGH'[n]}`;
  const entry = (level: string, id: number, text: string) => [`2026-11-24 17:48:3${id % 10} ${level}: Chat.Sockets[${id}]`, `      ${text}`];
  const log = [
    ...entry('info', 1, `WebSocket ${c(0)} opened /ws`),
    ...entry('info', 2, `WebSocket ${c(0)} received Text message (12 bytes)`),
    ...entry('info', 1, `WebSocket ${c(1)} opened /ws`),
    ...entry('info', 2, `WebSocket ${c(1)} received Binary message (4 bytes)`),
    ...entry('info', 3, `WebSocket ${c(1)} closing with InvalidMessageType "text frames only"`),
    ...entry('info', 3, `WebSocket ${c(0)} closed with NormalClosure`),
    ...entry('info', 1, `WebSocket ${c(2)} opened /ws`),
    ...entry('info', 2, `WebSocket ${c(2)} received Binary message (4 bytes)`),
    ...entry('fail', 5, `WebSocket ${c(2)} message handler failed`),
    '      System.Text.Json.JsonException: \'0x00\' is an invalid start of a value. Path: $ | LineNumber: 0 | BytePositionInLine: 0.',
    '       ---> System.Text.Json.JsonReaderException: \'0x00\' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0.',
    '         at System.Text.Json.ThrowHelper.ThrowJsonReaderException(Utf8JsonReader& json, ExceptionResource resource, Byte nextByte, ReadOnlySpan`1 bytes)',
    '         --- End of inner exception stack trace ---',
    '         at Chat.SocketHandler.HandleAsync(WebSocket socket) in /src/Chat/SocketHandler.cs:line 31',
    ...entry('info', 3, `WebSocket ${c(2)} closing with InternalServerError "internal error"`),
    ...entry('info', 1, `WebSocket ${c(3)} opened /ws`),
    ...entry('info', 2, `WebSocket ${c(3)} received Text message (9 bytes)`),
    '2026-11-24 17:48:39 fail: Microsoft.AspNetCore.Server.Kestrel[13]',
    `      Connection id "${c(3)}", Request id "${c(3)}:00000001": An unhandled exception was thrown by the application.`,
    '      System.InvalidOperationException: Chat message has no user',
    '         at Chat.Rooms.Join(Message msg) in /src/Chat/Rooms.cs:line 18',
  ];

  it('reaches the verdict each connection calls for', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-dotnet-'));
    writeFileSync(join(dir, 'app.log'), log.join('\n') + '\n');
    const res = await runCli(['analyze', join(dir, 'app.log'), '-o', 'json']);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as Report;
    expect(report.input.files[0]).toMatchObject({ parser: 'dotnet', skipped: {} });
    expect(report.summary.closes).toBe(4);
    const by = new Map(report.incidents.map((v) => [v.connection, v]));
    expect(by.has(c(0))).toBe(false);
    expectVerdict(by.get(c(1)), { connection: c(1), scenario: 'binary to a text endpoint', route: '/ws', rootCause: 'data-type-mismatch', closeCode: 1003, codeAgreement: 'agrees', incident: true });
    expectVerdict(by.get(c(2)), { connection: c(2), scenario: 'binary into JsonSerializer', route: '/ws', rootCause: 'data-type-mismatch', closeCode: 1011, codeAgreement: 'disagrees', incident: true, exceptionType: 'System.Text.Json.JsonException', topFrame: 'Chat\\.SocketHandler\\.HandleAsync' });
    expectVerdict(by.get(c(3)), { connection: c(3), scenario: 'unhandled in the endpoint', route: '/ws', rootCause: 'unhandled-error', closeCode: 1006, codeAgreement: 'disagrees', incident: true, exceptionType: 'System.InvalidOperationException', topFrame: 'Chat\\.Rooms\\.Join' });
  });
});
