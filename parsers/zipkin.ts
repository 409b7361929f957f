/**
 * Zipkin v2 JSON: `/api/v2/trace/{id}` (an array of spans) and `/api/v2/traces` (an array of
 * arrays). Shape from openzipkin's zipkin2 API and the output of @opentelemetry/exporter-zipkin
 * 2.12 (shared/research/otel.md §4.2): times in µs; every tag is a string (a close code is
 * "1003"); `otel.status_code` and `error` carry the status; span events are annotations that
 * keep only their name, so `exception.*` details are gone; Zipkin has no links.
 */
import { KIND, type SpanData } from '../src/otel/spans.js';
import { hexId, isRec, sampleHas, traceParser } from './traces.js';

type Rec = Record<string, unknown>;

const KINDS: Record<string, number> = { SERVER: KIND.server, CLIENT: KIND.client, PRODUCER: KIND.producer, CONSUMER: KIND.consumer };

export const zipkinParser = traceParser({
  name: 'zipkin',
  description: 'Zipkin v2 JSON spans',
  detect(lines) {
    const first = lines.find((l) => l.trim() !== '')?.trim() ?? '';
    if (!first.startsWith('[')) return 0;
    return sampleHas(lines, '"traceId"') && sampleHas(lines, '"localEndpoint"', '"timestamp"') && !sampleHas(lines, '"resourceSpans"') ? 1 : 0;
  },
  batches(doc) {
    if (!Array.isArray(doc)) return undefined;
    if (doc.every(Array.isArray)) return doc.map((t: unknown[]) => t.filter(isRec).map(span));
    return [doc.filter(isRec).map(span)];
  },
});

function span(s: Rec): SpanData {
  const tags = isRec(s.tags) ? s.tags : {};
  const startMs = Number(s.timestamp) / 1e3;
  const error = tags['otel.status_code'] === 'ERROR' || tags.error !== undefined;
  return {
    traceId: hexId(s.traceId),
    spanId: hexId(s.id),
    parentSpanId: s.parentId ? hexId(s.parentId) : undefined,
    name: typeof s.name === 'string' ? s.name : '',
    kind: KINDS[String(s.kind)] ?? KIND.internal,
    startMs,
    endMs: startMs + Number(s.duration ?? 0) / 1e3,
    attributes: tags,
    events: Array.isArray(s.annotations) ? s.annotations.filter(isRec).map((a) => ({
      name: typeof a.value === 'string' ? a.value : '', timeMs: Number(a.timestamp) / 1e3, attributes: {},
    })) : [],
    links: [],
    status: { code: error ? 2 : 0, message: typeof tags.error === 'string' ? tags.error : undefined },
  };
}
