/**
 * Lines a log collector prefixed: `kubectl logs --prefix --timestamps` writes
 * `[pod/<name>/<container>] <kubelet time> <line>`, `docker logs -t` `<RFC3339Nano> <line>`,
 * `docker compose logs` `<name padded> | <line>` (with `--timestamps`, its fixed-width time after
 * the bar; with `--ansi always`, the prefix colored). The prefixes are written by Go's own
 * formatter with the layouts and format strings of the kubelet, docker and compose
 * (cmd/formatter/logs.go); the lines are the ws + pino sample.
 */
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectParser } from '../parsers/index.js';
import { LineSources } from '../src/line-sources.js';
import { ANY_START, hasLinePrefix, sourceOf, stripPrefixes, trimmed, withoutPrefix } from '../src/prefix.js';
import type { Report } from '../src/report.js';
import { runCli } from './support/cli.js';
import { expectSameVerdicts } from './support/expect-verdict.js';

const SAMPLE = 'samples/ws-pino/chat.log';
const LINE = '{"level":30,"msg":"ws connection opened"}';
const POD = '[pod/chat-7d9f8c6b5-x2x9k/chat] ';
const COMPOSE = 'chat-1         | ';
/** How a JSON record starts: `{`. */
const OPEN = 0x7b;
/** The longest prefix: a compose name of 255 characters padded by 256 blanks, coloured with 16 digits, then a time with nanoseconds and an offset. */
const LONGEST = `\x1b[${'1'.repeat(16)}m${'a'.repeat(255)}${' '.repeat(256)}| \x1b[0m2026-11-27T02:00:01.123456789+01:00 `;

describe('collector prefixes', () => {
  it('takes off a pod reference, a kubelet time, an RFC3339Nano time, or both; a container runtime\'s time, stream and tag', () => {
    const times = ['2026-11-27T02:00:01.000001000Z ', '2026-11-27T02:00:01.5+01:00 ', '2026-11-27T02:00:01Z '];
    // containerd's and CRI-O's (local time, nanoseconds) CRI lines.
    const cri = ['2026-11-27T02:00:01.0000021Z stdout F ', '2026-11-27T02:00:01.123456789+01:00 stderr F ', '2026-11-27T02:00:01.5Z stdout P '];
    // journalctl's short styles (its host, identifier and pid after the time), as systemd 252 and later write them; syslog's files.
    const journal = ['Nov 26 17:20:28 web-1 node[4242]: ', 'Nov 26 17:20:28.612000 web-1 node[4242]: ', '2026-11-26T17:20:28+0000 web-1 node[4242]: ',
      '2026-11-26T17:20:28.612000+00:00 web-1 node[4242]: ', 'Thu 2026-11-26 17:20:28 UTC web-1 node[4242]: ', '1795713628.612000 web-1 node[4242]: ',
      '[    1.000000] web-1 node[4242]: ', 'Nov 26 17:20:28 node[4242]: ', 'Nov 26 17:20:28 web-1 kernel: ', `Nov 26 17:20:28 ${'h'.repeat(64)} ${'n'.repeat(128)}[1234567890]: `,
      'Thu 2026-11-26 17:20:28 America+05 web-1 node[4242]: ', 'Nov  6 17:20:28 web-1 node[4242]: '];
    for (const prefix of [POD, ...times, `${POD}2026-11-27T02:00:01.123456789Z `, COMPOSE, `${COMPOSE}${times[0]}`, `\x1b[36m${COMPOSE}\x1b[0m`, 'a | ', LONGEST, ...cri, ...journal]) {
      expect(withoutPrefix(prefix + LINE)).toBe(LINE);
      const buf = Buffer.from(`xx${prefix}${LINE}\n`);
      expect(buf.toString('latin1', 0, stripPrefixes(buf, 2, buf.length))).toBe(`xx${LINE}\n`);
    }
    for (const line of [LINE, '2026-11-27 02:00:01,123 chat INFO x', '[pod/] x', '2026-11-27T02:00:01.1234567891Z x', '2026-11-27 02:00:01.123 | INFO     | app:main:1 - x', 'chat-1 |x',
      'Nov 26 17:20:28.123 web-1 node: x', `Nov 26 17:20:28 ${'h'.repeat(65)} node: x`, 'Nov 26 17:20:28 web-1 node[]: x', 'Nov 26 17:20:28 web-1 node[12345678901]: x', 'Nov 6 17:20:28 web-1 node: x', 'Nov  x 17:20:28 web-1 node: x', 'Thu 2026-11-26 17:20:28 America+05x web-1 node: x',
      '[     1.000000] web-1 node: x']) {
      expect(withoutPrefix(line)).toBe(line);
      const buf = Buffer.from(`${line}\n`);
      expect(buf.toString('latin1', 0, stripPrefixes(buf, 0, buf.length))).toBe(`${line}\n`);
    }
    // Only the time is a collector's when the stream or the tag is not the runtime's.
    for (const rest of ['stdin F x', 'stdout X x', 'stdout Fx', 'stdoutF x', 'stderr  F x']) expect(withoutPrefix(`2026-11-27T02:00:01Z ${rest}`)).toBe(rest);
  });

  it('takes the prefixes off a block of lines in place, each line kept whole and at its place in order', () => {
    const lines = [`${POD}${LINE}`, POD, '', `${COMPOSE}2026-11-27T02:00:01.000001000Z ${LINE}\r`, LINE, `\x1b[36m${COMPOSE}\x1b[0mplain text`, `${LONGEST}${LINE}`,
      `${POD}{"msg":"${'x'.repeat(100_000)}"}`, `${POD}${LINE}`]; // a line longer than the text made at once, and one after it
    const block = `${lines.join('\n')}\n`;
    const buf = Buffer.from(`ab${block}rest`);
    const end = stripPrefixes(buf, 2, 2 + Buffer.byteLength(block));
    expect(buf.toString('latin1', 2, end)).toBe(`${lines.map(withoutPrefix).join('\n')}\n`);
    expect(buf.toString('latin1', 0, 2)).toBe('ab');
    expect(buf.toString('latin1', buf.length - 4)).toBe('rest');
  });

  it('takes off in a block what it takes off each line alone, however long the lines and wherever the text made at once ends', () => {
    // Pieces of prefixes and of what follows them, so that lines come near a prefix and miss it.
    const piece = fc.constantFrom(POD, COMPOSE, '[pod/', '] ', '2026-11-27T02:00:01.5Z ', '2026-11-27T02:00:01', '+01:00 ', '\x1b[36m', '\x1b[0m', '| ', ' ', 'chat-1', LINE, 'x', '\r');
    const line = fc.tuple(fc.array(piece, { maxLength: 6 }), fc.nat({ max: 40_000 })).map(([ps, pad]) => ps.join('') + 'y'.repeat(pad % 7 === 0 ? pad : pad % 300));
    fc.assert(fc.property(fc.array(fc.oneof({ weight: 1, arbitrary: fc.constant('') }, { weight: 4, arbitrary: line }), { minLength: 1, maxLength: 40 }), fc.constantFrom(ANY_START, OPEN), (lines, first) => {
      const block = `${lines.join('\n')}\n`;
      const buf = Buffer.from(`ab${block}rest`, 'latin1');
      const end = stripPrefixes(buf, 2, 2 + block.length, undefined, first);
      expect(buf.toString('latin1', 2, end)).toBe(`${lines.map((l) => trimmed(l, first)).join('\n')}\n`);
      expect(buf.toString('latin1', buf.length - 4)).toBe('rest');
    }), { numRuns: 200 });
  });

  it('takes off in a block what the pattern takes off each line, at each bound of each part (the block\'s matcher is written by hand)', () => {
    const run = (chars: string[], max: number) => fc.array(fc.constantFrom(...chars), { maxLength: max }).map((cs) => cs.join(''));
    // Its bound, each side of it, or any length up to past it.
    const sized = (char: string, bound: number) => fc.oneof(fc.constantFrom(0, 1, bound - 1, bound, bound + 1), fc.integer({ min: 0, max: bound + 2 }))
      .map((n) => char.repeat(n));
    // A pod's name of up to 316 bytes but `]` and blanks (JavaScript's \s on Latin-1 text: \xa0 too).
    const pod = fc.tuple(fc.oneof(sized('p', 316), run(['a', '-', '/', ']', ' ', '\t', '\xa0', '\x0b', '\x85', '\xe9', '\x1c'], 8)), fc.constantFrom('] ', ']', ' ', ''))
      .map(([name, end]) => `[pod/${name}${end}`);
    const color = fc.tuple(fc.oneof(sized('3', 16), run(['0', '9', ';', 'a', 'm'], 4)), fc.constantFrom('m', '', 'x')).map(([c, m]) => `\x1b[${c}${m}`);
    const compose = fc.tuple(fc.option(color), fc.oneof(sized('n', 255), run(['a', 'Z', '0', '_', '.', '-', '@', '[', '`', '{', '/', '\xe9'], 6)),
      fc.oneof(sized(' ', 256), fc.constantFrom('', '\t')), fc.constantFrom('| ', '|', ' |', '|  '), fc.constantFrom('', '\x1b[0m', '\x1b[0', '\x1b[1m'))
      .map(([c, name, pad, bar, reset]) => `${c ?? ''}${name}${pad}${bar}${reset}`);
    const time = fc.tuple(fc.constantFrom('2026-11-27T02:00:01', '2026-11-27 02:00:01', '2026-1-27T02:00:01', '2026-11-27T02:00:0x', '9999-99-99T99:99:99'),
      fc.oneof(fc.constant(''), sized('1', 9).map((d) => `.${d}`)), fc.constantFrom('Z', 'z', '+01:00', '-11:30', '+0100', '+1:00', '', '+01:0x'), fc.constantFrom(' ', '', '\t'))
      .map((parts) => parts.join(''));
    const stream = fc.tuple(fc.constantFrom('stdout', 'stderr', 'stdo', 'stde', 'stdin', 'stdoux', 'stderx'), fc.constantFrom(' ', '', '\t'), fc.constantFrom('F', 'P', 'X', ''), fc.constantFrom(' ', '', 'x'))
      .map((parts) => parts.join(''));
    // journalctl's times, one per style, at their bounds and beside them; then its source (host, identifier, pid) and `: `.
    const fraction = fc.oneof(fc.constant(''), sized('1', 6).map((d) => `.${d}`));
    const jtime = fc.oneof(
      fc.tuple(fc.constantFrom('Nov', 'nov', 'No', 'N0v', 'No\xe9'), fc.constantFrom(' 26 ', ' 6 ', '  6 ', '  26 ', ' 26', '   6 '), fc.constantFrom('17:20:28', '17:20:2', '7:20:28'), fraction),
      fc.tuple(fc.constantFrom('2026-11-26T17:20:28', '2026-11-26 17:20:28', '2026-1-26T17:20:28'), fraction, fc.constantFrom('+0000', '-05:30', '+00:00', '+000', '+00:0', 'Z', '', '+0x:00')),
      fc.tuple(fc.constantFrom('Thu ', 'Thu', 'Th '), fc.constantFrom('2026-11-26 17:20:28 ', '2026-11-26T17:20:28 ', '2026-11-26 17:20:28'), fc.oneof(sized('U', 10), run(['C', 'E', 'T', '+', '-', '0', ' ', '/', '_'], 4))),
      fc.tuple(sized('1', 10), fc.constantFrom('.', ','), sized('6', 6)),
      fc.tuple(fc.constantFrom('[', '(', ''), sized(' ', 4), sized('9', 10), fc.constantFrom('.', ''), sized('0', 6), fc.constantFrom(']', '')),
    ).map((parts) => parts.join(''));
    const name = (char: string, bound: number) => fc.oneof(sized(char, bound), run(['w', '-', '.', '1', '[', ']', ':', ' ', '\t', '\xa0', '\x85', '\xe9'], 6));
    const jsource = fc.tuple(fc.constantFrom(' ', '', '  '), fc.option(fc.tuple(name('h', 64), fc.constantFrom(' ', '', '  '))), name('n', 128),
      fc.option(fc.tuple(fc.constantFrom('[', '', '(', '[['), fc.oneof(sized('4', 10), run(['4', 'x', ']'], 3)), fc.constantFrom(']', '', ']]'))), fc.constantFrom(': ', ':', ' :', ':  ', ''))
      .map(([blank, host, ident, pid, colon]) => `${blank}${host ? host.join('') : ''}${ident}${pid ? pid.join('') : ''}${colon}`);
    const journal = fc.tuple(jtime, jsource).map(([t, source]) => t + source);
    const line = fc.tuple(fc.oneof(fc.constant(''), pod, compose), fc.oneof(fc.constant(''), time, journal), fc.oneof(fc.constant(''), stream),
      fc.constantFrom(LINE, '', 'x', '] ', '| ', ` \t${LINE}`, '    at f (a.js:1:2)', '\r'))
      .map((parts) => parts.join(''));
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 20 }), fc.constantFrom(ANY_START, OPEN), (lines, first) => {
      const block = `${lines.join('\n')}\n`;
      const buf = Buffer.from(`ab${block}rest`, 'latin1');
      const end = stripPrefixes(buf, 2, 2 + block.length, undefined, first);
      expect(buf.toString('latin1', 2, end)).toBe(`${lines.map((l) => trimmed(l, first)).join('\n')}\n`);
    }), { numRuns: 2000 });
  });

  it('leaves the prefix that names a source on a line that does not start as the records do, and names that source', () => {
    const crash = ['TypeError: x', '    at f (a.js:1:2)', '', 'Node.js v20.20.2'];
    for (const named of [POD, `${POD}2026-11-27T02:00:01.123456789Z `, COMPOSE, `\x1b[36m${COMPOSE}\x1b[0m`, 'Nov 26 17:20:28 web-1 node[4242]: ']) {
      expect(trimmed(named + LINE, OPEN)).toBe(LINE);
      expect(trimmed(`${named}  ${LINE}`, OPEN)).toBe(`  ${LINE}`);
      for (const text of crash) {
        expect(trimmed(named + text, OPEN)).toBe(named + text);
        expect(trimmed(named + text, ANY_START)).toBe(text);
      }
    }
    // A prefix that names no source (a time, a container runtime's) always comes off: the input is one source.
    for (const unnamed of ['2026-11-27T02:00:01.5Z ', '2026-11-27T02:00:01.5Z stderr F ']) expect(trimmed(`${unnamed}TypeError: x`, OPEN)).toBe('TypeError: x');
    expect(sourceOf(`${POD}TypeError: x`)).toBe('pod/chat-7d9f8c6b5-x2x9k/chat');
    expect(sourceOf(`\x1b[36m${COMPOSE}\x1b[0mx`)).toBe('chat-1');
    expect(sourceOf('Nov 26 17:20:28 web-1 node[4242]: x')).toBe('web-1 node[4242]');
    expect(sourceOf('2026-11-26T17:20:28+0000 kernel: x')).toBe('kernel');
    expect(sourceOf(`${POD}Nov 26 17:20:28 web-1 node[4242]: x`)).toBe('pod/chat-7d9f8c6b5-x2x9k/chat');
    // The kernel notes the same sources, line by line: the first prefix's name, where two are.
    const named = [`${POD}Nov 26 17:20:28 web-1 node[4242]: TypeError: x`, 'Nov 26 17:20:28 web-1 node[4242]: TypeError: x', `${COMPOSE}x`];
    const block = Buffer.from(`${named.join('\n')}\n`);
    const sources = new LineSources();
    stripPrefixes(block, 0, block.length, undefined, OPEN, sources, 0);
    expect(named.map((_, i) => sources.at(i + 1))).toEqual(named.map(sourceOf));
    expect(sourceOf('2026-11-27T02:00:01.5Z x')).toBeUndefined();
    expect(sourceOf(LINE)).toBeUndefined();
  });

  it('finds prefixed lines in a sample, blank lines aside, and none in an unprefixed one', () => {
    expect(hasLinePrefix([`${POD}${LINE}`, '', `${POD}${LINE}`])).toBe(true);
    expect(hasLinePrefix([LINE, LINE])).toBe(false);
    expect(hasLinePrefix([`${POD}${LINE}`, LINE, LINE])).toBe(false);
  });

  it('leaves Spring Boot lines, which begin with such a time, to the java parser', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-prefix-'));
    const log = join(dir, 'boot.log');
    const boot = [
      '2026-11-24T17:54:16.123Z  INFO 4242 --- [main] o.s.b.w.e.tomcat.TomcatWebServer : Tomcat started on port 8080 (http)',
      '2026-11-24T17:54:16.130Z DEBUG 4242 --- [nio-8080-exec-3] s.w.s.h.LoggingWebSocketHandlerDecorator : New StandardWebSocketSession[id=5b1a, uri=ws://localhost:8080/chat]',
    ];
    expect(hasLinePrefix(boot)).toBe(true);
    expect(detectParser(boot)?.name).toBe('java');
    writeFileSync(log, `${boot.join('\n')}\n`);
    for (const format of [[], ['--format', 'java']]) {
      const r = JSON.parse((await runCli(['analyze', log, ...format, '-o', 'json'])).stdout) as Report;
      expect(r.input.files[0].parser).toBe('java');
      expect(r.input.files[0].linePrefix).toBeUndefined();
      expect(r.input.files[0].skipped).toEqual({});
    }
  });

  const haveGo = spawnSync('go', ['version']).status === 0;
  it.skipIf(!haveGo)('reads a log prefixed as kubectl, docker, docker compose and the container runtimes (CRI) write it to the same verdicts (needs golang-go)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-prefix-'));
    const prog = join(dir, 'prefix.go');
    // The kubelet's layout (fixed-width nanoseconds) with kubectl's pod reference, docker's
    // RFC3339Nano, and compose's name padded to its longest service's width plus one (here
    // `chat-worker-1`), then the same fixed-width time in local time, then colored as
    // compose's ansiColor does; containerd's and CRI-O's files (the kubelet's logs.go reads
    // `<time> <stream> <tag> <line>`), RFC3339Nano in UTC and fixed-width in local time.
    writeFileSync(prog, `package main
import ("bufio"; "fmt"; "os"; "strconv"; "time")
func main() {
  in := bufio.NewScanner(os.Stdin)
  in.Buffer(make([]byte, 1<<20), 1<<20)
  const fixed = "2006-01-02T15:04:05.000000000Z07:00"
  compose := fmt.Sprintf("%-"+strconv.Itoa(len("chat-worker-1")+1)+"s | ", "chat-1")
  for in.Scan() {
    t := time.Now().UTC()
    switch os.Args[1] {
    case "kubectl":
      fmt.Printf("[pod/chat-7d9f8c6b5-x2x9k/chat] %s %s\\n", t.Format(fixed), in.Text())
    case "docker":
      fmt.Printf("%s %s\\n", t.Format(time.RFC3339Nano), in.Text())
    case "containerd":
      fmt.Printf("%s stdout F %s\\n", t.Format(time.RFC3339Nano), in.Text())
    case "crio":
      fmt.Printf("%s stdout F %s\\n", t.In(time.FixedZone("CET", 3600)).Format(fixed), in.Text())
    case "compose":
      fmt.Printf("%s%s %s\\n", compose, t.In(time.FixedZone("CET", 3600)).Format(fixed), in.Text())
    default:
      fmt.Printf("%s%s\\n", fmt.Sprintf("%s%s%s", "\\033[36m", compose, "\\033[0m"), in.Text())
    }
  }
}
`);
    const plain = JSON.parse((await runCli(['analyze', SAMPLE, '-o', 'json'])).stdout) as Report;
    expect(plain.incidents.length).toBeGreaterThan(5);
    const first: Record<string, RegExp> = {
      kubectl: /^\[pod\/chat-7d9f8c6b5-x2x9k\/chat\] \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \{/,
      docker: /^\d{4}-\d\d-\d\dT[\d:.]+Z \{/,
      containerd: /^\d{4}-\d\d-\d\dT[\d:.]+Z stdout F \{/,
      crio: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}\+01:00 stdout F \{/,
      compose: /^chat-1 {9}\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}\+01:00 \{/,
      'compose-ansi': /^\x1b\[36mchat-1 {9}\| \x1b\[0m\{/,
    };
    for (const style of Object.keys(first)) {
      const out = spawnSync('go', ['run', prog, style], { input: readFileSync(SAMPLE), encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod' } });
      expect(out.status, out.stderr).toBe(0);
      const log = join(dir, `${style}.log`);
      writeFileSync(log, out.stdout);
      expect(out.stdout.split('\n')[0]).toMatch(first[style]);
      const res = await runCli(['analyze', log, ...(style === 'kubectl' ? ['--format', 'json'] : []), '-o', 'json']);
      expect(res.code).toBe(0);
      const r = JSON.parse(res.stdout) as Report;
      const [file] = r.input.files;
      expect(file.parser).toBe('json');
      expect(file.linePrefix).toBe(true);
      expect(file.lines).toBe(plain.input.files[0].lines);
      expect(file.events).toBe(plain.input.files[0].events);
      expect(file.skipped).toEqual({});
      // The same verdicts, field by field, evidence at the same line numbers of the prefixed file.
      expect(r.summary.byRootCause).toEqual(plain.summary.byRootCause);
      expectSameVerdicts(r, plain, SAMPLE, log);
    }
  });
});
