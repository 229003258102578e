// Monitoring: the dashboard graphs only metrics some handler emits (names from core/analytics/metrics.ts; a test ties
// each to its emitter), and alarms are on by default, to one encrypted SNS topic: failed batches, failed or timed-out
// executions, any dead-letter queue depth above 0, HTTP API 5xx (the webhook), and SES bounce and complaint rates just
// under SES's review thresholds (5% and 0.1%).
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ASK_OUTCOME_METRICS, METRICS_NAMESPACE, METRICS_SERVICE, rewardAmountMetric, SKIP_REASON_METRICS } from '../core/analytics/metrics.js';

export interface MonitoringProps {
  stateMachine: StateMachine;
  deadLetterQueues: Record<string, IQueue>;
  httpApi?: HttpApi;
  /** Reward currencies of the campaigns (one amount metric each). */
  currencies: string[];
  /** Alarm thresholds (defaults: SES review thresholds minus a margin). */
  bounceRate?: number;
  complaintRate?: number;
}

/** Dashboard rows: title and the handler-emitted metric names it graphs. */
export function dashboardRows(currencies: readonly string[]): Array<{ title: string; metrics: string[] }> {
  return [
    { title: 'Asks by outcome', metrics: [...ASK_OUTCOME_METRICS] },
    { title: 'Skipped asks by reason', metrics: [...SKIP_REASON_METRICS] },
    { title: 'Delivery', metrics: ['Deliveries', 'Bounces', 'Complaints', 'Opens'] },
    { title: 'Shares, clicks, conversions', metrics: ['ShareViews', 'Shares', 'Clicks', 'Leads', 'Signups', 'Purchases', 'Refunds'] },
    { title: 'Rewards by state', metrics: ['RewardsEarned', 'RewardsHeld', 'RewardsApproved', 'RewardsIssued', 'RewardsVoided', 'RewardsOverBudget', 'BudgetOverruns'] },
    { title: 'Reward amounts (minor units, per currency)', metrics: currencies.flatMap((c) => [rewardAmountMetric('Earned', c), rewardAmountMetric('Issued', c)]) },
    { title: 'Runs and orders', metrics: ['BatchesFailed', 'CustomerOrders'] },
  ];
}

export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const metric = (name: string) => new Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service: METRICS_SERVICE }, statistic: 'Sum', period: Duration.hours(1) });
    this.dashboard = new Dashboard(this, 'Funnel', {
      dashboardName: 'referral-asks-funnel',
      widgets: dashboardRows(props.currencies).map((row) => [new GraphWidget({ title: row.title, left: row.metrics.map(metric), width: 24 })]),
    });

    // CloudWatch publishes to the topic with this key (an AWS managed SNS key cannot grant it).
    const key = new Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'Referral asks alarm topic' });
    key.addToResourcePolicy(new PolicyStatement({ principals: [new ServicePrincipal('cloudwatch.amazonaws.com')], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'] }));
    this.topic = new Topic(this, 'Alarms', { displayName: 'Referral asks alarms', masterKey: key, enforceSSL: true });
    const action = new SnsAction(this.topic);
    const alarm = (name: string, m: IMetric, threshold: number, description: string, comparison = ComparisonOperator.GREATER_THAN_THRESHOLD) => {
      const a = new Alarm(this, name, { metric: m, threshold, evaluationPeriods: 1, comparisonOperator: comparison, treatMissingData: TreatMissingData.NOT_BREACHING, alarmDescription: description });
      a.addAlarmAction(action);
      this.alarms.push(a);
      return a;
    };
    const five = { period: Duration.minutes(5) };
    alarm('FailedBatches', metric('BatchesFailed').with(five), 0, 'A run recorded a failed batch (ProcessBatch gave up after its retries).');
    alarm('FailedExecutions', props.stateMachine.metricFailed(five), 0, 'A run execution failed.');
    alarm('BudgetOverrun', metric('BudgetOverruns').with(five), 0, 'A promised reward was paid although the campaign budget was fully committed (docs/campaigns.md, "The budget rule"): raise the budget or pause the campaign.');
    alarm('TimedOutExecutions', props.stateMachine.metricTimedOut(five), 0, 'A run execution timed out.');
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(`${name}Depth`, queue.metricApproximateNumberOfMessagesVisible({ ...five, statistic: 'Maximum' }), 0, `Messages are waiting in the ${name} dead-letter queue.`);
    }
    if (props.httpApi) alarm('Http5xx', props.httpApi.metricServerError(five), 0, 'The HTTP API (conversion webhook and pages) answered 5xx.');
    const ses = (name: string) => new Metric({ namespace: 'AWS/SES', metricName: name, statistic: 'Maximum', period: Duration.hours(1) });
    alarm('BounceRate', ses('Reputation.BounceRate'), props.bounceRate ?? 0.04, 'SES bounce rate above 4% (SES reviews the account at 5%).');
    alarm('ComplaintRate', ses('Reputation.ComplaintRate'), props.complaintRate ?? 0.0008, 'SES complaint rate above 0.08% (SES reviews the account at 0.1%).');
  }
}
