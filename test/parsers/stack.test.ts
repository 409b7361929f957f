/** The shared multi-line record joiner: what it takes, when a record ends, and the order of events. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isAtFrame, throwableLine, TraceJoiner, type TraceShape, writtenException } from '../../parsers/stack.js';
import { PYTHON } from '../support/python.js';
import type { WsEvent } from '../../src/model.js';

const note = (text: string): WsEvent => ({ kind: 'note', text, time: undefined, conn: 'c1', at: `f:${text}` });
const FRAMES: TraceShape = { continues: (line) => isAtFrame(line) };

function joiner(opts = {}) {
  const out: WsEvent[] = [];
  const j = new TraceJoiner((e) => out.push(e), opts);
  const record = (first: string) => j.start(first, FRAMES, (lines) => [note(lines.join('|'))]);
  return { j, out, record };
}

describe('TraceJoiner', () => {
  it('builds one record from its first line and the lines that continue it', () => {
    const { j, out, record } = joiner();
    record('Error: x');
    expect(j.take('    at a (a.js:1:1)')).toBe(true);
    expect(j.take('    at b (b.js:2:2)')).toBe(true);
    j.flush();
    expect(out).toEqual([note('Error: x|    at a (a.js:1:1)|    at b (b.js:2:2)')]);
  });

  it('lets other lines interleave and emits their events after the record, in line order', () => {
    const { j, out, record } = joiner();
    record('Error: x');
    j.take('    at a (a.js:1:1)');
    expect(j.take('other line')).toBe(false);
    j.event(note('other'));
    expect(j.take('    at b (b.js:2:2)')).toBe(true);
    expect(out).toEqual([]);
    j.flush();
    expect(out.map((e) => (e as { text: string }).text)).toEqual(['Error: x|    at a (a.js:1:1)|    at b (b.js:2:2)', 'other']);
  });

  it('ends a record after maxGap lines that do not continue it, or when the next one starts', () => {
    const { j, out, record } = joiner({ maxGap: 2 });
    record('E1');
    j.take('x');
    j.take('y');
    expect(out).toEqual([]);
    j.take('z');
    expect(out).toHaveLength(1);
    expect(j.take('    at late (l.js:1:1)')).toBe(false); // nothing is open any more
    record('E2');
    record('E3');
    expect(out.map((e) => (e as { text: string }).text)).toEqual(['E1', 'E2']);
  });

  it('keeps at most maxLines lines of a record but takes them all', () => {
    const { j, out, record } = joiner({ maxLines: 3 });
    record('E');
    for (let i = 0; i < 10; i++) expect(j.take(`  at f${i} (f.js:1:1)`)).toBe(true);
    j.flush();
    expect((out[0] as { text: string }).text.split('|')).toHaveLength(3);
  });

  it('passes events straight through when no record is open', () => {
    const { j, out } = joiner();
    j.event(note('a'));
    expect(out).toHaveLength(1);
  });
});

describe('throwableLine and isAtFrame', () => {
  it.each([
    ['java.lang.IllegalStateException: bad payload: missing id', 'java.lang.IllegalStateException', 'bad payload: missing id'],
    ['\tjava.nio.charset.MalformedInputException: Input length = 1', 'java.nio.charset.MalformedInputException', 'Input length = 1'],
    ['Main$Inner.BoomException', 'Main$Inner.BoomException', ''],
    ['IllegalStateException: x', 'IllegalStateException', 'x'],
  ])('reads %s', (line, type, message) => {
    expect(throwableLine(line)).toEqual({ type, message });
  });

  it.each(['session 4 /buggy: closed', 'hello world', '2026-11-24 17:54:16 ERROR x'])('does not take "%s" for a throwable', (line) => {
    expect(throwableLine(line)).toBeUndefined();
  });

  it('knows frames by their indentation and "at "', () => {
    expect(isAtFrame('\tat Main.x(Main.java:1)')).toBe(true);
    expect(isAtFrame('   at Chat.Rooms.Join() in /src/Rooms.cs:line 18')).toBe(true);
    expect(isAtFrame('at the start')).toBe(false);
    expect(isAtFrame('    attach')).toBe(false);
  });

  it('reads a long line without backtracking', () => {
    const t = Date.now();
    expect(throwableLine(`${'a.'.repeat(5000)}b c`)).toBeUndefined();
    expect(throwableLine(`${'a$'.repeat(5000)}!`)).toBeUndefined();
    expect(Date.now() - t).toBeLessThan(100);
  });
});

/** The stack a real throw leaves. */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return (err as Error).stack!;
  }
  throw new Error('did not throw');
}

describe('writtenException', () => {
  it('reads a Node stack after the log\'s words, with its type, message and code', () => {
    const stack = thrown(() => (undefined as unknown as { id: number }).id);
    expect(writtenException(`ws error: ${stack}`)).toEqual({
      type: 'TypeError', message: "Cannot read properties of undefined (reading 'id')", stack, before: 'ws error: ',
    });
    const coded = thrown(() => Buffer.alloc(-1));
    expect(writtenException(coded)).toMatchObject({ type: 'RangeError', message: expect.stringMatching(/^The value of "size" is out of range/), before: '' });
    expect(writtenException(`failed: ${thrown(() => { throw new Error('boom'); })}`)).toMatchObject({ type: 'Error', message: 'boom', before: 'failed: ' });
  });

  it('reads a Java trace as Tomcat logged it', () => {
    const log = readFileSync('samples/java-tomcat/server.log', 'utf8').split('\n');
    const first = log.findIndex((l) => l.startsWith('\tjava.lang.IllegalStateException: '));
    const lines = log.slice(first, first + 4);
    const text = `handler failed: ${lines.join('\n').trimStart()}`;
    expect(writtenException(text)).toMatchObject({ type: 'java.lang.IllegalStateException', message: 'bad payload: missing id', before: 'handler failed: ' });
  });

  it('reads a Python traceback as traceback.format_exc() wrote it', () => {
    const tb = spawnSync(PYTHON, ['-c', 'import json, traceback\ntry:\n    json.loads("hello")\nexcept Exception:\n    print(traceback.format_exc(), end="")'], { encoding: 'utf8' }).stdout;
    expect(writtenException(`decode failed\n${tb}`)).toEqual({
      type: 'json.decoder.JSONDecodeError', message: 'Expecting value: line 1 column 1 (char 0)', stack: tb.trimEnd(), before: 'decode failed\n',
    });
  });

  it('takes frames under words that name no type for an Error, only when a frame names its file and line', () => {
    class Oops extends Error { override name = 'Oops'; }
    const stack = thrown(() => { throw new Oops('boom'); });
    expect(writtenException(`handler failed: ${stack}`)).toMatchObject({ type: 'Error', message: 'handler failed: Oops: boom', before: 'handler failed: Oops: boom' });
    expect(writtenException('room booked\n  at noon')).toBeUndefined();
    expect(writtenException('one line: TypeError: x')).toBeUndefined();
  });

  it('reads a line of many colons over frames in linear time', () => {
    const t = Date.now();
    expect(writtenException(`${'a.b: '.repeat(20_000)}\n    at x (a.js:1:2)`)).toMatchObject({ type: 'Error' });
    expect(Date.now() - t).toBeLessThan(50);
  });
});
