// `asks rewards <advocate>` lists the advocate's rewards and those of the friends they referred (both live in the
// advocate's ledger); the totals under the list add up to what is listed, per beneficiary. They used to count the
// advocate's side only ("held: 1 (€10.00)" under two held rewards of €10 and €20).
import { describe, expect, it } from 'vitest';
import { summaryLines } from '../../../cli/commands/rewards.js';
import type { LedgerEntry } from '../../../core/schemas/ledger.js';

const entry = (rewardId: string, beneficiary: 'advocate' | 'friend', state: LedgerEntry['state'], amountMinor: number, currency = 'EUR'): LedgerEntry => ({ rewardId, seq: 2, state, advocateId: 'adv-1', campaignId: 'c1', beneficiary, beneficiaryId: beneficiary === 'advocate' ? 'adv-1' : 'friend-1', amountMinor, currency, conversionId: 'cv', at: '2026-11-30T10:00:00.000Z' });

describe('asks rewards totals', () => {
  it('add up to the listed rewards, the advocate and the friends apart', () => {
    expect(summaryLines([entry('a1', 'advocate', 'held', 1000), entry('f1', 'friend', 'held', 2000)])).toEqual(['advocate: held 1 (€10.00)', 'friends: held 1 (€20.00)']);
  });

  it('keep states and currencies apart', () => {
    expect(summaryLines([entry('a1', 'advocate', 'held', 1000), entry('a2', 'advocate', 'issued', 1500), entry('a3', 'advocate', 'held', 300, 'JPY')])).toEqual(['advocate: held 2 (€10.00 + ¥300), issued 1 (€15.00)']);
  });
});
