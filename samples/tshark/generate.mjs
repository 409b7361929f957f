// Regenerates the capture sample: cap.pcapng (tshark on lo while a `ws` server and a Python
// websockets server talk to real `ws` clients), its tshark decodings cap.json.gz (-T json)
// and cap.ek.gz (-T ek), and cap.expected.json (the verdict each connection's scenario calls
// for, by its TCP stream). Needs root (capture on lo), tshark and /usr/bin/python3 with websockets.
// Usage: node samples/tshark/generate.mjs [outDir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { capture, decode, expectedVerdicts } from './capture.mjs';

const outDir = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
mkdirSync(outDir, { recursive: true });
const pcap = join(outDir, 'cap.pcapng');
const runs = await capture(pcap);
writeFileSync(join(outDir, 'cap.json.gz'), gzipSync(decode(pcap, 'json'), { level: 9 }));
writeFileSync(join(outDir, 'cap.ek.gz'), gzipSync(decode(pcap, 'ek'), { level: 9 }));
writeFileSync(join(outDir, 'cap.expected.json'), JSON.stringify(expectedVerdicts(pcap, runs), null, 2) + '\n');
console.log(`wrote ${pcap}, cap.json.gz, cap.ek.gz and cap.expected.json: ${runs.length} connections`);
