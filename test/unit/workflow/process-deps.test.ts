// SMS_ORIGINATION_IDENTITIES (context smsOriginationIdentities): one origination identity per country plus a default.
import { describe, expect, it } from 'vitest';
import { parseOriginationIdentities } from '../../../functions/workflow/process-deps.js';

describe('parseOriginationIdentities', () => {
  it('reads a country -> identity map with a default', () => {
    expect(parseOriginationIdentities('{"US":"+18005550100","DE":"ACME","default":"+18005550100"}')).toEqual({ US: '+18005550100', DE: 'ACME', default: '+18005550100' });
  });

  it.each(['{"US":"+1800"}', '[]', '{"default":1}', '"x"'])('refuses %s', (text) => {
    expect(() => parseOriginationIdentities(text)).toThrow(/SMS_ORIGINATION_IDENTITIES/);
  });
});
