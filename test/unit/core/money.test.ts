// One money formatter for every surface (core/money.ts): the currency's own minor digits, never a fixed "/ 100", and
// amounts of different currencies never added. The CLI row is the failing input: a JPY campaign in `asks plan`.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../../cli/main.js';
import { formatMoney, formatTotals, minorDigits, sumByCurrency, toMajor } from '../../../core/money.js';

describe('formatMoney', () => {
  // [amountMinor, currency, locale, fraction, expected]
  const rows: Array<[number, string, string, 'auto' | 'always', string]> = [
    // The issue: ¥3,000 was shown as "30.00 JPY", a budget of ¥500,000 as "5000.00 JPY".
    [3000, 'JPY', 'en', 'always', '¥3,000'],
    [500000, 'JPY', 'en', 'always', '¥500,000'],
    [3000, 'JPY', 'en', 'auto', '¥3,000'],
    [2500, 'EUR', 'en', 'auto', '€25'],
    [2500, 'EUR', 'en', 'always', '€25.00'],
    [1250, 'EUR', 'en', 'auto', '€12.50'],
    [1250, 'EUR', 'de', 'auto', '12,50\u00a0€'],
    [1250, 'USD', 'en-US', 'auto', '$12.50'],
    [1250, 'KWD', 'en', 'always', 'KWD\u00a01.250'],
    [1, 'EUR', 'en', 'auto', '€0.01'],
    [1500, 'eur', 'not a locale!', 'auto', '€15'],
  ];
  it.each(rows)('%i %s in %s (%s) -> %s', (amountMinor, currency, locale, fraction, expected) => {
    expect(formatMoney({ amountMinor, currency }, locale, { fraction })).toBe(expected);
  });

  it.each([
    ['JPY', 0],
    ['EUR', 2],
    ['KWD', 3],
  ] as const)('%s has %i minor digits', (currency, digits) => {
    expect(minorDigits(currency)).toBe(digits);
    expect(toMajor({ amountMinor: 1000, currency })).toBe(1000 / 10 ** digits);
  });

  it('never adds amounts of different currencies', () => {
    const amounts = [
      { amountMinor: 1000, currency: 'EUR' },
      { amountMinor: 3000, currency: 'JPY' },
      { amountMinor: 2000, currency: 'EUR' },
    ];
    expect(sumByCurrency(amounts)).toEqual([
      { amountMinor: 3000, currency: 'EUR' },
      { amountMinor: 3000, currency: 'JPY' },
    ]);
    expect(formatTotals(amounts)).toBe('€30 + ¥3,000');
    expect(formatTotals([])).toBe('');
  });
});

describe('asks plan with a JPY campaign', () => {
  const dir = mkdtempSync(join(tmpdir(), 'asks-money-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows yen without minor digits (the issue: "30.00 JPY", "5000.00 JPY")', async () => {
    const campaigns = join(dir, 'campaigns');
    cpSync(resolve(import.meta.dirname, '../../../campaigns'), campaigns, { recursive: true });
    const file = join(campaigns, 'signup-anniversary.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('currency: EUR', 'currency: JPY'));
    const customers = join(dir, 'customers.jsonl');
    writeFileSync(customers, '');
    const saved = process.env.CAMPAIGNS_DIR;
    process.env.CAMPAIGNS_DIR = campaigns;
    try {
      const r = await run(['plan', 'signup-anniversary', '--customers', customers, '--date', '2026-03-01']);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('budget ¥500,000');
      expect(r.stdout).toContain('projected cost ¥0');
      expect(r.stdout).not.toMatch(/\d+\.\d\d JPY/);
    } finally {
      if (saved === undefined) delete process.env.CAMPAIGNS_DIR;
      else process.env.CAMPAIGNS_DIR = saved;
    }
  });
});
