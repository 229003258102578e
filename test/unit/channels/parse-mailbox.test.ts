// A configured sender (SES_FROM_ADDRESS) may be a bare address or `Name <address>`; both must send.
import { describe, expect, it } from 'vitest';
import { formatMailbox, parseMailbox } from '../../../core/email-headers.js';

describe('parseMailbox', () => {
  it.each([
    ['asks@news.acme.test', { address: 'asks@news.acme.test' }],
    ['  asks@news.acme.test ', { address: 'asks@news.acme.test' }],
    ['Acme <asks@news.acme.test>', { address: 'asks@news.acme.test', name: 'Acme' }],
    ['"Acme Shop" <asks@news.acme.test>', { address: 'asks@news.acme.test', name: 'Acme Shop' }],
    ['<asks@news.acme.test>', { address: 'asks@news.acme.test' }],
    ['Zoë Läden <zoe@laden.test>', { address: 'zoe@laden.test', name: 'Zoë Läden' }],
  ])('%s', (value, expected) => {
    expect(parseMailbox(value)).toEqual(expected);
  });

  it('gives formatMailbox an address it accepts (no angle brackets left)', () => {
    const { address, name } = parseMailbox('Acme <asks@news.acme.test>');
    expect(formatMailbox(address, name)).toBe('"Acme" <asks@news.acme.test>');
  });
});
