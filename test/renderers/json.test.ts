/**
 * The JSON report written in parts is the report's JSON.stringify text as UTF-8, whatever the
 * part size: the CLI writes the parts one after another.
 */
import { describe, expect, it } from 'vitest';
import { analyzeFiles } from '../../src/analyze.js';
import { jsonParts, renderJson } from '../../src/renderers/json.js';

describe('jsonParts', () => {
  it('joins to the whole report, in parts of about the size asked for', async () => {
    const sample = await analyzeFiles(['samples/ws-pino/chat.log']);
    expect(sample.incidents.length).toBeGreaterThan(3);
    // Reasons beyond ASCII (a client's own words): a part is cut by bytes, not by characters.
    const incidents = Array.from({ length: 10 }, () => sample.incidents).flat().map((v, i) => (i % 3 ? v : { ...v, closeReason: 'bye … 🔌' }));
    const report = { ...sample, incidents };
    const whole = JSON.stringify(report, null, 2) + '\n';
    const longest = Math.max(...report.incidents.map((v) => Buffer.byteLength(JSON.stringify(v, null, 2))));
    for (const size of [1, 5_000, 20_000, 64 * 1024, 10_000_000]) {
      const parts = [...jsonParts(report, size)];
      expect(Buffer.concat(parts).toString()).toBe(whole);
      // The summary, then parts of incidents, the first 16 of them, later ones of about `size` bytes.
      for (const part of parts.slice(2, -2)) expect(part.length).toBeLessThan(Math.max(3 * size, 2 * longest));
      if (size === 1) expect(parts.length).toBe(report.incidents.length - 16 + 3);
    }
    expect(renderJson(report)).toBe(whole);
    for (const n of [0, 1, 2]) {
      const few = { ...report, incidents: report.incidents.slice(0, n) };
      expect(Buffer.concat([...jsonParts(few, 1)]).toString()).toBe(JSON.stringify(few, null, 2) + '\n');
    }
  });
});
