// The stateless workflow stack: the run state machine and its four task functions, one EventBridge Scheduler
// schedule per active campaign (cron + the campaign's IANA zone) targeting start-run, and the event-driven handlers
// (customer activity, SES events, inbound SMS, conversion events, the hourly reward approver).
import { DEFAULT_RECOVERY } from '../core/workflow/recovery.js';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule, type EventBus as Bus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions, suppressLambdaBaseline } from './nag.js';
import type { Construct } from 'constructs';
import type { Campaign } from '../core/schemas/campaign.js';
import { scheduleExpression } from '../core/schedule.js';
import { ERASURE_REQUESTED } from '../core/schemas/events.js';
import { grantFunction } from './grants.js';
import { FUNCTION_ID, type FunctionId } from '../functions/ids.js';
import { ProjectFunction } from './lambda.js';
import { Monitoring } from './monitoring.js';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { addDisposableDomainsLayer } from './disposable-domains-layer.js';
import { runDefinition, SUBSTITUTIONS } from './run-definition.js';

export interface WorkflowStackProps extends StackProps {
  table: Table;
  bus: Bus;
  signingSecret: Secret;
  configurationSetName: string;
  publicBaseUrl: string;
  /** Validated campaign files; one schedule per active campaign. */
  campaigns: Campaign[];
  sesFromAddress: string;
  /** SES account send rate (messages per second) shared by all batches. */
  sendRatePerSecond?: number;
  /** Hours back every hourly run resumes unfinished partitions and reads due asks (RECOVERY_LOOKBACK_HOURS; default 24). */
  recoveryLookbackHours?: number;
  /** The HTTP API (its 5xx alarm) and other stacks' dead-letter queues (depth alarms). */
  httpApi?: HttpApi;
  deadLetterQueues?: Record<string, IQueue>;
  /** SMS origination identity per ISO country plus `default` (context smsOriginationIdentities, docs/deploy.md). */
  smsOriginationIdentities?: Record<string, string>;
  maxConcurrency?: number;
}

export class WorkflowStack extends Stack {
  readonly stateMachine: StateMachine;
  readonly functions: Record<string, ProjectFunction> = {};
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: WorkflowStackProps) {
    super(scope, id, props);
    if (!/^[^@\s]+@[^@\s]+$/.test(props.sesFromAddress)) throw new Error(`sesFromAddress "${props.sesFromAddress}" is not an email address`);

    const env = {
      TABLE_NAME: props.table.tableName,
      EVENT_BUS_NAME: props.bus.eventBusName,
      SIGNING_SECRET_ARN: props.signingSecret.secretArn,
      PUBLIC_BASE_URL: props.publicBaseUrl,
      SES_FROM_ADDRESS: props.sesFromAddress,
      SES_CONFIGURATION_SET: props.configurationSetName,
      SEND_RATE_PER_SECOND: String(props.sendRatePerSecond ?? 14),
      ...(props.smsOriginationIdentities ? { SMS_ORIGINATION_IDENTITIES: JSON.stringify(props.smsOriginationIdentities) } : {}),
    };
    // Each function gets exactly its own grants (infra/grants.ts FUNCTION_GRANTS, checked by test/least-privilege).
    const targets = { table: props.table, bus: props.bus, secrets: { signing: props.signingSecret }, configurationSetName: props.configurationSetName };
    const make = (name: FunctionId, entry: string, opts: { memorySize?: number; timeout?: Duration; environment?: Record<string, string> } = {}) => {
      const f = new ProjectFunction(this, name, { entry, environment: { ...env, ...opts.environment }, memorySize: opts.memorySize, timeout: opts.timeout });
      if (name !== FUNCTION_ID.StartRun) grantFunction(this, name, f.fn, targets);
      this.functions[name] = f;
      return f;
    };

    // Set explicitly (context recoveryLookbackHours), never left to the handler's fallback.
    const load = make('LoadCampaign', 'functions/workflow/load-campaign.ts', { environment: { RECOVERY_LOOKBACK_HOURS: String(props.recoveryLookbackHours ?? DEFAULT_RECOVERY.lookbackHours) } });
    const query = make('QueryDuePage', 'functions/workflow/query-due-page.ts');
    const batch = make('ProcessBatch', 'functions/workflow/process-batch.ts', { memorySize: 1024, timeout: Duration.minutes(5) });
    const summarize = make('Summarize', 'functions/workflow/summarize.ts');

    const logs = new LogGroup(this, 'RunLogs', { retention: RetentionDays.ONE_MONTH });
    this.stateMachine = new StateMachine(this, 'RunStateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(JSON.stringify(runDefinition({ maxConcurrency: props.maxConcurrency }))),
      definitionSubstitutions: {
        [SUBSTITUTIONS.LoadCampaign]: load.fn.functionArn,
        [SUBSTITUTIONS.QueryDuePage]: query.fn.functionArn,
        [SUBSTITUTIONS.ProcessBatch]: batch.fn.functionArn,
        [SUBSTITUTIONS.Summarize]: summarize.fn.functionArn,
      },
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      timeout: Duration.hours(23),
    });
    for (const f of [load, query, batch, summarize]) f.fn.grantInvoke(this.stateMachine);

    const startRun = make('StartRun', 'functions/schedule/start-run.ts');
    startRun.fn.addEnvironment('STATE_MACHINE_ARN', this.stateMachine.stateMachineArn);
    grantFunction(this, FUNCTION_ID.StartRun, startRun.fn, { ...targets, stateMachine: this.stateMachine });

    // One schedule per active campaign, in the campaign's timezone; a failed delivery lands in an encrypted DLQ.
    const dlq = new Queue(this, 'ScheduleDlq', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    NagSuppressions.addResourceSuppressions(dlq, [{ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the campaign schedules.' }]);
    const schedulerRole = new Role(this, 'SchedulerRole', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    startRun.fn.grantInvoke(schedulerRole);
    dlq.grantSendMessages(schedulerRole);
    for (const campaign of props.campaigns.filter((c) => c.status === 'active')) {
      // The same expression `asks run --from --to` replays (core/schedule.ts).
      const expression = scheduleExpression(campaign.schedule);
      new CfnSchedule(this, `Schedule-${campaign.id}`, {
        name: `referral-asks-${campaign.id}`.slice(0, 64),
        description: `${campaign.name} (${campaign.milestone.kind})`,
        scheduleExpression: expression,
        scheduleExpressionTimezone: campaign.schedule.timezone,
        flexibleTimeWindow: { mode: 'OFF' },
        state: 'ENABLED',
        target: {
          arn: startRun.fn.functionArn,
          roleArn: schedulerRole.roleArn,
          input: JSON.stringify({ campaignId: campaign.id, at: '<aws.scheduler.scheduled-time>', mode: 'hour' }),
          retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 10 },
          deadLetterConfig: { arn: dlq.queueArn },
        },
      });
    }

    // Threshold milestones from the app's activity events.
    const activity = make('CustomerActivity', 'functions/activity/customer-activity.ts');
    new Rule(this, 'ActivityRule', { eventBus: props.bus, eventPattern: { detailType: ['customer.activity'] }, targets: [new LambdaFunction(activity.fn)] });

    // Conversions as events (the same flow as the signed webhook).
    const conversions = make('ConversionEvents', 'functions/conversions/conversion-events.ts');
    addDisposableDomainsLayer(this, [conversions.fn]);
    new Rule(this, 'ConversionRule', { eventBus: props.bus, eventPattern: { detailType: [{ prefix: 'conversion.' }] as unknown as string[] }, targets: [new LambdaFunction(conversions.fn)] });

    // SES events arrive on the default bus (SES v2 event destinations always use it).
    const sesEvents = make('SesEvents', 'functions/channels/ses-events.ts');
    new Rule(this, 'SesEventsRule', {
      eventBus: EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      eventPattern: { source: ['aws.ses'] },
      targets: [new LambdaFunction(sesEvents.fn)],
    });

    // Inbound SMS (STOP, HELP) from End User Messaging two-way SMS through SNS.
    const smsInbound = make('SmsInbound', 'functions/channels/sms-inbound.ts');
    const inboundTopic = new Topic(this, 'InboundSms', { enforceSSL: true, masterKey: Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns') });
    inboundTopic.addSubscription(new LambdaSubscription(smsInbound.fn));

    // Data-protection erasure requests: only the table, the bus and the keyring (no idempotency table, no sending).
    const erasure = make('CustomerErasure', 'functions/privacy/erasure-requested.ts', { timeout: Duration.minutes(5) });
    new Rule(this, 'ErasureRule', { eventBus: props.bus, eventPattern: { detailType: [ERASURE_REQUESTED] }, targets: [new LambdaFunction(erasure.fn)] });

    // Held rewards move on when their refund window ends.
    const approver = make('RewardApprover', 'functions/rewards/approver.ts', { timeout: Duration.minutes(5) });
    new Rule(this, 'ApproverSchedule', { schedule: Schedule.rate(Duration.hours(1)), targets: [new LambdaFunction(approver.fn)] });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      stateMachine: this.stateMachine,
      deadLetterQueues: { ScheduleDlq: dlq, ...(props.deadLetterQueues ?? {}) },
      ...(props.httpApi ? { httpApi: props.httpApi } : {}),
      currencies: [...new Set(props.campaigns.map((c) => c.reward.currency))].sort(),
    });

    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    suppressLambdaBaseline(this);
  }
}
