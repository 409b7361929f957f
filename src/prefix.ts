/**
 * What log collectors put before each line of a service's log, so that the line itself is
 * given to its parser:
 * - `kubectl logs --prefix`: `[pod/<name>/<container>] ` (kubectl's addPrefixIfNeeded);
 * - `kubectl logs --timestamps`: the kubelet's time of the line, in the fixed-width form of
 *   RFC 3339 with nanoseconds (`2006-01-02T15:04:05.000000000Z07:00`), then a space; `docker
 *   logs -t` and stern write RFC3339Nano, the same with trailing zeros dropped.
 * - `docker compose logs`: the container's name padded to the longest one's width plus one, then
 *   `| ` (compose's formatter, `%-<width>s | `), colored when compose writes to a terminal or is
 *   given `--ansi always`; `--timestamps` adds the time (RFC3339Nano, fixed width) after it.
 * - a container runtime's own file (`/var/log/containers/*.log`, `/var/log/pods/…`: containerd's
 *   and CRI-O's CRI format, as the kubelet's logs.go reads it): the time (RFC3339Nano), the
 *   stream, the tag (`F` a full line, `P` part of one longer than the runtime's line size), and a
 *   space each: `2026-11-28T10:00:00.123456789Z stdout F <line>`. A partial line's parts are read
 *   as lines of their own (a JSON line longer than 16 KB, containerd's default, is not joined).
 * - journalctl (systemd's journal; logs-show.c `output_short`) and rsyslog's files (its
 *   default `RSYSLOG_FileFormat`, an ISO time, and `RSYSLOG_TraditionalFileFormat`, whose day
 *   is padded with a blank, not a zero): the time in
 *   one of journalctl's `short` styles (`Nov 26 17:20:28` and, `-o short-precise`, its
 *   microseconds; `-o short-iso[-precise]`, `2026-11-26T17:20:28[.123456]+0000`, in later
 *   systemd `+00:00`; `-o short-full`, `Thu 2026-11-26 17:20:28 UTC`; `-o short-unix`,
 *   `1795713628.612000`; `-o short-monotonic`, `[    1.000000]`), the host (unless
 *   `--no-hostname`), the identifier (`-o with-unit`: the unit, after short-full's time), the
 *   pid in brackets when known, then `: `. The host,
 *   identifier and pid name the line's source. A message of several lines (the native API's,
 *   not a service's output, which the journal takes line by line) has its next lines indented
 *   instead: they are read as they are.
 * kubectl writes its two as `[pod/…] <time> <line>`. The line's own fields (its time included)
 * are what the parser reads; the collector's time is not used. A prefix is taken off only when
 * the parser knows the lines better without it (reader.ts): Spring Boot's own lines begin with
 * such a time.
 *
 * Several sources in one stream (`kubectl logs -l app=chat --prefix`, `docker compose logs`)
 * interleave their lines one by one, a crash report's lines among them. So the source each line
 * names is kept (`LineSources`), and a prefix that names its source stays on a line that does
 * not start as the format's records do (`trimmed`): the reader gives such lines, the text between
 * records, to a reader of their source's own (demux.ts).
 */

import type { LineSources } from './line-sources.js';
import { Sweep, type SourceNotes } from './prefilter.js';

/** journalctl's times, one per `short` style (see above), each followed by a blank. */
const JOURNAL_TIME = '(?:[A-Za-z]{3} (?:\\d\\d| \\d) \\d\\d:\\d\\d:\\d\\d(?:\\.\\d{6})?|\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d{6})?[+-]\\d\\d:?\\d\\d|[A-Za-z]{3} \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [A-Za-z\\d+-]{1,10}|\\d{10}\\.\\d{6}|\\[ {0,4}\\d{1,10}\\.\\d{6}\\]) ';
/** The journal's source: the host (at most HOST_NAME_MAX), the identifier, the pid; no blank, bracket or colon in either name. */
const JOURNAL_SOURCE = '(?:[^\\s\\[\\]:]{1,64} )?[^\\s\\[\\]:]{1,128}(?:\\[\\d{1,10}\\])?';
const PREFIX = new RegExp('(?:\\[pod\\/[^\\]\\s]{1,316}\\] |(?:\\x1b\\[[\\d;]{1,16}m)?[\\w.-]{1,255} {1,256}\\| (?:\\x1b\\[0m)?)?'
  + '(?:' + JOURNAL_TIME + JOURNAL_SOURCE + ': |\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d{1,9})?(?:Z|[+-]\\d\\d:\\d\\d) (?:std(?:out|err) [FP] )?)?', 'y');
/** The part of PREFIX that names the line's source: kubectl's `pod/<name>/<container>`, compose's container, the journal's `host identifier[pid]`. */
const NAMED = new RegExp('\\[(pod\\/[^\\]\\s]{1,316})\\] |(?:\\x1b\\[[\\d;]{1,16}m)?([\\w.-]{1,255}) {1,256}\\| |' + JOURNAL_TIME + '(' + JOURNAL_SOURCE + '): ', 'y');
/** What the sweep takes for blanks before a line's first byte. */
const BLANKS = /[ \t]*/y;
/** No byte: every prefix comes off. */
export const ANY_START = 256;
/** The share of a sample's lines that must carry a prefix for the input to be read as prefixed. */
const SHARE = 0.9;

/** The length of the collector's prefix on `line`, 0 for none (sticky: its end, with no match object made, once a line). */
function prefixLength(line: string): number {
  PREFIX.lastIndex = 0;
  PREFIX.test(line);
  return PREFIX.lastIndex;
}

/** True when nearly every non-blank line of the sample carries a collector's prefix. */
export function hasLinePrefix(sample: string[]): boolean {
  let lines = 0;
  let prefixed = 0;
  for (const line of sample) {
    if (line.trim() === '') continue;
    lines++;
    if (prefixLength(line) > 0) prefixed++;
  }
  return lines > 0 && prefixed >= SHARE * lines;
}

/** `line` without its collector's prefix. */
export function withoutPrefix(line: string): string {
  const n = prefixLength(line);
  return n === 0 ? line : line.slice(n);
}

/** The source `line`'s prefix names (`pod/chat-a/server`, `chat-1`), or undefined. */
export function sourceOf(line: string): string | undefined {
  NAMED.lastIndex = 0;
  const m = NAMED.exec(line);
  return m === null ? undefined : (m[1] ?? m[2] ?? m[3]);
}

/**
 * `line` as the reader reads it, as prefilter.wat `strip` cuts it: without its prefix, unless
 * the prefix names a source and the rest, past blanks, does not start with `first` (a byte,
 * or ANY_START).
 */
export function trimmed(line: string, first: number): string {
  const n = prefixLength(line);
  if (n === 0) return line;
  if (first !== ANY_START && sourceOf(line) !== undefined) {
    BLANKS.lastIndex = n;
    BLANKS.test(line);
    if (line.charCodeAt(BLANKS.lastIndex) !== first) return line;
  }
  return line.slice(n);
}

/** Where blocks other than a reader's are stripped. */
let scratch: Sweep | undefined;

/** Notes no one reads. */
const UNREAD: SourceNotes = { last: Buffer.alloc(0), known: new Uint32Array(256), noted() {} };

/**
 * Takes the prefix off each line of `buf[start, end)` (whole lines: `end - 1` is a line break)
 * in place, as `trimmed` does, the lines moved up to close the gaps; returns the new end. Line
 * breaks are kept, so lines keep their numbers; the sources the lines name go to `sources`
 * (the lines follow line `lineNo`). It runs in the prefilter's kernel (prefilter.wat `strip`),
 * in `sweep` when the block is one of its blocks: no string is made of the lines, and PREFIX is
 * matched there by hand (keep the two in step: test/prefix.test.ts checks one against the other).
 */
export function stripPrefixes(buf: Buffer, start: number, end: number, sweep?: Sweep, first = ANY_START, sources?: LineSources, lineNo = 0): number {
  const s = sweep !== undefined && sweep.addressOf(buf) >= 0 ? sweep : (scratch ??= new Sweep());
  sources?.block(lineNo);
  return s.strip(buf, start, end, first, sources ?? UNREAD);
}
