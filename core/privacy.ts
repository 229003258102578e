// People's data: the pseudonymous forms that survive an erasure (docs/privacy.md), the consent ledger's entries, the
// event subject id and the retention period. Pure: keys come in as a keyring, randomness as an IdGenerator.
import { createHmac } from 'node:crypto';
import * as z from 'zod';
import type { IdGenerator, Keyring } from './ports.js';
import { ConsentChannel, UtcInstant } from './schemas/common.js';
import { normalizeAddress } from './suppression.js';

/** Prefix of the pseudonym that replaces an erased person in the ledger and the erasure receipt. */
export const PSEUDONYM_PREFIX = 'anon_';
/** Prefix of the random subject id events carry instead of customer ids. */
export const SUBJECT_PREFIX = 'sub_';
/** `S#H#<hash>`: a suppression kept only as a keyed hash of the address. */
export const HASHED_SUPPRESSION_PREFIX = 'S#H#';

function keyOf(keyring: Keyring, kid: string): Buffer {
  const secret = keyring.keys[kid];
  if (secret === undefined || secret === '') throw new Error(`keyring has no key "${kid}"`);
  return Buffer.from(secret, 'base64url');
}

const mac = (key: Buffer, purpose: string, value: string): string => createHmac('sha256', key).update(`${purpose}:${value}`).digest('base64url');

/**
 * The pseudonym of an erased customer: `anon_<22 base64url chars>` = HMAC-SHA256(current key, "person:" + id),
 * truncated to 128 bits. Deterministic, so a repeated erasure lands on the same pseudonym; only the key holder can
 * test a guessed id against it. Throws when the keyring lacks its current key.
 */
export function pseudonymFor(customerId: string, keyring: Keyring): string {
  return `${PSEUDONYM_PREFIX}${mac(keyOf(keyring, keyring.currentKid), 'person', customerId).slice(0, 22)}`;
}

/** The keyed hash (base64url HMAC-SHA256 of the normalized address) under one key of the keyring. */
export function addressHash(address: string, keyring: Keyring, kid = keyring.currentKid): string {
  return mac(keyOf(keyring, kid), 'address', normalizeAddress(address));
}

/** `S#H#<hash>` under the current key (what an erasure writes). */
export function hashedSuppressionPk(address: string, keyring: Keyring): string {
  return `${HASHED_SUPPRESSION_PREFIX}${addressHash(address, keyring)}`;
}

/** Every `S#H#<hash>` an address may be stored under: one per key of the keyring (rotation keeps old opt-outs). */
export function hashedSuppressionPks(address: string, keyring: Keyring): string[] {
  return Object.keys(keyring.keys)
    .sort()
    .map((kid) => `${HASHED_SUPPRESSION_PREFIX}${addressHash(address, keyring, kid)}`);
}

/** A fresh random subject id (`sub_` + 20 url-safe characters); its mapping to the customer lives in the table only. */
export function newSubjectId(ids: IdGenerator): string {
  return `${SUBJECT_PREFIX}${ids.id(20)}`;
}

/** Resolves a customer (or referee) id to its subject id, minting one the first time. */
export interface SubjectResolver {
  subjectFor(customerId: string): Promise<string>;
}

/**
 * The one place event details lose customer ids: `customerId` becomes `subjectId` (kept when the caller already knew
 * it), `refereeId` (the friend's id in the sender's system) becomes `refereeSubjectId`, and an `askId` of the form
 * `<customerId>~<occurrenceId>` becomes `<subjectId>~<occurrenceId>`. Everything else is passed through unchanged.
 * Returns a new object (the published form, `PublishedEventDetails`).
 */
export async function pseudonymizeEventDetail(detail: Record<string, unknown>, subjects: SubjectResolver): Promise<Record<string, unknown>> {
  const { customerId, refereeId, ...rest } = detail;
  const out: Record<string, unknown> = { ...rest };
  if (typeof refereeId === 'string') out.refereeSubjectId = await subjects.subjectFor(refereeId);
  if (typeof customerId !== 'string') {
    // An ask id alone (delivery events) still names its customer: `<customerId>~<occurrence>`.
    const sep = typeof rest.askId === 'string' ? rest.askId.indexOf('~') : -1;
    if (sep > 0 && !(rest.askId as string).startsWith(SUBJECT_PREFIX)) out.askId = `${await subjects.subjectFor((rest.askId as string).slice(0, sep))}${(rest.askId as string).slice(sep)}`;
    return out;
  }
  const subjectId = typeof rest.subjectId === 'string' ? rest.subjectId : await subjects.subjectFor(customerId);
  out.subjectId = subjectId;
  if (typeof rest.askId === 'string' && rest.askId.startsWith(`${customerId}~`)) out.askId = `${subjectId}${rest.askId.slice(customerId.length)}`;
  return out;
}

/** Where a consent change came from. */
export const ConsentSource = z.enum(['import', 'preferences', 'unsubscribe', 'sms_stop', 'hard_bounce', 'complaint', 'erasure', 'landing_signup']);
export type ConsentSource = z.infer<typeof ConsentSource>;

/** One appended consent change: a channel (or `all` for a global opt-out / erasure) switched on or off. */
export const ConsentChange = z.object({
  at: UtcInstant,
  source: ConsentSource,
  channel: z.union([ConsentChannel, z.literal('all'), z.literal('ask')]),
  granted: z.boolean(),
  /** A short note without personal data (e.g. "suppressed before erasure"). */
  note: z.string().max(200).optional(),
});
export type ConsentChange = z.infer<typeof ConsentChange>;

/**
 * The consent changes between a stored profile and an imported one (channels whose value changed, or that are new).
 * `before` undefined means a new customer: every stated consent is recorded.
 */
export function consentChanges(
  before: { consents?: Partial<Record<ConsentChannel, boolean>>; optOut?: boolean } | undefined,
  after: { consents: Partial<Record<ConsentChannel, boolean>>; optOut: boolean },
  at: string,
  source: ConsentSource,
): ConsentChange[] {
  const out: ConsentChange[] = [];
  for (const channel of ConsentChannel.options) {
    const now = after.consents[channel];
    if (now === undefined) continue;
    if (before?.consents?.[channel] !== now) out.push({ at, source, channel, granted: now });
  }
  if ((before?.optOut ?? false) !== after.optOut && (before !== undefined || after.optOut)) out.push({ at, source, channel: 'all', granted: !after.optOut });
  return out;
}

/** How long clicks, visitor ids and leads are kept (days), unless configured (RETENTION_DAYS). */
export const DEFAULT_RETENTION_DAYS = 180;

/** The DynamoDB TTL value (epoch seconds) of an item written at `at` and kept `days` days. */
export function expiresAtFor(at: string | Date, days: number): number {
  return Math.floor(new Date(at).getTime() / 1000) + Math.round(days * 86_400);
}

/** RETENTION_DAYS as a positive number of days, or the default. Throws on a value that is not a positive number. */
export function parseRetentionDays(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_RETENTION_DAYS;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`RETENTION_DAYS must be a positive number of days, got "${value}"`);
  return n;
}

/** What an erasure did, stored as the receipt (`ERASED#<pseudonym>` / `RECEIPT`) and returned to the caller. */
export const ErasureReceipt = z.object({
  pseudonym: z.string(),
  requestedAt: UtcInstant,
  completedAt: UtcInstant,
  /** Who asked: "cli", "event", … */
  requestedBy: z.string(),
  deleted: z.number().int().min(0),
  pseudonymized: z.number().int().min(0),
  suppressionsHashed: z.number().int().min(0),
  /** Item counts by kind, e.g. {"ask": 3, "click": 2}. */
  byKind: z.record(z.string(), z.number().int()),
});
export type ErasureReceipt = z.infer<typeof ErasureReceipt>;

/** The inbound request event (detail-type `customer.erasure.requested`): a customer id or an email address. */
export const ErasureRequest = z.union([
  z.object({ customerId: z.string().min(1).max(128), requestedBy: z.string().max(100).optional() }),
  z.object({ email: z.email().max(254), requestedBy: z.string().max(100).optional() }),
]);
export type ErasureRequest = z.infer<typeof ErasureRequest>;
