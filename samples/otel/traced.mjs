// The ws-pino chat server, traced: a real OpenTelemetry NodeSDK with wsclose's
// CloseCauseSpanProcessor beside an in-memory exporter, the server instrumented by
// instrumentWebSocketServer, and real ws clients driving every scenario. Used by the tests and
// by generate.mjs, which writes the committed sample. Needs the build (dist/).
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  AggregationTemporality, InMemoryMetricExporter, PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CloseCauseSpanProcessor, instrumentWebSocketServer } from '../../dist/src/index.js';
import { runAll, startServer } from '../ws-pino/server.mjs';

/**
 * Runs every scenario `copies` times at once against a traced server. Resolves with the runs
 * ({name, connId}), the finished spans as exported, the metrics collected, the processor and
 * the verdicts its onIncident received. Call `shutdown()` when done.
 */
export async function runTraced({ logFile, copies = 2, delayMs = 3 }) {
  process.env.OTEL_LOGS_EXPORTER ??= 'none'; // no log pipeline trying to reach a collector
  const exporter = new InMemorySpanExporter();
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const incidents = [];
  const processor = new CloseCauseSpanProcessor({ onIncident: (v) => incidents.push(v) });
  // spanProcessors replaces traceExporter: the exporter goes beside wsclose's processor.
  const sdk = new NodeSDK({
    serviceName: 'chat', resourceDetectors: [], spanProcessors: [processor, new SimpleSpanProcessor(exporter)], metricReaders: [reader], instrumentations: [],
  });
  sdk.start();
  const server = await startServer({ logFile, instrument: (wss) => instrumentWebSocketServer(wss) });
  const runs = await runAll(server.port, { copies, delayMs });
  await server.close();
  await reader.forceFlush();
  return {
    runs, processor, incidents,
    spans: exporter.getFinishedSpans(),
    metrics: metricExporter.getMetrics(),
    shutdown: () => sdk.shutdown(),
  };
}

/** One OTLP/HTTP JSON body, exactly as @opentelemetry/otlp-transformer serializes it. */
export function otlpBody(spans) {
  return new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans));
}

/**
 * The same spans as the Collector's file exporter writes them: one TracesData per line, one
 * line per batch, int64 values (intValue, times) as decimal strings.
 */
export function collectorLines(spans, batchSize = 16) {
  const lines = [];
  for (let i = 0; i < spans.length; i += batchSize) {
    lines.push(JSON.stringify(JSON.parse(otlpBody(spans.slice(i, i + batchSize))), (key, value) => (
      key === 'intValue' && typeof value === 'number' ? String(value) : value
    )));
  }
  return lines.join('\n') + '\n';
}
