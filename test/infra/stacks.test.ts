// Template assertions on the synthesized stacks (real esbuild bundling, one synth for the file) plus cdk-nag.
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { App, type Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, recoveryLookbackHours } from '../../infra/app.js';
import { CLICK_EVENT_TEMPLATE } from '../../infra/stateful-stack.js';
import { EventDetails } from '../../core/schemas/events.js';
import { STATE } from '../../core/schemas/workflow.js';
import { INDEX } from '../../adapters/dynamo/keys.js';
import { loadCampaignDir } from '../../adapters/campaign-files.js';

let stacks: { stateful: Stack; http: Stack; workflow: Stack };
let t: { stateful: Template; http: Template; workflow: Template };

beforeAll(async () => {
  // Prepare: the same app `cdk synth` builds, with the cdk-nag aspect.
  const built = await buildApp({ app: new App({ context: { stage: 'test', sesFromAddress: 'referrals@example.com' } }) });
  stacks = { stateful: built.stateful, http: built.http, workflow: built.workflow };
  t = { stateful: Template.fromStack(built.stateful), http: Template.fromStack(built.http), workflow: Template.fromStack(built.workflow) };
}, 180_000);

function statements(template: Template): Array<{ Action: string | string[] }> {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[] }> } } }).Properties.PolicyDocument.Statement);
}

describe('stateful stack', () => {
  it('keeps the table on-demand, with PITR, encryption and deletion protection, retained on delete', () => {
    t.stateful.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: Match.objectLike({ SSEEnabled: true }),
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('has exactly the indexes the code queries (adapters/dynamo/keys.ts), each with projection ALL', () => {
    const tables = t.stateful.findResources('AWS::DynamoDB::Table', { Properties: { KeySchema: Match.arrayWith([{ AttributeName: 'PK', KeyType: 'HASH' }]) } });
    const [main] = Object.values(tables) as Array<{ Properties: { GlobalSecondaryIndexes: Array<{ IndexName: string; Projection: { ProjectionType: string } }> } }>;
    const names = main!.Properties.GlobalSecondaryIndexes.map((g) => g.IndexName).sort();
    expect(names).toEqual(Object.values(INDEX).sort());
    expect(names).toContain('DueSignup');
    expect(main!.Properties.GlobalSecondaryIndexes.every((g) => g.Projection.ProjectionType === 'ALL')).toBe(true);
  });

  it('has the SES configuration set with an EventBridge event destination for bounces and complaints', () => {
    t.stateful.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    t.stateful.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        EventBridgeDestination: Match.anyValue(),
        MatchingEventTypes: Match.arrayWith(['delivery', 'bounce', 'complaint']),
      }),
    });
  });

  it('has the project event bus', () => {
    t.stateful.hasResourceProperties('AWS::Events::EventBus', { Name: 'referral-asks' });
  });

  it('puts every stored click on the bus through the table stream and a pipe (the click handler only writes)', () => {
    t.stateful.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' }, KeySchema: Match.arrayWith([{ AttributeName: 'PK', KeyType: 'HASH' }]) });
    const pipes = Object.values(t.stateful.findResources('AWS::Pipes::Pipe')) as Array<{ Properties: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(pipes).toHaveLength(1);
    const pipe = pipes[0]!.Properties;
    expect(JSON.stringify(pipe.Source)).toContain('StreamArn');
    expect(JSON.parse(pipe.SourceParameters.FilterCriteria.Filters[0].Pattern)).toEqual({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['click'] } } } });
    expect(pipe.SourceParameters.DynamoDBStreamParameters).toMatchObject({ StartingPosition: 'LATEST', BatchSize: 10, DeadLetterConfig: { Arn: expect.anything() } });
    expect(JSON.stringify(pipe.Target)).toContain('Bus');
    expect(pipe.TargetParameters.EventBridgeEventBusParameters).toEqual({ DetailType: 'referral.click.recorded.v1', Source: 'milestone-referral-asks' });
    const detail = JSON.parse(pipe.TargetParameters.InputTemplate) as Record<string, unknown>;
    expect(Object.keys(detail).sort()).toEqual(['campaignId', 'clickId', 'occurredAt', 'referralCode', 'version']);
    t.http.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ CLICK_EVENTS_SOURCE: 'stream' }) } });
  });

  it("maps a stored click's stream record to a valid referral.click.recorded v1 detail", () => {
    // Prepare: the stream record of a click item as the handler writes it (DynamoDB JSON, new image)
    const item = { PK: 'R#abcd2345ef', SK: 'CLICK#c1', entity: 'click', clickId: 'c1', referralCode: 'abcd2345ef', campaignId: 'signup-anniversary', advocateId: 'adv-1', agent: 'human', at: '2026-11-25T08:00:00.000Z' };
    const record = { eventName: 'INSERT', dynamodb: { NewImage: Object.fromEntries(Object.entries(item).map(([k, v]) => [k, { S: v }])) } };
    // Act: what the pipe's input transformer does with "<$.path>" placeholders
    const rendered = CLICK_EVENT_TEMPLATE.replace(/<\$\.([^>]+)>/g, (_m, path: string) => path.split('.').reduce((o: any, k) => o?.[k], record)); // eslint-disable-line @typescript-eslint/no-explicit-any
    // Assess
    expect(EventDetails['referral.click.recorded'].parse(JSON.parse(rendered))).toEqual({ version: 1, occurredAt: item.at, clickId: 'c1', referralCode: 'abcd2345ef', campaignId: 'signup-anniversary' });
  });
});

describe('workflow stack', () => {
  it('runs every function on Node 22 or newer, arm64', () => {
    for (const template of [t.workflow, t.http]) {
      const fns = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{ Properties: { Runtime: string; Architectures: string[] } }>;
      expect(fns.length).toBeGreaterThan(0);
      for (const fn of fns) {
        expect(Number(/^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime)?.[1])).toBeGreaterThanOrEqual(22);
        expect(fn.Properties.Architectures).toEqual(['arm64']);
      }
    }
  });

  it('gives LoadCampaign its recovery lookback explicitly (24 hours unless context recoveryLookbackHours says otherwise)', () => {
    const fns = t.workflow.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: Match.objectLike({ RECOVERY_LOOKBACK_HOURS: Match.anyValue() }) } } });
    // Only LoadCampaign reads it, and it gets the documented default.
    expect(Object.values(fns).map((f) => (f as { Properties: { Environment: { Variables: Record<string, string> } } }).Properties.Environment.Variables.RECOVERY_LOOKBACK_HOURS)).toEqual(['24']);
    expect(Object.keys(fns)[0]).toMatch(/^LoadCampaign/);
    expect(recoveryLookbackHours(undefined)).toBe(24);
    expect(recoveryLookbackHours('48')).toBe(48);
    for (const bad of ['0', '1.5', 'day', 169]) expect(() => recoveryLookbackHours(bad)).toThrow(/recoveryLookbackHours/);
  });

  it('never grants dynamodb:Scan (nor dynamodb:*)', () => {
    for (const template of [t.workflow, t.http]) {
      const actions = statements(template).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
      expect(actions).toContain('dynamodb:Query');
      expect(actions).not.toContain('dynamodb:Scan');
      expect(actions).not.toContain('dynamodb:*');
    }
  });

  it('defines the run state machine with the named states, a Map over batches, retries and a catch', () => {
    const [sm] = Object.values(t.workflow.findResources('AWS::StepFunctions::StateMachine')) as Array<{ Properties: { DefinitionString: string } }>;
    const definition = JSON.parse(sm!.Properties.DefinitionString) as { States: Record<string, Record<string, unknown>> };
    expect(Object.keys(definition.States)).toEqual(expect.arrayContaining([STATE.LoadCampaign, STATE.QueryDuePage, STATE.HasBatches, STATE.ProcessBatches, STATE.Summarize]));
    const map = definition.States[STATE.ProcessBatches] as { ItemsPath: string; ItemProcessor: { States: Record<string, { Retry?: Array<{ ErrorEquals: string[] }>; Catch?: Array<{ Next: string }> }> } };
    expect(map.ItemsPath).toBe('$.batches');
    const task = map.ItemProcessor.States[STATE.ProcessBatch]!;
    expect(task.Retry?.[0]?.ErrorEquals).toContain('ThrottlingError');
    expect(task.Catch?.[0]?.Next).toBe(STATE.BatchFailed);
    const text = sm!.Properties.DefinitionString;
    for (const unsupported of ['JSONata', '"Assign"', 'ItemReader', 'ItemBatcher', 'ResultWriter']) expect(text).not.toContain(unsupported);
  });

  it('has one schedule per active campaign, in the campaign timezone', async () => {
    const { campaigns } = await loadCampaignDir('campaigns', { templatesDir: 'templates' });
    const active = campaigns.filter((c) => c.status === 'active');
    t.workflow.resourceCountIs('AWS::Scheduler::Schedule', active.length);
    for (const c of active) {
      t.workflow.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: `referral-asks-${c.id}`,
        ScheduleExpressionTimezone: c.schedule.timezone,
        FlexibleTimeWindow: { Mode: 'OFF' },
      });
    }
  });
});

describe('http stack', () => {
  it('routes the public pages and the conversions webhook', () => {
    for (const key of ['GET /s/{token}', 'GET /r/{code}', 'GET /l/{campaign}', 'POST /u/{token}', 'GET /me/{token}', 'POST /conversions']) {
      t.http.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key });
    }
  });
});

describe('conversions, rewards and fraud', () => {
  it('gives the HTTP API the webhook secret from Secrets Manager (read grant, no plaintext)', () => {
    t.stateful.hasResourceProperties('AWS::SecretsManager::Secret', { Description: Match.stringLikeRegexp('conversions webhook') });
    t.http.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ WEBHOOK_SECRET_ARN: Match.anyValue() }) } });
    const actions = statements(t.http).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions).toContain('secretsmanager:GetSecretValue');
  });

  it('routes inbound conversion.* events on the project bus to the conversion handler', () => {
    t.workflow.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.anyValue(),
      EventPattern: { 'detail-type': [{ prefix: 'conversion.' }] },
      Targets: Match.arrayWith([Match.objectLike({ Arn: Match.anyValue() })]),
    });
  });

  it('ships the disposable-domain list as a layer to the functions that check conversions (not in the bundle)', () => {
    for (const template of [t.http, t.workflow]) {
      template.resourceCountIs('AWS::Lambda::LayerVersion', 1);
      template.hasResourceProperties('AWS::Lambda::Function', { Layers: Match.anyValue(), Environment: { Variables: Match.objectLike({ DISPOSABLE_DOMAINS_FILE: '/opt/disposable-email-domains/index.json' }) } });
    }
  });

  it('runs the reward approver on a schedule', () => {
    t.workflow.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: Match.stringLikeRegexp('^rate\\(1 (hour|day)\\)$'), State: 'ENABLED' });
  });
});

describe("people's data", () => {
  it('expires clicks and leads by TTL on expiresAt, and tells the HTTP API the retention period', () => {
    t.stateful.hasResourceProperties('AWS::DynamoDB::Table', { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true }, KeySchema: Match.arrayWith([{ AttributeName: 'PK', KeyType: 'HASH' }]) });
    t.http.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ RETENTION_DAYS: '180' }) } });
  });

  it('routes customer.erasure.requested to its own function, which may touch the table, the bus and the keyring only', () => {
    const rules = t.workflow.findResources('AWS::Events::Rule', { Properties: { EventPattern: { 'detail-type': ['customer.erasure.requested'] } } });
    expect(Object.keys(rules)).toHaveLength(1);
    const policies = Object.entries(t.workflow.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('CustomerErasure'));
    expect(policies).toHaveLength(1);
    const text = JSON.stringify(policies[0]![1]);
    for (const action of ['dynamodb:Query', 'dynamodb:BatchWriteItem', 'events:PutEvents', 'secretsmanager:GetSecretValue']) expect(text).toContain(action);
    for (const action of ['dynamodb:Scan', 'ses:SendEmail', 'sms-voice:SendTextMessage']) expect(text).not.toContain(action);
    expect(text).not.toMatch(/IdempotencyTable/);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unsuppressed errors or warnings in any stack', () => {
    for (const stack of Object.values(stacks)) {
      const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
      expect(errors.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 120)}`)).toEqual([]);
      expect(warnings.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 120)}`)).toEqual([]);
    }
  });
});
