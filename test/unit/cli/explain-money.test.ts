// `asks explain` and `asks customer` show money as money: the campaign's currency with its own digits (¥ has none, € two), never bare
// minor units; the budget line says what the rule compares (committed = spent + reserved) and the budget verdict too.
import { describe, expect, it } from 'vitest';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { humanExplanation } from '../../../cli/commands/explain.js';
import { humanView } from '../../../cli/commands/customer.js';
import type { CustomerView } from '../../../adapters/dynamo/customer-view.js';
import { explainAsk } from '../../../core/workflow/explain.js';
import type { Campaign } from '../../../core/schemas/campaign.js';
import { Customer } from '../../../core/schemas/customer.js';
import { capCheck } from '../../../core/rewards.js';

const customer = Customer.parse({ id: 'cx-1', firstName: 'Ada', email: 'ada@example.com', timezone: 'Europe/Berlin', country: 'DE', signupDate: '2023-03-14', consents: { email: true } });

async function campaignIn(currency: string, scale: number): Promise<Campaign> {
  const base = (await new FileCampaignRepository().get('signup-anniversary'))!;
  const yen = (m: number) => Math.round(m * scale);
  return {
    ...base,
    eligibility: { ...base.eligibility, holdoutPercent: 0 },
    offer: { ...base.offer, currency, ...('amountMinor' in base.offer && base.offer.amountMinor !== undefined ? { amountMinor: yen(base.offer.amountMinor) } : {}) } as Campaign['offer'],
    reward: { ...base.reward, currency, tenureTiers: base.reward.tenureTiers.map((t) => ({ ...t, amountMinor: yen(t.amountMinor) })), referralTiers: base.reward.referralTiers.map((t) => ({ ...t, bonusMinor: yen(t.bonusMinor) })) },
    budget: { ...base.budget, amountMinor: yen(base.budget.amountMinor), currency },
  };
}

const explain = (campaign: Campaign, budget: { spentMinor: number; reservedMinor: number }) =>
  explainAsk({
    campaign,
    customer: { ...customer, recentAskAts: [] },
    date: '2026-03-14',
    milestones: [],
    asks: new Map(),
    suppressed: { email: false, phone: false },
    spentMinor: budget.spentMinor,
    budget: { spentMinor: budget.spentMinor, reservedMinor: budget.reservedMinor, committedMinor: budget.spentMinor + budget.reservedMinor, overrunMinor: 0, asks: 0, conversions: 0 },
  });

describe('asks explain money', () => {
  it('formats the budget, committed, spent and reservation in euros with cents', async () => {
    const campaign = await campaignIn('EUR', 1);
    const lines = humanExplanation(explain(campaign, { spentMinor: 47_500, reservedMinor: 139_500 }));
    const budgetLine = lines.find((l) => l.trimStart().startsWith('budget'))!;
    expect(budgetLine).toContain('budget €5,000.00');
    expect(budgetLine).toContain('committed €1,870.00 (spent €475.00, reserved €1,395.00)');
    expect(budgetLine).toMatch(/this ask would reserve €\d[\d,]*\.\d\d/);
    expect(budgetLine).toContain('tenure 3 years');
    expect(lines.join('\n')).not.toMatch(/minor units|\b47500\b|\b500000\b/);
  });

  it('formats yen without decimals, also in the budget verdict', async () => {
    const campaign = await campaignIn('JPY', 1);
    // Nearly all of the budget committed: the rule refuses this ask.
    const e = explain(campaign, { spentMinor: 490_000, reservedMinor: 9_000 });
    expect(e.verdict).toBe('would_skip');
    expect(e.because).toMatch(/¥499,000 of ¥500,000 committed, this ask would reserve ¥[\d,]+\)$/);
    const budgetLine = humanExplanation(e).find((l) => l.trimStart().startsWith('budget'))!;
    expect(budgetLine).toContain('budget ¥500,000');
    expect(budgetLine).not.toMatch(/¥[\d,]+\.\d/);
  });
});

describe('asks customer money', () => {
  it("shows the lifetime spend in the customer's currency (yen without decimals), not as minor units", () => {
    const profile = Customer.parse({ ...customer, currency: 'JPY', counters: { orders: 12, lifetimeSpendMinor: 320_000 } });
    const view = { profile, consents: { channels: { email: true }, optOut: false, doNotAsk: false, suppressed: [], ledger: [] }, asks: [], milestones: [], referrals: [], rewards: [] } as unknown as CustomerView;
    const counters = humanView(view).find((l) => l.trimStart().startsWith('counters'))!;
    expect(counters).toContain('lifetime spend ¥320,000');
    expect(counters).toContain('orders 12');
    expect(counters).not.toContain('lifetimeSpendMinor');
  });
});

describe('reasons people read carry money, not minor units', () => {
  it('the per-advocate cap says how much in the reward currency', () => {
    const now = new Date('2026-03-14T10:00:00Z');
    const cap = { periodDays: 30, maxAmountMinor: 5000 };
    expect(capCheck(cap, [{ amountMinor: 5000, at: '2026-03-10T10:00:00Z' }], now, 1000, 'JPY').reason).toBe('max_amount: ¥5,000 of ¥5,000 earned in 30 days');
    expect(capCheck(cap, [{ amountMinor: 4500, at: '2026-03-10T10:00:00Z' }], now, 1000, 'EUR').reason).toBe('capped: €5.00 of €10.00 left under max_amount');
  });
});
