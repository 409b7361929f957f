/**
 * The JSON report written in parts is the report's JSON.stringify text, whatever the part size:
 * the CLI writes the parts one after another.
 */
import { describe, expect, it } from 'vitest';
import { analyzeFiles } from '../../src/analyze.js';
import { jsonParts, renderJson } from '../../src/renderers/json.js';

describe('jsonParts', () => {
  it('joins to the whole report, in parts of about the size asked for', async () => {
    const sample = await analyzeFiles(['samples/ws-pino/chat.log']);
    expect(sample.incidents.length).toBeGreaterThan(3);
    const report = { ...sample, incidents: Array.from({ length: 10 }, () => sample.incidents).flat() };
    const whole = JSON.stringify(report, null, 2) + '\n';
    const longest = Math.max(...report.incidents.map((v) => JSON.stringify(v, null, 2).length));
    for (const size of [1, 5_000, 20_000, 64 * 1024, 10_000_000]) {
      const parts = [...jsonParts(report, size)];
      expect(parts.join('')).toBe(whole);
      // The summary, then parts of incidents, the first 16 of them, later ones of about `size` characters.
      for (const part of parts.slice(2, -2)) expect(part.length).toBeLessThan(Math.max(3 * size, 2 * longest));
      if (size === 1) expect(parts.length).toBe(report.incidents.length - 16 + 3);
    }
    expect(renderJson(report)).toBe(whole);
    for (const n of [0, 1, 2]) {
      const few = { ...report, incidents: report.incidents.slice(0, n) };
      expect([...jsonParts(few, 1)].join('')).toBe(JSON.stringify(few, null, 2) + '\n');
    }
  });
});
