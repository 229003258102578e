// The customer profile contract (what `asks import` accepts and what the workflow reads).
import * as z from 'zod';
import { Channel, ConsentChannel, Currency, IanaZone, LocalDate, MinorUnits, UtcInstant } from './common.js';

export const CustomerId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 _ . : -');

export const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number like +4915112345678');

export const Customer = z.object({
  id: CustomerId,
  firstName: z.string().min(1).max(100),
  lastName: z.string().max(100).optional(),
  email: z.email().optional(),
  phone: E164.optional(),
  locale: z.string().min(2).max(35).default('en'),
  timezone: IanaZone,
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 country code').optional(),
  signupDate: LocalDate,
  firstPurchaseDate: LocalDate.optional(),
  /** Birthday as YYYY-MM-DD (the year may be a placeholder such as 1904 when unknown). */
  birthday: LocalDate.optional(),
  contractRenewalDate: LocalDate.optional(),
  plan: z.string().optional(),
  tier: z.string().optional(),
  currency: Currency.default('EUR'),
  counters: z
    .object({
      orders: z.number().int().min(0).default(0),
      lifetimeSpendMinor: MinorUnits.default(0),
      projectsCompleted: z.number().int().min(0).default(0),
      successfulReferrals: z.number().int().min(0).default(0),
    })
    .default({ orders: 0, lifetimeSpendMinor: 0, projectsCompleted: 0, successfulReferrals: 0 }),
  consents: z.partialRecord(ConsentChannel, z.boolean()).default({}),
  preferredChannel: Channel.optional(),
  accountManager: z.object({ name: z.string(), email: z.email() }).optional(),
  /** Global opt-out of marketing messages. */
  optOut: z.boolean().default(false),
  /** "Don't ask me for referrals again." */
  doNotAsk: z.boolean().default(false),
  lastRefundAt: UtcInstant.optional(),
  openSupportTicket: z.boolean().default(false),
  /** Payment fingerprint hash, for self-referral checks. */
  paymentFingerprint: z.string().optional(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type Customer = z.infer<typeof Customer>;
export type CustomerInput = z.input<typeof Customer>;

/** What the workflow keeps on the customer item beside the profile so caps need no extra reads. */
export const AskHistory = z.object({
  lastAskAt: UtcInstant.optional(),
  /** Instants of recent asks (pruned to the longest frequency window). */
  recentAskAts: z.array(UtcInstant).default([]),
  /** The random id events carry instead of the customer id (docs/privacy.md); minted when the profile is created. */
  subjectId: z.string().optional(),
});
export type AskHistory = z.infer<typeof AskHistory>;
