/**
 * The OTLP JSON reader on the shapes real producers write (shared/research/otel.md §3): the
 * SDK serializer's line (a close span listed before its parent receive span), dd-trace's
 * OTLP export (span name = resource, operation in `operation.name`, message spans linked to the
 * handshake), Quarkus' OPEN/CLOSE, and old or odd encodings; bad input is counted, not fatal.
 * The dd-trace and Quarkus records follow the attributes the research observed; they are
 * written here because neither producer runs in this environment.
 */
import { describe, expect, it } from 'vitest';
import { otlpParser } from '../../parsers/otlp.js';
import { jsonParser } from '../../parsers/json.js';
import { detectParser } from '../../parsers/index.js';
import { Analyzer } from '../../src/analyzer.js';
import type { Verdict, WsEvent } from '../../src/model.js';

/** Produced by sdk-trace 2.12.1 + JsonTraceSerializer (research §3.4), one line as in a file. */
const SDK_LINE = '{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"chat-api"}}],"droppedAttributesCount":0},"scopeSpans":[{"scope":{"name":"ws-demo","version":"1.0.0"},"spans":[{"traceId":"169019892aaab2ddcb0115ee04e04fca","spanId":"288579ce31e75c3b","parentSpanId":"80d79fdb52dee65d","name":"websocket.close","kind":4,"startTimeUnixNano":"1795540543007000000","endTimeUnixNano":"1795540543007061638","attributes":[{"key":"websocket.close.code","value":{"intValue":1003}},{"key":"websocket.close.reason","value":{"stringValue":"binary not supported"}}],"droppedAttributesCount":0,"events":[],"droppedEventsCount":0,"status":{"code":0},"links":[],"droppedLinksCount":0,"flags":257},{"traceId":"169019892aaab2ddcb0115ee04e04fca","spanId":"80d79fdb52dee65d","name":"websocket.receive","kind":5,"startTimeUnixNano":"1795540543006000000","endTimeUnixNano":"1795540543007819874","attributes":[{"key":"websocket.message.type","value":{"stringValue":"binary"}},{"key":"websocket.message.length","value":{"intValue":3}}],"droppedAttributesCount":0,"events":[{"attributes":[{"key":"exception.type","value":{"stringValue":"TypeError"}},{"key":"exception.message","value":{"stringValue":"expected text frame"}},{"key":"exception.stacktrace","value":{"stringValue":"TypeError: expected text frame\\n    at onMessage (/app/server.js:42:11)"}}],"name":"exception","timeUnixNano":"1795540543006587762","droppedAttributesCount":0}],"droppedEventsCount":0,"status":{"code":2,"message":"expected text frame"},"links":[],"droppedLinksCount":0,"flags":257}]}]}]}';

function read(lines: string[]): { events: WsEvent[]; skipped: Record<string, number>; verdicts: Verdict[] } {
  const events: WsEvent[] = [];
  const skipped: Record<string, number> = {};
  const verdicts: Verdict[] = [];
  const analyzer = new Analyzer({ onVerdict: (v) => verdicts.push(v) });
  const lp = otlpParser.create('t.jsonl', {
    event: (e) => { events.push(e); analyzer.push(e); },
    skip: (r) => { skipped[r] = (skipped[r] ?? 0) + 1; },
  });
  lines.forEach((l, i) => lp.line(l, i + 1));
  lp.end();
  analyzer.finish();
  return { events, skipped, verdicts };
}

const kv = (key: string, value: Record<string, unknown>) => ({ key, value });
const s = (v: string) => ({ stringValue: v });
const n = (v: number | string) => ({ intValue: v });

describe('otlp parser', () => {
  it('is chosen over the JSON-lines parser for OTLP lines', () => {
    expect(otlpParser.detect([SDK_LINE])).toBe(1);
    expect(jsonParser.detect([SDK_LINE])).toBeLessThan(1);
    expect(detectParser([SDK_LINE])?.name).toBe('otlp');
    expect(detectParser(['{"level":30,"msg":"ws connection opened","connId":"c1"}'])?.name).toBe('json');
  });

  it('puts a batch back in the order things happened: frame, exception, then the close listed first', () => {
    const { events, verdicts } = read([SDK_LINE]);
    expect(events.map((e) => e.kind)).toEqual(['frame', 'exception', 'close']);
    // The close is a child of the receive span: one connection, keyed by the trace.
    expect(new Set(events.map((e) => e.conn))).toEqual(new Set(['169019892aaab2ddcb0115ee04e04fca']));
    expect(events[0]).toMatchObject({ kind: 'frame', type: 'binary', direction: 'in', size: 3, at: '169019892aaab2ddcb0115ee04e04fca/80d79fdb52dee65d' });
    expect(events[1]).toMatchObject({ kind: 'exception', type: 'TypeError', message: 'expected text frame' });
    expect(events[2]).toMatchObject({ kind: 'close', code: 1003, reason: 'binary not supported', initiator: 'server' });
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({
      rootCause: 'data-type-mismatch', closeCode: 1003, codeAgreement: 'agrees', at: '169019892aaab2ddcb0115ee04e04fca/288579ce31e75c3b',
      exception: { type: 'TypeError', topFrame: 'onMessage (/app/server.js:42)' },
    });
  });

  it('reads dd-trace OTLP: resource as span name, operation.name, message spans linked to the handshake', () => {
    const trace = (i: number) => `${'ab'.repeat(15)}${String(i).padStart(2, '0')}`;
    const handshake = { traceId: trace(0), spanId: '1000000000000001' };
    const op = (i: number, operation: string, kind: number, attrs: unknown[], t: number) => ({
      traceId: trace(i), spanId: `20000000000000${String(i).padStart(2, '0')}`, name: 'websocket /chat', kind,
      startTimeUnixNano: 1795540543000000000 + t * 1e6, endTimeUnixNano: 1795540543000000000 + t * 1e6 + 1000,
      attributes: [kv('operation.name', s(operation)), kv('resource.name', s('websocket /chat')), kv('span.type', s('websocket')), ...attrs],
      links: [{ ...handshake, attributes: [kv('dd.kind', s(operation === 'websocket.receive' ? 'executed_by' : 'resuming'))] }],
    });
    const line = JSON.stringify({ resourceSpans: [{
      resource: { attributes: [kv('telemetry.sdk.name', s('datadog'))] },
      scopeSpans: [{ scope: { name: 'dd-trace-js' }, spans: [
        { ...handshake, name: 'GET /chat', kind: 2, startTimeUnixNano: 1795540543000000000, endTimeUnixNano: 1795540543001000000,
          attributes: [kv('operation.name', s('web.request')), kv('http.upgraded', s('websocket')), kv('http.url', s('ws://127.0.0.1/chat')), kv('http.status_code', s('101'))] },
        op(1, 'websocket.receive', 5, [kv('websocket.message.type', s('text')), kv('websocket.message.length', n(12))], 5),
        op(2, 'websocket.receive', 5, [kv('websocket.message.type', s('binary')), kv('websocket.message.length', n(8))], 9),
        op(3, 'websocket.close', 4, [kv('websocket.close.code', n(1003)), kv('websocket.close.reason', s('text only'))], 10),
      ] }],
    }] });
    const { events, verdicts } = read([line]);
    expect(events.map((e) => e.kind)).toEqual(['open', 'frame', 'frame', 'close']);
    expect(new Set(events.map((e) => e.conn))).toEqual(new Set([`${handshake.traceId}/${handshake.spanId}`]));
    expect(events.every((e) => e.route === '/chat')).toBe(true);
    expect(verdicts[0]).toMatchObject({ connection: `${handshake.traceId}/${handshake.spanId}`, route: '/chat', rootCause: 'data-type-mismatch', closeCode: 1003, initiator: 'server' });
  });

  it('reads Quarkus OPEN/CLOSE: the CLOSE links to the OPEN, and a recorded exception explains a 1011', () => {
    const open = { traceId: 'c'.repeat(32), spanId: '3000000000000001', name: 'OPEN /chat', kind: 2, startTimeUnixNano: '1795540543000000000', endTimeUnixNano: '1795540543000100000', attributes: [kv('url.path', s('/chat'))] };
    const close = {
      traceId: 'd'.repeat(32), spanId: '3000000000000002', name: 'CLOSE /chat', kind: 2, startTimeUnixNano: '1795540544000000000', endTimeUnixNano: '1795540544000100000',
      attributes: [kv('connection.id', s('0f3c-7a')), kv('url.path', s('/chat')), kv('connection.endpoint.id', s('chat'))],
      links: [{ traceId: open.traceId, spanId: open.spanId }],
      events: [{ name: 'exception', timeUnixNano: '1795540544000050000', attributes: [kv('exception.type', s('java.lang.IllegalStateException')), kv('exception.message', s('boom'))] }],
      status: { code: 2 },
    };
    const { events, verdicts } = read([JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [close, open] }] }] })]);
    expect(events.map((e) => [e.kind, e.conn])).toEqual([['open', `${open.traceId}/${open.spanId}`], ['exception', `${open.traceId}/${open.spanId}`], ['close', `${open.traceId}/${open.spanId}`]]);
    // Quarkus records no close code: the exception on the CLOSE span is the evidence.
    expect(verdicts[0]).toMatchObject({ rootCause: 'unhandled-error', closeCode: null, exception: { type: 'java.lang.IllegalStateException' } });
  });

  it('takes old and odd encodings: instrumentationLibrarySpans, base64 ids, enum kinds, strings for numbers, pretty-printed bodies', () => {
    const body = JSON.stringify({ resourceSpans: [{ instrumentationLibrarySpans: [{ spans: [
      { traceId: Buffer.from('e'.repeat(32), 'hex').toString('base64'), spanId: Buffer.from('4000000000000001', 'hex').toString('base64'), name: 'websocket.close', kind: 'SPAN_KIND_CONSUMER',
        startTimeUnixNano: '1795540543000000000', endTimeUnixNano: '1795540543000000001',
        attributes: [kv('websocket.connection.id', s('x1')), kv('websocket.close.code', n('1001'))], status: { code: 'STATUS_CODE_UNSET' } },
    ] }] }] }, null, 2);
    const { events, skipped, verdicts } = read(body.split('\n'));
    expect(skipped).toEqual({});
    expect(events).toEqual([expect.objectContaining({ kind: 'close', conn: 'x1', code: 1001, initiator: 'client', at: `${'e'.repeat(32)}/4000000000000001` })]);
    expect(verdicts[0].rootCause).toBe('normal');
  });

  it('counts what it cannot read and goes on', () => {
    const { skipped, verdicts } = read(['{"resourceSpans": [{"scopeSpans', '{"not":"otlp"}', SDK_LINE, '']);
    expect(skipped).toEqual({ 'not-json': 1, 'not-otlp': 1 });
    expect(verdicts).toHaveLength(1);
    const truncated = read(['{', '  "resourceSpans": [']);
    expect(truncated.skipped).toEqual({ 'not-json': 1 });
  });
});
