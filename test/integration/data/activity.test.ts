// customer.activity: counters move once per event, each crossed threshold is written once, handled records leave
// the pending index.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { MilestoneStore } from '../../../adapters/dynamo/milestones.js';
import { Campaign, type CampaignInput } from '../../../core/schemas/campaign.js';
import { Customer } from '../../../core/schemas/customer.js';
import { makeHandler, type ActivityLogger } from '../../../functions/activity/customer-activity.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

function campaign(id: string, milestone: CampaignInput['milestone']): Campaign {
  return Campaign.parse({
    id, name: id, status: 'active', milestone,
    schedule: { rate: '1 hour', timezone: 'UTC' },
    channels: { fallback: ['email'] },
    variants: [{ id: 'va', weight: 100, templates: { email: 'x/email' }, shareMessage: 'hi' }],
    offer: { kind: 'credit', amountMinor: 1000, currency: 'EUR', description: '10 EUR' },
    reward: { kind: 'credit', currency: 'EUR', tenureTiers: [{ minYears: 0, amountMinor: 1000 }] },
    budget: { amountMinor: 100000, currency: 'EUR' },
  });
}

const CAMPAIGNS = [
  campaign('tenth-order', { kind: 'nth_purchase', thresholds: [10, 25], askDelayHours: 24 }),
  campaign('big-spender', { kind: 'spend_threshold', thresholdsMinor: [50_000, 100_000], currency: 'EUR' }),
];
const silent: ActivityLogger = { info: () => {}, warn: () => {}, error: () => {} };
const order = (orderId: string, amountMinor: number, customerId = 'c1') => ({
  version: '0', id: `evt-${orderId}`, 'detail-type': 'customer.activity', source: 'shop', account: '123456789012',
  time: '2025-05-01T12:00:00Z', region: 'eu-west-1', resources: [],
  detail: { type: 'order_completed', customerId, orderId, amountMinor, currency: 'EUR', at: '2025-05-01T12:00:00Z' },
});

describe('customer activity', () => {
  let db: RunningDynalite;
  let doc: DynamoDBDocumentClient;
  beforeAll(async () => {
    db = await startDynalite();
    doc = localDoc(db.endpoint);
  });
  afterAll(async () => {
    await db.stop();
  });

  async function setup(orders: number, spend: number) {
    const table = await freshTable(doc);
    const customers = new CustomerStore(doc, table);
    await customers.put(Customer.parse({ id: 'c1', firstName: 'Ana', timezone: 'Europe/Berlin', signupDate: '2020-01-01', currency: 'EUR', counters: { orders, lifetimeSpendMinor: spend } }));
    const milestones = new MilestoneStore(doc, table);
    const handler = makeHandler({ milestones, campaigns: { get: async (id) => CAMPAIGNS.find((c) => c.id === id), list: async () => CAMPAIGNS }, clock: { now: () => new Date('2025-05-01T12:00:01Z') }, logger: silent });
    return { customers, milestones, handler };
  }

  it('the 10th order writes nth_purchase#10 once, due after the campaign delay', async () => {
    // Prepare
    const { milestones, handler } = await setup(9, 1000);
    // Act
    const r = await handler(order('o-10', 500));
    // Assess
    expect(r.status).toBe('applied');
    const record = await milestones.get('c1', 'MS#nth_purchase#10');
    expect(record).toMatchObject({ occurrenceId: 'nth_purchase#10', dueAt: '2025-05-02T12:00:00.000Z', pendingDay: '2025-05-02', campaignId: 'tenth-order' });
  });

  it('a redelivered event does not count twice', async () => {
    // Prepare
    const { customers, handler } = await setup(9, 1000);
    await handler(order('o-10', 500));
    // Act
    const again = await handler(order('o-10', 500));
    // Assess
    expect(again.status).toBe('duplicate');
    expect('milestones' in again && again.milestones.every((m) => !m.written)).toBe(true);
    expect((await customers.get('c1'))?.counters).toMatchObject({ orders: 10, lifetimeSpendMinor: 1500 });
  });

  it('one order jumping over two spend thresholds writes both', async () => {
    // Prepare
    const { milestones, handler } = await setup(2, 40_000);
    // Act
    await handler(order('o-big', 70_000));
    // Assess
    const pending = await milestones.queryPending({ day: '2025-05-01', limit: 10 });
    expect(pending.items.map((m) => m.occurrenceId).sort()).toEqual(['spend_threshold#100000', 'spend_threshold#50000']);
  });

  it('markHandled removes a record from the pending index but keeps it', async () => {
    // Prepare
    const { milestones, handler } = await setup(2, 40_000);
    await handler(order('o-big', 70_000));
    // Act
    await milestones.markHandled('c1', 'MS#spend_threshold#50000', '2025-05-01T13:00:00Z');
    // Assess
    const pending = await milestones.queryPending({ day: '2025-05-01', limit: 10 });
    expect(pending.items.map((m) => m.sk)).toEqual(['MS#spend_threshold#100000']);
    expect(await milestones.get('c1', 'MS#spend_threshold#50000')).toMatchObject({ handledAt: '2025-05-01T13:00:00Z' });
  });

  it('an activity for an unknown customer counts nothing and can be redelivered later', async () => {
    // Prepare
    const { customers, handler } = await setup(0, 0);
    // Act
    const r = await handler(order('o-x', 100, 'ghost'));
    await customers.put(Customer.parse({ id: 'ghost', firstName: 'G', timezone: 'UTC', signupDate: '2020-01-01' }));
    const later = await handler(order('o-x', 100, 'ghost'));
    // Assess
    expect([r.status, later.status]).toEqual(['unknown_customer', 'applied']);
    expect((await customers.get('ghost'))?.counters.orders).toBe(1);
  });

  it('rejects a malformed event with the field that is wrong', async () => {
    // Prepare
    const { handler } = await setup(0, 0);
    const bad = order('o-1', 100);
    // Act
    const r = await handler({ ...bad, detail: { ...bad.detail, amountMinor: 1.5 } });
    // Assess
    expect(r.status).toBe('invalid');
    expect('errors' in r && r.errors[0]).toMatch(/^detail\.amountMinor: /);
  });
});
