// `asks review` and `asks rewards` against dynalite: a self-referral waits for review with its reason; approve moves it
// on to held, reject voids it; unknown ids are a usage error; `rewards approve-due --at` issues what is due.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynalite, freshTable, localDoc, type RunningDynalite } from '../../helpers/dynalite.js';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { MemoryPublisher } from '../../../adapters/eventbridge.js';
import { recordConversion } from '../../../core/conversions.js';
import { ConversionInput } from '../../../core/schemas/conversion.js';
import { Customer } from '../../../core/schemas/customer.js';
import { conversionDeps } from '../../../functions/conversions/wiring.js';
import { run } from '../../../cli/main.js';

const CODE = 'abcd2345ef';
let dynamo: RunningDynalite;
let doc: DynamoDBDocumentClient;
let table: string;
const ids: string[] = [];

beforeAll(async () => {
  dynamo = await startDynalite();
  doc = localDoc(dynamo.endpoint);
  table = await freshTable(doc, 'review');
  await new CustomerStore(doc, table).put(Customer.parse({ id: 'adv-1', firstName: 'Olivia', email: 'olivia@example.com', timezone: 'Europe/Berlin', signupDate: '2023-11-25', paymentFingerprint: 'fp-1' }));
  await doc.send(new PutCommand({ TableName: table, Item: { PK: `R#${CODE}`, SK: 'CODE', code: CODE, customerId: 'adv-1', campaignId: 'signup-anniversary', askId: 'adv-1~x', firstName: 'Olivia' } }));
  const deps = conversionDeps({ doc, tableName: table, campaigns: new FileCampaignRepository(), publisher: new MemoryPublisher() });
  for (const k of ['a', 'b']) {
    const r = await recordConversion(deps, ConversionInput.parse({ type: 'purchase', idempotencyKey: `rev-${k}`, externalCustomerId: `f-${k}`, email: `f-${k}@example.com`, referralCode: CODE, amountMinor: 100, currency: 'EUR', paymentFingerprint: 'fp-1', occurredAt: new Date().toISOString() }), new Date());
    ids.push(r.conversionId);
  }
});

afterAll(async () => {
  doc?.destroy();
  await dynamo?.stop();
});

const target = () => ['--endpoint', dynamo.endpoint, '--table', table];

describe('asks review', () => {
  it('lists flagged conversions with their reasons', async () => {
    const res = await run(['review', ...target(), '--json']);
    expect(res.code).toBe(0);
    const items = JSON.parse(res.stdout) as Array<{ conversionId: string; reasons: string[] }>;
    expect(items.map((i) => i.conversionId).sort()).toEqual([...ids].sort());
    expect(items[0]!.reasons).toContain('self_referral_payment');
    expect((await run(['review', ...target()])).stdout).toContain('self_referral_payment');
  });

  it('approves one (rewards move on to held) and rejects the other (voided)', async () => {
    const approved = await run(['review', 'approve', ids[0]!, ...target(), '--json']);
    expect(approved.code).toBe(0);
    expect((JSON.parse(approved.stdout) as { rewards: Array<{ state: string }> }).rewards.map((r) => r.state)).toEqual(['held', 'held']);
    const rejected = await run(['review', 'reject', ids[1]!, ...target()]);
    expect(rejected.code).toBe(0);
    expect(rejected.stdout).toMatch(/rejected: .*voided/);
    expect(JSON.parse((await run(['review', ...target(), '--json'])).stdout)).toEqual([]);
  });

  it('shows the advocate\'s rewards and runs the approver once with --at', async () => {
    const listed = JSON.parse((await run(['rewards', 'adv-1', ...target(), '--json'])).stdout) as { byState: Record<string, { count: number }> };
    expect(listed.byState).toMatchObject({ held: { count: 1 }, voided: { count: 1 } });
    const early = JSON.parse((await run(['rewards', 'approve-due', ...target(), '--json'])).stdout) as { issued: number };
    expect(early.issued).toBe(0);
    const later = new Date(Date.now() + 31 * 86_400_000).toISOString();
    const due = await run(['rewards', 'approve-due', '--at', later, ...target(), '--json']);
    expect(JSON.parse(due.stdout)).toMatchObject({ approved: 2, issued: 2 });
    expect((await run(['rewards', 'adv-1', ...target()])).stdout).toMatch(/^advocate: .*issued 1 /m);
    expect((await run(['rewards', 'approve-due', '--at', 'yesterday', ...target()])).code).toBe(2);
    const nobody = await run(['rewards', 'nobody-at-all', ...target()]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/no customer "nobody-at-all"/);
  });

  it('refuses an unknown id as not found (exit 1)', async () => {
    const res = await run(['review', 'approve', 'cv_nope', ...target()]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/no conversion "cv_nope"/);
  });

  it('has help', async () => {
    const res = await run(['review', '--help']);
    expect(res.stdout).toMatch(/approve/);
    expect(res.stdout).toMatch(/reject/);
  });
});
