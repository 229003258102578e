// Disposable email: the package's wildcard list counts too, so subdomains of a wildcard domain are disposable
// (the issue: `someone@x.<listed domain>` passed as clean).
import { describe, expect, it } from 'vitest';
import { loadDisposableDomains } from '../../../adapters/disposable-domains.js';
import { isDisposableDomain } from '../../../core/fraud.js';

describe('disposable domains with the wildcard list', () => {
  // [domain, disposable]
  const rows: Array<[string, boolean]> = [
    ['33mail.com', true],
    // The failing input: a subdomain of a wildcard domain.
    ['x.33mail.com', true],
    ['deep.er.33mail.com', true],
    ['someone.anonaddy.com', true],
    ['anonaddy.com', false], // only its subdomains are listed as wildcards
    ['mailinator.com', true],
    ['0-180.com', true],
    ['x.0-180.com', false], // listed, but not as a wildcard
    ['example.com', false],
    ['not33mail.com', false],
  ];
  it.each(rows)('%s -> %s', async (domain, disposable) => {
    const set = await loadDisposableDomains({});
    expect(isDisposableDomain(domain, set)).toBe(disposable);
  });
});
