/**
 * Jaeger UI / query API JSON: what "Download JSON" and `/api/traces` return. Shape from
 * jaegertracing/jaeger `model/json/model.go` and the OTel→Jaeger translator
 * (shared/research/otel.md §4.1): `{data: [{traceID, spans, processes}]}`; times in µs; the
 * parent is the first CHILD_OF reference, links are FOLLOWS_FROM; kind is the `span.kind` tag;
 * status is `otel.status_code`/`otel.status_description` (or `error=true`); span events are
 * logs whose `event` field is the event name.
 */
import { KIND, type Attributes, type SpanData } from '../src/otel/spans.js';
import { hexId, isRec, sampleHas, traceParser } from './traces.js';

type Rec = Record<string, unknown>;

const KINDS: Record<string, number> = { server: KIND.server, client: KIND.client, producer: KIND.producer, consumer: KIND.consumer };

export const jaegerParser = traceParser({
  name: 'jaeger',
  description: 'Jaeger UI / query API JSON trace exports',
  detect: (lines) => (sampleHas(lines, '"traceID"') && sampleHas(lines, '"operationName"', '"spanID"') ? 1 : 0),
  batches(doc) {
    const traces = isRec(doc) && Array.isArray(doc.data) ? doc.data : isRec(doc) && Array.isArray(doc.spans) ? [doc] : undefined;
    if (!traces) return undefined;
    return traces.filter(isRec).map((t) => (Array.isArray(t.spans) ? t.spans.filter(isRec).map(span) : []));
  },
});

function span(s: Rec): SpanData {
  const tags = keyValues(s.tags);
  const refs = Array.isArray(s.references) ? s.references.filter(isRec) : [];
  const parent = refs.find((r) => r.refType === 'CHILD_OF');
  const startMs = Number(s.startTime) / 1e3;
  const error = tags['otel.status_code'] === 'ERROR' || tags.error === true || tags.error === 'true';
  return {
    traceId: hexId(s.traceID),
    spanId: hexId(s.spanID),
    parentSpanId: parent ? hexId(parent.spanID) : undefined,
    name: typeof s.operationName === 'string' ? s.operationName : '',
    kind: KINDS[String(tags['span.kind'])] ?? KIND.internal,
    startMs,
    endMs: startMs + Number(s.duration ?? 0) / 1e3,
    attributes: tags,
    events: Array.isArray(s.logs) ? s.logs.filter(isRec).map((l) => {
      const { event, ...attributes } = keyValues(l.fields);
      return { name: typeof event === 'string' ? event : 'log', timeMs: Number(l.timestamp) / 1e3, attributes };
    }) : [],
    links: refs.filter((r) => r.refType === 'FOLLOWS_FROM').map((r) => ({ traceId: hexId(r.traceID), spanId: hexId(r.spanID) })),
    status: {
      code: error ? 2 : tags['otel.status_code'] === 'OK' ? 1 : 0,
      message: typeof tags['otel.status_description'] === 'string' ? tags['otel.status_description'] : undefined,
    },
  };
}

function keyValues(list: unknown): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (!isRec(kv) || typeof kv.key !== 'string') continue;
    out[kv.key] = kv.type === 'int64' || kv.type === 'float64' ? Number(kv.value) : kv.value;
  }
  return out;
}
