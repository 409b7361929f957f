// Cost per line of reading a WebSocket JSON line into its events (issue 5): the JSON parser's
// LineParser.bytes from the line's bytes to the WsEvent given to the sink, as reader.ts calls
// it, on lines that are all WebSocket events (the all-WebSocket log's generator, in memory).
// Beside it, the flat reader alone (FlatJsonReader.read, the fields without the events) and
// split + JSON.parse of the same lines (decode and parse, nothing else): the whole run's target
// is about the latter per line, correlation and classification included; reading's share of
// it is 350 ns.
// CPU time of the process per round (GC and compiler threads included), medians of the rounds,
// each after a round that warms it up; the sides alternate.
// Usage: npm run build && node bench/reader.js [MB]
import { jsonParser } from '../dist/parsers/json.js';
import { FlatJsonReader } from '../dist/parsers/json-fields.js';
import { DEFAULT_FIELDS } from '../dist/parsers/fields.js';
import { writeLog } from './pino-log.js';

const MB = Number(process.argv[2] ?? 30);
const ROUNDS = 7;
const TARGET_NS = 350;

const parts = [];
writeLog({ seed: 2, wsShare: 1, concurrency: 300 }, MB << 20, (s) => parts.push(Buffer.from(s)));
const buf = Buffer.concat(parts);
const starts = [];
const ends = [];
for (let p = 0, nl; (nl = buf.indexOf(10, p)) !== -1; p = nl + 1) {
  starts.push(p);
  ends.push(nl);
}
const lines = starts.length;

let events = 0;
let keyless = false;
/** Lines the flat reader read, objects JSON.parse made: counted so that no side's work is dropped as unused. */
let read = 0;
// As reader.ts's handler: count, note keyless opens and closes, push.
const sink = {
  event(e) {
    events++;
    if (e.conn === undefined && (e.kind === 'open' || e.kind === 'close')) keyless = true;
  },
  skip() {},
};

const SIDES = {
  'bytes -> events (LineParser.bytes)': () => {
    const lp = jsonParser.create('/var/log/chat/app.log', sink, {});
    for (let i = 0; i < lines; i++) lp.bytes(buf, starts[i], ends[i], i + 1);
    lp.end();
  },
  'flat reader alone (FlatJsonReader.read)': () => {
    const flat = new FlatJsonReader(DEFAULT_FIELDS);
    for (let i = 0; i < lines; i++) if (flat.read(buf, starts[i], ends[i], i + 1)) read++;
  },
  'split + JSON.parse of the same lines': () => {
    for (let i = 0; i < lines; i++) if (JSON.parse(buf.toString('utf8', starts[i], ends[i])) !== null) read++;
  },
};

const times = Object.fromEntries(Object.keys(SIDES).map((k) => [k, []]));
for (let r = 0; r <= ROUNDS; r++) {
  for (const [name, run] of Object.entries(SIDES)) {
    const t0 = process.cpuUsage();
    run();
    const t = process.cpuUsage(t0);
    if (r > 0) times[name].push(((t.user + t.system) * 1000) / lines);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

process.stdout.write(`${MB} MB, ${lines.toLocaleString('en')} lines, every one a WebSocket event; CPU ns per line, medians of ${ROUNDS}\n\n`);
process.stdout.write('| side | ns per line |\n|---|--:|\n');
for (const [name, t] of Object.entries(times)) process.stdout.write(`| ${name} | ${median(t).toFixed(0)} |\n`);
const got = median(times['bytes -> events (LineParser.bytes)']);
process.stdout.write(`\nreading a line into its events: ${got.toFixed(0)} ns, target <= ${TARGET_NS} ns: ${got <= TARGET_NS ? 'met' : 'not met'}`);
process.stdout.write(` (${Math.round(events / (ROUNDS + 1))} events a round${keyless ? ', keyless opens or closes among them' : ''}${read > 0 ? '' : ', no line read'})\n`);
