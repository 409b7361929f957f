/** A memo gives what its function gives, holds at most its size, and keeps no long text. */
import { describe, expect, it } from 'vitest';
import { memo } from '../src/memo.js';

describe('memo', () => {
  it('calls the function once per text while the text is held', () => {
    const calls: string[] = [];
    const upper = memo((t: string) => {
      calls.push(t);
      return t === 'none' ? undefined : t.toUpperCase();
    }, 2, 8);
    expect([upper('a'), upper('a'), upper('none'), upper('none')]).toEqual(['A', 'A', undefined, undefined]);
    expect(calls).toEqual(['a', 'none']);
    upper('b'); // full: emptied, then 'b' held
    upper('a');
    expect(calls).toEqual(['a', 'none', 'b', 'a']);
    upper('a'.repeat(9));
    upper('a'.repeat(9)); // longer than 8: never held
    expect(calls.slice(-2)).toEqual(['a'.repeat(9), 'a'.repeat(9)]);
  });
});
