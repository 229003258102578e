// Conversions (signup, purchase, refund) as they arrive: the signed webhook body and the EventBridge detail are the same
// shape. Plus what is stored: the outcome of one conversion (returned again for a replayed idempotency key).
import { z } from 'zod';
import { Currency, MinorUnits, Slug, UtcInstant } from './common.js';
import { CustomerId } from './customer.js';
import { normalizeReferralCode } from '../links.js';

export const CONVERSION_TYPES = ['signup', 'purchase', 'refund'] as const;
export const ConversionType = z.enum(CONVERSION_TYPES);
export type ConversionType = z.infer<typeof ConversionType>;

/** sha256 hex of the normalized email (core/fraud.ts normalizeEmail: trimmed, lower case, Gmail dots and +tags dropped). */
export const EmailHash = z.string().regex(/^[a-f0-9]{64}$/, 'must be the lower-case hex sha256 of the normalized email');

/** A referral code as a shop backend sends it: normalized (case, spaces, look-alikes) before it is checked. */
export const ReferralCodeField = z.preprocess((v) => (typeof v === 'string' ? normalizeReferralCode(v) : v), z.string().regex(/^[23456789abcdefghijkmnpqrstuvwxyz]{10}$/, 'must be a 10-character referral code'));
export const ClickIdField = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be the click id from the landing URL (8-64 characters)');

export const ConversionInput = z
  .object({
    type: ConversionType,
    /** The sender's id for this conversion: the same key is processed once, a replay gets the first answer. */
    idempotencyKey: z.string().regex(/^[A-Za-z0-9_.:~-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 _ . : ~ -'),
    /** The referee's id in the sender's system. */
    externalCustomerId: CustomerId,
    email: z.email().max(254).optional(),
    emailHash: EmailHash.optional(),
    /** The click id bound on the sender's server (from the landing URL's `click` parameter). */
    clickId: ClickIdField.optional(),
    /** The referral code: from the attribution cookie/landing URL (`codeSource: "cookie"`) or typed at signup. */
    referralCode: ReferralCodeField.optional(),
    codeSource: z.enum(['cookie', 'typed']).default('cookie'),
    /** Restrict attribution to one campaign (optional; the code decides otherwise). */
    campaignId: Slug.optional(),
    amountMinor: MinorUnits.optional(),
    currency: Currency.optional(),
    paymentFingerprint: z.string().min(1).max(256).optional(),
    orderId: z.string().min(1).max(128).optional(),
    occurredAt: UtcInstant,
  })
  .superRefine((c, ctx) => {
    if (c.type !== 'signup') {
      if (c.amountMinor === undefined) ctx.addIssue({ code: 'custom', path: ['amountMinor'], message: `is required for a ${c.type}` });
      if (c.currency === undefined) ctx.addIssue({ code: 'custom', path: ['currency'], message: `is required for a ${c.type}` });
    }
    if (c.type !== 'refund') {
      if (c.email === undefined && c.emailHash === undefined) ctx.addIssue({ code: 'custom', path: ['emailHash'], message: 'give emailHash or email' });
      if (c.clickId === undefined && c.referralCode === undefined) ctx.addIssue({ code: 'custom', path: ['referralCode'], message: 'give clickId or referralCode' });
    }
  });
export type ConversionInput = z.infer<typeof ConversionInput>;
export type ConversionInputRaw = z.input<typeof ConversionInput>;

/** How the referral was decided (recorded on the conversion). */
export const ATTRIBUTION_RULES = ['click_id', 'cookie', 'typed_code'] as const;
export const AttributionRule = z.enum(ATTRIBUTION_RULES);
export type AttributionRule = z.infer<typeof AttributionRule>;

export const CONVERSION_STATUSES = [
  /** Attributed and stored; rewards (if any) are in `rewards`. */
  'recorded',
  /** No valid click, lead or code within the attribution window. */
  'unattributed',
  /** The referee is already credited to another advocate (or another person holds this email): not credited again. */
  'duplicate_referee',
  /** A refund: rewards of this referee clawed back. */
  'refunded',
  /** A refund for a referee nobody referred. */
  'refund_unmatched',
] as const;
export const ConversionStatus = z.enum(CONVERSION_STATUSES);
export type ConversionStatus = z.infer<typeof ConversionStatus>;

export const RewardSummary = z.object({ rewardId: z.string(), beneficiary: z.enum(['advocate', 'friend']), beneficiaryId: z.string(), state: z.string(), amountMinor: MinorUnits, currency: Currency });
export type RewardSummary = z.infer<typeof RewardSummary>;

export const ConversionResult = z.object({
  conversionId: z.string(),
  type: ConversionType,
  status: ConversionStatus,
  rule: AttributionRule.optional(),
  referralCode: z.string().optional(),
  clickId: z.string().optional(),
  campaignId: z.string().optional(),
  advocateId: z.string().optional(),
  rewards: z.array(RewardSummary).default([]),
  fraudReasons: z.array(z.string()).default([]),
  note: z.string().optional(),
});
export type ConversionResult = z.infer<typeof ConversionResult>;
