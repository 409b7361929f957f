/**
 * SDK spans in the Jaeger UI / query API JSON shape. Jaeger ships no JavaScript producer of
 * this format and no Jaeger binary is reachable here, so the shape is taken from the source:
 * jaegertracing/jaeger `model/json/model.go` and the OTel→Jaeger translator rules
 * (shared/research/otel.md §4.1). Tests that use it say so.
 */
import { SpanKind, SpanStatusCode, type AttributeValue, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

interface KV { key: string; type: string; value: unknown }

const KINDS: Partial<Record<SpanKind, string>> = {
  [SpanKind.SERVER]: 'server', [SpanKind.CLIENT]: 'client', [SpanKind.PRODUCER]: 'producer', [SpanKind.CONSUMER]: 'consumer',
};

export function toJaeger(spans: ReadableSpan[]): { data: unknown[]; total: number; limit: number; offset: number; errors: null } {
  const traces = new Map<string, unknown[]>();
  for (const s of spans) {
    const ctx = s.spanContext();
    const tags: KV[] = Object.entries(s.attributes).map(([k, v]) => kv(k, v!));
    if (KINDS[s.kind]) tags.push(kv('span.kind', KINDS[s.kind]!));
    if (s.status.code === SpanStatusCode.ERROR) {
      tags.push(kv('otel.status_code', 'ERROR'), kv('error', true));
      if (s.status.message) tags.push(kv('otel.status_description', s.status.message));
    }
    const references = [
      ...(s.parentSpanContext ? [{ refType: 'CHILD_OF', traceID: ctx.traceId, spanID: s.parentSpanContext.spanId }] : []),
      ...s.links.map((l) => ({ refType: 'FOLLOWS_FROM', traceID: l.context.traceId, spanID: l.context.spanId })),
    ];
    const list = traces.get(ctx.traceId) ?? [];
    traces.set(ctx.traceId, list);
    list.push({
      traceID: ctx.traceId, spanID: ctx.spanId, flags: 1, operationName: s.name, references,
      startTime: micros(s.startTime), duration: micros(s.endTime) - micros(s.startTime), tags,
      logs: s.events.map((e) => ({ timestamp: micros(e.time), fields: [kv('event', e.name), ...Object.entries(e.attributes ?? {}).map(([k, v]) => kv(k, v!))] })),
      processID: 'p1', warnings: null,
    });
  }
  const data = [...traces].map(([traceID, list]) => ({
    traceID, spans: list, processes: { p1: { serviceName: 'chat', tags: [] } }, warnings: null,
  }));
  return { data, total: 0, limit: 0, offset: 0, errors: null };
}

function kv(key: string, value: AttributeValue): KV {
  if (typeof value === 'boolean') return { key, type: 'bool', value };
  if (typeof value === 'number') return { key, type: Number.isInteger(value) ? 'int64' : 'float64', value };
  if (Array.isArray(value)) return { key, type: 'string', value: JSON.stringify(value) };
  return { key, type: 'string', value };
}

function micros(t: HrTime): number {
  return t[0] * 1e6 + Math.floor(t[1] / 1e3);
}
