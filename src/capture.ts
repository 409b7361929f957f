/**
 * Packet captures (pcap, pcapng) are read through tshark: its `-T ek` decoding, one packet per
 * line, is the input stream the tshark parser reads. A missing or failing tshark is one clear
 * error for that file.
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { TSHARK_FILTER } from '../parsers/tshark.js';

/** pcapng's section header, and classic pcap's magic in both byte orders, µs and ns. */
export function isCapture(head: Buffer): boolean {
  if (head.length < 4) return false;
  const m = head.readUInt32BE(0);
  return m === 0x0a0d0d0a || m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1;
}

/**
 * tshark's decoding of a capture: a file is read by path; stdin is fed to tshark's `-i -`
 * (it refuses `-r -` from Node's pipes, which are sockets). Errors are thrown without the
 * file name, which the caller adds.
 */
export function tsharkStream(input: string | Readable): Readable {
  const source = typeof input === 'string' ? ['-r', input] : ['-i', '-', '-q'];
  const child = spawn('tshark', [...source, '-n', '-Y', TSHARK_FILTER, '-T', 'ek'],
    { stdio: [typeof input === 'string' ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let spawnError: NodeJS.ErrnoException | undefined;
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (err) => { spawnError = err; resolve(null); });
    child.once('close', resolve);
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-4096); });
  if (typeof input !== 'string') {
    child.stdin!.on('error', () => {}); // tshark stopped reading: its exit status tells why
    input.on('error', (err) => child.stdin!.destroy(err));
    input.pipe(child.stdin!);
  }
  return Readable.from((async function* () {
    for await (const chunk of child.stdout!) yield chunk as Buffer;
    const code = await exited;
    if (spawnError?.code === 'ENOENT') {
      throw new Error(`is a packet capture and reading it needs tshark, which is not installed (apt install tshark), or pass tshark -T ek output instead`);
    }
    if (spawnError) throw new Error(`could not run tshark: ${spawnError.message}`);
    if (code !== 0) {
      const why = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !NOISE.test(l)).at(-1);
      throw new Error(`tshark could not read it (exit ${code}${why ? `: ${why}` : ''})`);
    }
  })(), { objectMode: false });
}

/** What tshark writes to stderr on success: the root warning, dumpcap's progress on `-i -`. */
const NOISE = /^(?:Running as user|Capturing on|\*\*|\d+ packets? captured|tshark:\s*$)/;
