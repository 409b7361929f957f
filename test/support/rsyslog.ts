/**
 * A service's lines as rsyslog writes them to its files: a private rsyslogd (Debian's rsyslog)
 * listening on its own socket, with one file in its default `RSYSLOG_FileFormat` (Debian's
 * /etc/rsyslog.conf sets no other) and one in `RSYSLOG_TraditionalFileFormat`; util-linux's
 * logger sends it each line of a file, as a service's `syslog()` calls would.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const RSYSLOGD = '/usr/sbin/rsyslogd';

/** Why rsyslog cannot run here, or undefined when it can. */
export function rsyslogMissing(): string | undefined {
  if (!existsSync(RSYSLOGD)) return `${RSYSLOGD} is missing (apt-get install rsyslog)`;
  if (spawnSync('logger', ['--version']).status !== 0) return 'logger is missing (apt-get install bsdutils)';
  return undefined;
}

/** Sends the lines of `log` through rsyslog as `node[pid]`; the two files it wrote, in folder `dir`. */
export async function throughRsyslog(dir: string, log: string, pid: number): Promise<{ file: string; traditional: string }> {
  mkdirSync(join(dir, 'work'), { recursive: true });
  const socket = join(dir, 'log.sock');
  const file = join(dir, 'file-format.log');
  const traditional = join(dir, 'traditional.log');
  writeFileSync(join(dir, 'rsyslog.conf'), [
    `global(workDirectory="${join(dir, 'work')}" maxMessageSize="64k")`,
    'module(load="imuxsock" SysSock.Use="off")',
    `input(type="imuxsock" Socket="${socket}")`,
    `*.* action(type="omfile" file="${file}")`,
    `*.* action(type="omfile" file="${traditional}" template="RSYSLOG_TraditionalFileFormat")`,
  ].join('\n'));
  const daemon = spawn(RSYSLOGD, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(50);
    // --size: by default logger splits a line longer than 1 KB into two messages, and some of the sample's lines are longer.
    const sent = spawnSync('logger', ['-u', socket, '-t', 'node', `--id=${pid}`, '--size', '65536', '-f', log], { encoding: 'utf8' });
    if (sent.status !== 0) throw new Error(`logger failed: ${sent.stderr}`);
    const want = readFileSync(log, 'utf8').split('\n').filter((l) => l.length > 0).length;
    const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').length - 1 : 0);
    for (let i = 0; i < 100 && (lines(file) < want || lines(traditional) < want); i++) await sleep(50);
  } finally {
    daemon.kill();
    await once(daemon, 'exit');
  }
  return { file, traditional };
}
