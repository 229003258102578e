// The dashboard shows only metrics that some handler emits, and the alarms are on by default: every metric on the
// synthesized dashboard is traced to its emitter (an event some handler publishes, counted by the metrics publisher,
// or ProcessBatch's outcome counts), and every alarm sends to the SNS topic.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASK_OUTCOME_METRICS, metricsFor, METRICS_NAMESPACE, SKIP_REASON_METRICS } from '../../core/analytics/metrics.js';
import { EVENT_NAMES, detailType, type ProjectEvent } from '../../core/schemas/events.js';

const ROOT = join(import.meta.dirname, '..', '..');
const workflow = JSON.parse(readFileSync(join(ROOT, 'cdk.out', readdirSync(join(ROOT, 'cdk.out')).find((f) => /Workflow\.template\.json$/.test(f))!), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
const resources = Object.values(workflow.Resources);

/** The dashboard body with its tokens flattened to text, and the metric names on it. */
function dashboardMetrics(): string[] {
  const dash = resources.find((r) => r.Type === 'AWS::CloudWatch::Dashboard')!;
  const body = JSON.stringify(dash.Properties.DashboardBody);
  return [...body.matchAll(new RegExp(`\\[\\\\"${METRICS_NAMESPACE}\\\\",\\\\"([^\\\\"]+)\\\\"`, 'g'))].map((m) => m[1]!);
}

/** Source files (not tests) that build an event with projectEvent('<name>', …) or publish through `event('<name>'`. */
function publishedEventNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) for (const m of readFileSync(join(ROOT, path), 'utf8').matchAll(/(?:projectEvent|event)\('([a-z.]+)'/g)) names.add(m[1]!);
    }
  };
  for (const dir of ['core', 'functions', 'adapters']) walk(dir);
  return names;
}

/** A minimal detail for each event name, enough for metricsFor (statuses and types enumerated). */
function samples(name: string): ProjectEvent[] {
  const variants: Array<Record<string, unknown>> =
    name === 'referral.delivery.recorded' ? ['delivered', 'bounced', 'complained', 'opened'].map((status) => ({ status }))
    : name === 'referral.conversion.recorded' ? ['signup', 'purchase', 'refund'].map((type) => ({ type }))
    : name === 'referral.run.completed' ? [{ totals: { batch_failed: 1 } }]
    : [{ amountMinor: 100, currency: 'EUR' }];
  return variants.map((v) => ({ detailType: detailType(name as never), detail: { version: 1, occurredAt: '2026-11-30T10:00:00Z', ...v } }) as unknown as ProjectEvent);
}

describe('dashboard and alarms', () => {
  it('graphs only metrics a handler emits, each traced to its emitter', () => {
    const onDashboard = dashboardMetrics();
    expect(onDashboard.length).toBeGreaterThan(20);
    const published = publishedEventNames();
    const emitters = new Map<string, string>();
    for (const name of EVENT_NAMES) if (published.has(name)) for (const p of metricsFor(samples(name))) emitters.set(p.name, `event ${name}`);
    for (const m of [...ASK_OUTCOME_METRICS, ...SKIP_REASON_METRICS]) emitters.set(m, 'ProcessBatch counts');
    const orphans = onDashboard.filter((m) => !emitters.has(m));
    expect(orphans, `dashboard metrics nobody emits: ${orphans.join(', ')}`).toEqual([]);
    // ProcessBatch's own metrics really are emitted there.
    const handlers = readFileSync(join(ROOT, 'functions/workflow/handlers.ts'), 'utf8');
    for (const m of ['AsksSent', 'AsksHeldOut', 'AsksFailed', 'AsksDeferred', 'AsksSkipped']) expect(handlers).toContain(`'${m}'`);
    expect(handlers).toContain('skipReasonMetric(');
  });

  it('alarms by default, every one to the encrypted SNS topic', () => {
    const alarms = resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    const described = alarms.map((a) => String(a.Properties.AlarmDescription));
    for (const what of [/failed batch/, /execution failed/, /timed out/, /ScheduleDlq/, /ClickEventsDlq/, /5xx/, /bounce rate above 4%/, /complaint rate above 0\.08%/]) expect(described.some((d) => what.test(d)), String(what)).toBe(true);
    for (const a of alarms) expect(JSON.stringify(a.Properties.AlarmActions)).toMatch(/MonitoringAlarms/);
    const bounce = alarms.find((a) => /bounce/.test(String(a.Properties.AlarmDescription)))!;
    expect(bounce.Properties).toMatchObject({ MetricName: 'Reputation.BounceRate', Threshold: 0.04 });
    const topic = resources.find((r) => r.Type === 'AWS::SNS::Topic' && JSON.stringify(r.Properties).includes('alarms'))!;
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
  });
});
