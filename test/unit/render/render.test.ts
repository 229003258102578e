// Rendering asks: escaping per part, the share message, missing templates, layouts and personalization text.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../core/errors.js';
import type { TemplateSource } from '../../../core/ports.js';
import { buildAskContext, formatMoney, ordinal, renderAsk, type AskContextInput } from '../../../core/render.js';
import { countSms } from '../../../core/sms.js';
import type { MilestoneOccurrence } from '../../../core/schemas/ask.js';
import { Campaign, type CampaignInput } from '../../../core/schemas/campaign.js';
import { Customer } from '../../../core/schemas/customer.js';

class MemoryTemplates implements TemplateSource {
  constructor(private readonly files: Record<string, string>) {}
  async load(ref: string, part: string): Promise<string | undefined> {
    return this.files[`${ref}.${part}`];
  }
}

const baseCampaign: CampaignInput = {
  id: 'anniv',
  name: 'Anniversary',
  status: 'active',
  milestone: { kind: 'signup_anniversary' },
  schedule: { cron: '0 * * * ? *', timezone: 'UTC' },
  channels: { fallback: ['email', 'sms'] },
  variants: [
    {
      id: 'v1',
      weight: 100,
      templates: { email: 't/email', sms: 't/sms', in_app: 't/app' },
      shareMessage: 'Join me, {{ customer.first_name }} here.',
    },
  ],
  offer: { kind: 'credit', amountMinor: 2000, currency: 'EUR', description: '€20 off' },
  reward: { kind: 'credit', currency: 'EUR', tenureTiers: [{ minYears: 1, amountMinor: 1500, label: 'Loyal' }] },
  budget: { amountMinor: 100000, currency: 'EUR' },
};

const templates = {
  'layouts/email.html':
    '<html><title>{{ message.subject }}</title><body>{% block content %}{% endblock %}<a href="{{ links.unsubscribe_url }}">Unsubscribe</a> {{ company.address }}</body></html>',
  't/email.subject': 'Hi {{ customer.first_name }}',
  't/email.html':
    "{% layout 'layouts/email.html' %}{% block content %}<p>Hello {{ customer.first_name }}, {{ milestone.achievement }}</p>{% endblock %}",
  't/email.text': 'Hello {{ customer.first_name }}, {{ milestone.achievement }} {{ links.share_url }}',
  't/sms.text': '{{ customer.first_name }}: share {{ links.share_url }}',
  't/app.title': 'Happy {{ milestone.tenure }}',
  't/app.text': 'Body for {{ customer.first_name }}',
};

function input(
  overrides: { firstName?: string; campaign?: Partial<CampaignInput>; milestone?: Partial<MilestoneOccurrence>; locale?: string } = {},
): AskContextInput {
  const campaign = Campaign.parse({ ...baseCampaign, ...overrides.campaign });
  return {
    campaign,
    variant: campaign.variants[0]!,
    customer: Customer.parse({
      id: 'c1',
      firstName: overrides.firstName ?? 'Ada',
      timezone: 'Europe/Berlin',
      signupDate: '2023-03-01',
      locale: overrides.locale ?? 'en',
    }),
    milestone: {
      kind: 'signup_anniversary',
      occurrenceId: 'signup_anniversary#2026',
      occurredOn: '2026-03-01',
      years: 3,
      ...overrides.milestone,
    },
    quote: { tenureYears: 3, advocate: { amountMinor: 1500, currency: 'EUR' }, friend: { amountMinor: 2000, currency: 'EUR' }, tierLabel: 'Loyal' },
    links: { shareUrl: 'https://x.test/s/tok', referralUrl: 'https://x.test/r/CODE', unsubscribeUrl: 'https://x.test/u/tok' },
    company: { name: 'Shop', address: '1 Main St' },
  };
}

describe('renderAsk', () => {
  it('escapes a hostile first name in the HTML part', async () => {
    // Prepare
    const i = input({ firstName: '<script>alert(1)</script>' });
    // Act
    const out = await renderAsk(new MemoryTemplates(templates), i.campaign, i.variant, 'email', buildAskContext(i));
    // Assess
    expect(out.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out.html).not.toContain('<script>');
  });

  it('leaves the text part and subject unescaped', async () => {
    const i = input({ firstName: '<b>Bo & Co</b>' });
    const out = await renderAsk(new MemoryTemplates(templates), i.campaign, i.variant, 'email', buildAskContext(i));
    expect(out.text).toContain('Hello <b>Bo & Co</b>');
    expect(out.subject).toBe('Hi <b>Bo & Co</b>');
  });

  it('wraps the HTML in the shared layout with the subject and unsubscribe link', async () => {
    const i = input();
    const out = await renderAsk(new MemoryTemplates(templates), i.campaign, i.variant, 'email', buildAskContext(i));
    expect(out.html).toContain('<title>Hi Ada</title>');
    expect(out.html).toContain('href="https://x.test/u/tok"');
    expect(out.html).toContain('1 Main St');
  });

  it('appends the referral URL to a share message that lacks it', async () => {
    const i = input();
    const out = await renderAsk(new MemoryTemplates(templates), i.campaign, i.variant, 'sms', buildAskContext(i));
    expect(out.shareMessage).toBe('Join me, Ada here. https://x.test/r/CODE');
  });

  it('keeps a share message that already has the referral URL as written', async () => {
    const campaign = { variants: [{ ...baseCampaign.variants[0]!, shareMessage: 'Try {{ links.referral_url }} now' }] };
    const i = input({ campaign });
    const out = await renderAsk(new MemoryTemplates(templates), i.campaign, i.variant, 'sms', buildAskContext(i));
    expect(out.shareMessage).toBe('Try https://x.test/r/CODE now');
  });

  it('prefers the variant subject over the template subject', async () => {
    const campaign = { variants: [{ ...baseCampaign.variants[0]!, subject: 'Inline {{ milestone.tenure }}' }] };
    const i = input({ campaign });
    const out = await renderAsk(new MemoryTemplates(templates), i.campaign, i.variant, 'email', buildAskContext(i));
    expect(out.subject).toBe('Inline 3 years');
  });

  it('renders the in-app title as the subject', async () => {
    const i = input();
    const out = await renderAsk(new MemoryTemplates(templates), i.campaign, i.variant, 'in_app', buildAskContext(i));
    expect(out).toMatchObject({ subject: 'Happy 3 years', text: 'Body for Ada' });
    expect(out.html).toBeUndefined();
  });

  it('throws a ValidationError naming the template ref when a part is missing', async () => {
    const { 't/email.html': _omitted, ...rest } = templates;
    const i = input();
    const act = renderAsk(new MemoryTemplates(rest), i.campaign, i.variant, 'email', buildAskContext(i));
    await expect(act).rejects.toThrow(ValidationError);
    await expect(act).rejects.toThrow(/t\/email.*html/);
  });

  it('throws a ValidationError when the variant has no template for the channel', async () => {
    const i = input();
    const act = renderAsk(new MemoryTemplates(templates), i.campaign, i.variant, 'account_manager', buildAskContext(i));
    await expect(act).rejects.toThrow(/no template for channel account_manager/);
  });
});

describe('buildAskContext', () => {
  it('describes an nth purchase as "your 10th order"', () => {
    const i = input({ milestone: { kind: 'nth_purchase', occurrenceId: 'nth_purchase#10', threshold: 10, years: undefined } });
    expect(buildAskContext(i).milestone.achievement).toBe('your 10th order');
  });

  it('derives tenure from the signup date when the milestone has no years', () => {
    const i = input({ milestone: { kind: 'project_completed', occurrenceId: 'p#1', threshold: 1, years: undefined } });
    expect(buildAskContext(i).milestone.tenure).toBe('3 years');
  });

  it('says "1 year" for a first anniversary', () => {
    const i = input({ milestone: { years: 1 } });
    expect(buildAskContext(i).milestone.achievement).toBe('1 year with us');
  });

  it('formats money in the customer locale', () => {
    const i = input({ locale: 'de-DE' });
    expect(buildAskContext(i).reward.advocate).toBe('15\u00a0€');
  });
});

describe('helpers', () => {
  it('formats cents when the amount is not whole', () => {
    expect(formatMoney({ amountMinor: 1250, currency: 'USD' }, 'en-US')).toBe('$12.50');
  });

  it('writes English ordinals', () => {
    expect([1, 2, 3, 4, 11, 22, 103].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '22nd', '103rd']);
  });

  it('counts GSM-7 extension characters twice and switches to UCS-2 for emoji', () => {
    expect(countSms('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSms('a'.repeat(161)).segments).toBe(2);
    expect(countSms('hi 🎉')).toMatchObject({ encoding: 'UCS-2', segments: 1 });
  });
});
