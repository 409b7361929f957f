/** Reading inputs: line numbers, CRLF, gzip by content, over-long lines skipped and counted. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FIRST_READ, isGzipFile, type LineHandler, readLines } from '../src/source.js';

const dir = mkdtempSync(join(tmpdir(), 'wsclose-source-'));

/** The lines read, given as text; and again given as bytes to a handler that takes them (LineHandler.bytes): both must agree. */
async function read(content: string | Buffer, maxLineBytes?: number) {
  const file = join(dir, `f${Math.random()}`);
  writeFileSync(file, content);
  const run = async (bytes: boolean) => {
    const lines: [string, number][] = [];
    const skipped: string[] = [];
    let sample: string[] = [];
    let texts = 0;
    const res = await readLines(file, {
      maxLineBytes,
      sampleLines: 2,
      choose: (s) => {
        sample = s;
        const handler: LineHandler = (t, n) => { texts++; lines.push([t, n]); };
        if (bytes) handler.bytes = (buf, start, end, n) => lines.push([buf.toString('utf8', start, end), n]);
        return handler;
      },
      skip: (r) => skipped.push(r),
    });
    return { lines, skipped, sample, res, texts };
  };
  const byText = await run(false);
  const byBytes = await run(true);
  // The sample's lines were decoded to be seen; no other line is.
  expect(byBytes.texts).toBe(Math.min(2, byText.lines.length));
  expect({ ...byBytes, texts: 0 }).toEqual({ ...byText, texts: 0 });
  return byText;
}

describe('readLines', () => {
  it('numbers lines from 1, folds CRLF and keeps a last line without newline', async () => {
    const { lines, sample, res } = await read('a\r\nb\n\nc');
    expect(lines).toEqual([['a', 1], ['b', 2], ['', 3], ['c', 4]]);
    expect(sample).toEqual(['a', 'b']);
    expect(res).toMatchObject({ lines: 4, gzip: false });
  });

  it('reads gzip by its magic bytes, whatever the name', async () => {
    const { lines, res } = await read(gzipSync('x\ny\n'));
    expect(lines).toEqual([['x', 1], ['y', 2]]);
    expect(res.gzip).toBe(true);
  });

  it('skips a line over the limit without losing the line count', async () => {
    const long = 'z'.repeat(5000);
    const { lines, skipped } = await read(`a\n${long}\nb\n${long}`, 1000);
    expect(lines).toEqual([['a', 1], ['b', 3]]);
    expect(skipped).toEqual(['too-long', 'too-long']);
  });

  it('keeps multi-byte characters split across chunks intact', async () => {
    const line = '€'.repeat(700_000); // 2.1 MB: spans chunks of 1 MiB
    const { lines } = await read(`${line}\nend`, 4 * 1024 * 1024);
    expect(lines[0][0]).toBe(line);
    expect(lines[1]).toEqual(['end', 2]);
  });

  it('reads whole, at its number, the line that the first read (shorter than the others) cuts, plain and gzipped', async () => {
    const short = Array.from({ length: Math.floor(FIRST_READ / 1000) - 1 }, (_, i) => `${i}:${'s'.repeat(996 - String(i).length)}`);
    const cut = 'c'.repeat(5000); // from about 1,000 bytes before the first read's end to 4,000 after
    const after = Array.from({ length: 2000 }, (_, i) => `after ${i}`);
    const text = [...short, cut, ...after].join('\n');
    expect(text.indexOf(cut)).toBeLessThan(FIRST_READ);
    expect(text.indexOf(cut) + cut.length).toBeGreaterThan(FIRST_READ);
    for (const content of [text, gzipSync(text)]) {
      const { lines } = await read(content);
      expect(lines).toHaveLength(short.length + 1 + after.length);
      expect(lines[short.length]).toEqual([cut, short.length + 1]);
      expect(lines[short.length - 1]).toEqual([short.at(-1), short.length]);
      expect(lines.at(-1)).toEqual(['after 1999', short.length + 1 + after.length]);
    }
  });

  it("fails with zlib's error on truncated gzip", async () => {
    const gz = gzipSync('first\nsecond\n'.repeat(1000));
    await expect(read(gz.subarray(0, gz.length - 10))).rejects.toThrow(/unexpected end of file/);
  });
});

describe('readLines with a prefilter', () => {
  const dense = Array.from({ length: 4000 }, (_, i) => `{"ws":${i},"pad":"${'p'.repeat(60)}"}`);
  const sparse = Array.from({ length: 20_000 }, (_, i) => (i % 97 === 0 ? `{"ws":"x${i}"}` : `{"http":${i},"pad":"${'q'.repeat(20)}"}`));

  /** The numbers of the lines handed over after the sample, with their text checked, and the reader's counts. */
  async function filtered(parts: string[]) {
    const file = join(dir, `prefiltered-${Math.random()}.log`);
    writeFileSync(file, `${parts.join('\n')}\n`);
    const got: number[] = [];
    let wrong = 0;
    const res = await readLines(file, {
      choose: () => {
        const handler: LineHandler = () => {};
        handler.bytes = (buf, start, end, n) => {
          if (buf.toString('utf8', start, end) !== parts[n - 1]) wrong++;
          got.push(n);
        };
        handler.prefilter = { needles: [{ text: '"ws"' }], lineStart: '{' };
        return handler;
      },
      skip: () => {},
    });
    expect(wrong).toBe(0);
    expect(res.lines).toBe(parts.length);
    expect(res.prefiltered + got.length + 50).toBe(parts.length); // the first 50 lines went to `choose`
    const want = parts.flatMap((l, i) => (l.includes('"ws"') && i >= 50 ? [i + 1] : []));
    expect(got.filter((n) => parts[n - 1].includes('"ws"'))).toEqual(want);
    return { got, res };
  }

  it('hands over, as bytes, every line with a needle at its number, and counts the others', async () => {
    const { got, res } = await filtered([...sparse, ...dense]);
    expect(res.prefiltered).toBeGreaterThan(19_000);
    expect(got.length).toBeLessThan(5000);
  });
});

describe('isGzipFile', () => {
  it('tells a gzipped file by its magic, whatever its name, as reading it does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsclose-gz-'));
    const files = { rotated: gzipSync('{"msg":"a"}\n'), 'plain.gz': Buffer.from('{"msg":"a"}\n'), empty: Buffer.alloc(0), one: Buffer.from([0x1f]) };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    expect(Object.keys(files).map((name) => isGzipFile(join(dir, name)))).toEqual([true, false, false, false]);
    expect(isGzipFile(join(dir, 'missing'))).toBe(false);
  });
});
