/**
 * `--out` files are written whole or not at all: a CLI killed (SIGKILL) in the middle of a run
 * leaves the previous report untouched, in every output format, streamed (ndjson) or not;
 * interrupted with SIGINT it writes the complete report of what it read. Only a regular file is
 * replaced so: a device, a fifo or a link stays what it was, and is written through.
 */
import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report.js';
import { CLI, runCli } from './support/cli.js';
import { connectionLog } from './support/connections.js';
import { outputKinds } from './support/outputs.js';

const dir = mkdtempSync(join(tmpdir(), 'wsclose-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Normal closes are final at once (streamed to ndjson as read); the 1011s are held for the end-of-input re-check.
const connections = (from: number, to: number) => connectionLog(from, to, (i) => ({ code: i % 2 ? 1011 : 1000, isBinary: true }));

/** Runs the CLI on a stdin that stays open, feeds it, then sends `signal`. */
function runThenSignal(args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args]);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code, signal: sig, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.write(connections(0, 2_000), () => setTimeout(() => child.kill(signal), 500));
  });
}

describe('--out written atomically', () => {
  let kinds: string[] = [];
  beforeAll(async () => {
    kinds = await outputKinds();
  });

  it('a run killed midway leaves the previous report as it was, in every format', async () => {
    for (const kind of kinds) {
      const out = join(dir, `report.${kind}`);
      const previous = `previous complete ${kind} report\n`;
      writeFileSync(out, previous);
      const res = await runThenSignal(['analyze', '-o', kind, '--out', out, '--quiet'], 'SIGKILL');
      expect(res.signal, kind).toBe('SIGKILL');
      expect(readFileSync(out, 'utf8'), kind).toBe(previous);
    }
    // What a killed run leaves is a hidden temporary file beside it, never the report's name.
    for (const f of readdirSync(dir)) expect(f.startsWith('.') || f.startsWith('report.'), f).toBe(true);
  });

  it('a streamed ndjson report had verdicts written when it was killed: they went to the temporary file', async () => {
    const out = join(dir, 'streamed.ndjson');
    writeFileSync(out, 'old\n');
    await runThenSignal(['analyze', '-o', 'ndjson', '--out', out, '--quiet'], 'SIGKILL');
    expect(readFileSync(out, 'utf8')).toBe('old\n');
    const temp = readdirSync(dir).filter((f) => f.startsWith('.streamed.ndjson.'));
    expect(temp).toHaveLength(1);
    expect(readFileSync(join(dir, temp[0]), 'utf8').split('\n').length).toBeGreaterThan(1);
  });

  it('SIGINT writes the whole report of what was read, then exits 130', async () => {
    const out = join(dir, 'interrupted.json');
    writeFileSync(out, 'old\n');
    const res = await runThenSignal(['analyze', '-o', 'json', '--out', out, '--quiet'], 'SIGINT');
    expect(res.code).toBe(130);
    const r = JSON.parse(readFileSync(out, 'utf8')) as Report;
    expect(r.input.interrupted).toBe(true);
    expect(r.input.lines).toBeGreaterThan(0);
    expect(r.summary.closes).toBe(Math.floor(r.input.lines / 3));
  });
});

describe('--out naming what is not a regular file', () => {
  const SAMPLE = 'samples/ws-pino/chat.log';
  const other = mkdtempSync(join(tmpdir(), 'wsclose-out-kinds-'));
  afterAll(() => rmSync(other, { recursive: true, force: true }));
  // Copies of /dev/null and /dev/full, made here: a run that replaced one replaced only the copy.
  const devices = { null: join(other, 'null'), full: join(other, 'full') };
  const haveDevices = Object.entries({ null: '3', full: '7' })
    .every(([name, minor]) => spawnSync('mknod', ['-m', '666', join(other, name), 'c', '1', minor]).status === 0);
  const stdoutOf = async (kind: string) => (await runCli(['analyze', SAMPLE, '-o', kind])).stdout;
  /** Nothing in the folder but what the test made: no temporary file left, no file put in a link's place. */
  const onlyMade = (...names: string[]) => expect(readdirSync(other).sort()).toEqual(names.sort());

  if (!haveDevices) it.skip('the device cases need root: mknod of copies of /dev/null and /dev/full failed', () => {});

  it.skipIf(!haveDevices)('a device is written through and stays the device, streamed (ndjson) or not', async () => {
    for (const kind of ['text', 'ndjson']) {
      const res = await runCli(['analyze', SAMPLE, '-o', kind, '--out', devices.null]);
      expect([res.code, res.stdout, res.stderr], kind).toEqual([0, '', '']);
      expect(statSync(devices.null).isCharacterDevice(), kind).toBe(true);
      expect(statSync(devices.null).rdev, kind).toBe(statSync('/dev/null').rdev);
    }
    onlyMade('null', 'full');
  });

  it.skipIf(!haveDevices)('a device that is full: one line on stderr, exit 2 (not --fail-on\'s 1), in every format', async () => {
    for (const kind of await outputKinds()) {
      const res = await runCli(['analyze', SAMPLE, '-o', kind, '--out', devices.full, '--fail-on', 'any']);
      expect([res.code, res.stdout, res.stderr], kind).toEqual([2, '', `wsclose: cannot write ${devices.full}: no space left on device (ENOSPC)\n`]);
      expect(statSync(devices.full).rdev, kind).toBe(statSync('/dev/full').rdev);
    }
    onlyMade('null', 'full');
  });

  it('a fifo is written through: its reader gets the report, and it stays a fifo', async () => {
    const fifo = join(other, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    try {
      let read = '';
      reader.stdout.setEncoding('utf8').on('data', (d: string) => { read += d; });
      const done = new Promise((resolve) => reader.on('close', resolve));
      const res = await runCli(['analyze', SAMPLE, '-o', 'json', '--out', fifo]);
      expect([res.code, res.stdout, res.stderr]).toEqual([0, '', '']);
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      await done;
      expect(read).toBe(await stdoutOf('json'));
    } finally {
      reader.kill();
      rmSync(fifo);
    }
  });

  it('a link is written at its target and stays a link: to a file, to a file not there yet, to stdout', async () => {
    const md = await stdoutOf('md');
    writeFileSync(join(other, 'real.md'), 'previous report\n');
    symlinkSync('real.md', join(other, 'link.md'));
    symlinkSync('absent.md', join(other, 'dangling.md'));
    symlinkSync('/proc/self/fd/1', join(other, 'stdout'));
    for (const link of ['link.md', 'dangling.md']) {
      const res = await runCli(['analyze', SAMPLE, '-o', 'md', '--out', join(other, link)]);
      expect([res.code, res.stdout, res.stderr], link).toEqual([0, '', '']);
    }
    expect(readFileSync(join(other, 'real.md'), 'utf8')).toBe(md);
    expect(readFileSync(join(other, 'absent.md'), 'utf8')).toBe(md);
    // Through a pipe, as a shell makes it (Node's child processes get sockets, which cannot be opened by name).
    const res = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" analyze ${SAMPLE} -o md --out "${join(other, 'stdout')}" | cat; exit \${PIPESTATUS[0]}`], { encoding: 'utf8' });
    expect([res.status, res.stdout, res.stderr]).toEqual([0, md, '']);
    expect([readlinkSync(join(other, 'link.md')), readlinkSync(join(other, 'dangling.md')), readlinkSync(join(other, 'stdout'))])
      .toEqual(['real.md', 'absent.md', '/proc/self/fd/1']);
    onlyMade(...(haveDevices ? ['null', 'full'] : []), 'real.md', 'link.md', 'absent.md', 'dangling.md', 'stdout');
  });

  it("writes through to the file a shell's > or >> gave stdout, between what the shell writes before and after it", async () => {
    const md = await stdoutOf('md');
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-out-stdout-'));
    const cli = `"${process.execPath}" "${CLI}" analyze "${SAMPLE}" -o md`;
    for (const out of ['/dev/stdout', '/proc/self/fd/1']) {
      const file = join(dir, 'grouped.txt');
      const res = spawnSync('bash', ['-c', `{ echo '== host A'; ${cli} --out ${out}; echo "rc=$?"; echo '== end'; } > "${file}"`], { encoding: 'utf8' });
      expect([res.status, res.stderr], out).toEqual([0, '']);
      expect(readFileSync(file, 'utf8'), out).toBe(`== host A\n${md}rc=0\n== end\n`);
      const log = join(dir, 'appended.txt');
      writeFileSync(log, 'previous\n');
      const { ino } = statSync(log);
      expect(spawnSync('bash', ['-c', `${cli} --out ${out} >> "${log}"`]).status, out).toBe(0);
      expect(readFileSync(log, 'utf8'), out).toBe(`previous\n${md}`);
      expect(statSync(log).ino, out).toBe(ino);
    }
  });
});
