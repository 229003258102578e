// The campaign parameter file a growth marketer edits (campaigns/*.yaml): schema, types and cross-field rules.
import * as z from 'zod';
import { Channel, Currency, IanaZone, LocalTime, MinorUnits, Slug } from './common.js';

export const DATE_MILESTONE_KINDS = [
  'signup_anniversary',
  'first_purchase_anniversary',
  'birthday',
  'contract_renewal',
] as const;
export const THRESHOLD_MILESTONE_KINDS = [
  'nth_purchase',
  'spend_threshold',
  'tier_reached',
  'project_completed',
] as const;
export const MILESTONE_KINDS = [...DATE_MILESTONE_KINDS, ...THRESHOLD_MILESTONE_KINDS] as const;
export type DateMilestoneKind = (typeof DATE_MILESTONE_KINDS)[number];
export type ThresholdMilestoneKind = (typeof THRESHOLD_MILESTONE_KINDS)[number];
export type MilestoneKind = (typeof MILESTONE_KINDS)[number];

export function isDateMilestoneKind(kind: string): kind is DateMilestoneKind {
  return (DATE_MILESTONE_KINDS as readonly string[]).includes(kind);
}

const askDelayHours = z
  .number()
  .int()
  .min(0)
  .max(24 * 90)
  .default(0)
  .describe('Hours to wait after the milestone before asking (threshold milestones).');

const DateMilestone = z.object({
  kind: z.enum(DATE_MILESTONE_KINDS),
  /** Only celebrate these anniversaries (years since the date); omit for every year >= 1. */
  minYears: z.number().int().min(0).default(1),
  maxYears: z.number().int().min(1).optional(),
  askDelayHours,
});

const NthPurchase = z.object({
  kind: z.literal('nth_purchase'),
  thresholds: z.array(z.number().int().min(1)).min(1).describe('Order counts that are milestones, e.g. [10, 25, 50, 100].'),
  askDelayHours,
});

const SpendThreshold = z.object({
  kind: z.literal('spend_threshold'),
  thresholdsMinor: z.array(MinorUnits.min(1)).min(1).describe('Lifetime spend thresholds in minor units.'),
  currency: Currency,
  askDelayHours,
});

const TierReached = z.object({
  kind: z.literal('tier_reached'),
  tiers: z.array(z.string().min(1)).min(1).describe('Loyalty tiers whose attainment is a milestone.'),
  askDelayHours,
});

const ProjectCompleted = z.object({
  kind: z.literal('project_completed'),
  /** Every nth completed project is a milestone (1 = every project). */
  every: z.number().int().min(1).default(1),
  askDelayHours,
});

export const MilestoneTrigger = z.discriminatedUnion('kind', [
  DateMilestone,
  NthPurchase,
  SpendThreshold,
  TierReached,
  ProjectCompleted,
]);
export type MilestoneTrigger = z.infer<typeof MilestoneTrigger>;

export const Schedule = z
  .object({
    /** EventBridge Scheduler cron body, six fields: "0 * * * ? *" (minutes hours day-of-month month day-of-week year). */
    cron: z.string().optional(),
    /** EventBridge Scheduler rate body: "1 hour", "30 minutes", "1 day". */
    rate: z.string().regex(/^\d+ (minute|minutes|hour|hours|day|days)$/, 'must look like "1 hour"').optional(),
    /** Timezone the cron is read in. */
    timezone: IanaZone,
    /** Local hour (in each customer's own timezone) at which date-milestone asks go out. */
    sendHour: z.number().int().min(0).max(23).default(10),
  })
  .refine((s) => (s.cron === undefined) !== (s.rate === undefined), {
    message: 'give exactly one of cron or rate',
  });
export type Schedule = z.infer<typeof Schedule>;

export const PredicateOp = z.enum(['eq', 'neq', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'exists', 'missing']);
export const Predicate = z.object({
  /** A profile field (plan, tier, country, lifetimeSpendMinor, orders, ...) or attributes.<name>. */
  field: z.string().min(1),
  op: PredicateOp,
  value: z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]).optional(),
});
export type Predicate = z.infer<typeof Predicate>;

export const Audience = z.object({
  /** Every predicate must hold (AND). */
  all: z.array(Predicate).default([]),
  /** Skip customers with a refund in the last N days. */
  excludeRefundWithinDays: z.number().int().min(0).optional(),
  /** Skip customers with an open support ticket. */
  excludeOpenSupportTicket: z.boolean().default(true),
});
export type Audience = z.infer<typeof Audience>;

export const Eligibility = z.object({
  /** Ask only over channels the customer consented to. */
  requireConsent: z.boolean().default(true),
  /** Days after any ask (any campaign) before the next one. */
  cooldownDays: z.number().int().min(0).max(3650).default(30),
  frequencyCap: z
    .object({ maxAsks: z.number().int().min(1), windowDays: z.number().int().min(1).max(3650) })
    .default({ maxAsks: 3, windowDays: 365 }),
  /** Quiet hours in the customer's timezone: asks are deferred to `end`, never dropped. */
  quietHours: z.object({ start: LocalTime, end: LocalTime }).optional(),
  /** Percent of due customers held out (not asked) to measure lift. */
  holdoutPercent: z.number().min(0).max(50, 'holdout over 50% leaves too few asks').default(0),
});
export type Eligibility = z.infer<typeof Eligibility>;

export const Channels = z.object({
  /** Use the profile's preferred channel first when consent allows it. */
  usePreferred: z.boolean().default(true),
  /** Fallback order when the preferred channel is missing or not consented. */
  fallback: z.array(Channel).min(1),
  /** Customers matching these predicates are routed to their account manager instead of an automated message. */
  assisted: z.object({ when: z.array(Predicate).min(1) }).optional(),
  /** SMS settings: the most segments one ask may cost (default 2); the copy is fitted into them. */
  sms: z
    .object({
      maxSegments: z.number().int().min(1, 'an SMS needs at least 1 segment').max(6, 'more than 6 segments is too expensive for one ask').default(2),
    })
    .optional(),
});
export type Channels = z.infer<typeof Channels>;

/** Template references are paths under templates/ without extension, e.g. "anniversary/email". */
export const TemplateRef = z.string().regex(/^[a-z0-9][a-z0-9_\-/]*$/, 'must be a template path like "anniversary/email"');

export const Variant = z.object({
  id: Slug,
  weight: z.number().min(0).max(100),
  subject: z.string().min(1).max(200).optional(),
  preheader: z.string().max(200).optional(),
  templates: z.partialRecord(Channel, TemplateRef),
  /** The prewritten share message (liquid), editable by the customer on the share page. */
  shareMessage: z.string().min(1).max(1000),
});
export type Variant = z.infer<typeof Variant>;

export const RewardKind = z.enum(['credit', 'discount', 'premium_feature', 'gift']);

export const FriendOffer = z.object({
  kind: RewardKind,
  amountMinor: MinorUnits.optional(),
  percentOff: z.number().min(1).max(100).optional(),
  currency: Currency,
  description: z.string().min(1),
});
export type FriendOffer = z.infer<typeof FriendOffer>;

export const TenureTier = z.object({
  minYears: z.number().int().min(0),
  maxYears: z.number().int().min(1).optional(),
  amountMinor: MinorUnits,
  label: z.string().optional(),
});
export const ReferralTier = z.object({
  /** Applies from this many successful referrals on. */
  minReferrals: z.number().int().min(0),
  /** Extra reward on top of the tenure amount. */
  bonusMinor: MinorUnits,
  label: z.string().optional(),
});

export const AdvocateReward = z.object({
  kind: RewardKind,
  currency: Currency,
  tenureTiers: z.array(TenureTier).min(1),
  referralTiers: z.array(ReferralTier).default([]),
  /** Refund window: rewards stay held this many days before approval. */
  holdDays: z.number().int().min(0).max(365).default(30),
  perAdvocateCap: z
    .object({
      maxRewards: z.number().int().min(1).optional(),
      maxAmountMinor: MinorUnits.optional(),
      periodDays: z.number().int().min(1).default(365),
    })
    .optional(),
});
export type AdvocateReward = z.infer<typeof AdvocateReward>;

/**
 * The campaign budget and how much of it an open ask commits (docs/campaigns.md "The budget rule"): an ask commits
 * its quoted rewards (advocate + friend) times the expected referral conversions per ask: the campaign's observed rate
 * once it has made `observeAfterAsks` asks, `conversionRate` before that.
 */
export const Budget = z.object({
  amountMinor: MinorUnits,
  currency: Currency,
  /** Expected rewarded referrals per ask (0-5; 1 = every ask converts once, the cautious default). */
  conversionRate: z.number().min(0).max(5).default(1),
  /** Asks after which the campaign's own observed rate (rewarded referrals / asks) replaces `conversionRate`. */
  observeAfterAsks: z.number().int().min(1).default(200),
});

export const Landing = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hosted'), headline: z.string().optional() }),
  z.object({
    type: z.literal('url'),
    url: z.url({ protocol: /^https$/ }),
    /** Hosts the redirect may go to; the url's host must be one of them. */
    allowedHosts: z.array(z.string().min(1)).min(1),
  }),
]);

export const Attribution = z.object({
  windowDays: z.number().int().min(1).max(365).default(30),
  model: z.enum(['first_touch', 'last_touch']).default('first_touch'),
});

/** Fraud rules a campaign may tighten or loosen; self-referral, existing customers and disposable domains always apply. */
export const FraudRules = z.object({
  /** More conversions than this for one advocate within the window send the next one to review. */
  velocity: z
    .object({
      maxConversions: z.number().int().min(1).max(10_000).default(5),
      windowHours: z.number().int().min(1).max(24 * 90).default(24),
    })
    .default({ maxConversions: 5, windowHours: 24 }),
});

/** A campaign's copy in another language: the inline texts of the file (templates have their own files per locale). */
export const CampaignTranslation = z.object({
  /** offer.description in this language. */
  offerDescription: z.string().min(1).optional(),
  /** landing.headline in this language. */
  headline: z.string().min(1).optional(),
  /** Per variant id: its inline subject, preheader and share message in this language. */
  variants: z
    .record(
      z.string(),
      z.object({ subject: z.string().min(1).max(200).optional(), preheader: z.string().max(200).optional(), shareMessage: z.string().min(1).max(1000).optional() }),
    )
    .default({}),
});
export type CampaignTranslation = z.infer<typeof CampaignTranslation>;

export const Campaign = z
  .object({
    $schema: z.string().optional(),
    id: Slug,
    name: z.string().min(1).max(120),
    status: z.enum(['draft', 'active', 'paused']),
    description: z.string().optional(),
    milestone: MilestoneTrigger,
    schedule: Schedule,
    audience: Audience.default({ all: [], excludeOpenSupportTicket: true }),
    eligibility: Eligibility.default({
      requireConsent: true,
      cooldownDays: 30,
      frequencyCap: { maxAsks: 3, windowDays: 365 },
      holdoutPercent: 0,
    }),
    channels: Channels,
    variants: z.array(Variant).min(1),
    offer: FriendOffer,
    reward: AdvocateReward,
    budget: Budget,
    landing: Landing.default({ type: 'hosted' }),
    attribution: Attribution.default({ windowDays: 30, model: 'first_touch' }),
    fraud: FraudRules.default({ velocity: { maxConversions: 5, windowHours: 24 } }),
    /** Locales the campaign speaks; the first is its default (customers in other locales get it). */
    locales: z.array(z.string().min(2)).min(1).default(['en']),
    /** Inline copy per locale ("de": subject, share message, offer description, headline). */
    translations: z.record(z.string(), CampaignTranslation).default({}),
  })
  .superRefine((c, ctx) => {
    const total = c.variants.reduce((sum, v) => sum + v.weight, 0);
    if (Math.abs(total - 100) > 1e-9) {
      ctx.addIssue({ code: 'custom', path: ['variants'], message: `variant weights must sum to 100 (they sum to ${total})` });
    }
    const seen = new Set<string>();
    c.variants.forEach((v, i) => {
      if (seen.has(v.id)) ctx.addIssue({ code: 'custom', path: ['variants', i, 'id'], message: `duplicate variant id "${v.id}"` });
      seen.add(v.id);
    });
    const currency = c.budget.currency;
    if (c.reward.currency !== currency) {
      ctx.addIssue({ code: 'custom', path: ['reward', 'currency'], message: `currency ${c.reward.currency} disagrees with budget currency ${currency}` });
    }
    if (c.offer.currency !== currency) {
      ctx.addIssue({ code: 'custom', path: ['offer', 'currency'], message: `currency ${c.offer.currency} disagrees with budget currency ${currency}` });
    }
    if (c.milestone.kind === 'spend_threshold' && c.milestone.currency !== currency) {
      ctx.addIssue({ code: 'custom', path: ['milestone', 'currency'], message: `currency ${c.milestone.currency} disagrees with budget currency ${currency}` });
    }
    if (c.landing.type === 'url') {
      const host = new URL(c.landing.url).host;
      if (!c.landing.allowedHosts.includes(host)) {
        ctx.addIssue({ code: 'custom', path: ['landing', 'url'], message: `host ${host} is not in landing.allowedHosts` });
      }
    }
    if (c.milestone.kind === 'signup_anniversary' || c.milestone.kind === 'first_purchase_anniversary' || c.milestone.kind === 'birthday' || c.milestone.kind === 'contract_renewal') {
      if (c.milestone.maxYears !== undefined && c.milestone.maxYears < c.milestone.minYears) {
        ctx.addIssue({ code: 'custom', path: ['milestone', 'maxYears'], message: 'maxYears is below minYears' });
      }
    }
    for (const ch of c.channels.fallback) {
      if (ch === 'account_manager') continue;
      if (!c.variants.every((v) => v.templates[ch] !== undefined)) {
        ctx.addIssue({ code: 'custom', path: ['channels', 'fallback'], message: `channel ${ch} is in the fallback order but a variant has no template for it` });
      }
    }
  });
export type Campaign = z.infer<typeof Campaign>;
export type CampaignInput = z.input<typeof Campaign>;
