// Deploy into a second emulator: moto's server on a loopback port, the stateful stack's synthesized template created
// through moto's CloudFormation, then `asks import`, `asks plan` and `asks run` with `--target aws --stack` against it:
// DynamoDB and EventBridge in moto (found through the stack's outputs and AWS_ENDPOINT_URL), SES and Step Functions
// local. It proves the table, indexes and keys the template defines are the ones the code uses. moto is required
// (`pip install 'moto[server]'`, .ci/run installs it): without it this test fails, it never skips.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../adapters/dynamo/client.js';
import { generateCustomers } from '../../../core/seed.js';
import { run } from '../../../cli/main.js';
import { REPO_ROOT } from '../../../local/definition.js';

const STACK = 'ReferralAsks-moto';
const DAY = '2026-06-09';
const CAMPAIGN = 'signup-anniversary';
const ENV_KEYS = ['EVENT_BUS_NAME', 'SIGNING_SECRET_ARN', 'WEBHOOK_SECRET_ARN', 'STATE_MACHINE_ARN', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'SES_PORT', 'PUBLIC_BASE_URL', 'TABLE_NAME', 'DYNAMODB_ENDPOINT', 'SES_ENDPOINT', 'SIGNING_KEYS_FILE', 'WEBHOOK_SECRET_FILE'];
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
const savedCwd = process.cwd();

let moto: ChildProcess | undefined;
let endpoint = '';
let outputs: Record<string, string> = {};
const aws = () => ({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`moto_server did not answer at ${url} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** What `cdk bootstrap` leaves in SSM and the template's CheckBootstrapVersion rule reads (moto evaluates it). */
async function putBootstrapVersion(): Promise<void> {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'AmazonSSM.PutParameter',
      Authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({ Name: '/cdk-bootstrap/hnb659fds/version', Value: '30', Type: 'String', Overwrite: true }),
  });
  expect(res.status).toBe(200);
}

type CfnTemplate = { Resources: Record<string, unknown>; Outputs?: Record<string, unknown> };
/**
 * The synthesized template minus the analytics export (Firehose, Glue, Athena and what refers to them), which moto's
 * CloudFormation does not serve; the table, indexes, bus and secrets are deployed exactly as synthesized.
 */
function withoutAnalytics(t: CfnTemplate): CfnTemplate {
  const dropped = new Set(Object.entries(t.Resources).filter(([, r]) => /^AWS::(KinesisFirehose|Glue|Athena)::/.test((r as { Type: string }).Type)).map(([id]) => id));
  const refersToDropped = (v: unknown) => [...dropped].some((id) => JSON.stringify(v).includes(`"${id}"`));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [id, r] of Object.entries(t.Resources)) {
      if (!dropped.has(id) && refersToDropped(r)) {
        dropped.add(id);
        grew = true;
      }
    }
  }
  // moto parses an EventPattern only as a JSON string; CloudFormation also takes the object CDK writes.
  for (const r of Object.values(t.Resources) as Array<{ Type: string; Properties?: Record<string, unknown> }>) {
    if (/^AWS::Events::(Archive|Rule)$/.test(r.Type) && r.Properties?.EventPattern && typeof r.Properties.EventPattern === 'object') r.Properties.EventPattern = JSON.stringify(r.Properties.EventPattern);
  }
  return {
    ...t,
    Resources: Object.fromEntries(Object.entries(t.Resources).filter(([id]) => !dropped.has(id))),
    Outputs: Object.fromEntries(Object.entries(t.Outputs ?? {}).filter(([, o]) => !refersToDropped(o))),
  };
}

beforeAll(async () => {
  const which = spawnSync('moto_server', ['--help'], { encoding: 'utf8' });
  if (which.error) throw new Error("moto_server is required for this test: pip install 'moto[server]' (.ci/run installs it)");
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  await waitFor(`${endpoint}/moto-api/`, 20_000);
  // A clean emulator whatever answered on the port before.
  expect((await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' })).status).toBe(200);
  await putBootstrapVersion();

  const cfn = new CloudFormationClient(aws());
  const template = JSON.stringify(withoutAnalytics(JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.out', 'ReferralAsks-dev-Stateful.template.json'), 'utf8')) as CfnTemplate));
  // moto creates the resources inside the CreateStack call; on a busy machine the SDK may retry it after the stack exists.
  await cfn.send(new CreateStackCommand({ StackName: `${STACK}-Stateful`, TemplateBody: template, Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] })).catch((error: Error) => {
    if (error.name !== 'AlreadyExistsException') throw error;
  });
  for (;;) {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: `${STACK}-Stateful` }))).Stacks![0]!;
    if (!stack.StackStatus!.endsWith('_IN_PROGRESS')) {
      expect(stack.StackStatus, stack.StackStatusReason).toBe('CREATE_COMPLETE');
      outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  cfn.destroy();

  // The CLI finds everything through the standard settings: one endpoint for every service moto serves.
  const work = mkdtempSync(join(tmpdir(), 'asks-moto-'));
  Object.assign(process.env, { AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', SES_PORT: '0', PUBLIC_BASE_URL: 'https://refer.example.com' });
  for (const k of ['TABLE_NAME', 'DYNAMODB_ENDPOINT', 'SES_ENDPOINT']) delete process.env[k];
  // The embedded runtime keeps its state (.local: keys, mailbox) in the working directory.
  process.chdir(work);
}, 60_000);

afterAll(() => {
  process.chdir(savedCwd);
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  moto?.kill();
});

describe('the stateful stack deployed into moto', () => {
  it('creates the table and the bus; the bus name is read from the outputs even where moto answers Ref with a repr', async () => {
    expect(outputs.TableName).toMatch(/Table/);
    const { busNameOf } = await import('../../../cli/target.js');
    expect(busNameOf(outputs)).toBe('referral-asks');
    expect(busNameOf({ EventBusName: '<moto.events.models.EventBus object at 0x7f>', EventBusArn: 'arn:aws:events:us-east-1:1:event-bus/referral-asks' })).toBe('referral-asks');
  });

  it('runs asks import, plan and run against it (--target aws --stack)', async () => {
    const customers = generateCustomers({ count: 30, seed: 5, today: DAY, dueTodayShare: 0.5 });
    const file = join(process.cwd(), 'customers.jsonl');
    writeFileSync(file, `${customers.map((c) => JSON.stringify(c)).join('\n')}\n`);
    const target = ['--target', 'aws', '--stack', STACK];

    const imported = await run(['import', file, '--json', ...target]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ ok: true, loaded: 30, table: outputs.TableName });

    const planned = await run(['plan', CAMPAIGN, '--date', DAY, '--json', ...target]);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as { days: Array<{ ask: number }> };
    expect(plan.days[0]!.ask).toBeGreaterThan(0);

    const ran = await run(['run', CAMPAIGN, '--date', DAY, '--json', ...target]);
    expect(ran.code, ran.stderr).toBe(0);
    const summary = JSON.parse(ran.stdout) as { totals: Record<string, number> };
    expect(summary.totals.sent).toBe(plan.days[0]!.ask);

    // The asks are in moto's table, under the keys and the index the template defines.
    const doc = createDocumentClient({});
    const asks = await doc.send(new QueryCommand({ TableName: outputs.TableName, IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': `ASKS#${CAMPAIGN}` } }));
    doc.destroy();
    expect(asks.Items?.filter((a) => a.status === 'sent')).toHaveLength(summary.totals.sent!);
  }, 120_000);

  it('serves a share link from that run through the Api Lambda entry, with its keyring and webhook secret in Secrets Manager', async () => {
    // moto's CloudFormation does not create secrets: put the keyring the run signed with where the stack would have it.
    const secrets = new SecretsManagerClient(aws());
    const keyring = JSON.parse(readFileSync(join(process.cwd(), '.local', 'keys.json'), 'utf8')) as { currentKid: string; keys: Record<string, string> };
    const signing = await secrets.send(new CreateSecretCommand({ Name: 'SigningKeys', SecretString: JSON.stringify({ currentKid: keyring.currentKid, ...keyring.keys }) }));
    const webhook = await secrets.send(new CreateSecretCommand({ Name: 'WebhookSecret', SecretString: 'w'.repeat(48) }));
    secrets.destroy();
    const eml = readdirSync(join(process.cwd(), '.local', 'mailbox')).map((f) => readFileSync(join(process.cwd(), '.local', 'mailbox', f), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '='));
    const share = eml.map((text) => /https:\/\/refer\.example\.com(\/s\/[A-Za-z0-9_.=-]+)/.exec(text)?.[1]).find(Boolean);
    expect(share, 'no share link in the mailbox of the run').toBeDefined();
    Object.assign(process.env, { TABLE_NAME: outputs.TableName, EVENT_BUS_NAME: 'referral-asks', SIGNING_SECRET_ARN: signing.ARN, WEBHOOK_SECRET_ARN: webhook.ARN });
    try {
      const { handler } = await import('../../../functions/http/api.js');
      const res = await handler({ rawPath: share!, headers: { 'user-agent': 'Mozilla/5.0' }, requestContext: { http: { method: 'GET', sourceIp: '127.0.0.1' } } } as never);
      expect(res.statusCode).toBe(200);
      expect(String(res.body)).toContain('<html');

      // A referee signs up and buys with the advocate's code: conversion events on the bus (ConversionEvents), then
      // the approver issues the held rewards once the refund window is over (RewardApprover); events go to moto's bus.
      const code = /\/r\/([A-Za-z0-9_-]+)/.exec(String(res.body))?.[1];
      expect(code, 'no referral link on the share page').toBeDefined();
      // The signed webhook through the same Lambda entry: its conversion events go to moto's bus.
      const { signWebhook } = await import('../../../core/webhooks.js');
      const body = JSON.stringify({ type: 'signup', idempotencyKey: 'webhook-signup-1', externalCustomerId: 'shop-referee-2', email: 'second@example.org', referralCode: code, codeSource: 'typed', occurredAt: new Date().toISOString() });
      const ts = Math.floor(Date.now() / 1000);
      const posted = await handler({ rawPath: '/conversions', body, headers: { 'content-type': 'application/json', 'x-referral-timestamp': String(ts), 'x-referral-signature': signWebhook('w'.repeat(48), ts, body) }, requestContext: { http: { method: 'POST', sourceIp: '127.0.0.1' } } } as never);
      expect(posted.statusCode, String(posted.body)).toBe(200);

      const { handler: conversionEvents } = await import('../../../functions/conversions/conversion-events.js');
      const at = `${DAY}T12:00:00Z`;
      const referee = { externalCustomerId: 'shop-referee-1', email: 'referee@example.org', referralCode: code, codeSource: 'typed', occurredAt: at };
      const envelope = (type: string, detail: Record<string, unknown>) => ({ version: '0', id: `ev-${type}`, 'detail-type': `conversion.${type}`, source: 'shop', account: '123456789012', time: at, region: 'us-east-1', resources: [], detail });
      const signup = await conversionEvents(envelope('signup', { ...referee, idempotencyKey: 'signup-1' }));
      const purchase = await conversionEvents(envelope('purchase', { ...referee, idempotencyKey: 'order-1', orderId: 'order-1', amountMinor: 9900, currency: 'EUR' }));
      expect(signup).toMatchObject({ replayed: false });
      expect(purchase).toMatchObject({ replayed: false });
      const { handler: approver } = await import('../../../functions/rewards/approver.js');
      const approved = await approver({ at: '2027-06-09T12:00:00Z' });
      expect(approved.examined).toBeGreaterThanOrEqual(0);
    } finally {
      for (const k of ['EVENT_BUS_NAME', 'SIGNING_SECRET_ARN', 'WEBHOOK_SECRET_ARN', 'TABLE_NAME']) delete process.env[k];
    }
  });

  it('has a real bus: moto refuses events for a bus that the stack did not create', async () => {
    const events = new EventBridgeClient(aws());
    const bad = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'no-such-bus', Source: 's', DetailType: 'd', Detail: '{}' }] })).then(
      (out) => out.FailedEntryCount ?? 0,
      () => 1,
    );
    const good = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'referral-asks', Source: 's', DetailType: 'd', Detail: '{}' }] }));
    events.destroy();
    expect(bad).toBe(1);
    expect(good.FailedEntryCount ?? 0).toBe(0);
  });

  it('starts a run on a state machine through StartRun (deterministic execution name)', async () => {
    const sfn = new SFNClient(aws());
    const machine = await sfn.send(new CreateStateMachineCommand({ name: 'run', roleArn: 'arn:aws:iam::123456789012:role/run', definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } }) }));
    process.env.STATE_MACHINE_ARN = machine.stateMachineArn;
    const { handler } = await import('../../../functions/schedule/start-run.js');
    const started = await handler({ campaignId: CAMPAIGN, at: `${DAY}T10:00:00Z`, mode: 'hour' });
    expect(started).toMatchObject({ started: true, name: `${CAMPAIGN}-20260609T10` });
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn! }))).name).toBe(started.name);
    sfn.destroy();
    delete process.env.STATE_MACHINE_ARN;
  });
});
