/** The traced chat run (samples/otel/traced.mjs) with the verdict each connection's scenario calls for. */
// @ts-expect-error: the sample's scripts are plain JavaScript
import { SCENARIOS } from '../../samples/ws-pino/server.mjs';
import type { ExpectedVerdict } from './expect-verdict.js';

export interface Run { name: string; connId: string }

type Scenarios = Record<string, { route: string; expect: Omit<ExpectedVerdict, 'connection' | 'scenario' | 'route'> }>;
export const scenarios = SCENARIOS as Scenarios;

export function expectedFor(run: Run): ExpectedVerdict {
  const sc = scenarios[run.name];
  return { connection: run.connId, scenario: run.name, route: sc.route.split('?')[0], ...sc.expect };
}
