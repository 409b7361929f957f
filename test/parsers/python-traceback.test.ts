/**
 * The Python traceback assembler on tracebacks printed by CPython 3.11 (lines copied from the
 * committed samples, produced by Debian's websockets 10.4 and aiohttp 3.8.4).
 */
import { describe, expect, it } from 'vitest';
import { Traceback } from '../../parsers/python-traceback.js';

/** Feeds the lines after `Traceback (most recent call last):`; returns which were taken. */
function feed(tb: Traceback, lines: string[]): boolean[] {
  return lines.map((l) => tb.add(l, true));
}

const KEY_ERROR = [
  '  File "/usr/lib/python3/dist-packages/websockets/legacy/server.py", line 236, in handler',
  '    await self.ws_handler(self)',
  '  File "/work/wt/python/samples/python-websockets/server.py", line 34, in handler',
  '    user = msg["user"] if msg["op"] == "crash" else "anonymous"',
  '           ~~~^^^^^^^^',
  "KeyError: 'user'",
];

// websockets 10.4, max_size exceeded: PayloadTooBig, then the handler's ConnectionClosedError.
const CHAINED = [
  '  File "/usr/lib/python3/dist-packages/websockets/extensions/permessage_deflate.py", line 133, in decode',
  '    raise exceptions.PayloadTooBig(f"over size limit (? > {max_size} bytes)")',
  'websockets.exceptions.PayloadTooBig: over size limit (? > 1024 bytes)',
  '',
  'The above exception was the direct cause of the following exception:',
  '',
  'Traceback (most recent call last):',
  '  File "/work/wt/python/samples/python-websockets/server.py", line 21, in handler',
  '    async for message in ws:',
  '  File "/usr/lib/python3/dist-packages/websockets/legacy/protocol.py", line 953, in ensure_open',
  '    raise self.connection_closed_exc()',
  'websockets.exceptions.ConnectionClosedError: sent 1009 (message too big); no close frame received',
];

describe('Traceback', () => {
  it('reads frames and the final `Type: message` line', () => {
    const tb = new Traceback();
    expect(feed(tb, KEY_ERROR)).toEqual(KEY_ERROR.map(() => true));
    expect(tb.complete).toBe(true);
    const ex = tb.result();
    expect(ex.type).toBe('KeyError');
    expect(ex.message).toBe("'user'");
    expect(ex.causes).toEqual([]);
    expect(ex.stack.split('\n')).toEqual(['Traceback (most recent call last):', ...KEY_ERROR]);
  });

  it('joins chained exceptions; the last one is the exception, the earlier ones its causes', () => {
    const tb = new Traceback();
    expect(feed(tb, CHAINED).every(Boolean)).toBe(true);
    const ex = tb.result();
    expect(ex.type).toBe('websockets.exceptions.ConnectionClosedError');
    expect(ex.message).toBe('sent 1009 (message too big); no close frame received');
    expect(ex.causes).toEqual(['websockets.exceptions.PayloadTooBig']);
    expect(ex.stack).toContain('The above exception was the direct cause of the following exception:\n\nTraceback (most recent call last):');
  });

  it('takes "During handling of the above exception" chains too', () => {
    const tb = new Traceback();
    feed(tb, ['  File "a.py", line 1, in f', 'ValueError: x', '', 'During handling of the above exception, another exception occurred:', '',
      'Traceback (most recent call last):', '  File "a.py", line 3, in f', 'RuntimeError']);
    const ex = tb.result();
    expect([ex.type, ex.message, ex.causes]).toEqual(['RuntimeError', '', ['ValueError']]);
  });

  it('refuses lines that are not its own once complete', () => {
    const tb = new Traceback();
    feed(tb, KEY_ERROR);
    expect(tb.add('Traceback (most recent call last):', true)).toBe(false); // a new traceback, not a chained part
    expect(tb.add('  File "x.py", line 1, in f', false)).toBe(false);
    expect(tb.add('more text', false)).toBe(false); // not adjacent: not a message continuation
  });

  it('continues a multi-line message only on the lines right after it', () => {
    const tb = new Traceback();
    feed(tb, ['  File "a.py", line 1, in f', 'ValueError: first line']);
    expect(tb.add('second line', true)).toBe(true);
    expect(tb.result().message).toBe('first line\nsecond line');
  });

  it('keeps its state but bounds the stack text it keeps', () => {
    const tb = new Traceback();
    for (let i = 0; i < 5000; i++) tb.add(`  File "/srv/app/deep.py", line ${i}, in recurse ${'x'.repeat(20)}`, true);
    tb.add('RecursionError: maximum recursion depth exceeded', true);
    const ex = tb.result();
    expect(ex.type).toBe('RecursionError');
    expect(ex.stack.length).toBeLessThanOrEqual(64 * 1024);
  });
});
