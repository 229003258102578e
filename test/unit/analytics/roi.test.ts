// Message prices per channel and currency (analytics/config.json): ROI in a currency prices messages in that currency;
// a channel without a price in it is named, never converted.
import { describe, expect, it } from 'vitest';
import { messageCost, ReportConfigSchema } from '../../../core/analytics/report.js';

const config = ReportConfigSchema.parse({
  windowDays: 30,
  messagePrices: { email: { EUR: 9.6, USD: 10 }, sms: { USD: 830 } },
  minimumSample: { askedPerArm: 100, successesPerArm: 5 },
});
const messages = [
  { channel: 'email', messages: 2000 },
  { channel: 'sms', messages: 10 },
  { channel: 'push', messages: 3 },
];

describe('messageCost', () => {
  it('prices messages in the asked currency only', () => {
    // EUR: 2000 emails x 9.6 / 1,000 = 19.2 cents; sms and push have no EUR price.
    expect(messageCost(messages, config, 'EUR')).toEqual({ minor: 19.2, unpricedChannels: ['push', 'sms'] });
    // USD: 2000 x 10 / 1,000 = 20, + 10 SMS x 830 / 1,000 = 8.3.
    const usd = messageCost(messages, config, 'USD');
    expect(usd.minor).toBeCloseTo(28.3, 10);
    expect(usd.unpricedChannels).toEqual(['push']);
    expect(messageCost([{ channel: 'push', messages: 0 }], config, 'EUR')).toEqual({ minor: 0, unpricedChannels: [] });
  });

  it('reads the older single-currency form and refuses a bad currency code', () => {
    const old = ReportConfigSchema.parse({ windowDays: 30, messagePrices: { email: { perThousandMinor: 10, currency: 'USD' } }, minimumSample: { askedPerArm: 1, successesPerArm: 0 } });
    expect(old.messagePrices).toEqual({ email: { USD: 10 } });
    expect(() => ReportConfigSchema.parse({ windowDays: 30, messagePrices: { email: { eur: 1 } }, minimumSample: { askedPerArm: 1, successesPerArm: 0 } })).toThrow();
  });
});
