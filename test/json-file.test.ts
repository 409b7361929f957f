/**
 * Docker's json-file logs, written by moby's own copier and json-file driver
 * (samples/docker-json-file/main.go, built from Debian's golang-github-docker-docker-dev): read as
 * the container wrote them, a long line's parts joined on its last part's line, stdout's and
 * stderr's parts apart, with line numbers that are the file's. Skipped, and said so, where the
 * driver cannot be built.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the sample's driver is plain JavaScript
import { buildDockerlog, runDockerCrash } from '../samples/docker-json-file/dockerlog.mjs';
// @ts-expect-error: the sample's driver is plain JavaScript
import { expectedVerdicts, OPEN } from '../samples/node-crash/crash.mjs';
import { isJsonFile, JsonFileLines } from '../src/json-file.js';
import type { Report } from '../src/report.js';
import { readLines } from '../src/source.js';
import { runCli } from './support/cli.js';
import { expectVerdicts, type ExpectedVerdict } from './support/expect-verdict.js';

const built = buildDockerlog() as { bin?: string; missing?: string };
if (built.missing) console.warn(`test/json-file.test.ts: the json-file driver's tests skip: ${built.missing}`);
const dir = mkdtempSync(join(tmpdir(), 'wsclose-json-file-'));

interface Record {
  log: string;
  stream: string;
}

/**
 * What the reader must be given for each of the file's records, read with JSON.parse: nothing for
 * a line's parts (no `\n` at their end), the line whole on its last part's, per stream; the parts
 * of a line never ended, one line more.
 */
function expectedLines(file: string): (string | undefined)[] {
  const records = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record);
  const open = new Map<string, string>();
  const out: (string | undefined)[] = [];
  for (const r of records) {
    const before = open.get(r.stream) ?? '';
    if (r.log.endsWith('\n')) {
      out.push((before + r.log.slice(0, -1)).replace(/\r$/, '')); // the reader folds CRLF

      open.delete(r.stream);
    } else {
      out.push(undefined);
      open.set(r.stream, before + r.log);
    }
  }
  for (const rest of open.values()) out.push(rest);
  return out;
}

/** Every line the reader gives for `file`, by line number (from 1), and what it says of the input. */
async function readAll(file: string): Promise<{ lines: (string | undefined)[]; jsonFile: boolean; skipped: string[] }> {
  const lines: (string | undefined)[] = [];
  const skipped: string[] = [];
  const r = await readLines(file, {
    skip: (reason) => skipped.push(reason),
    choose: () => (text, lineNo) => { lines[lineNo - 1] = text; },
  });
  lines.length = r.lines; // the last lines may be parts, never given
  return { lines: Array.from(lines), jsonFile: r.jsonFile, skipped };
}

/** `text` as the driver writes a container's stdout, its copier's buffer `buf` bytes (0: dockerd's 16 KB). */
function logged(name: string, text: Buffer | string, buf: number): string {
  const src = join(dir, `${name}.txt`);
  const out = join(dir, `${name}-json.log`);
  writeFileSync(src, text);
  rmSync(out, { force: true });
  execFileSync(built.bin!, ['-out', out, '-buf', String(buf), '--', 'cat', src]);
  return out;
}

describe.skipIf(built.missing !== undefined)("texts through moby's json-file driver", () => {
  // What the driver escapes (quotes, backslashes, <, > and &, control bytes), several scripts, an
  // astral character (a surrogate pair), a CRLF line, an empty line, a line past 16 KB (parts
  // with dockerd's own buffer), and a last line with no line break (a part never ended).
  const kinds = [
    '{"level":30,"msg":"ws connection closed","code":1011,"reason":"internal error"}',
    'quote " backslash \\ slash / <script>&amp;</script>',
    'tab\there, bell \x07, escape \x1b[31mred\x1b[0m, nul-free',
    'ünïcödé ✓ 日本語 עברית 🚀 𝄞',
    'windows line\r',
    '',
    'x'.repeat(40_000) + ' end of a long line',
  ];
  const text = (n: number) => Array.from({ length: n }, (_, i) => `${i} ${kinds[i % kinds.length]}`).join('\n') + '\nthe last words, no line break';

  it.each([0, 100, 4096])('gives each line as written, with the copier buffer at %i bytes', async (buf) => {
    const file = logged(`texts-${buf}`, text(70), buf);
    const want = expectedLines(file);
    const got = await readAll(file);
    expect(got.jsonFile).toBe(true);
    expect(got.skipped).toEqual([]);
    expect(got.lines).toEqual(want);
    // The driver's round trip: the container's own lines, in order, the line breaks' CR folded.
    const written = text(70).split('\n').map((l) => l.replace(/\r$/, ''));
    expect(got.lines.filter((l) => l !== undefined)).toEqual(written);
    const records = readFileSync(file, 'utf8').split('\n').length - 1;
    expect(got.lines.length).toBe(records + 1); // the last words: one line more
    if (buf > 0) expect(records).toBeGreaterThan(70);
  });

  it('joins parts across the reader\'s 4 MB blocks, stdout and stderr apart', async () => {
    // About 9 MB of records: many parts fall across a block's end.
    const lines = Array.from({ length: 30_000 }, (_, i) => `{"n":${i},"pad":"${'p'.repeat(60 + (i * 37) % 400)}"}`);
    const src = join(dir, 'both.txt');
    writeFileSync(src, lines.join('\n') + '\n');
    const out = join(dir, 'both-json.log');
    rmSync(out, { force: true });
    // Every other line to stderr: the two streams' parts interleave in the file.
    execFileSync(built.bin!, ['-out', out, '-buf', '97', '--', 'sh', '-c', `awk 'NR % 2 { print; next } { print > "/dev/stderr" }' ${src}`]);
    const records = readFileSync(out, 'utf8').split('\n').map((l) => (l ? (JSON.parse(l) as Record).stream : ''));
    expect(records.filter((s) => s === 'stderr').length).toBeGreaterThan(10_000);
    const want = expectedLines(out);
    const got = await readAll(out);
    expect(got.lines.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) if (got.lines[i] !== want[i]) expect({ line: i + 1, got: got.lines[i] }).toEqual({ line: i + 1, got: want[i] });
    expect(got.lines.filter((l) => l !== undefined).sort()).toEqual([...lines].sort());
  });

  it('reads a file cut in its first line (tail -c) from its second, the cut line counted as not JSON', async () => {
    const file = 'samples/docker-json-file/crash-json.log';
    const cut = join(dir, 'tail-c.log');
    writeFileSync(cut, readFileSync(file).subarray(25));
    const res = await runCli(['analyze', '-o', 'json', cut]);
    const report = JSON.parse(res.stdout) as Report;
    const want = expectedLines(file);
    expect(report.input.files[0]).toMatchObject({ parser: 'json', jsonFile: true, lines: want.length, skipped: { 'not-json': 1 } });
    expect(report.summary.closes).toBe(19);
    expect((await readAll(cut)).lines.slice(1)).toEqual(want.slice(1));
  });

  it('reads a gzipped rotation (compress=true) and a pipe as the file', async () => {
    const file = logged('rotated', text(30), 100);
    const want = expectedLines(file);
    const gz = `${file}.1.gz`;
    writeFileSync(gz, gzipSync(readFileSync(file)));
    expect((await readAll(gz)).lines).toEqual(want);
    const res = await runCli(['analyze', '-o', 'json', '-'], { input: readFileSync(file) });
    const report = JSON.parse(res.stdout) as Report;
    expect(report.input.files[0]).toMatchObject({ name: 'stdin', jsonFile: true, lines: want.length });
  });
});

describe.skipIf(built.missing !== undefined)('a real ws + pino server that crashes, under the json-file driver', () => {
  const runs: { buf: number; file: string; want: ExpectedVerdict[] }[] = [];

  beforeAll(async () => {
    // dockerd's buffer, and one so small that every record is written in parts.
    for (const buf of [0, 48]) {
      const file = join(dir, `crash-${buf}-json.log`);
      rmSync(file, { force: true });
      runs.push({ buf, file, want: expectedVerdicts(await runDockerCrash(built.bin!, file, { buf })) as ExpectedVerdict[] });
    }
  }, 60_000);

  it.each([0, 48])('judges every connection as its scenario calls for (copier buffer %i), with or without the prefilter', async (buf) => {
    const { file, want } = runs.find((r) => r.buf === buf)!;
    const text = readFileSync(file, 'utf8');
    const records = text.split('\n').length - 1;
    expect(text).toContain('"stream":"stderr"');
    if (buf > 0) expect(text).toMatch(/"log":"[^"]*[^n"]","stream":"stderr"/); // a crash line written in parts
    // Where the crash's error line ends: its last part's line.
    const errorLine = expectedLines(file).findIndex((l) => l?.startsWith('TypeError: ')) + 1;
    expect(errorLine).toBeGreaterThan(0);
    for (const args of [[], ['--no-prefilter']]) {
      const res = await runCli(['analyze', file, '-o', 'json', ...args]);
      expect(res.stderr).toBe('');
      const report = JSON.parse(res.stdout) as Report;
      expect(report.input.files[0]).toMatchObject({ parser: 'json', jsonFile: true, lines: records, skipped: {} });
      expect(report.input.connections).toMatchObject({ crashed: 2 * Object.keys(OPEN).length + 1, openAtEnd: 0 });
      expectVerdicts(report, want);
      for (const v of report.incidents.filter((x) => x.evidence.some((e) => e.kind === 'crash'))) {
        expect(v.evidence.find((e) => e.kind === 'crash')!.at).toBe(`${file}:${errorLine}`);
      }
    }
  });

  it('names the input a json-file in the text report', async () => {
    const res = await runCli(['analyze', runs[0].file]);
    expect(res.stdout).toMatch(/json \(docker json-file\)/);
  });
});

describe("the records' strings, as other JSON writers escape them", () => {
  // nerdctl's json-file driver writes the same records with Go's encoding/json (`\t`, `\b`, `\f`
  // short escapes in later Go), and an ASCII-only encoder writes every other character as `\uXXXX`
  // (surrogate pairs for the astral ones): the records' `log` must read the same whichever did.
  const ascii = (json: string) => json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

  // Any code point, and lone surrogates (which 'binary' leaves out).
  const unit = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)));

  it('reads back every string JSON.stringify writes, escaped as it is or ASCII only', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit, maxLength: 40 }), { minLength: 1, maxLength: 8 }), fc.boolean(), (texts, asciiOnly) => {
      const lines = texts.map((t) => t.replace(/\n/g, ' '));
      const records = lines.map((l, i) => JSON.stringify({ log: `${l}\n`, stream: i % 2 ? 'stderr' : 'stdout', time: '2026-11-28T10:00:00.123456789Z' }));
      const src = Buffer.from((asciiOnly ? records.map(ascii) : records).join('\n') + '\n');
      const jf = new JsonFileLines(1 << 20, src.length, src.length);
      src.copy(jf.raw);
      expect(jf.unwrap(0, src.length, src.length)).toBe(src.length);
      // Lone surrogates are written as U+FFFD, as Buffer.from writes them.
      expect(jf.out.subarray(0, jf.written).equals(Buffer.from(lines.map((l) => `${l}\n`).join('')))).toBe(true);
    }), { numRuns: 500 });
  });
});

describe('hostile json-file input', () => {
  const record = (log: string, stream: string) => JSON.stringify({ log, stream, time: '2026-11-28T10:00:00.1Z' });
  const line = fc.oneof(
    fc.tuple(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('stdout', 'stderr'), fc.boolean())
      .map(([t, stream, whole]) => record(t.replace(/\n/g, ' ') + (whole ? '\n' : ''), stream)),
    fc.string({ unit: 'binary', maxLength: 80 }).map((t) => t.replace(/\n/g, ' ')),
    fc.constantFrom('{"log":"\\u12', '{"log":"abc\\', '{"log":"x","stream":"std', '\xff', '', `{"log":"${'y'.repeat(3000)}"`,
      '{"log":"a\\n","stream":"stdout","time":"t"}\r', '{"log":"\\ud800\\ud800","stream":"stderr","time":"t"}'),
  );
  /** A record of the driver's shape, JSON.parse's reading of it. */
  const recordOf = (l: string): Record | undefined => {
    if (!l.startsWith('{"log":"')) return undefined;
    try {
      const r = JSON.parse(l) as Record;
      return Object.keys(r).join() === 'log,stream,time' ? r : undefined;
    } catch {
      return undefined;
    }
  };

  it('reads every line, and each line never ended as one more, never throwing', async () => {
    const file = join(dir, 'hostile.log');
    await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 40 }), fc.boolean(), async (lines, ended) => {
      // The first line a whole record, as a json-file's is.
      const all = [record('first\n', 'stdout'), ...lines];
      const text = all.join('\n') + (ended ? '\n' : '');
      writeFileSync(file, text);
      const physical = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      // The streams whose last record is a part with text before it: each, one line more.
      const open = new Set<string>();
      for (const r of all.map(recordOf)) {
        if (r?.log.endsWith('\n')) open.delete(r.stream);
        else if (r && r.log !== '') open.add(r.stream);
      }
      const r = await readLines(file, { maxLineBytes: 1000, skip: () => {}, choose: () => () => {} });
      expect(r.jsonFile).toBe(true);
      expect(r.lines).toBe(physical + open.size);
    }), { numRuns: 300 });
  });
});

describe('what is not a json-file log', () => {
  it.each([
    ['another JSON log with a log field', '{"log":"x","level":"info"}\n'],
    ['a record with no time', '{"log":"x\\n","stream":"stdout"}\n'],
    ['no whole line', '{"log":"x\\n","stream":"stdout","time":"2026-11-28T10:00:00Z"}'],
    ['a line, then a record of another shape', 'started\n{"log":"x\\n","stream":"stdout"}\n'],
    ['a record of another shape, then one of the driver\'s', '{"log":"x","level":"info"}\n{"log":"x\\n","stream":"stdout","time":"2026-11-28T10:00:00Z"}\n'],
  ])('leaves %s as it is', (_name, text) => {
    const b = Buffer.from(text);
    expect(isJsonFile(b, 0, b.length)).toBe(false);
  });

  it('takes a record with attrs and a CRLF', () => {
    const b = Buffer.from('{"log":"x\\n","stream":"stderr","attrs":{"tag":"chat"},"time":"2026-11-28T10:00:00.5Z"}\r\n');
    expect(isJsonFile(b, 0, b.length)).toBe(true);
  });

  it('reads a JSON log with a log field as JSON, not unwrapped', async () => {
    const file = join(dir, 'other.log');
    writeFileSync(file, '{"log":"x","level":"info","msg":"hello"}\n{"log":"y","level":"info","msg":"again"}\n');
    const got = await readAll(file);
    expect(got.jsonFile).toBe(false);
    expect(got.lines).toEqual(['{"log":"x","level":"info","msg":"hello"}', '{"log":"y","level":"info","msg":"again"}']);
  });
});
