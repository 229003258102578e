// `asks customer <id>` and `asks explain <customer> <campaign> --date D` against a real run on local servers: the view
// shows the ask the run made, and explain gives the run's own verdict (before the run: would ask; after: decided).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { MilestoneStore } from '../../../adapters/dynamo/milestones.js';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { Customer } from '../../../core/schemas/customer.js';
import { isHeldOut } from '../../../core/assignment.js';
import { definitionFromCdkOut } from '../../../local/definition.js';
import { localDeps, runExecution } from '../../../local/run-campaign.js';
import { startSes, type StartedServer } from '../../../local/servers.js';
import { run } from '../../../cli/main.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

const DAY = '2026-03-14';
let db: RunningDynalite;
let ses: StartedServer;
let doc: DynamoDBDocumentClient;
let table: string;

// Ids chosen outside the 10% holdout of signup-anniversary so the run sends.
const ids = Array.from({ length: 40 }, (_, i) => `cx-${i}`).filter((id) => !isHeldOut('signup-anniversary', id, 10));
const asked = ids[0]!;
const optedOut = ids[1]!;
const customer = (id: string, extra: Record<string, unknown> = {}) =>
  Customer.parse({ id, firstName: 'Ada', email: `${id}@example.com`, timezone: 'Europe/Berlin', country: 'DE', signupDate: '2023-03-14', plan: 'business', consents: { email: true }, counters: { orders: 9 }, ...extra });

beforeAll(async () => {
  db = await startDynalite();
  ses = await startSes({ port: 0 });
  doc = localDoc(db.endpoint);
  table = await freshTable(doc, 'cust');
  await new CustomerStore(doc, table).putMany([customer(asked), customer(optedOut, { optOut: true })]);
});
afterAll(async () => {
  await ses?.stop();
  await db?.stop();
});

const cli = (...args: string[]) => run([...args, '--endpoint', db.endpoint, '--table', table]);

describe('asks explain', () => {
  it('says would ask before the run, already decided after it, and gives the skip reason of an opted-out customer', async () => {
    // Before
    const before = await cli('explain', asked, 'signup-anniversary', '--date', DAY, '--json');
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ verdict: 'would_ask', occurrence: { occurrenceId: 'signup_anniversary#2026' }, decidedAt: '2026-03-14T09:00:00.000Z' });
    const skip = JSON.parse((await cli('explain', optedOut, 'signup-anniversary', '--date', DAY, '--json')).stdout);
    expect(skip).toMatchObject({ verdict: 'would_skip', decision: { reason: 'opted_out' } });
    const notDue = JSON.parse((await cli('explain', asked, 'signup-anniversary', '--date', '2026-03-15', '--json')).stdout);
    expect(notDue.verdict).toBe('not_due');

    // Act: the run of that day
    const deps = localDeps({ doc, tableName: table, sesUrl: ses.url, publicBaseUrl: 'http://localhost:3000', keysFile: join(mkdtempSync(join(tmpdir(), 'cx-')), 'keys.json') });
    const result = await runExecution({ definition: definitionFromCdkOut().definition, handlers: deps.handlers, input: { campaignId: 'signup-anniversary', at: `${DAY}T12:00:00Z`, mode: 'day', runDate: DAY } });
    expect(result.summary?.totals.sent).toBe(1);

    // Assess
    const after = JSON.parse((await cli('explain', asked, 'signup-anniversary', '--date', DAY, '--json')).stdout);
    expect(after).toMatchObject({ verdict: 'already_decided', existingAsk: { status: 'sent' } });
    const human = await cli('explain', optedOut, 'signup-anniversary', '--date', DAY);
    expect(human.stdout).toMatch(/would skip[\s\S]*opted_out/);
  });

  it('explains a threshold milestone from its pending record', async () => {
    const campaign = (await new FileCampaignRepository().get('tenth-order'))!;
    const id = 'cx-orders';
    await new CustomerStore(doc, table).putMany([customer(id)]);
    await new MilestoneStore(doc, table).applyActivity({ type: 'order_completed', customerId: id, orderId: 'o-10', amountMinor: 2500, currency: 'EUR', at: '2026-05-03T10:00:00Z' }, [campaign], '2026-05-03T10:00:01Z');
    const e = JSON.parse((await cli('explain', id, 'tenth-order', '--date', '2026-05-04', '--json')).stdout);
    expect(e.occurrence).toMatchObject({ occurrenceId: 'nth_purchase#10', threshold: 10 });
    expect(['would_ask', 'would_hold_out']).toContain(e.verdict);
    expect(JSON.parse((await cli('explain', id, 'tenth-order', '--date', '2026-05-03', '--json')).stdout).verdict).toBe('not_due');
  });

  it('exits 2 on a bad date or unknown campaign and 1 on an unknown customer', async () => {
    expect((await cli('explain', asked, 'signup-anniversary', '--date', '14.03.2026')).code).toBe(2);
    const unknownCampaign = await cli('explain', asked, 'nope', '--date', DAY);
    expect(unknownCampaign.code).toBe(1); // not found, like an unknown customer
    expect(unknownCampaign.stderr).toMatch(/campaign: no campaign "nope"/);
    expect((await cli('explain', 'nobody', 'signup-anniversary', '--date', DAY)).code).toBe(1);
  });
});

describe('asks customer', () => {
  it('shows profile, consents, asks, referral codes and rewards; `show` is the default subcommand', async () => {
    const json = await cli('customer', asked, '--json');
    expect(json.code).toBe(0);
    const view = JSON.parse(json.stdout);
    expect(view.profile.id).toBe(asked);
    expect(view.consents).toMatchObject({ channels: { email: true }, optOut: false, suppressed: [] });
    expect(view.asks).toHaveLength(1);
    expect(view.asks[0]).toMatchObject({ campaignId: 'signup-anniversary', status: 'sent', channel: 'email' });
    expect(view.referrals).toHaveLength(1);
    expect(view.referrals[0].activity.clicks).toBe(0);
    // The quote the ask stored, shown: signup-anniversary pays the advocate per tenure tier (3 years on DAY).
    expect(view.asks[0].quote).toMatchObject({ tenureYears: 3, advocate: { currency: 'EUR' } });
    expect(view.rewards).toEqual({ entries: [], current: [] });
    // Under the code: two friends left their details on the landing page, one signup came from the shop.
    const code = view.referrals[0].code as string;
    for (const item of [{ SK: 'LEAD#l1', entity: 'lead' }, { SK: 'LEAD#l2', entity: 'lead' }, { SK: 'CONV#signup#s1', entity: 'conversion', type: 'signup', status: 'recorded' }]) {
      await doc.send(new PutCommand({ TableName: table, Item: { PK: `R#${code}`, ...item } }));
    }
    const withActivity = JSON.parse((await cli('customer', asked, '--json')).stdout);
    expect(withActivity.referrals[0].activity).toMatchObject({ leads: 2, signups: 1 });
    const shown = (await cli('customer', asked)).stdout;
    expect(shown).toContain('2 leads, 1 signups');
    expect(shown).toMatch(/quoted advocate €15\.00, friend €20\.00/);
    const human = await cli('customer', 'show', optedOut);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('OPTED OUT');
    expect((await cli('customer', 'nobody')).code).toBe(1);
    expect((await run(['customer', '--help'])).stdout).toContain('show');
  });
});
