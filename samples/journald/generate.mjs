// Regenerates crash-journal.log (samples/node-crash's crash, each line of its output an entry of
// systemd's journal, printed by `journalctl -a` as `journalctl -u chat -a` prints a unit's log) and
// crash-journal.expected.json (the verdict each connection calls for). Needs Debian's
// systemd-journal-remote. Usage: node samples/journald/generate.mjs [outDir]
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedVerdicts, runCrash } from '../node-crash/crash.mjs';
import { journalMissing, linesOf, printJournal, writeJournal } from './journal.mjs';

const outDir = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
mkdirSync(outDir, { recursive: true });
const missing = journalMissing();
if (missing) throw new Error(missing);
const raw = join(outDir, 'crash-journal.raw');
const run = await runCrash(raw, { copies: 1 });
const lines = linesOf(readFileSync(raw));
rmSync(raw);
if (lines.at(-1)?.length === 0) lines.pop();
const { pid } = JSON.parse(lines[0].toString());
const journal = writeJournal(join(outDir, 'journal'), lines.map((message) => ({ message, pid, host: 'web-1' })));
writeFileSync(join(outDir, 'crash-journal.log'), printJournal(journal, ['-a']));
rmSync(journal, { recursive: true });
const expected = expectedVerdicts(run);
writeFileSync(join(outDir, 'crash-journal.expected.json'), JSON.stringify(expected, null, 2) + '\n');
console.log(`wrote crash-journal.log and crash-journal.expected.json: ${expected.length} connections, ${run.open.length} open at the crash`);
