// Channel choice: which channel an ask goes out on (assisted rule, preferred channel, campaign fallback order),
// honouring consent, address validity and suppression; or why no channel can be used.
import type { Campaign } from './schemas/campaign.js';
import type { Channel } from './schemas/common.js';
import type { Customer } from './schemas/customer.js';
import { matchesAll } from './predicates.js';

const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** A deliverable-looking address: one @, a dotted domain, no dot at either end or twice in a row of the local part. */
export function isValidEmail(address: string | undefined): boolean {
  if (address === undefined || address.length > 254 || !EMAIL.test(address)) return false;
  const local = address.slice(0, address.lastIndexOf('@'));
  return local.length <= 64 && !local.startsWith('.') && !local.endsWith('.') && !local.includes('..');
}

/** An E.164 phone number: "+", a non-zero country digit, 7 to 15 digits in all. */
export function isValidE164(phone: string | undefined): boolean {
  return phone !== undefined && /^\+[1-9]\d{6,14}$/.test(phone);
}

export type ChannelSkip = 'no_consented_channel' | 'invalid_address' | 'suppressed';
export type ChannelChoice = { channel: Channel; reason: string } | { skip: ChannelSkip; detail: string };

export interface ChannelChoiceInput {
  campaign: Pick<Campaign, 'channels' | 'eligibility' | 'variants'>;
  customer: Customer;
  /** Whether the customer's email address / phone number is on the suppression list. */
  suppressed: { email?: boolean; phone?: boolean };
}

type Check =
  | { ok: true }
  | { ok: false; kind: 'consent' | 'address' | 'suppressed' | 'unavailable'; why: string };

function check(ch: Channel, input: ChannelChoiceInput): Check {
  const { campaign, customer, suppressed } = input;
  if (ch === 'account_manager') {
    // A person asks, so no consent is needed; but somebody has to own the account, and the campaign must route
    // asks to account managers at all (an assisted rule or account_manager in its fallback order).
    if (!customer.accountManager) return { ok: false, kind: 'unavailable', why: 'no account manager' };
    const routes = campaign.channels.assisted !== undefined || campaign.channels.fallback.includes('account_manager');
    return routes ? { ok: true } : { ok: false, kind: 'unavailable', why: 'campaign does not use account managers' };
  }
  if (!campaign.variants.every((v) => v.templates[ch] !== undefined)) {
    return { ok: false, kind: 'unavailable', why: 'no template' };
  }
  if (campaign.eligibility.requireConsent && customer.consents?.[ch] !== true) {
    return { ok: false, kind: 'consent', why: 'no consent' };
  }
  if (ch === 'email') {
    if (customer.email === undefined) return { ok: false, kind: 'address', why: 'no address' };
    if (!isValidEmail(customer.email)) return { ok: false, kind: 'address', why: 'invalid address' };
    if (suppressed.email) return { ok: false, kind: 'suppressed', why: 'suppressed' };
  }
  if (ch === 'sms') {
    if (customer.phone === undefined) return { ok: false, kind: 'address', why: 'no phone number' };
    if (!isValidE164(customer.phone)) return { ok: false, kind: 'address', why: 'invalid phone number' };
    if (suppressed.phone) return { ok: false, kind: 'suppressed', why: 'suppressed' };
  }
  return { ok: true };
}

/**
 * The channel for an ask. Order: the campaign's assisted rule (account manager) when its predicates match and the
 * customer has an account manager; the preferred channel when the campaign uses it and it qualifies; the first
 * qualifying fallback channel. When none qualifies the skip reason says why: every consented channel lacked a
 * valid address -> invalid_address; the usable ones were suppressed -> suppressed; nothing consented ->
 * no_consented_channel.
 */
export function chooseChannel(input: ChannelChoiceInput): ChannelChoice {
  const { campaign, customer } = input;
  const assisted = campaign.channels.assisted;
  if (assisted && customer.accountManager && matchesAll(assisted.when, customer)) {
    return { channel: 'account_manager', reason: 'assisted_rule' };
  }
  const tried: Array<{ ch: Channel; result: Check }> = [];
  const preferred = campaign.channels.usePreferred ? customer.preferredChannel : undefined;
  if (preferred !== undefined) {
    const result = check(preferred, input);
    if (result.ok) return { channel: preferred, reason: 'preferred' };
    tried.push({ ch: preferred, result });
  }
  for (const ch of campaign.channels.fallback) {
    if (ch === preferred) continue;
    const result = check(ch, input);
    if (result.ok) {
      const passed = tried.length > 0 && !tried[0]!.result.ok ? ` (${tried[0]!.ch}: ${tried[0]!.result.why})` : '';
      return { channel: ch, reason: `fallback:${ch}${passed}` };
    }
    tried.push({ ch, result });
  }
  const failures = tried.map((t) => (t.result.ok ? { ch: t.ch, kind: 'ok', why: '' } : { ch: t.ch, kind: t.result.kind, why: t.result.why }));
  const detail = failures.map((f) => `${f.ch}: ${f.why}`).join('; ') || 'no channel configured';
  const consented = failures.filter((f) => f.kind === 'address' || f.kind === 'suppressed');
  if (consented.length === 0) return { skip: 'no_consented_channel', detail };
  if (consented.every((f) => f.kind === 'address')) return { skip: 'invalid_address', detail };
  return { skip: 'suppressed', detail };
}
