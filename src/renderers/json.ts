/** The whole report as one JSON document (schemaVersion, input, summary, incidents). */
import type { Report } from '../report.js';

export function renderJson(report: Report): string {
  return [...jsonParts(report)].join('');
}

/**
 * The same text in parts of about `size` characters, split between incidents: a report lists
 * up to 5,000 of them by default, and its text whole (tens of MB, and more while JSON.stringify builds it)
 * was most of the CLI's peak memory.
 */
export function* jsonParts(report: Report, size = 64 * 1024): Generator<string> {
  const { incidents, ...rest } = report;
  if (!incidents.length || Object.keys(report).at(-1) !== 'incidents') {
    yield JSON.stringify(report, null, 2) + '\n';
    return;
  }
  // The report's text without its last line ("}"), then the list. The incidents are written a
  // few at a time as the list of a one-key object, which JSON.stringify indents as the report's
  // own (depth 2), less that object's first two lines and last two: one call per part rather
  // than one per incident, and no re-indenting (string values hold no raw line breaks).
  yield `${JSON.stringify(rest, null, 2).slice(0, -2)},\n  "incidents": [\n`;
  let batch = 16;
  for (let i = 0, end = 0; i < incidents.length; i = end) {
    end = Math.min(incidents.length, i + batch);
    const text = JSON.stringify({ incidents: incidents.slice(i, end) }, null, 2);
    yield `${text.slice(HEAD.length, -TAIL.length)}${end < incidents.length ? ',' : ''}\n`;
    batch = Math.max(1, Math.round(batch * size / text.length)); // incidents vary in length: aim at `size`
  }
  yield '  ]\n}\n';
}

const HEAD = '{\n  "incidents": [\n';
const TAIL = '\n  ]\n}';
