/**
 * The score a line format gives in `detect`: the share of its non-blank first lines that are in
 * the format, weighted up when one of them carries a marker only this format writes.
 */
export function lineScore(lines: string[], isMine: (line: string) => boolean, marker: RegExp, plain = 0.6, marked = 0.95): number {
  let mine = 0;
  let total = 0;
  let seen = false;
  for (const line of lines) {
    if (line.trim() === '') continue;
    total++;
    if (isMine(line)) mine++;
    if (!seen && marker.test(line)) seen = true;
  }
  return total === 0 ? 0 : (mine / total) * (seen ? marked : plain);
}
