/** Pieces every one-object-per-line JSON format shares: how many lines look like it, and reading one. */

/** The share of non-blank lines (trimmed) that pass `test`, from 0 to 1. */
export function shareOf(lines: string[], test: (trimmed: string) => boolean): number {
  let hits = 0;
  let total = 0;
  for (const line of lines) {
    const t = line.trim();
    if (t === '') continue;
    total++;
    if (test(t)) hits++;
  }
  return total === 0 ? 0 : hits / total;
}

/** The JSON object that `text` holds from `start`, or the reason (a skip reason) it holds none. */
export function jsonObject(text: string, start = 0): Record<string, unknown> | 'not-json' | 'not-object' {
  let rec: unknown;
  try {
    rec = JSON.parse(start === 0 ? text : text.slice(start));
  } catch {
    return 'not-json';
  }
  return rec === null || typeof rec !== 'object' || Array.isArray(rec) ? 'not-object' : rec as Record<string, unknown>;
}
