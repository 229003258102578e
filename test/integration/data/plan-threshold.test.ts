// `asks plan` for a threshold campaign reads the pending milestones of each planned day (the sparse index), decides
// each customer as the run would, and writes nothing: a second plan gives the same answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { MilestoneStore } from '../../../adapters/dynamo/milestones.js';
import { Customer } from '../../../core/schemas/customer.js';
import type { Campaign } from '../../../core/schemas/campaign.js';
import { planFromTable } from '../../../cli/commands/plan.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

let db: RunningDynalite;
let doc: DynamoDBDocumentClient;
let table: string;
let campaign: Campaign;

const customer = (id: string, extra: Record<string, unknown> = {}) =>
  Customer.parse({ id, firstName: id, email: `${id}@example.com`, timezone: 'Europe/Berlin', country: 'DE', signupDate: '2022-01-10', consents: { email: true }, counters: { orders: 9 }, ...extra });

beforeAll(async () => {
  db = await startDynalite();
  doc = localDoc(db.endpoint);
  table = await freshTable(doc, 'plan');
  campaign = (await new FileCampaignRepository().get('tenth-order'))!;
  await new CustomerStore(doc, table).putMany([customer('de-1'), customer('de-2', { optOut: true }), customer('us-1', { country: 'US' }), customer('de-3')]);
  const milestones = new MilestoneStore(doc, table);
  // Orders on 2026-05-03 10:00Z; the campaign asks 24 hours later, so the milestones are pending on 2026-05-04.
  for (const id of ['de-1', 'de-2', 'us-1']) {
    await milestones.applyActivity({ type: 'order_completed', customerId: id, orderId: `o-${id}`, amountMinor: 2500, currency: 'EUR', at: '2026-05-03T10:00:00Z' }, [campaign], '2026-05-03T10:00:01Z');
  }
});
afterAll(async () => db?.stop());

describe('plan for a threshold campaign', () => {
  it('counts the pending milestones of the day: asks, skips by reason and the projected cost', async () => {
    // Act
    const { days } = await planFromTable(campaign, ['2026-05-03', '2026-05-04'], { endpoint: db.endpoint, table });

    // Assess
    expect(days[0]!.due).toBe(0);
    const day = days[1]!;
    expect(day.due).toBe(3);
    expect(day.skipped).toMatchObject({ opted_out: 1, audience_mismatch: 1 });
    expect(day.ask + day.heldOut + day.deferred).toBe(1);
    if (day.ask === 1) expect(day.projectedCostMinor).toBeGreaterThan(0);
  });

  it('writes nothing: planning again gives the same plan', async () => {
    const first = await planFromTable(campaign, ['2026-05-04'], { endpoint: db.endpoint, table });
    const second = await planFromTable(campaign, ['2026-05-04'], { endpoint: db.endpoint, table });
    expect(second).toEqual(first);
  });
});

describe('plan for a threshold campaign decides on the day run clock', () => {
  it('at the send hour (not midnight UTC), and only the milestones due by then; later ones on the next day', async () => {
    // tenth-order: UTC, send hour 10, quiet hours 21:00-08:00, asks 24 hours after the order. `asks run --date
    // 2026-05-04` runs at 10:00Z (core/workflow/plan.ts dayRunAt) and reads the pending milestones due by then. The plan
    // decided at 00:00Z, 02:00 in Berlin: inside quiet hours, "deferred", while the run asks; and it counted a milestone
    // due at 15:00Z on the 4th, which the run of the 4th leaves to the run of the 5th.
    const t = await freshTable(doc, 'plan-clock');
    await new CustomerStore(doc, t).putMany([customer('early'), customer('late')]);
    const milestones = new MilestoneStore(doc, t);
    await milestones.applyActivity({ type: 'order_completed', customerId: 'early', orderId: 'o-early', amountMinor: 2500, currency: 'EUR', at: '2026-05-03T09:00:00Z' }, [campaign], '2026-05-03T09:00:01Z');
    await milestones.applyActivity({ type: 'order_completed', customerId: 'late', orderId: 'o-late', amountMinor: 2500, currency: 'EUR', at: '2026-05-03T15:00:00Z' }, [campaign], '2026-05-03T15:00:01Z');

    const { days } = await planFromTable(campaign, ['2026-05-04', '2026-05-05'], { endpoint: db.endpoint, table: t }, new Date('2026-05-01T12:00:00Z'));

    expect(days[0]).toMatchObject({ due: 1, deferred: 0 });
    expect(days[0]!.ask + days[0]!.heldOut).toBe(1);
    expect(days[1]).toMatchObject({ due: 1, deferred: 0 });
    expect(days[1]!.ask + days[1]!.heldOut).toBe(1);
  });
});
