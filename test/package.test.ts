// The package as a service takes it: `require('wsclose')` and `import 'wsclose'` through the
// package's `exports`, from a project whose node_modules holds it (a link to this checkout), with
// the real SDK, ws and TypeScript.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../src/summary.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SAMPLE = join(ROOT, 'samples', 'ws-pino', 'chat.log');
const esm = () => import(pathToFileURL(join(ROOT, 'dist', 'src', 'index.js')).href) as Promise<typeof import('../src/index.js')>;

/** A project with wsclose, ws, the OpenTelemetry packages and Node's types installed (linked). */
function project(type: 'commonjs' | 'module'): string {
  const dir = mkdtempSync(join(tmpdir(), 'wsclose-package-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'wsclose'));
  for (const pkg of ['ws', '@opentelemetry', '@types']) symlinkSync(join(ROOT, 'node_modules', pkg), join(dir, 'node_modules', pkg));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'service', private: true, type }));
  return dir;
}

describe('require("wsclose"): a CommonJS service', () => {
  let out: { names: string[]; close: Record<string, unknown>; summary: Summary; report: Summary };
  beforeAll(async () => {
    const dir = project('commonjs');
    const { stdout } = await run(process.execPath, [join(ROOT, 'test', 'fixtures', 'cjs-service.cjs'), SAMPLE], { cwd: dir, env: { ...process.env, NODE_PATH: join(dir, 'node_modules') } });
    out = JSON.parse(stdout) as typeof out;
  }, 60_000);

  it('gets what an ES module importing it gets', async () => {
    expect(out.names).toEqual(Object.keys(await esm()).sort());
  });

  it("judges a binary frame that broke the JSON handler on the close span, before it is exported", () => {
    expect(out.close['websocket.close.code']).toBe(1011);
    expect(out.close['url.path']).toBe('/json');
    expect(out.close['websocket.close.root_cause']).toBe('data-type-mismatch');
    expect(out.close['websocket.close.root_cause.confidence']).toBe(0.95);
    expect(out.close['websocket.close.code_agreement']).toBe('disagrees');
    expect(out.close['websocket.close.evidence']).toMatch(
      /^received binary frame \(4 bytes\) → SyntaxError: .* is not valid JSON at WebSocket\.<anonymous> \(.*cjs-service\.cjs:\d+\) → \/json accepts text \(--expect\)$/,
    );
    expect(out.summary.closes).toBe(1);
    expect(out.summary.incidents).toBe(1);
    expect(out.summary.byRootCause).toEqual({ 'data-type-mismatch': 1 });
    expect(out.summary.byCloseCode).toEqual({ 1011: 1 });
  });

  it('analyzes a log as the ES modules do', async () => {
    const report = await (await esm()).analyzeFiles([SAMPLE]);
    expect(out.report.closes).toBe(26);
    expect(out.report).toEqual(report.summary);
  });
});

describe('TypeScript', () => {
  // Right options pass; the one wrong value (line 3) is the only error.
  const SOURCE = `import { CloseCauseSpanProcessor, type CloseCauseSpanProcessorOptions } from 'wsclose';
const options: CloseCauseSpanProcessorOptions = { expect: { '/chat': 'text' }, maxConnections: 1000 };
const wrong: CloseCauseSpanProcessorOptions = { expect: { '/chat': 'txt' } };
export const processors = [new CloseCauseSpanProcessor(options), new CloseCauseSpanProcessor(wrong)];
export const closes: number = processors[0].summary().closes;
`;
  for (const type of ['commonjs', 'module'] as const) {
    it(`types the package for a ${type} project (module nodenext)`, async () => {
      const dir = project(type);
      writeFileSync(join(dir, 'main.ts'), SOURCE);
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', strict: true, target: 'es2022', noEmit: true, skipLibCheck: true, types: ['node'] }, files: ['main.ts'] }));
      const errors = await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir }).then(() => '', (err: { stdout: string }) => err.stdout);
      expect(errors.trim().split('\n')).toEqual([expect.stringMatching(/^main\.ts\(3,\d+\): error TS2820: Type '"txt"' is not assignable to type 'Accepts'/)]);
    }, 60_000);
  }
});
