// Builders for valid campaigns and customers (parsed through the real schemas) used by the core unit tests.
import { Campaign, type CampaignInput } from '../../../core/schemas/campaign.js';
import { Customer, type CustomerInput } from '../../../core/schemas/customer.js';

export function makeCustomer(overrides: Partial<CustomerInput> = {}): Customer {
  return Customer.parse({
    id: 'cust-1',
    firstName: 'Ada',
    email: 'ada@example.com',
    phone: '+4915112345678',
    timezone: 'Europe/Berlin',
    signupDate: '2020-03-15',
    consents: { email: true, sms: true, in_app: true },
    ...overrides,
  });
}

export function makeCampaign(overrides: Partial<CampaignInput> = {}): Campaign {
  return Campaign.parse({
    id: 'signup-anniversary',
    name: 'Signup anniversary',
    status: 'active',
    milestone: { kind: 'signup_anniversary', minYears: 1 },
    schedule: { cron: '0 * * * ? *', timezone: 'UTC', sendHour: 10 },
    eligibility: { requireConsent: true, cooldownDays: 30, frequencyCap: { maxAsks: 3, windowDays: 365 }, holdoutPercent: 0 },
    channels: { usePreferred: true, fallback: ['email', 'sms'] },
    variants: [
      { id: 'warm', weight: 50, templates: { email: 'anniversary/email', sms: 'anniversary/sms', in_app: 'anniversary/in-app' }, shareMessage: 'Hi {{ links.referral_url }}' },
      { id: 'proud', weight: 50, templates: { email: 'anniversary/email', sms: 'anniversary/sms', in_app: 'anniversary/in-app' }, shareMessage: 'Yo {{ links.referral_url }}' },
    ],
    offer: { kind: 'credit', amountMinor: 2000, currency: 'EUR', description: '€20 off' },
    reward: {
      kind: 'credit',
      currency: 'EUR',
      tenureTiers: [
        { minYears: 1, maxYears: 1, amountMinor: 1000, label: 'First year' },
        { minYears: 2, maxYears: 5, amountMinor: 1500, label: 'Years 2 to 5' },
        { minYears: 6, amountMinor: 2500, label: 'More than 5 years' },
      ],
      referralTiers: [{ minReferrals: 3, bonusMinor: 1000, label: 'Super advocate' }],
      holdDays: 30,
      perAdvocateCap: { maxRewards: 10, maxAmountMinor: 25000, periodDays: 365 },
    },
    budget: { amountMinor: 500000, currency: 'EUR' },
    ...overrides,
  });
}
