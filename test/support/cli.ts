/** Runs the built CLI the way a user does: `node dist/src/wsclose.cjs ...` (the `wsclose` bin, bundled), as a child process. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/src/wsclose.cjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  /** Node's own options, before the script. */
  node?: string[];
  cwd?: string;
  /** Run as this user and group (a test running as root reads every file otherwise). */
  uid?: number;
  gid?: number;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const { cwd, uid, gid } = opts;
    const child = spawn(process.execPath, [...(opts.node ?? []), CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...opts.env }, cwd, uid, gid });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}
