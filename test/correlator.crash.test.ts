/**
 * A crash report that names no process (Node's stderr) ends the connections of the process that
 * died, and only those: the process that wrote the source's last line, in the source it was
 * read from. Connections that closed before it keep their own verdicts.
 */
import { describe, expect, it } from 'vitest';
import { Correlator, type Incident } from '../src/correlator.js';
import type { ExceptionEvent, WsEvent } from '../src/model.js';

function correlate(events: WsEvent[]) {
  const incidents: Incident[] = [];
  const c = new Correlator((inc) => incidents.push(inc));
  for (const e of events) c.push(e);
  c.end();
  return { incidents, stats: c.stats };
}

let line = 0;
const open = (file: string, conn: string, process?: string): WsEvent => ({ kind: 'open', time: 1000 + line, conn, at: `${file}:${++line}`, process, route: '/chat' });
const frame = (file: string, conn: string, process?: string): WsEvent => ({ kind: 'frame', time: 1000 + line, conn, at: `${file}:${++line}`, process, direction: 'in', type: 'text' });
const close = (file: string, conn: string, process?: string): WsEvent => ({ kind: 'close', time: 1000 + line, conn, at: `${file}:${++line}`, process, code: 1000, reason: '', initiator: 'client' });
const crash = (file: string, process?: string): ExceptionEvent => ({
  kind: 'exception', time: undefined, conn: undefined, at: `${file}:${++line}`, process, type: 'TypeError', message: 'boom', fatal: true,
});

describe('a keyless crash report', () => {
  it('ends every open connection of the process that wrote before it, with a synthetic 1006 close', () => {
    const report = crash('pod.log');
    const { incidents, stats } = correlate([
      open('pod.log', 'c1', '7@pod'), frame('pod.log', 'c1', '7@pod'),
      open('pod.log', 'c2', '7@pod'), open('pod.log', 'c3', '7@pod'), close('pod.log', 'c3', '7@pod'),
      frame('pod.log', 'c2', '7@pod'), report,
    ]);
    expect(incidents.map((i) => [i.connection, i.close.code, i.close.clean, i.crash === report])).toEqual([
      ['c3', 1000, undefined, false],
      ['c1', 1006, false, true],
      ['c2', 1006, false, true],
    ]);
    expect(incidents[1].close.at).toBe(report.at);
    expect(stats).toMatchObject({ crashed: 2, openAtEnd: 0 });
  });

  it('reads a message logged after the crash report (stdout and stderr copied apart) as late, not as a connection opened again', () => {
    const report = crash('pod.log');
    const { incidents, stats } = correlate([
      open('pod.log', 'c1', '7@pod'), open('pod.log', 'c2', '7@pod'), frame('pod.log', 'c1', '7@pod'), report,
      frame('pod.log', 'c2', '7@pod'), // the message the process died of, its record copied after the crash
      open('pod.log', 'c1', '7@pod'), close('pod.log', 'c1', '7@pod'), // the process restarted: c1 anew
      frame('pod.log', 'c1', '7@pod'), // after that c1's close, as after any close: another connection
    ]);
    expect(incidents.map((i) => [i.connection, i.close.code, i.crash === report])).toEqual([
      ['c2', 1006, true], ['c1', 1006, true], ['c1', 1000, false],
    ]);
    expect(stats).toMatchObject({ crashed: 2, afterClose: 1, openAtEnd: 1 });
  });

  it('forgets a crash\'s key once the key is another connection\'s, even one it had left the keys closed last for', () => {
    const report = crash('pod.log');
    const others: WsEvent[] = [];
    for (let i = 0; i < 4100; i++) others.push(open('pod.log', `x${i}`, '7@pod'), close('pod.log', `x${i}`, '7@pod'));
    const { incidents, stats } = correlate([
      open('pod.log', 'c1', '7@pod'), frame('pod.log', 'c1', '7@pod'), report,
      ...others, // c1 leaves the keys closed last
      frame('pod.log', 'c1', '7@pod'), close('pod.log', 'c1', '7@pod'), // a connection under c1, its open not logged
      frame('pod.log', 'c1', '7@pod'), // after that close, as after any close: another connection
    ]);
    expect(incidents.filter((i) => i.connection === 'c1').map((i) => [i.close.code, i.crash === report])).toEqual([[1006, true], [1000, false]]);
    expect(stats).toMatchObject({ crashed: 1, afterClose: 0, openAtEnd: 1 });
  });

  it('spares the connections of another process writing to the same stream', () => {
    const { incidents, stats } = correlate([
      open('pod.log', 'a1', '7@pod'), open('pod.log', 'b1', '8@pod'), frame('pod.log', 'a1', '7@pod'),
      frame('pod.log', 'b1', '8@pod'), crash('pod.log'),
    ]);
    expect(incidents.map((i) => i.connection)).toEqual(['b1']);
    expect(stats).toMatchObject({ crashed: 1, openAtEnd: 1 });
  });

  it('spares the connections read from another file', () => {
    const { incidents, stats } = correlate([
      open('a.log', 'a1', '7@a'), open('b.log', 'b1', '7@b'), crash('b.log'),
    ]);
    expect(incidents.map((i) => i.process)).toEqual(['7@b']);
    expect(stats).toMatchObject({ crashed: 1, openAtEnd: 1 });
  });

  it('ends the connections of its source when no line named a process', () => {
    const { incidents } = correlate([open('a.log', 'c1'), open('a.log', 'c2'), open('b.log', 'c3'), crash('a.log')]);
    expect(incidents.map((i) => i.connection)).toEqual(['c1', 'c2']);
  });

  it('keeps the process a report names over the last one that wrote', () => {
    const { incidents } = correlate([open('pod.log', 'a1', '7@pod'), open('pod.log', 'b1', '8@pod'), crash('pod.log', '7@pod')]);
    expect(incidents.map((i) => i.connection)).toEqual(['a1']);
  });
});
