/** Reading one object of a one-object-per-line JSON format. */

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
