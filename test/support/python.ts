/** Debian's Python (the `python3` first on PATH may be another build) and whether a library imports under it. */
import { spawn, spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

export function pythonCanImport(module: string): boolean {
  const r = spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 30_000 });
  return r.status === 0;
}

/** Runs a Python script to completion; rejects with its stderr when it fails. */
export function runPython(args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { cwd });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${PYTHON} ${args.join(' ')} exited ${code}: ${err}`))));
  });
}
