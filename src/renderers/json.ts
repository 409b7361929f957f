/** The whole report as one JSON document (schemaVersion, input, summary, incidents). */
import type { Report } from '../report.js';

export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/**
 * The same text as UTF-8 in parts of about `size` bytes, split between incidents: a report lists
 * up to 5,000 of them by default, and its text whole (tens of MB, and more while JSON.stringify builds it)
 * was most of the CLI's peak memory. Parts are bytes, cut from each call's own encoding: a part
 * cut as text (a slice joined to its separator) was copied whole again when written. Parts stay
 * well under 64 KB: a reason or an evidence text beyond Latin-1 (an ellipsis) makes JSON.stringify's
 * text two-byte, and at 64 KB of bytes its flat copy (made to encode it) passes V8's 128 KB
 * large-object bound, each in fresh memory: 75 ms against 27 for the 8 MB report of the bench's
 * all-WebSocket log.
 */
export function* jsonParts(report: Report, size = 32 * 1024): Generator<Buffer> {
  const { incidents, ...rest } = report;
  if (!incidents.length || Object.keys(report).at(-1) !== 'incidents') {
    yield Buffer.from(renderJson(report));
    return;
  }
  // The report's text without its last line ("}"), then the list. The incidents are written a
  // few at a time as the list of a one-key object, which JSON.stringify indents as the report's
  // own (depth 2), less that object's first two lines and last two: one call per part rather
  // than one per incident, and no re-indenting (string values hold no raw line breaks).
  yield Buffer.from(`${JSON.stringify(rest, null, 2).slice(0, -2)},\n  "incidents": [\n`);
  let batch = 16;
  for (let i = 0, end = 0; i < incidents.length; i = end) {
    end = Math.min(incidents.length, i + batch);
    const bytes = Buffer.from(JSON.stringify({ incidents: incidents.slice(i, end) }, null, 2));
    // HEAD and TAIL are ASCII, so they are the bytes' first and last. TAIL's line break ends the
    // part; before another part, a comma goes there and the line break after it.
    let stop = bytes.length - TAIL.length + 1;
    if (end < incidents.length) {
      bytes[stop - 1] = COMMA;
      bytes[stop++] = NL;
    }
    yield bytes.subarray(HEAD.length, stop);
    batch = Math.max(1, Math.round(batch * size / bytes.length)); // incidents vary in length: aim at `size`
  }
  yield Buffer.from('  ]\n}\n');
}

const HEAD = '{\n  "incidents": [\n';
const TAIL = '\n  ]\n}';
const COMMA = 44;
const NL = 10;
