/**
 * opentelemetry-instrumentation-ws 0.5.0, run for real against ws 8 with the processor
 * (fixtures/instrumentation-ws.cjs, in a child process because the instrumentation patches
 * `ws` at require time). What it gives is read; what it cannot give is asserted too, since the
 * README documents it: no close code ever, no spans for server sockets.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/summary.js';
import type { Verdict } from '../../src/model.js';

interface Out {
  codes: Record<string, number>;
  spans: { name: string; kind: number; root: boolean; attributes: Record<string, unknown>; events: { name: string; attributes: Record<string, unknown> }[] }[];
  verdicts: Verdict[];
  summary: Summary;
}

describe('opentelemetry-instrumentation-ws 0.5.0 with ws 8', () => {
  let out: Out;
  beforeAll(() => {
    const res = spawnSync(process.execPath, [fileURLToPath(new URL('./fixtures/instrumentation-ws.cjs', import.meta.url))], { encoding: 'utf8', timeout: 30_000 });
    expect(res.status, res.stderr).toBe(0);
    out = JSON.parse(res.stdout) as Out;
  });

  it('runs the three client sessions as ws saw them', () => {
    expect(out.codes).toEqual({ normal: 1000, binary: 1003, tooBig: 1006 });
  });

  it('never records a close code, and gives server sockets no spans past the upgrade', () => {
    expect(out.spans.some((s) => Object.keys(s.attributes).some((k) => k.startsWith('ws.close.')))).toBe(false);
    const names = new Set(out.spans.map((s) => s.name));
    expect(names).toEqual(new Set(['HTTP GET WS', 'WS upgrade', 'WS connect', 'WS send', 'WS close', 'WS open']));
    // The server closed the binary session with 1003; nothing on the server side says so.
    expect(out.spans.filter((s) => s.name === 'WS open')).toHaveLength(3);
    expect(out.spans.filter((s) => s.name === 'WS open').every((s) => s.kind === 2 /* CLIENT */ && s.root)).toBe(true);
  });

  it('judges the client socket whose error it recorded, and leaves the others unjudged', () => {
    expect(out.verdicts).toHaveLength(1);
    const v = out.verdicts[0];
    expect(v).toMatchObject({
      rootCause: 'message-too-big', closeCode: 1009, reportedCode: null, codeAgreement: 'agrees', incident: true,
      exception: { type: 'RangeError', message: 'Max payload size exceeded' },
    });
    const open = out.spans.find((s) => s.name === 'WS open' && s.events.length > 0)!;
    expect(open.events[0].attributes['exception.type']).toBe('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    expect(open.attributes['websocket.close.root_cause']).toBe('message-too-big');
    expect(out.summary.closes).toBe(1);
  });
});
