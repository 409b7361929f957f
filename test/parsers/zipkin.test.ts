/**
 * Zipkin v2 JSON as @opentelemetry/exporter-zipkin really sends it: the spans of a traced ws
 * server are exported to a local Zipkin receiver on 127.0.0.1, and the body it got goes
 * through the built CLI. Zipkin keeps only an event's name, so exception types and stacks are
 * gone; the status message (tag `error`) is what is left of an error.
 */
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the sample's scripts are plain JavaScript
import { runTraced } from '../../samples/otel/traced.mjs';
import { SPAN_AT } from '../support/expect-verdict.js';
import { analyzeFile, expectedFor, expectScenarioVerdicts, type Run } from '../support/traced-scenarios.js';

describe('Zipkin v2 JSON from the real Zipkin exporter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-zipkin-'));
  let traced: { runs: Run[]; spans: ReadableSpan[]; shutdown(): Promise<void> };
  let body: string;

  beforeAll(async () => {
    traced = await runTraced({ logFile: join(dir, 'chat.log'), copies: 1 });
    const bodies: string[] = [];
    const receiver = createServer(async (req: IncomingMessage, res) => {
      let b = '';
      for await (const chunk of req) b += chunk;
      bodies.push(b);
      res.writeHead(202).end();
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const exporter = new ZipkinExporter({ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/v2/spans`, serviceName: 'chat' });
    const result = await new Promise<{ code: number }>((r) => exporter.export(traced.spans, r));
    expect(result.code).toBe(0);
    receiver.close();
    expect(bodies).toHaveLength(1);
    body = bodies[0];
  });
  afterAll(() => traced.shutdown());

  it('is what the research says Zipkin gets: string tags, annotations without attributes', () => {
    const spans = JSON.parse(body) as { name: string; tags: Record<string, string>; annotations?: { value: string }[] }[];
    const close = spans.find((s) => s.name === 'websocket.close' && s.tags['websocket.close.code'] === '1011')!;
    expect(close.tags['websocket.close.code']).toBe('1011');
    const failed = spans.find((s) => s.annotations?.some((a) => a.value === 'exception'))!;
    expect(Object.keys(failed.annotations![0])).toEqual(['timestamp', 'value']);
  });

  it('gives the scenario verdicts through the CLI, except the exception details Zipkin drops', async () => {
    const file = join(dir, 'zipkin.json');
    writeFileSync(file, body);
    const report = await analyzeFile(file);
    expect(report.input.files[0]).toMatchObject({ parser: 'zipkin', skipped: {} });
    // The exception type is gone (Zipkin keeps the event name only): the status message remains.
    expectScenarioVerdicts(report, traced.runs, SPAN_AT, (e) => ({ ...e, exceptionType: undefined, topFrame: undefined }));
    for (const run of traced.runs) {
      const e = expectedFor(run);
      if (e.exceptionType) expect(report.incidents.find((v) => v.connection === run.connId)!.exception?.type, run.name).toBe('Error');
    }
  });
});
