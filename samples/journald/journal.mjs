// A service's lines as systemd's journal holds them and journalctl prints them: the journal file
// is written by systemd's own systemd-journal-remote (from the journal's export format, one entry
// per line, as journald takes a service's output), and printed by the real journalctl. Shared by
// generate.mjs, test/journal.test.ts and the bench. Needs Debian's systemd-journal-remote.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const REMOTE = '/lib/systemd/systemd-journal-remote';
const BOOT = '6c0b2a1e9d8f4c3b8a7e6d5c4b3a2910';
/** The first entry's time (µs): 2026-11-26 17:20:28.612 UTC. */
const T0 = 1_795_713_628_612_000;

/** Why the journal's tools cannot run here, or undefined when they can. */
export function journalMissing() {
  if (!existsSync(REMOTE)) return `${REMOTE} is missing (apt-get install systemd-journal-remote)`;
  if (spawnSync('journalctl', ['--version']).status !== 0) return 'journalctl is missing (apt-get install systemd)';
  return undefined;
}

/**
 * Writes `entries` ({ message: Buffer | string, pid, host }, a service's lines in the order the
 * journal took them, a millisecond apart; any iterable) to a journal in the folder `dir` (made
 * anew), as a unit's output: one file, or several once it rotates them (about 100 MB each), as
 * /var/log/journal/<machine id>/ holds them. The export is written a megabyte at a time: the
 * bench's log is 1.5 million entries. Returns `dir`.
 */
export function writeJournal(dir, entries) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const exported = join(dir, 'entries.export');
  const fd = openSync(exported, 'w');
  let parts = [];
  let size = 0;
  const flush = () => {
    writeSync(fd, Buffer.concat(parts, size));
    parts = [];
    size = 0;
  };
  let i = 0;
  for (const e of entries) {
    const head = Buffer.from(`__REALTIME_TIMESTAMP=${T0 + 1000 * i}\n__MONOTONIC_TIMESTAMP=${1_000_000 + 1000 * i}\n_BOOT_ID=${BOOT}\n`
      + `_HOSTNAME=${e.host}\nSYSLOG_IDENTIFIER=node\n_PID=${e.pid}\n_TRANSPORT=stdout\nPRIORITY=6\n_SYSTEMD_UNIT=chat.service\nMESSAGE=`);
    // The export format's text form: any byte but a line break (a line has none).
    const message = Buffer.isBuffer(e.message) ? e.message : Buffer.from(e.message);
    parts.push(head, message, END);
    size += head.length + message.length + END.length;
    if (size >= 1 << 20) flush();
    i++;
  }
  flush();
  closeSync(fd);
  const out = spawnSync(REMOTE, [`--output=${join(dir, 'remote.journal')}`, exported], { encoding: 'utf8' });
  rmSync(exported, { force: true });
  if (out.status !== 0) throw new Error(`systemd-journal-remote failed: ${out.stderr}`);
  return dir;
}

const END = Buffer.from('\n\n');

/**
 * journalctl's print of the journal in the folder `dir` (all its files) with `args`, its times in
 * UTC: as bytes, or into the file `to` when given.
 */
export function printJournal(dir, args = [], to = undefined) {
  const fd = to === undefined ? 'pipe' : openSync(to, 'w');
  const out = spawnSync('journalctl', [`--directory=${dir}`, '--no-pager', ...args], { env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' }, stdio: ['ignore', fd, 'pipe'] });
  if (to !== undefined) closeSync(fd);
  if (out.status !== 0) throw new Error(`journalctl failed: ${out.stderr}`);
  return out.stdout;
}

/** The lines of `buf`, as bytes, without their line breaks. */
export function linesOf(buf) {
  const lines = [];
  for (let at = 0; at < buf.length;) {
    let nl = buf.indexOf(10, at);
    if (nl < 0) nl = buf.length;
    lines.push(buf.subarray(at, nl));
    at = nl + 1;
  }
  return lines;
}
