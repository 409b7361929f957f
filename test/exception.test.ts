/**
 * An exception's first application frame and signature, from stacks as Node, Go and Python
 * print them; the frame's numbers dropped as the patterns they replaced would; and which
 * exceptions are a parser rejecting its input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dropNumber, exceptionInfo, isParseError, topFrame } from '../src/exception.js';
import type { ExceptionEvent } from '../src/model.js';

const NODE = `TypeError: Cannot read properties of undefined (reading 'roomId')
    at onChatMessage (file:///srv/chat/src/handlers/onChatMessage.js:47:27)
    at WebSocket.emit (node:events:519:28)`;
const NODE_LIBRARY_FIRST = `Error: boom
    at Receiver.emit (node:events:519:28)
    at /srv/chat/node_modules/ws/lib/receiver.js:10:3
    at handle (/srv/app/handler.js:10:5)
`;
const GO = `goroutine 7 [running]:
runtime/debug.Stack()
\t/usr/local/go/src/runtime/debug/stack.go:24 +0x5e
main.(*hub).handle(0xc000010000, {0xc00001a0f0, 0x5})
\t/srv/app/hub.go:42 +0x1d
created by main.serve in goroutine 1
\t/srv/app/main.go:12 +0x45`;
const PYTHON = `Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/websockets/server.py", line 240, in handler
    await self.ws_handler(self)
  File "/srv/app/server.py", line 18, in echo
    data = json.loads(message)
  File "/usr/lib/python3.11/json/__init__.py", line 346, in loads
    return _default_decoder.decode(s)
json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)`;

describe('topFrame', () => {
  it('finds the first application frame, its column dropped', () => {
    expect(topFrame(NODE)).toBe('onChatMessage (file:///srv/chat/src/handlers/onChatMessage.js:47)');
    expect(topFrame(NODE_LIBRARY_FIRST)).toBe('handle (/srv/app/handler.js:10)');
    expect(topFrame(GO)).toBe('main.(*hub).handle (/srv/app/hub.go:42)');
    expect(topFrame(PYTHON)).toBe('echo (/srv/app/server.py:18)');
    expect(topFrame('Error: x\n    at node:events:519:28\n    at node:internal/x:1:2')).toBe('node:events:519');
    expect([topFrame(''), topFrame(undefined), topFrame('Error: no frames\n')]).toEqual([null, null, null]);
  });

  it('drops a frame\'s numbers as the patterns it replaced', () => {
    const column = /(:\d+):\d+(\)?)$/;
    const line = /:\d+(\)?)$/;
    const text = fc.array(fc.constantFrom(':', '1', '42', ')', '(', 'a', '.js', '١'), { maxLength: 10 }).map((xs) => xs.join(''));
    fc.assert(fc.property(text, (t) => {
      expect(dropNumber(t, true)).toBe(t.replace(column, '$1$2'));
      expect(dropNumber(t, false)).toBe(t.replace(line, '$1'));
    }), { numRuns: 20_000 });
  });

  it('signs an exception by type, normalized message and frame without its line', () => {
    const e: ExceptionEvent = { kind: 'exception', time: 1, conn: 'c1', at: 'a.log:3', type: 'TypeError', message: "Cannot read properties of undefined (reading 'roomId') in room 42", stack: NODE, fatal: false };
    const info = exceptionInfo(e);
    expect(info).toEqual({
      type: 'TypeError', message: "Cannot read properties of undefined (reading 'roomId') in room 42", at: 'a.log:3',
      topFrame: 'onChatMessage (file:///srv/chat/src/handlers/onChatMessage.js:47)',
      signature: "TypeError: Cannot read properties of undefined (reading 'roomId') in room N @ onChatMessage (file:///srv/chat/src/handlers/onChatMessage.js)",
    });
    expect(exceptionInfo({ ...e, at: 'a.log:9', stack: undefined }).signature).toBe("TypeError: Cannot read properties of undefined (reading 'roomId') in room N");
  });
});

describe('isParseError', () => {
  const exception = (type: string, message: string, stack?: string): ExceptionEvent => ({ kind: 'exception', at: 'a:1', time: undefined, conn: undefined, type, message, stack, fatal: false });
  /** The end of the traceback of Starlette 0.26's receive_text() given a binary frame (samples/asgi). */
  const starlette = (file: string) => `Traceback (most recent call last):
  File "/srv/app.py", line 19, in text
    await ws.send_text("echo:" + await ws.receive_text())
                                 ^^^^^^^^^^^^^^^^^^^^^^^
  File "${file}", line 114, in receive_text
    return message["text"]
           ~~~~~~~^^^^^^^^
KeyError: 'text'`;

  it('takes decoders\' and JSON parsers\' errors, and Starlette\'s receive_text() finding no text in the message', () => {
    expect(isParseError(exception('json.decoder.JSONDecodeError', 'Expecting value: line 1 column 1 (char 0)', PYTHON))).toBe(true);
    expect(isParseError(exception('SyntaxError', 'Unexpected token \u0000 in JSON at position 0'))).toBe(true);
    expect(isParseError(exception('KeyError', "'text'", starlette('/usr/lib/python3/dist-packages/starlette/websockets.py')))).toBe(true);
  });

  it('leaves other errors alone: a KeyError of the app\'s own, a TypeError', () => {
    expect(isParseError(exception('KeyError', "'text'", starlette('/srv/app/ws.py')))).toBe(false);
    expect(isParseError(exception('KeyError', "'op'", starlette('/usr/lib/python3/dist-packages/starlette/websockets.py').replace("KeyError: 'text'", "KeyError: 'op'")))).toBe(false);
    expect(isParseError(exception('TypeError', "Cannot read properties of undefined (reading 'roomId')", NODE))).toBe(false);
  });
});
