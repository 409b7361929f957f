/**
 * A seeded generator of a Go service's log of structured records: the WebSocket records of a real
 * gorilla/websocket server (samples/go-gorilla/<logger>/server.log: zap's, zerolog's or slog's
 * JSON, logrus's text; net/http's panic traces and the runtime's crash as text between them),
 * their connections' addresses renamed and their times made anew each round, among the service's
 * request logs in the same logger's shape, a few of them with words a line is read for ("closed",
 * "text", "failed"). The same seed gives the same bytes. Used by the benchmark and by
 * test/analyze.prefilter.test.ts.
 */
import { readFileSync } from 'node:fs';
import { rng } from './pino-log.js';

export const goSample = (logger) => new URL(`../samples/go-gorilla/${logger}/server.log`, import.meta.url);

/** Request log messages that hold the vocabulary's words, yet are no connection's. */
const WORDY = ['pool connection closed after 30s idle', 'GET /api/text 200', 'cache refresh failed: timeout', 'upstream closed the stream'];
const PATHS = ['/api/items', '/api/users', '/api/orders', '/healthz'];
/** A record's time as each logger writes it: zap's seconds, the others' RFC 3339. */
const TIME = /"ts":[\d.]+|"time":"[^"]*"|^time="?[^" ]*"?/;
/** The std log's time. */
const STD_TIME = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d/gm;

/**
 * @param {object} o
 * @param {number} o.seed
 * @param {string} [o.logger] the sample's logger: zap, zerolog, slog (JSON) or logrus (text)
 * @param {number} [o.wsShare] the share of lines that are the sample's records (0 to 1)
 * @param {number} [o.wordy] the share of request lines with the vocabulary's words
 * @param {boolean} [o.clientPort] request lines name their client's address with its port (`r.RemoteAddr`, as zerolog's hlog writes it)
 * @returns {{ next(): string, rounds(): number }} next() gives one line, or a trace's lines (no line break at the end); rounds() how many times the sample was all given
 */
export function goLog({ seed, logger = 'zap', wsShare = 0.05, wordy = 0.01, clientPort = false }) {
  const rand = rng(seed);
  const int = (n) => Math.floor(rand() * n);
  const record = (line) => line.startsWith('{') || line.startsWith('time=');
  // The sample's records, and its text (a panic's lines) as one piece each.
  const pieces = [];
  for (const line of readFileSync(goSample(logger), 'utf8').split('\n')) {
    if (record(line) || pieces.length === 0 || record(pieces.at(-1))) pieces.push(line);
    else pieces[pieces.length - 1] += `\n${line}`;
  }
  while (pieces.at(-1).trim() === '') pieces.pop();
  const json = pieces[0].startsWith('{');
  let time = Date.UTC(2026, 10, 24, 9, 0, 0);
  /** This moment as the logger writes a time, with its key: zap's seconds, slog's milliseconds, logrus's and zerolog's RFC 3339 to the second. */
  const stamp = () => {
    if (logger === 'zap') return `"ts":${(time / 1000).toFixed(6)}`;
    const iso = new Date(time).toISOString().replace(logger === 'slog' ? '' : /\.\d+/, '');
    return json ? `"time":"${iso}"` : `time="${iso}"`;
  };
  let round = 0;
  let i = 0;
  const next = () => {
    time += int(3);
    if (rand() < wsShare) {
      const piece = pieces[i];
      if (++i === pieces.length) {
        i = 0;
        round++;
      }
      // Each round's connections from addresses of their own.
      const named = piece.replace(/127\.0\.0\.1:/g, `10.${(round >> 16) & 255}.${(round >> 8) & 255}.${round & 255}:`);
      // The text's times too (net/http's std log lines): one clock for all, as the correlator's idle TTL reads it.
      return record(named) ? named.replace(TIME, stamp()) : named.replace(STD_TIME, new Date(time).toISOString().slice(0, 19).replace(/-/g, '/').replace('T', ' '));
    }
    const wordyLine = (round > 0 || i > 0) && rand() < wordy;
    const fields = {
      // At info level: an error logged with no connection would be taken for the next close's cause (correlator.ts's orphans).
      level: logger === 'slog' ? 'INFO' : 'info', msg: wordyLine ? WORDY[int(WORDY.length)] : 'request',
      method: 'GET', path: `${PATHS[int(PATHS.length)]}/${int(100000)}`, status: rand() < 0.97 ? 200 : 503,
      bytes: int(20000), duration: Number((rand() / 20).toFixed(6)), client_ip: `10.9.${int(256)}.${int(256)}${clientPort ? `:${1024 + int(60000)}` : ''}`,
      request_id: int(2 ** 40).toString(36),
    };
    if (json) return `{${stamp()},${JSON.stringify(fields).slice(1)}`;
    return `${stamp()} ${Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' && /[^\w./-]/.test(v) ? JSON.stringify(v) : v}`).join(' ')}`;
  };
  return { next, rounds: () => round };
}
