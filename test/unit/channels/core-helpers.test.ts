// Pure helpers of the channels: unsubscribe headers, tag encoding, rate math, suppression keys, preference forms.
import { describe, expect, it } from 'vitest';
import { decodeTagValue, defaultUnsubscribeMailbox, encodeTagValue, tokenFromUnsubscribeUrl, unsubscribeHeaders } from '../../../core/email-headers.js';
import { backoffDelayMs, initialBucket, msUntilNextWindow, takeTokens, windowOf } from '../../../core/rate-limit.js';
import { normalizeAddress } from '../../../core/suppression.js';
import { suppressionPk } from '../../../adapters/dynamo/keys.js';
import { parsePreferencesForm, parseUnsubscribeBody, unsubscribeUpdate } from '../../../core/preferences.js';

describe('unsubscribe headers', () => {
  it('lists the https URL first and a mailto with the token, plus the RFC 8058 one-click header', () => {
    const h = unsubscribeHeaders({ url: 'https://go.acme.test/u/abc.k1.sig', mailbox: 'unsubscribe@acme.test', token: 'abc.k1.sig' });
    expect(h).toEqual({
      'List-Unsubscribe': '<https://go.acme.test/u/abc.k1.sig>, <mailto:unsubscribe@acme.test?subject=unsubscribe-abc.k1.sig>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it('refuses a plain-http URL outside localhost', () => {
    expect(() => unsubscribeHeaders({ url: 'http://go.acme.test/u/x', mailbox: 'u@acme.test', token: 'x' })).toThrow(/https/);
  });

  it('refuses a mailbox that could inject a header', () => {
    expect(() => unsubscribeHeaders({ url: 'https://go.acme.test/u/x', mailbox: 'u@acme.test>\r\nBcc: x@y', token: 'x' })).toThrow(/mailbox/);
  });

  it('takes the token from the URL and the mailbox domain from a display-name sender', () => {
    expect(tokenFromUnsubscribeUrl('https://x.test/u/a.b.c')).toBe('a.b.c');
    expect(defaultUnsubscribeMailbox('Acme <asks@news.acme.test>')).toBe('unsubscribe@news.acme.test');
  });

  it('tag values round-trip an ask id with ~ and # through the SES tag alphabet', () => {
    const encoded = encodeTagValue('cust-1~signup_anniversary#2026');
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeTagValue(encoded)).toBe('cust-1~signup_anniversary#2026');
    expect(decodeTagValue('not valid!')).toBeUndefined();
  });
});

describe('rate math', () => {
  it('a full bucket grants `rate` tokens at once and then asks to wait 1/rate s', () => {
    const cfg = { ratePerSecond: 4 };
    let state = initialBucket(cfg, 0);
    const granted = [];
    for (let i = 0; i < 5; i += 1) {
      const r = takeTokens(state, cfg, 0);
      state = r.state;
      granted.push(r.granted);
    }
    expect(granted).toEqual([true, true, true, true, false]);
    expect(takeTokens(state, cfg, 0).waitMs).toBe(250);
  });

  it('refills with time but never above the burst', () => {
    const cfg = { ratePerSecond: 10, burst: 2 };
    const r = takeTokens({ tokens: 0, atMs: 0 }, cfg, 10_000);
    expect(r.granted).toBe(true);
    expect(r.state.tokens).toBe(1);
  });

  it('fixed windows are epoch seconds and the wait ends at the next second', () => {
    expect(windowOf(1_700_000_000_250)).toBe(1_700_000_000);
    expect(msUntilNextWindow(1_700_000_000_250)).toBe(750);
    expect(msUntilNextWindow(1_700_000_000_000)).toBe(1000);
  });

  it('full-jitter backoff stays below the doubling ceiling and the cap', () => {
    expect(backoffDelayMs(0, 100, 5000, 0.5)).toBe(50);
    expect(backoffDelayMs(3, 100, 5000, 0.999)).toBeLessThan(800);
    expect(backoffDelayMs(10, 100, 5000, 0.999)).toBeLessThan(5000);
  });
});

describe('suppression keys', () => {
  it('emails are trimmed and lower-cased', () => {
    expect(normalizeAddress('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
    expect(suppressionPk('Ada@Example.com')).toBe('S#ada@example.com');
  });

  it('phone numbers lose formatting characters', () => {
    expect(normalizeAddress('+49 151 (123) 45-678')).toBe('+4915112345678');
  });
});

describe('preference forms', () => {
  it('unchecked boxes mean "off" and an empty select removes the preferred channel', () => {
    const r = parsePreferencesForm('email=on&doNotAsk=on&preferredChannel=');
    expect(r).toEqual({ ok: true, value: { consents: { email: true, sms: false, in_app: false }, doNotAsk: true, preferredChannel: null } });
  });

  it('names the field of a bad preferred channel', () => {
    const r = parsePreferencesForm('email=on&preferredChannel=pigeon');
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.field).toBe('preferredChannel');
  });

  it('refuses a preferred channel that is switched off', () => {
    const r = parsePreferencesForm('email=on&preferredChannel=sms');
    expect(r.ok ? '' : r.message).toMatch(/sms is switched off/);
  });

  it('reads the RFC 8058 one-click body', () => {
    expect(parseUnsubscribeBody('List-Unsubscribe=One-Click')).toEqual({ oneClick: true, doNotAsk: false });
    expect(unsubscribeUpdate(parseUnsubscribeBody('doNotAsk=on'))).toEqual({ consents: { email: false }, doNotAsk: true });
  });
});

describe('InProcessRateLimiter', () => {
  it('lets `rate` sends through at once, then one per 1/rate s', async () => {
    // Prepare
    const { InProcessRateLimiter } = await import('../../../adapters/channels/rate-limiter.js');
    let now = 0;
    const limiter = new InProcessRateLimiter(2, { now: () => now, sleep: async (ms) => void (now += ms) });
    const at: number[] = [];

    // Act
    await Promise.all(Array.from({ length: 5 }, () => limiter.acquire().then(() => at.push(now))));

    // Assess
    expect(at).toEqual([0, 0, 500, 1000, 1500]);
  });
});
