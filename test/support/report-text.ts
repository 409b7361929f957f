/** Reading numbers back out of the human reports, to compare them with the JSON summary. */
import type { RootCause } from '../../src/model.js';

/** `-27ms`, `-7.0s`, `-1m10s`, `-2h05m`, `0` as milliseconds. */
export function parseBefore(text: string): number {
  if (text === '0') return 0;
  const m = /^([+-]?)(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/.exec(text);
  if (!m) throw new Error(`not a time before the close: "${text}"`);
  const [, sign, h, min, s, ms] = m;
  const v = Number(h ?? 0) * 3_600_000 + Number(min ?? 0) * 60_000 + Number(s ?? 0) * 1000 + Number(ms ?? 0);
  return sign === '-' ? -v : v;
}

/** `1003 ×4, 1011 ×2` (names allowed between code and count) as {1003: 4, 1011: 2}. */
export function parseCodes(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(', ')) {
    const m = /^(\d+|none)\b.*×(\d+)$/.exec(part.trim());
    if (!m) throw new Error(`not a code count: "${part}"`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

export function shareOf(n: number, of: number): string {
  return `${Math.round((n / of) * 100)}%`;
}

export function causeCounts(byRootCause: Partial<Record<RootCause, number>>): [RootCause, number][] {
  return Object.entries(byRootCause) as [RootCause, number][];
}
