/**
 * A finished report in the format asked for, to stdout or to a file. A file is written whole
 * or not at all: to a temporary file beside it, then renamed over it.
 */
import { closeSync, createWriteStream, openSync, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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

function tempFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
}

export function writeAtomic(file: string, parts: Iterable<string | Uint8Array>): void {
  const tmp = tempFor(file);
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (const part of parts) writeFileSync(fd, part);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw cannotWrite(file, err);
  }
}

function cannotWrite(file: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  return new Error(`cannot write ${file}: ${e.code === 'ENOENT' ? 'no such directory' : e.code === 'EACCES' ? 'permission denied' : e.message}`);
}

/** A stream to write a file by parts; the file appears, whole, at `commit`. */
export function openAtomic(file: string): { stream: WriteStream; commit(): Promise<void> } {
  const tmp = tempFor(file);
  let fd: number;
  try {
    fd = openSync(tmp, 'w'); // fails now, before the analysis, when the directory is missing
  } catch (err) {
    throw cannotWrite(file, err);
  }
  const stream = createWriteStream(tmp, { fd });
  return {
    stream,
    commit: () => new Promise((resolve, reject) => {
      stream.end(() => {
        try {
          renameSync(tmp, file);
          resolve();
        } catch (err) {
          rmSync(tmp, { force: true });
          reject(cannotWrite(file, err));
        }
      });
    }),
  };
}
