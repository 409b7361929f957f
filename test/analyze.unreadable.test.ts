/**
 * Nothing silent: a missing file, a directory, a file the user may not read, a truncated .gz
 * and a file in no known format, given together with a good log, through the built CLI. Each
 * bad file gives one clear line on stderr and exit 2; the good file is still analyzed and
 * reported; the report lists every file with its error or its skipped lines by reason.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report.js';
import { runCli, type CliResult } from './support/cli.js';
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
    expect(garbage.error).toBeUndefined();
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

