// Builds main.go (moby's own copier and json-file driver, from Debian's golang-github-docker-docker-dev)
// and runs samples/node-crash's crash under it, so that the server's stdout and stderr reach a
// json-file log as dockerd writes a container's. Used by generate.mjs and by the live test.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCrash } from '../node-crash/crash.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const MOBY = '/usr/share/gocode/src/github.com/docker/docker/daemon/logger/jsonfilelog';

/** The built program's path, or why it cannot be built here. */
export function buildDockerlog() {
  if (!existsSync(MOBY)) return { missing: 'golang-github-docker-docker-dev (moby\'s json-file driver) is not installed' };
  const bin = join(tmpdir(), `wsclose-dockerlog-${process.getuid?.() ?? 0}`);
  try {
    execFileSync('go', ['build', '-o', bin, '.'], {
      cwd: HERE, stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOFLAGS: '' },
    });
  } catch (err) {
    return { missing: `go build failed: ${err.stderr?.toString().trim() || err.message}` };
  }
  return { bin };
}

/**
 * The crash of samples/node-crash written by the json-file driver to `logFile`. `buf`: the
 * copier's buffer (16 KB, dockerd's, when 0): lines longer than it are written in parts.
 */
export function runDockerCrash(bin, logFile, { buf = 0, ...opts } = {}) {
  return runCrash(logFile, { ...opts, runner: [bin, '-out', logFile, '-buf', String(buf), '--'] });
}
