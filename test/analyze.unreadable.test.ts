/**
 * Nothing silent: a missing file, a directory, a file the user may not read, a truncated .gz
 * and a file in no known format, given together with a good log, through the built CLI. Each
 * bad file gives one clear line on stderr and exit 2; the good file is still analyzed and
 * reported; the report lists every file with its error or its skipped lines by reason.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report.js';
import { CLI, runCli, type CliResult } from './support/cli.js';
import { outputKinds } from './support/outputs.js';

const dir = mkdtempSync(join(tmpdir(), 'wsclose-unreadable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rec = (o: object) => JSON.stringify({ level: 30, time: 1764006313213, ...o });
const GOOD = [
  rec({ connId: 'g1', route: '/chat', msg: 'ws connection opened' }),
  rec({ connId: 'g1', route: '/chat', isBinary: true, size: 3, msg: 'ws message received' }),
  rec({ connId: 'g1', route: '/chat', code: 1003, reason: 'text frames only', msg: 'ws connection closed' }),
].join('\n') + '\n';

const files = {
  good: join(dir, 'good.log'),
  missing: join(dir, 'missing.log'),
  directory: join(dir, 'logs.d'),
  denied: join(dir, 'denied.log'),
  truncated: join(dir, 'truncated.log.gz'),
  garbage: join(dir, 'garbage.bin'),
};

/** Root reads any file, so the CLI runs as `nobody` there: a real EACCES either way. */
const asRoot = process.getuid?.() === 0;

function run(args: string[], cwd?: string): Promise<CliResult> {
  return runCli(args, { cwd, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
}

describe('bad files among good ones', () => {
  beforeAll(() => {
    chmodSync(dir, 0o755);
    writeFileSync(files.good, GOOD, { mode: 0o644 });
    mkdirSync(files.directory, { mode: 0o755 }); // a directory named like a log
    writeFileSync(files.denied, GOOD);
    chmodSync(files.denied, 0o000);
    const gz = gzipSync(GOOD.repeat(200));
    writeFileSync(files.truncated, gz.subarray(0, gz.length >> 1), { mode: 0o644 });
    writeFileSync(files.garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256)), { mode: 0o644 });
  });

  const order = [files.missing, files.directory, files.good, files.denied, files.truncated, files.garbage];

  it('each gives one line on stderr and exit 2; the good file is still analyzed', async () => {
    const res = await run(['analyze', ...order, '-o', 'json']);
    expect(res.code).toBe(2);
    expect(res.stderr.split('\n').filter(Boolean)).toEqual([
      `wsclose: ${files.missing}: no such file`,
      `wsclose: ${files.directory}: is a directory`,
      `wsclose: ${files.denied}: permission denied`,
      expect.stringMatching(new RegExp(`^wsclose: ${files.truncated}: corrupt or truncated gzip data \\(unexpected end of file\\)$`)),
      `wsclose: ${files.garbage}: binary data, not a log`,
    ]);
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const r = JSON.parse(res.stdout) as Report;
    expect(r.input.files.map((f) => f.name)).toEqual(order);
    const [missing, directory, good, denied, truncated, garbage] = r.input.files;
    for (const f of [missing, directory, denied]) expect(f).toMatchObject({ lines: 0, events: 0 });
    expect(missing.error).toBe(`${files.missing}: no such file`);
    expect(directory.error).toBe(`${files.directory}: is a directory`);
    expect(denied.error).toBe(`${files.denied}: permission denied`);
    // What was read of the truncated .gz before the cut is analyzed and counted.
    expect(truncated.error).toMatch(/corrupt or truncated gzip data/);
    expect(truncated.lines).toBeGreaterThan(0);
    expect(truncated.parser).toBe('json');
    expect(good).toMatchObject({ parser: 'json', lines: 3, events: 3, skipped: {} });
    expect(good.error).toBeUndefined();
    expect(garbage.error).toBe(`${files.garbage}: binary data, not a log`);
    expect(garbage.parser).toBeNull();
    expect(garbage.skipped['unknown-format']).toBe(garbage.lines);
    expect(r.input.skipped['unknown-format']).toBe(garbage.lines);
    expect(r.incidents.find((v) => v.connection === 'g1')).toMatchObject({ rootCause: 'data-type-mismatch', closeCode: 1003 });
  });

  it('in every output format the errors are on stderr and in the report, and the good file is reported', async () => {
    for (const kind of await outputKinds()) {
      const res = await run(['analyze', files.missing, files.good, '-o', kind]);
      expect(res.code, kind).toBe(2);
      expect(res.stderr, kind).toBe(`wsclose: ${files.missing}: no such file\n`);
      if (kind === 'ndjson') expect(JSON.parse(res.stdout.trim().split('\n')[0])).toMatchObject({ connection: 'g1', rootCause: 'data-type-mismatch' });
      else expect(res.stdout.replace(/\s+/g, ' '), kind).toContain('no such file'); // the text report wraps long cells
      if (kind !== 'ndjson') expect(res.stdout, kind).toMatch(/g1/);
    }
  });

  it('skipped lines are listed by reason in the human report', async () => {
    const mixed = join(dir, 'mixed.log');
    writeFileSync(mixed, `${GOOD}not json at all\n{"half":\n[1,2]\n${'z'.repeat(300)}\n`, { mode: 0o644 });
    const res = await run(['analyze', 'mixed.log', '--max-line-bytes', '200'], dir); // a short name: the text report wraps long cells
    expect(res.code).toBe(0);
    expect(res.stdout.replace(/\s+/g, ' ')).toMatch(/mixed\.log json 7 3 1 too-long, 3 not-json /);
  });
});


describe('an input that no parser reads: compressed, an archive, a program', () => {
  const log = join(dir, 'chat.log');
  const made = (name: string, cmd: string, args: string[]) => {
    const res = spawnSync(cmd, [...args, log]);
    if (res.status !== 0) return undefined; // the tool is not installed: that case is left out
    writeFileSync(join(dir, name), res.stdout);
    return join(dir, name);
  };
  let kinds: [file: string, line: string][] = [];
  beforeAll(() => {
    writeFileSync(log, GOOD);
    const f = (name: string, cmd: string, args: string[], line: (f: string) => string) => {
      const file = made(name, cmd, args);
      return file ? [[file, `wsclose: ${line(file)}`] as [string, string]] : [];
    };
    const elf = join(dir, 'prog');
    writeFileSync(elf, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(4000, 0x90)])); // an ELF header, then code
    kinds = [
      ...f('x.bz2', 'bzip2', ['-c'], (p) => `${p}: bzip2-compressed data, not a log; read it with: bzip2 -dc ${p} | wsclose analyze`),
      ...f('x.xz', 'xz', ['-c'], (p) => `${p}: xz-compressed data, not a log; read it with: xz -dc ${p} | wsclose analyze`),
      ...f('x.zst', 'zstd', ['-q', '-c'], (p) => `${p}: zstd-compressed data, not a log; read it with: zstd -dc ${p} | wsclose analyze`),
      ...f('x.zip', 'zip', ['-q', '-'], (p) => `${p}: a zip archive, not a log; read it with: unzip -p ${p} | wsclose analyze`),
      [elf, `wsclose: ${elf}: an executable (ELF), not a log`],
    ];
    if (kinds.length < 5) console.warn('bzip2, xz, zstd or zip missing: their cases are skipped');
  });

  it('is an input error with one line that says what it is and how to read it; the log beside it is analyzed', async () => {
    const res = await run(['analyze', ...kinds.map(([f]) => f), files.good, '-o', 'json', '--fail-on', 'any']);
    expect(res.code).toBe(2);
    expect(res.stderr.split('\n').filter(Boolean)).toEqual(kinds.map(([, line]) => line));
    const r = JSON.parse(res.stdout) as Report;
    for (const [i, [file, line]] of kinds.entries()) {
      const st = r.input.files[i];
      expect(st.name).toBe(file);
      expect(st.parser).toBeNull();
      expect(st.error).toBe(line.slice('wsclose: '.length));
      expect(st.lines).toBeGreaterThan(0);
      expect(st.events).toBe(0);
    }
    expect(r.input.files[kinds.length]).toMatchObject({ name: files.good, parser: 'json', events: 3 });
    expect(r.input.files[kinds.length].error).toBeUndefined();
    expect(r.summary.incidents).toBe(1);
  });

  it('on stdin too, with the command for a pipe', async () => {
    const xz = kinds.find(([f]) => f.endsWith('.xz'))?.[0];
    if (!xz) return console.warn('xz missing: skipped');
    const res = await runCli(['analyze', '--fail-on', 'any'], { input: readFileSync(xz) });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('wsclose: stdin: xz-compressed data, not a log; read it with: … | xz -dc | wsclose analyze\n');
  });

  it('a directory on stdin is an input error', async () => {
    const fd = openSync(files.directory, 'r');
    const res = await new Promise<CliResult>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'analyze', '-o', 'json'], { stdio: [fd, 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    closeSync(fd);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('wsclose: stdin: is a directory\n');
    expect((JSON.parse(res.stdout) as Report).input.files[0]).toMatchObject({ name: 'stdin', lines: 0, error: 'stdin: is a directory' });
  });

  it('is not an empty input, nor blank lines, nor JSON log lines without a WebSocket event, nor a quiet service\'s text', async () => {
    const plain = `${JSON.stringify({ level: 30, time: 1764006313213, msg: 'GET /health 200' })}\n`;
    const text = '> chat@1.0.0 start\n> node server.js\n\nlistening on 8080\n';
    for (const input of ['', '\n\n\n', plain, text]) {
      const res = await runCli(['analyze', '--fail-on', 'any', '-o', 'json'], { input });
      expect(res.code, input).toBe(0);
      expect(res.stderr, input).toBe('');
      expect((JSON.parse(res.stdout) as Report).input.files[0].error, input).toBeUndefined();
    }
  });
});
