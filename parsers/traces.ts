/**
 * What the trace-file formats (OTLP JSON, Jaeger, Zipkin) share: a file holds JSON documents,
 * either one per line (the Collector's file exporter) or one document over many lines (a
 * pretty-printed export); each document holds batches of spans, which the shared span mapping
 * (src/otel/spans.ts) turns into WsEvents, as the span processor does inside a service.
 */
import { mapSpans, SpanMapper, type SpanData } from '../src/otel/spans.js';
import type { Parser } from './parser.js';

/** A pretty-printed document is read whole; beyond this size it is skipped, counted. */
const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

export interface TraceFormat {
  name: string;
  description: string;
  detect(lines: string[]): number;
  /** The span batches of one parsed document, or undefined when it is not this format. */
  batches(doc: unknown, skip: (reason: string) => void): SpanData[][] | undefined;
}

export function traceParser(format: TraceFormat): Parser {
  return {
    name: format.name,
    description: format.description,
    detect: format.detect,
    create(_file, sink) {
      const mapper = new SpanMapper();
      const read = (doc: unknown) => {
        const batches = format.batches(doc, (r) => sink.skip(r));
        if (!batches) return sink.skip(`not-${format.name}`);
        for (const spans of batches) mapSpans(mapper, spans, (e) => sink.event(e));
      };
      let pending: string[] | undefined;
      let pendingBytes = 0;
      return {
        line(text) {
          const t = text.trim();
          const c = t.charCodeAt(0);
          const whole = (c === 123 /* { */ || c === 91 /* [ */) && t.length > 2 ? parse(t) : undefined;
          if (pending) {
            // A JSON-lines file with one broken line: the next whole line ends the false start.
            if (whole === undefined || pending.length > 1) return append(text);
            sink.skip('not-json');
            pending = undefined;
          }
          if (whole !== undefined) return read(whole);
          if (t === '') return;
          // Not a whole document on one line: the start of a pretty-printed one.
          pending = [];
          pendingBytes = 0;
          append(text);
        },
        end() {
          if (!pending) return;
          const doc = pendingBytes <= MAX_DOCUMENT_BYTES ? parse(pending.join('\n')) : undefined;
          if (doc === undefined) sink.skip(pendingBytes > MAX_DOCUMENT_BYTES ? 'too-long' : 'not-json');
          else read(doc);
          pending = undefined;
        },
      };

      function append(text: string): void {
        pendingBytes += text.length + 1;
        if (pendingBytes <= MAX_DOCUMENT_BYTES) pending!.push(text);
      }
    },
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** True when a line of the sample contains one of the needles (a cheap `detect`). */
export function sampleHas(lines: string[], ...needles: string[]): boolean {
  return lines.some((l) => needles.some((n) => l.includes(n)));
}

/** Epoch ms from a nanosecond count given as a decimal string or a number. */
export function nanosToMs(v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  // Beyond what a Date holds it is no time (NaN, as when absent), not a far-future one that makes every connection look idle.
  return Math.abs(n) <= 8.64e21 ? n / 1e6 : NaN;
}

/** Hex ids stay; base64 ids (old gateways) become hex; anything else is kept as given. */
export function hexId(v: unknown): string {
  if (typeof v !== 'string') return '';
  if (/^[0-9a-fA-F]*$/.test(v)) return v.toLowerCase();
  if (/^[A-Za-z0-9+/]{11,24}={0,2}$/.test(v)) return Buffer.from(v, 'base64').toString('hex');
  return v;
}

export function isRec(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
