/**
 * A UTF-8 byte order mark before a log's first line (Windows editors, PowerShell's Out-File) is
 * no part of it: every parser reads the first record, and line numbers are those without it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report.js';
import { runCli } from './support/cli.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const dir = mkdtempSync(join(tmpdir(), 'wsclose-bom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LOGS = [
  ['json', 'samples/ws-pino/chat.log'],
  ['aiohttp', 'samples/aiohttp/server.log'],
  ['python-websockets', 'samples/python-websockets/server.log'],
  ['go', 'samples/go-gorilla/server.log'],
  ['java', 'samples/java-tomcat/server.log'],
];

/** The report of `name` read in `cwd`, or of stdin. */
async function report(args: string[], opts: { cwd?: string; input?: Buffer } = {}): Promise<Report> {
  const res = await runCli(['analyze', ...args, '-o', 'json'], opts);
  expect(res.stderr).toBe('');
  return JSON.parse(res.stdout) as Report;
}

/** What a BOM must not change: everything but the bytes read. */
function seen(r: Report) {
  return { files: r.input.files.map(({ bytes: _, ...f }) => f), skipped: r.input.skipped, summary: r.summary, incidents: r.incidents };
}

describe.each(LOGS)('a BOM before a %s log', (parser, log) => {
  const text = readFileSync(log);
  const plainDir = join(dir, parser, 'plain');
  const bomDir = join(dir, parser, 'bom');
  mkdirSync(plainDir, { recursive: true });
  mkdirSync(bomDir, { recursive: true });
  writeFileSync(join(plainDir, 'x.log'), text);
  writeFileSync(join(bomDir, 'x.log'), Buffer.concat([BOM, text]));
  writeFileSync(join(bomDir, 'x.log.gz'), gzipSync(Buffer.concat([BOM, text])));

  it('reads as the log without it, from a file, a .gz and stdin', async () => {
    const plain = await report(['x.log'], { cwd: plainDir });
    expect(plain.input.files[0].parser).toBe(parser);
    expect(plain.summary.closes).toBeGreaterThan(0);
    const fromFile = await report(['x.log'], { cwd: bomDir });
    expect(seen(fromFile)).toEqual(seen(plain));
    expect(fromFile.input.files[0].bytes).toBe(plain.input.files[0].bytes + 3);
    const fromGz = JSON.stringify(await report(['x.log.gz'], { cwd: bomDir })).replaceAll('x.log.gz', 'x.log'); // evidence names its file
    expect(seen(JSON.parse(fromGz) as Report)).toEqual(seen(plain));
    expect(seen(await report([], { input: Buffer.concat([BOM, text]) }))).toEqual(seen(await report([], { input: text })));
  });
});
