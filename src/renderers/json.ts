/** The whole report as one JSON document (schemaVersion, input, summary, incidents). */
import type { Report } from '../report.js';

export function renderJson(report: Report): string {
  return [...jsonParts(report)].join('');
}

/**
 * The same text in parts of about `size` characters, split between incidents: a report lists
 * up to 10,000 of them, and its text whole (tens of MB, and more while JSON.stringify builds it)
 * was most of the CLI's peak memory.
 */
export function* jsonParts(report: Report, size = 64 * 1024): Generator<string> {
  const { incidents, ...rest } = report;
  if (!incidents.length || Object.keys(report).at(-1) !== 'incidents') {
    yield JSON.stringify(report, null, 2) + '\n';
    return;
  }
  // The report's text without its last line ("}"), then the list, each incident indented as
  // JSON.stringify indents an element at depth 2 (string values hold no raw line breaks).
  let part = `${JSON.stringify(rest, null, 2).slice(0, -2)},\n  "incidents": [\n`;
  for (let i = 0; i < incidents.length; i++) {
    part += `    ${JSON.stringify(incidents[i], null, 2).replaceAll('\n', '\n    ')}${i < incidents.length - 1 ? ',' : ''}\n`;
    if (part.length >= size) {
      yield part;
      part = '';
    }
  }
  yield `${part}  ]\n}\n`;
}
