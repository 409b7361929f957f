/** How `detect` scores line formats: the share of first lines in the format, and its markers. */

/** How many lines are not blank, and how many of those pass `test` (given the trimmed line and the line as read). */
export function countOf(lines: string[], test: (trimmed: string, line: string) => boolean): { hits: number; total: number } {
  let hits = 0;
  let total = 0;
  for (const line of lines) {
    const t = line.trim();
    if (t === '') continue;
    total++;
    if (test(t, line)) hits++;
  }
  return { hits, total };
}

/** The share of non-blank lines that pass `test`, from 0 to 1. */
export function shareOf(lines: string[], test: (trimmed: string, line: string) => boolean): number {
  const { hits, total } = countOf(lines, test);
  return total === 0 ? 0 : hits / total;
}

/**
 * The share of lines in the format, weighted up to `marked` when one of them carries a marker
 * only this format writes, else down to `plain`.
 */
export function lineScore(lines: string[], isMine: (line: string) => boolean, marker: RegExp, plain = 0.6, marked = 0.95): number {
  return shareOf(lines, (_t, line) => isMine(line)) * (lines.some((l) => marker.test(l)) ? marked : plain);
}
