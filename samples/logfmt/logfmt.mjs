// The ws + pino server of samples/ws-pino with its log written as logfmt by a real logfmt
// logger: pino-logfmt 1.1.4, pino's logfmt transport (heroku's `logfmt` stringify), nested
// objects flattened with dotted keys (`err.type=TypeError`) and stacks' newlines escaped.
// Used by generate.mjs and by the live test.
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import pino from 'pino';
import { runAll, startServer } from '../ws-pino/server.mjs';

/** Runs every ws-pino scenario `copies` times against a server logging logfmt to `logFile`. */
export async function runLogfmt(logFile, { copies = 2, delayMs = 5 } = {}) {
  writeFileSync(logFile, ''); // pino-logfmt appends
  const destination = pino.transport({
    target: 'pino-logfmt',
    options: {
      destination: logFile,
      flattenNestedObjects: true,
      flattenNestedSeparator: '.',
      convertToSnakeCase: false,
      escapeMultilineStrings: true,
    },
  });
  const server = await startServer({ destination });
  const runs = await runAll(server.port, { copies, delayMs });
  await server.close();
  // The transport's worker is unref'd: hold the process open until it has written everything.
  destination.ref();
  const closed = once(destination, 'close');
  destination.end();
  await closed;
  return runs;
}
