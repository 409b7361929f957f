/**
 * The `websocket.close.incidents` counter, through the @opentelemetry/api metrics API so any
 * metrics backend adds it up across replicas.
 */
import { metrics, type Attributes, type Counter, type MeterProvider } from '@opentelemetry/api';
import type { Verdict } from '../model.js';
import { routeKey } from '../profile.js';

export const INCIDENTS_METRIC = 'websocket.close.incidents';

export class IncidentCounter {
  private provider: MeterProvider | undefined;
  private counter: Counter | undefined;

  /** Without a provider, the global one, looked up again until NodeSDK has registered it. */
  constructor(private readonly explicit?: MeterProvider) {}

  add(v: Verdict): void {
    if (!v.incident) return;
    const attrs: Attributes = { 'websocket.close.root_cause': v.rootCause };
    if (v.closeCode !== null) attrs['websocket.close.code'] = v.closeCode;
    if (v.route !== null) attrs['http.route'] = routeKey(v.route);
    this.instrument().add(1, attrs);
  }

  private instrument(): Counter {
    const provider = this.explicit ?? metrics.getMeterProvider();
    if (provider !== this.provider || !this.counter) {
      this.provider = provider;
      this.counter = provider.getMeter('wsclose').createCounter(INCIDENTS_METRIC, {
        description: 'WebSocket closes that were incidents, by close code, root cause and route',
        unit: '{incident}',
      });
    }
    return this.counter;
  }
}
