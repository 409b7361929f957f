/**
 * A seeded generator of a Java service's JSON log as logback's LogstashEncoder writes it: the
 * WebSocket records of a real Tomcat (samples/java-tomcat/logstash.log), their sessions renamed
 * each round, among request logs written by the same pool's threads, a few of them with words a
 * line is read for ("closed", "session", "text"). The same seed gives the same bytes. Used by
 * the benchmark and by test/analyze.prefilter.test.ts.
 */
import { readFileSync } from 'node:fs';
import { rng } from './pino-log.js';

export const JAVA_SAMPLE = new URL('../samples/java-tomcat/logstash.log', import.meta.url);

/** Request log lines that hold the vocabulary's words, yet are no session's. */
const WORDY = ['GET /upload 413: payload too large', 'pool connection closed after 30s idle', 'GET /session/new 302', 'POST /api/text 201'];

/**
 * @param {object} o
 * @param {number} o.seed
 * @param {number} [o.wsShare] the share of lines that are the sample's WebSocket records (0 to 1)
 * @param {number} [o.wordy] the share of request lines with the vocabulary's words
 * @returns {{ next(): string, rounds(): number }} next() gives one line (no line break); rounds() how many times the sample's records were all given
 */
export function javaLog({ seed, wsShare = 0.05, wordy = 0.01 }) {
  const rand = rng(seed);
  const int = (n) => Math.floor(rand() * n);
  // The sessions' records, not Tomcat's start and stop (its main thread's).
  const records = readFileSync(JAVA_SAMPLE, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)).filter((r) => r.thread_name !== 'main');
  const threads = [...new Set(records.map((r) => r.thread_name))];
  let time = Date.UTC(2026, 10, 24, 9, 0, 0);
  let round = 0;
  let i = 0;
  const next = () => {
    time += int(3);
    const at = new Date(time).toISOString();
    if (rand() < wsShare) {
      const r = records[i];
      if (++i === records.length) {
        i = 0;
        round++;
      }
      // A decimal round and the sample's hex id: a digit in every id, as the parser's SESSION_ID wants of a non-hex one.
      const message = r.message.replace(/session ([0-9a-f]+)/, (_, id) => `session ${round}x${id}`);
      return JSON.stringify({ ...r, '@timestamp': at, message });
    }
    // No wordy line before the first session's: a close line there is a keyless log's (correlator.ts).
    const message = (round > 0 || i > 0) && rand() < wordy ? WORDY[int(WORDY.length)] : `GET /api/items/${int(100000)} 200 ${int(90)}ms`;
    return JSON.stringify({
      '@timestamp': at, '@version': '1', message, logger_name: 'com.example.http.AccessLog', thread_name: threads[int(threads.length)],
      level: 'INFO', level_value: 20000, requestId: int(2 ** 40).toString(36),
    });
  };
  return { next, rounds: () => round };
}
