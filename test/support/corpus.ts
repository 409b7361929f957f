/**
 * A seed corpus for fuzzing: the lines of every committed sample (samples/<name>/, produced by
 * the real libraries), grouped by the parsers whose `detect` takes them, and mutations of
 * windows of those lines. A parser added with a sample gets its own well-formed seeds.
 */
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { PARSERS } from '../../parsers/index.js';
import { ROOT } from './regexes.js';

const NOT_LOGS = /\.(?:mjs|js|ts|py|go|java|cs|json|pcapng|pcap|md|sh|xml)$/;

/** Parser name → the lines of the samples it reads (a .har or .json sample is a log too). */
export function sampleCorpus(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const dir = join(ROOT, 'samples');
  const files = (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[]).filter((f) => f.isFile());
  for (const f of files) {
    if (f.name.endsWith('.expected.json') || (NOT_LOGS.test(f.name) && !f.name.endsWith('.har'))) continue;
    // The sample's folder under samples/ names its format (samples/node-crash/...).
    const folder = relative(dir, f.parentPath).split(sep)[0];
    let bytes = readFileSync(join(f.parentPath, f.name));
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    const lines = bytes.toString('utf8').split('\n').map((l) => l.replace(/\r$/, ''));
    // Every parser that would take the file (a crash log is also JSON lines), or is named by its folder, gets it as seeds.
    for (const parser of PARSERS) {
      if (parser.name === folder || parser.detect(lines.slice(0, 50)) >= 0.2) out.set(parser.name, [...(out.get(parser.name) ?? []), ...lines]);
    }
  }
  return out;
}

/** What goes wrong with a line in a real log: cut short, bytes spliced in, a field's value changed. */
const mutation: fc.Arbitrary<(line: string) => string> = fc.oneof(
  fc.nat().map((n) => (l: string) => l.slice(0, l.length ? n % l.length : 0)),
  fc.tuple(fc.nat(), fc.constantFrom('\u0000', '\ufffd', '"', '{', '}', '[', '\\', '\r', '\t', ':', '=', ' ', '\u2028', 'e+999', '-1', 'null'))
    .map(([n, s]) => (l: string) => { const k = l.length ? n % l.length : 0; return l.slice(0, k) + s + l.slice(k); }),
  fc.constantFrom(
    (l: string) => l.replace(/\d/g, '9'),
    (l: string) => l.replace(/\d+/g, '99999999999999999999999'),
    (l: string) => l.replace(/"[^"]*"/, '""'),
    (l: string) => l.replace(/true|false/g, 'null'),
    (l: string) => l + l,
    () => '',
  ),
);

/** A window of the corpus's lines, a few of them mutated: real structure, broken in places. */
export function corpusWindow(lines: string[]): fc.Arbitrary<string[]> {
  return fc.tuple(
    fc.oneof(fc.constant(0), fc.nat(Math.max(0, lines.length - 1))),
    fc.integer({ min: 1, max: 120 }),
    fc.array(fc.tuple(fc.nat(), mutation), { maxLength: 6 }),
  ).map(([start, len, muts]) => {
    const w = lines.slice(start, start + len);
    for (const [i, m] of muts) if (w.length) w[i % w.length] = m(w[i % w.length]);
    return w;
  });
}
