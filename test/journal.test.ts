/**
 * A service's log as journalctl prints it (`journalctl -u chat | wsclose analyze`): each line
 * the service wrote is a journal entry, printed after its time, host, identifier and pid. The
 * journal files are written by systemd's own systemd-journal-remote from the lines of real runs
 * (samples/ws-pino, samples/node-crash), and printed by the real journalctl in each of its
 * `short` styles; wsclose must give the verdicts of the lines as the service wrote them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the samples' drivers are plain JavaScript
import { expectedVerdicts, runCrash } from '../samples/node-crash/crash.mjs';
// @ts-expect-error: the samples' drivers are plain JavaScript
import { journalMissing, linesOf, printJournal, writeJournal } from '../samples/journald/journal.mjs';
import type { Report } from '../src/report.js';
import { runCli } from './support/cli.js';
import { expectOwnCrashes } from './support/crashes.js';
import { expectSameVerdicts, expectSampleVerdicts, type ExpectedVerdict } from './support/expect-verdict.js';
import { rsyslogMissing, throughRsyslog } from './support/rsyslog.js';

const missing = journalMissing() as string | undefined;
const SAMPLE = 'samples/ws-pino/chat.log';
const dir = mkdtempSync(join(tmpdir(), 'wsclose-journal-'));

interface Entry {
  message: Buffer;
  pid: number;
  host: string;
}

const journal = (name: string, entries: Entry[]): string => writeJournal(join(dir, name), entries) as string;
/** journalctl's print, as bytes (`-a` prints a line's bytes as they are). */
const journalctl = (file: string, args: string[]): Buffer => printJournal(file, args) as Buffer;
const lines = (file: string): Buffer[] => {
  const all = linesOf(readFileSync(file)) as Buffer[];
  return all.at(-1)?.length === 0 ? all.slice(0, -1) : all;
};

describe.skipIf(missing !== undefined)(`journalctl (needs systemd-journal-remote${missing ? `: ${missing}` : ''})`, () => {
  it('reads a service\'s log in each of journalctl\'s short styles to the verdicts of its lines', async () => {
    const file = journal('chat', lines(SAMPLE).map((message) => ({ message, pid: 4242, host: 'web-1' })));
    const plain = JSON.parse((await runCli(['analyze', SAMPLE, '-o', 'json'])).stdout) as Report;
    expect(plain.incidents.length).toBeGreaterThan(5);
    const first: Record<string, [string[], RegExp]> = {
      short: [[], /^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d web-1 node\[4242\]: \{/],
      'short-precise': [['-o', 'short-precise'], /^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d\.\d{6} web-1 node\[4242\]: \{/],
      'short-iso': [['-o', 'short-iso'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:?\d\d web-1 node\[4242\]: \{/],
      'short-iso-precise': [['-o', 'short-iso-precise'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:?\d\d web-1 node\[4242\]: \{/],
      'short-full': [['-o', 'short-full'], /^[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC web-1 node\[4242\]: \{/],
      'short-unix': [['-o', 'short-unix'], /^\d{10}\.\d{6} web-1 node\[4242\]: \{/],
      'short-monotonic': [['-o', 'short-monotonic'], /^\[ {0,4}\d+\.\d{6}\] web-1 node\[4242\]: \{/],
      'no-hostname': [['--no-hostname'], /^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d node\[4242\]: \{/],
      // The unit in the identifier's place, after short-full's time.
      'with-unit': [['-o', 'with-unit'], /^[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC web-1 chat\.service\[4242\]: \{/],
    };
    for (const [style, [args, head]] of Object.entries(first)) {
      const text = journalctl(file, args);
      expect(text.toString('latin1').split('\n')[0], style).toMatch(head);
      const log = join(dir, `${style}.log`);
      writeFileSync(log, text);
      const res = await runCli(['analyze', log, '-o', 'json']);
      expect(res.code, res.stderr).toBe(0);
      const r = JSON.parse(res.stdout) as Report;
      const [f] = r.input.files;
      expect(f, style).toMatchObject({ parser: 'json', linePrefix: true, lines: plain.input.files[0].lines, events: plain.input.files[0].events, skipped: {} });
      // The same verdicts, field by field, evidence at the same line numbers of journalctl's print.
      expectSameVerdicts(r, plain, SAMPLE, log, style);
      // The same through a pipe, with every line parsed.
      const piped = await runCli(['analyze', '-o', 'json', '--no-prefilter'], { input: text });
      expectSameVerdicts(JSON.parse(piped.stdout) as Report, r, log, 'stdin', `${style}, piped`);
    }
  });

  describe.each([
    ['name their process (pid and hostname)', false],
    ['name no process (pino\'s base: null)', true],
  ])('two services on one host that crash at once, whose records %s', (_, anonymous) => {
    interface Service {
      lines: Buffer[];
      pid: number;
      process: string;
      expected: ExpectedVerdict[];
    }
    let services: Service[];

    beforeAll(async () => {
      const run = async (name: string, fatal: string, pid: number): Promise<Service> => {
        const log = join(dir, `${name}-${anonymous}.log`);
        const expected = expectedVerdicts(await runCrash(log, { copies: 1, fatal, anonymous })) as ExpectedVerdict[];
        const own = lines(log);
        const first = JSON.parse(own[0].toString()) as { pid?: number; hostname?: string };
        // The journal's _PID is the process's: the one its records name, when they name one.
        return { lines: own, pid: first.pid ?? pid, process: anonymous ? `web-1 node[${pid}]` : `${first.pid}@${first.hostname}`, expected };
      };
      services = await Promise.all([run('chat-a', 'profile-crash', 4101), run('chat-b', 'profile-binary-crash', 4102)]);
    }, 60_000);

    it.each([1, 3])('judges each service\'s connections by its own crash, their lines interleaved %i at a time', async (n) => {
      const entries: Entry[] = [];
      for (let i = 0; services.some((s) => i < s.lines.length); i += n) {
        for (const s of services) for (const message of s.lines.slice(i, i + n)) entries.push({ message, pid: s.pid, host: 'web-1' });
      }
      const file0 = journal(`two-${anonymous}-${n}`, entries);
      // A line with bytes journalctl will not print (the binary frame's, in the crash's message)
      // is shown as a blob unless --all (-a) is given: the crash then has no exception to read.
      expect(journalctl(file0, []).toString('latin1')).toMatch(/node\[\d+\]: \[\d+B blob data\]\n/);
      const text = journalctl(file0, ['-a']);
      const printed = text.toString('latin1').trimEnd().split('\n');
      expect(printed).toHaveLength(entries.length);
      // The two crash reports' lines interleave, with each other and with the other service's records.
      const report0 = printed.findIndex((l) => l.includes(']: TypeError: '));
      const report1 = printed.findIndex((l) => l.includes(']: SyntaxError: '));
      expect(Math.min(report0, report1)).toBeGreaterThan(0);
      const near = printed.slice(Math.min(report0, report1) - 4, Math.max(report0, report1) + 4).map((l) => /node\[\d+\]/.exec(l)?.[0]);
      expect(new Set(near).size).toBe(2);
      const file = join(dir, `two-${anonymous}-${n}.log`);
      writeFileSync(file, text);
      await expectOwnCrashes(file, services);
    });
  });
});

const noRsyslog = rsyslogMissing();
describe.skipIf(noRsyslog !== undefined)(`rsyslog's files (needs rsyslog${noRsyslog ? `: ${noRsyslog}` : ''})`, () => {
  it.each([
    ['samples/ws-pino/chat.log', 'samples/ws-pino/chat.expected.json'],
    ['samples/node-crash/crash.log', 'samples/node-crash/crash.expected.json'],
  ])('reads %s as rsyslog writes it, in its default and its traditional format, to the sample\'s verdicts', async (log, expected) => {
    const files = await throughRsyslog(mkdtempSync(join(dir, 'rsyslog-')), log, 4242);
    const heads = { file: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d \S+ node\[4242\]: /, traditional: /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ node\[4242\]: / };
    for (const [format, file] of Object.entries(files)) {
      const text = readFileSync(file, 'utf8');
      expect(text, format).toMatch(heads[format as keyof typeof heads]);
      const report = await expectSampleVerdicts(file, expected, 'json');
      expect(report.input.files[0], format).toMatchObject({ linePrefix: true, skipped: {} });
    }
  });
});

