/**
 * A finished report in the format asked for, to stdout or to a file. A regular file is written
 * whole or not at all: to a temporary file beside it, then renamed over it. Anything else that
 * `--out` names (a device, a fifo, /dev/stdout on a pipe) is written through, as a shell's `>`
 * does: a rename would put a regular file in its place.
 */
import { createWriteStream, fstatSync, lstatSync, openSync, realpathSync, renameSync, rmSync, statSync, type Stats, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Report } from './report.js';
import { renderHtml } from './renderers/html.js';
import { jsonParts } from './renderers/json.js';
import { renderMarkdown } from './renderers/markdown.js';
import { renderText, type TextOptions } from './renderers/text.js';

export const REPORT_FORMATS = ['text', 'json', 'md', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The report's text in parts, to be written one after another (JSON's: UTF-8, a part per some incidents). */
export function reportParts(report: Report, format: ReportFormat, opts: TextOptions = {}): Iterable<string | Uint8Array> {
  switch (format) {
    case 'json': return jsonParts(report);
    case 'md': return [renderMarkdown(report, opts)];
    case 'html': return [renderHtml(report, opts)];
    case 'text': return [renderText(report, opts)];
  }
}

/**
 * Where `--out file` is written, and whether by a rename: a symlink's target, not the link; or
 * the descriptor of this process's stdout or stderr when `file` is the regular file it writes to
 * (`--out /dev/stdout > report.txt`, `>>` too): renamed over, or opened again and truncated, that
 * file would lose what the shell wrote before and after.
 */
function target(file: string): { path: string; atomic: boolean; fd?: number } {
  const st = statSync(file, { throwIfNoEntry: false });
  // A dangling link is written through: the shell's `>` creates its target, a rename would replace it.
  if (!st) return { path: file, atomic: !lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() };
  if (!st.isFile()) return { path: file, atomic: false };
  const fd = [1, 2].find((n) => sameFile(stat(() => fstatSync(n)), st));
  return fd === undefined ? { path: realpathSync(file), atomic: true } : { path: file, atomic: false, fd };
}

/** Why a write failed, in a line: "no space left on device (ENOSPC)", without Node's "ENOSPC: ..., write". */
export function writeFailure(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such directory';
  const m = /^(\w+): ([^,]+),/.exec(e.message);
  return m && m[1] === e.code ? `${m[2]} (${e.code})` : e.message;
}

function cannotWrite(file: string, err: unknown): Error {
  return new Error(`cannot write ${file}: ${writeFailure(err)}`);
}

/**
 * A stream to write the report to `file`; a regular file appears, whole, at `commit`. Opened at
 * once, so that a missing directory fails before the analysis. A failed write leaves no
 * temporary file; what to do about it is the stream's 'error' listeners' call.
 */
export function openOut(file: string): { stream: WriteStream; commit(): Promise<void> } {
  const { path, atomic, fd: inherited } = target(file);
  const tmp = atomic ? join(dirname(path), `.${basename(path)}.${process.pid}.tmp`) : path;
  let fd: number;
  try {
    fd = inherited ?? openSync(tmp, 'w');
  } catch (err) {
    throw cannotWrite(file, err);
  }
  const abandon = () => {
    if (atomic) rmSync(tmp, { force: true });
  };
  const stream = createWriteStream(tmp, { fd, autoClose: inherited === undefined }).on('error', abandon);
  return {
    stream,
    commit: async () => {
      try {
        stream.end();
        await finished(stream);
        if (atomic) renameSync(tmp, path);
      } catch (err) {
        abandon();
        throw cannotWrite(file, err);
      }
    },
  };
}

/** The regular file that `out` names (through links, or by another name) is one of `inputs` ("-": stdin): writing it would destroy what is to be read. */
export function isAnInput(out: string, inputs: string[]): boolean {
  const o = stat(() => statSync(out));
  return !!o?.isFile() && inputs.some((name) => sameFile(stat(() => (name === '-' ? fstatSync(0) : statSync(name))), o));
}

function sameFile(a: Stats | undefined, b: Stats): boolean {
  return a?.dev === b.dev && a.ino === b.ino;
}

/** A file that cannot be stat'ed is no input to protect: reading it fails, and says so. */
function stat(get: () => Stats): Stats | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}
