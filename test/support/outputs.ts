/**
 * Every output format, found rather than listed, so a format added later is covered by the
 * tests that iterate over them: the CLI's `--output` choices from its help, and every
 * `render*` function the modules in src/renderers/ export.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Report } from '../../src/report.js';
import { runCli } from './cli.js';

/** The values `wsclose analyze --output` accepts, read from its help. */
export async function outputKinds(): Promise<string[]> {
  const { stdout } = await runCli(['analyze', '--help']);
  const line = stdout.split('\n').findIndex((l) => /--output\b/.test(l));
  // commander wraps long help: the choices may continue on the next lines.
  const text = stdout.split('\n').slice(line, line + 4).join(' ');
  const m = /choices:\s*((?:"[^"]+",?\s*)+)/.exec(text);
  if (!m) throw new Error(`no --output choices in the help:\n${stdout}`);
  return [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]);
}

export interface Renderer {
  name: string;
  render(report: Report): string | Promise<string>;
}

const DIR = fileURLToPath(new URL('../../src/renderers/', import.meta.url));

/** Each exported `render*(report, opts)` of src/renderers/. */
export async function renderers(): Promise<Renderer[]> {
  const out: Renderer[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.ts')).sort()) {
    const mod = (await import(`${DIR}${file}`)) as Record<string, unknown>;
    for (const [name, fn] of Object.entries(mod)) {
      if (typeof fn === 'function' && /^render[A-Z]/.test(name)) out.push({ name, render: (r) => (fn as (r: Report, o: object) => string)(r, {}) });
    }
  }
  return out;
}
