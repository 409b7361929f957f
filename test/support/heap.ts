/**
 * Scripts run on the BUILT modules in a child process of their own (`node --expose-gc`): heap
 * and buffer counts there are the script's alone, not the test runner's. The script is an ES
 * module body; `dist` is the built tree's URL and `retained()` runs full collections and gives
 * the heap in use. It prints its result as JSON on its last line.
 */
import { spawn, spawnSync, type StdioOptions } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIST = pathToFileURL(fileURLToPath(new URL('../../dist/', import.meta.url))).href;

const PRELUDE = `const dist = ${JSON.stringify(DIST)};
const retained = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
`;

const argv = (script: string, args: string[]) => ['--expose-gc', '--input-type=module', '-e', PRELUDE + script, '--', ...args];

function result<T>(status: number | null, stdout: string, stderr: string): T {
  if (status !== 0) throw new Error(`child failed (${status}): ${stderr}`);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

/** Runs `script`; its stdin is `stdin` (bytes through a pipe, or an open file descriptor). */
export function inChild<T>(script: string, args: string[] = [], stdin?: Buffer | number): T {
  const stdio: StdioOptions = [typeof stdin === 'number' ? stdin : 'pipe', 'pipe', 'pipe'];
  const res = spawnSync(process.execPath, argv(script, args), { encoding: 'utf8', stdio, input: typeof stdin === 'number' ? undefined : stdin, maxBuffer: 1 << 26 });
  return result<T>(res.status, res.stdout, res.stderr);
}

/** Runs `script` while `feed` writes its stdin, a pipe, at its own pace. */
export function inChildFed<T>(script: string, feed: (stdin: NodeJS.WritableStream) => Promise<void>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv(script, []));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(result<T>(code, stdout, stderr));
      } catch (err) {
        reject(err);
      }
    });
    feed(child.stdin).then(() => child.stdin.end(), reject);
  });
}
