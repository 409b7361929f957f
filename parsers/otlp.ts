/**
 * OTLP JSON traces: the OpenTelemetry Collector's file exporter (one TracesData per line, one
 * line per exported batch) and single OTLP/HTTP JSON bodies (`ExportTraceServiceRequest`).
 * Checked against opentelemetry-proto's JSON encoding rules and what producers really write
 * (shared/research/otel.md §3): `intValue` and times as strings (Collector) or numbers
 * (@opentelemetry/otlp-transformer 0.223 JsonTraceSerializer, dd-trace 5.132); hex or base64
 * ids; `scopeSpans` or the older `instrumentationLibrarySpans`; Tempo's `batches`; kind as an
 * integer (API kind + 1) or an enum name.
 */
import { KIND, type Attributes, type SpanData } from '../src/otel/spans.js';
import { hexId, isRec, nanosToMs, sampleHas, traceParser } from './traces.js';

type Rec = Record<string, unknown>;

const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_INTERNAL: KIND.internal, SPAN_KIND_SERVER: KIND.server, SPAN_KIND_CLIENT: KIND.client,
  SPAN_KIND_PRODUCER: KIND.producer, SPAN_KIND_CONSUMER: KIND.consumer,
};

export const otlpParser = traceParser({
  name: 'otlp',
  description: 'OTLP JSON traces (Collector file exporter, OTLP/HTTP JSON bodies)',
  detect: (lines) => (sampleHas(lines, '"resourceSpans"') ? 1 : sampleHas(lines, '"batches"') && sampleHas(lines, '"scopeSpans"', '"instrumentationLibrarySpans"') ? 0.95 : 0),
  batches(doc) {
    if (!isRec(doc)) return undefined;
    const resources = doc.resourceSpans ?? doc.batches;
    if (!Array.isArray(resources)) return undefined;
    const spans: SpanData[] = [];
    for (const rs of resources) {
      if (!isRec(rs)) continue;
      const scopes = rs.scopeSpans ?? rs.instrumentationLibrarySpans;
      if (!Array.isArray(scopes)) continue;
      for (const ss of scopes) if (isRec(ss) && Array.isArray(ss.spans)) for (const s of ss.spans) if (isRec(s)) spans.push(span(s));
    }
    return [spans];
  },
});

function span(s: Rec): SpanData {
  const status = isRec(s.status) ? s.status : {};
  return {
    traceId: hexId(s.traceId),
    spanId: hexId(s.spanId),
    parentSpanId: s.parentSpanId ? hexId(s.parentSpanId) : undefined,
    name: typeof s.name === 'string' ? s.name : '',
    kind: kind(s.kind),
    startMs: nanosToMs(s.startTimeUnixNano),
    endMs: nanosToMs(s.endTimeUnixNano),
    attributes: attributes(s.attributes),
    events: Array.isArray(s.events) ? s.events.filter(isRec).map((e) => ({
      name: typeof e.name === 'string' ? e.name : '', timeMs: nanosToMs(e.timeUnixNano), attributes: attributes(e.attributes),
    })) : [],
    links: Array.isArray(s.links) ? s.links.filter(isRec).map((l) => ({ traceId: hexId(l.traceId), spanId: hexId(l.spanId) })) : [],
    status: {
      code: status.code === 'STATUS_CODE_ERROR' ? 2 : status.code === 'STATUS_CODE_OK' ? 1 : Number(status.code ?? 0),
      message: typeof status.message === 'string' ? status.message : undefined,
    },
  };
}

function kind(v: unknown): number {
  if (typeof v === 'string') return KIND_NAMES[v] ?? KIND.internal;
  return typeof v === 'number' && v >= 1 ? v - 1 : KIND.internal;
}

function attributes(list: unknown): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) if (isRec(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
  return out;
}

function anyValue(v: unknown): unknown {
  if (!isRec(v)) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  if (isRec(v.arrayValue)) return Array.isArray(v.arrayValue.values) ? v.arrayValue.values.map(anyValue) : [];
  if (isRec(v.kvlistValue)) return attributes(v.kvlistValue.values);
  if ('bytesValue' in v) return v.bytesValue;
  return undefined;
}
