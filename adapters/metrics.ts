// Powertools EMF metrics for the project events a Lambda publishes (core/analytics/metrics.ts says which): a decorator
// around the publisher, so every handler that publishes also counts, with no second code path. Outside Lambda it
// does nothing (no EMF lines in `npm start`).
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { metricsFor, METRICS_NAMESPACE, METRICS_SERVICE } from '../core/analytics/metrics.js';
import type { EventPublisher } from '../core/ports.js';
import type { ProjectEvent } from '../core/schemas/events.js';

let shared: Metrics | undefined;
function metrics(): Metrics {
  shared ??= new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? METRICS_SERVICE });
  return shared;
}

/** Emit the metrics of `events` now (EMF on stdout, which CloudWatch Logs turns into metrics). */
export function emitEventMetrics(events: readonly ProjectEvent[]): void {
  const points = metricsFor(events);
  if (points.length === 0) return;
  const m = metrics();
  for (const p of points) m.addMetric(p.name, p.unit === 'Count' ? MetricUnit.Count : MetricUnit.NoUnit, p.value);
  m.publishStoredMetrics();
}

/** Counts what it publishes, after the inner publisher succeeded. */
export class MetricsPublisher implements EventPublisher {
  constructor(private readonly inner: EventPublisher) {}

  async publish(events: ProjectEvent[]): Promise<void> {
    await this.inner.publish(events);
    emitEventMetrics(events);
  }
}
