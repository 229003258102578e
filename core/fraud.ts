// Fraud checks on a conversion, pure: self-referral (same customer, same email after normalization, same payment
// fingerprint), a referee who was already a customer, velocity, disposable email domains. Any reason sends the
// conversion to review: it is never silently paid.

/** Gmail ignores dots and +tags; everybody ignores case and surrounding space. */
export function normalizeEmail(email: string): string {
  const [rawLocal = '', rawDomain = ''] = email.trim().toLowerCase().split('@');
  const domain = rawDomain === 'googlemail.com' ? 'gmail.com' : rawDomain;
  let local = rawLocal.split('+')[0]!;
  if (domain === 'gmail.com') local = local.replace(/\./g, '');
  return `${local}@${domain}`;
}

export const FRAUD_REASONS = ['self_referral_customer', 'self_referral_email', 'self_referral_payment', 'existing_customer', 'velocity', 'disposable_email'] as const;
export type FraudReason = (typeof FRAUD_REASONS)[number];

export interface FraudInput {
  advocate: { customerId: string; email?: string; paymentFingerprint?: string };
  referee: { externalCustomerId: string; email?: string; paymentFingerprint?: string; alreadyCustomer?: boolean };
  /** Conversions credited to this advocate within the velocity window, this one excluded. */
  recentConversions: number;
  velocityLimit: number;
  disposableDomains: ReadonlySet<string>;
}

export function fraudReasons(input: FraudInput): FraudReason[] {
  const reasons: FraudReason[] = [];
  const { advocate, referee } = input;
  if (referee.externalCustomerId === advocate.customerId) reasons.push('self_referral_customer');
  if (referee.email && advocate.email && normalizeEmail(referee.email) === normalizeEmail(advocate.email)) reasons.push('self_referral_email');
  if (referee.paymentFingerprint && advocate.paymentFingerprint && referee.paymentFingerprint === advocate.paymentFingerprint) reasons.push('self_referral_payment');
  if (referee.alreadyCustomer) reasons.push('existing_customer');
  if (input.recentConversions >= input.velocityLimit) reasons.push('velocity');
  const domain = referee.email?.trim().toLowerCase().split('@')[1];
  if (domain && isDisposableDomain(domain, input.disposableDomains)) reasons.push('disposable_email');
  return reasons;
}

/**
 * Whether `domain` is disposable: listed itself, or under a domain the list marks as a wildcard (`*.<domain>` in the
 * set: every subdomain is disposable, e.g. `someone@x.33mail.com`). Lower-case input; a trailing dot is ignored.
 */
export function isDisposableDomain(domain: string, disposable: ReadonlySet<string>): boolean {
  const d = domain.replace(/\.$/, '');
  if (disposable.has(d)) return true;
  for (let at = d.indexOf('.'); at !== -1; at = d.indexOf('.', at + 1)) if (disposable.has(`*.${d.slice(at + 1)}`)) return true;
  return false;
}
