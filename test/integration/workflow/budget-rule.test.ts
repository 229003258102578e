// One budget rule for `asks plan` and `asks run` (core/budget.ts), against dynalite, the SES v2 local server and the
// synthesized state machine: under a tight budget (€50, €30 of quoted rewards per ask) the plan and the run ask the
// same customers; the friends of the advocates asked are then all paid what they were promised, the budget overrun
// is booked, announced and reported, and no further ask is made.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { DynamoBudgetStore } from '../../../adapters/dynamo/budget.js';
import { MemoryPublisher } from '../../../adapters/eventbridge.js';
import { planFromTable } from '../../../cli/commands/plan.js';
import { recordConversion, advocateRewards } from '../../../core/conversions.js';
import { Campaign } from '../../../core/schemas/campaign.js';
import { Customer } from '../../../core/schemas/customer.js';
import { conversionDeps } from '../../../functions/conversions/wiring.js';
import { definitionFromCdkOut } from '../../../local/definition.js';
import { localDeps, runExecution } from '../../../local/run-campaign.js';
import type { PlanOptions } from '../../../core/workflow/plan.js';
import { startSes, type StartedServer } from '../../../local/servers.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

const DAY = '2026-03-14';
const NEXT = '2026-03-15';
const definition = definitionFromCdkOut().definition;
const stateDir = mkdtempSync(join(tmpdir(), 'asks-budget-'));

let dynamo: RunningDynalite;
let ses: StartedServer;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startDynalite();
  ses = await startSes({ port: 0 });
  doc = localDoc(dynamo.endpoint);
});
afterAll(async () => {
  await ses?.stop();
  await dynamo?.stop();
});

/** The signup anniversary campaign with a €50 budget and €15 + €15 quoted per ask, nobody held out, no quiet hours. */
async function tightCampaign(conversionRate: number): Promise<Campaign> {
  const base = (await new FileCampaignRepository().get('signup-anniversary'))!;
  return Campaign.parse({
    ...base,
    eligibility: { ...base.eligibility, holdoutPercent: 0, quietHours: undefined },
    offer: { ...base.offer, amountMinor: 1500 },
    reward: { ...base.reward, tenureTiers: [{ minYears: 1, amountMinor: 1500, label: 'Any' }], referralTiers: [] },
    budget: { amountMinor: 5000, currency: 'EUR', conversionRate },
  });
}

const customer = (id: string, signupDate: string) =>
  Customer.parse({ id, firstName: id, email: `${id}@example.com`, timezone: 'Europe/Berlin', country: 'DE', signupDate, consents: { email: true }, counters: { orders: 3 } });

async function setup(conversionRate: number, plan?: Partial<PlanOptions>) {
  const table = await freshTable(doc, 'budget');
  const campaign = await tightCampaign(conversionRate);
  const campaigns = { get: async (id: string) => (id === campaign.id ? campaign : undefined), list: async () => [campaign] };
  // Six customers with their anniversary on DAY, three more on NEXT.
  const today = ['ann', 'bob', 'cyd', 'dee', 'eve', 'fay'].map((id, i) => customer(id, `${2020 + i}-03-14`));
  const tomorrow = ['gus', 'hal', 'ivy'].map((id) => customer(id, '2022-03-15'));
  await new CustomerStore(doc, table).putMany([...today, ...tomorrow]);
  const events = new MemoryPublisher();
  const deps = localDeps({ doc, tableName: table, sesUrl: ses.url, publicBaseUrl: 'http://127.0.0.1:1', keysFile: join(stateDir, 'keys.json'), campaigns, ...(plan ? { plan } : {}) });
  return { table, campaign, campaigns, deps, events };
}

async function asks(table: string): Promise<Array<Record<string, unknown>>> {
  const out = await doc.send(new ScanCommand({ TableName: table, FilterExpression: 'entity = :a', ExpressionAttributeValues: { ':a': 'ask' } }));
  return out.Items ?? [];
}

const run = (deps: ReturnType<typeof localDeps>, campaignId: string, day: string) =>
  runExecution({ definition, handlers: deps.handlers, input: { campaignId, at: `${day}T12:00:00Z`, mode: 'day', runDate: day } });

describe('asks plan and asks run under a tight budget', () => {
  it.each([
    // Every ask may convert once: €30 each, one fits in €50 (the case: the plan said 1, the run asked 6).
    { rate: 1, asked: 1 },
    // Half of the asks are expected to convert: €15 each, three fit.
    { rate: 0.5, asked: 3 },
  ])('ask the same customers at conversion rate $rate ($asked of 6)', async ({ rate, asked }) => {
    const { table, campaign, deps } = await setup(rate);

    const plan = await planFromTable(campaign, [DAY], { endpoint: dynamo.endpoint, table });
    const result = await run(deps, campaign.id, DAY);

    expect(result.error).toBeUndefined();
    const stored = await asks(table);
    const sent = stored.filter((a) => a.status === 'sent').map((a) => a.customerId).sort();
    const day = plan.days[0]!;
    expect(day.ask).toBe(asked);
    expect(sent).toHaveLength(asked);
    expect([...day.askIds].sort()).toEqual(sent);
    expect(day.skipped.budget_exhausted).toBe(6 - asked);
    expect(stored.filter((a) => a.skipReason === 'budget_exhausted')).toHaveLength(6 - asked);
    expect(result.summary?.totals['skipped:budget_exhausted']).toBe(6 - asked);
    // What the plan projected is what the run reserved; nothing is committed past the budget.
    const state = await new DynamoBudgetStore(doc, table).state(campaign.id);
    expect(state.reservedMinor).toBe(day.projectedCostMinor);
    expect(state.committedMinor).toBeLessThanOrEqual(campaign.budget.amountMinor);
    expect(state.asks).toBe(asked);
  });

  it('asks the same customers when every customer is a batch of its own (batches that would race for the budget)', async () => {
    // One customer per batch: without the tight-budget rule the batches of a round run at once and whichever reserves
    // first is asked. The run must still ask exactly the customers the plan names.
    const { table, campaign, deps } = await setup(0.5, { limit: 1, segmentsPerBatch: 1 });
    const plan = await planFromTable(campaign, [DAY], { endpoint: dynamo.endpoint, table });
    const result = await run(deps, campaign.id, DAY);

    expect(result.error).toBeUndefined();
    const sent = (await asks(table)).filter((a) => a.status === 'sent').map((a) => a.customerId).sort();
    expect(plan.days[0]!.ask).toBe(3);
    expect(sent).toEqual([...plan.days[0]!.askIds].sort());
    // The run went one batch per round (six customers, six rounds), in the plan's order.
    expect(result.summary?.pages).toBeGreaterThanOrEqual(6);
  });

  it('pays every friend who was promised the offer, books the overrun, announces it and stops asking', async () => {
    const { table, campaign, campaigns, deps, events } = await setup(0.5);
    expect((await run(deps, campaign.id, DAY)).error).toBeUndefined();
    const sent = (await asks(table)).filter((a) => a.status === 'sent');
    expect(sent).toHaveLength(3);
    const conversions = conversionDeps({ doc, tableName: table, campaigns, publisher: events });

    // Act: a friend of each advocate buys (€30 of rewards each, €90 against a €50 budget).
    for (const [i, ask] of sent.entries()) {
      const result = await recordConversion(
        conversions,
        { type: 'purchase', idempotencyKey: `order-${i}`, externalCustomerId: `friend-${i}`, email: `friend${i}@example.org`, referralCode: String(ask.referralCode), codeSource: 'typed', amountMinor: 5000, currency: 'EUR', occurredAt: `${DAY}T15:0${i}:00Z` },
        new Date(`${DAY}T15:0${i}:00Z`),
      );
      expect(result.status).toBe('recorded');
    }

    // Assess: nobody denied; every reward held at the quoted amount; the part beyond the budget flagged as overrun.
    const rewards = (await Promise.all(sent.map((a) => advocateRewards(conversions.ledger, String(a.customerId))))).flatMap((r) => r.rewards);
    expect(rewards).toHaveLength(6);
    expect(rewards.every((r) => r.state === 'held' && r.amountMinor === 1500 && r.promised === true)).toBe(true);
    expect(rewards.some((r) => r.state === 'over_budget')).toBe(false);
    const state = await new DynamoBudgetStore(doc, table).state(campaign.id);
    expect(state).toMatchObject({ spentMinor: 9000, reservedMinor: 0, committedMinor: 9000, overrunMinor: 9000 - 5000, asks: 3, conversions: 3 });
    expect(rewards.filter((r) => r.overrun).length).toBeGreaterThan(0);
    const overruns = events.events.filter((e) => e.detailType === 'referral.budget.overrun.v1');
    expect(overruns.reduce((s, e) => s + Number(e.detail.overrunMinor), 0)).toBe(4000);

    // The plan reports the overrun and asks nobody; the run agrees.
    const plan = await planFromTable(campaign, [NEXT], { endpoint: dynamo.endpoint, table });
    expect(plan.budget.overrunMinor).toBe(4000);
    expect(plan.days[0]).toMatchObject({ ask: 0, skipped: { budget_exhausted: 3 } });
    const next = await run(deps, campaign.id, NEXT);
    expect(next.summary?.totals['skipped:budget_exhausted']).toBe(3);
    expect(next.summary?.totals.sent ?? 0).toBe(0);
  });
});
