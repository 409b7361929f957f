/**
 * Jaeger UI JSON ("Download JSON", /api/traces). No Jaeger producer runs here (see
 * test/support/jaeger.ts): the spans of a real traced ws server are written in the shape
 * Jaeger's source defines, pretty-printed as the UI saves it, and read by the built CLI.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the sample's scripts are plain JavaScript
import { runTraced } from '../../samples/otel/traced.mjs';
import { SPAN_AT } from '../support/expect-verdict.js';
import { toJaeger } from '../support/jaeger.js';
import { analyzeFile, expectScenarioVerdicts, type Run } from '../support/traced-scenarios.js';

describe('Jaeger UI JSON (shape from the Jaeger source)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-jaeger-'));
  let traced: { runs: Run[]; spans: ReadableSpan[]; shutdown(): Promise<void> };

  beforeAll(async () => {
    traced = await runTraced({ logFile: join(dir, 'chat.log'), copies: 1 });
  });
  afterAll(() => traced.shutdown());

  it('gives every scenario its verdict, exception types and stacks included', async () => {
    const file = join(dir, 'jaeger.json');
    writeFileSync(file, JSON.stringify(toJaeger(traced.spans), null, 2));
    const report = await analyzeFile(file);
    expect(report.input.files[0]).toMatchObject({ parser: 'jaeger', skipped: {} });
    expectScenarioVerdicts(report, traced.runs, SPAN_AT);
  });
});
