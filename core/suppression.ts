// The suppression list's keys and reasons: addresses that bounced hard, complained or texted STOP are never sent to
// again. Emails compare trimmed and lower-cased; phone numbers are E.164 without spaces.

export const SUPPRESSION_REASONS = ['hard_bounce', 'complaint', 'sms_stop', 'unsubscribe', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/**
 * The one normalized form of an address. Emails: trimmed, lower-cased (the local part is case-insensitive at every
 * provider we send to; treating it so suppresses more, never less). Phones: spaces, dashes, dots and brackets removed.
 */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim();
  if (trimmed.includes('@')) return trimmed.toLowerCase();
  return trimmed.replace(/[\s\-().]/g, '');
}

export interface SuppressionRecord {
  address: string;
  reason: SuppressionReason;
  /** UTC instant. */
  at: string;
  /** Where it came from, e.g. the SES feedback id or the inbound SMS message id. */
  source?: string;
  detail?: string;
}
