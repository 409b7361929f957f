/**
 * Why no parser read an input that is binary, told from its first bytes: an archive or a
 * compressed file passed as it is, a program, or other binary data. A CI gate must not pass on it.
 */

/** A kind of file, its magic at `offset`, and the command that gives its log from a file (`read`) and on a pipe (`pipe`, when not the same). */
interface Kind {
  what: string;
  magic: number[];
  offset?: number;
  read?: string;
  pipe?: string;
}

const KINDS: Kind[] = [
  { what: 'bzip2-compressed data', magic: [0x42, 0x5a, 0x68], read: 'bzip2 -dc' },
  { what: 'xz-compressed data', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], read: 'xz -dc' },
  { what: 'zstd-compressed data', magic: [0x28, 0xb5, 0x2f, 0xfd], read: 'zstd -dc' },
  { what: 'a zip archive', magic: [0x50, 0x4b, 0x03, 0x04], read: 'unzip -p', pipe: 'funzip' },
  { what: 'a tar archive', magic: [0x75, 0x73, 0x74, 0x61, 0x72], offset: 257, read: 'tar -xOf', pipe: 'tar -xO' },
  { what: 'an executable (ELF)', magic: [0x7f, 0x45, 0x4c, 0x46] },
];

/**
 * One line for stderr: what the input `name` (`stdin`: a pipe) looks like, and how to read it; or
 * undefined for text, which may be a quiet service's log in a format with nothing to read
 * (`listening on 8080`): its lines are counted as skipped, and the report says no close was found.
 */
export function unreadable(name: string, head: Buffer): string | undefined {
  const kind = KINDS.find((k) => k.magic.every((b, i) => head[(k.offset ?? 0) + i] === b));
  if (!kind) return head.includes(0) ? `${name}: binary data, not a log` : undefined;
  if (!kind.read) return `${name}: ${kind.what}, not a log`;
  const how = name === 'stdin' ? `… | ${kind.pipe ?? kind.read} | wsclose analyze` : `${kind.read} ${name} | wsclose analyze`;
  return `${name}: ${kind.what}, not a log; read it with: ${how}`;
}
