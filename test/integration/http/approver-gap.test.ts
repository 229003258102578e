// The reward approver keeps the promise "the reward promised is the reward paid" however long it did not run: a held
// reward whose refund window ended long before the approver's next run (the local runtime has no schedule; a disabled
// or failing schedule in the cloud) is still approved and issued. It used to read only the last 30 days of hold days,
// so a marker filed 31+ days before the next run stayed held forever.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, freshTable, localDoc, type RunningDynalite } from '../../helpers/dynalite.js';
import { LedgerStore } from '../../../adapters/dynamo/ledger.js';
import { MemoryPublisher } from '../../../adapters/eventbridge.js';
import { approveDueRewards } from '../../../core/conversions.js';
import type { LedgerEntry } from '../../../core/schemas/ledger.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-10T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

let dynamo: RunningDynalite;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startDynalite();
  doc = localDoc(dynamo.endpoint);
});
afterAll(async () => dynamo.stop());

/** A reward earned at `earnedAt`, held for 30 days: its ledger entries and its hold marker, as `settle` leaves them. */
async function heldReward(ledger: LedgerStore, rewardId: string, earnedAt: number): Promise<string> {
  const holdUntil = iso(earnedAt + 30 * DAY);
  const base: Omit<LedgerEntry, 'seq' | 'state' | 'at'> = { rewardId, advocateId: 'adv-1', campaignId: 'c1', beneficiary: 'advocate', beneficiaryId: 'adv-1', amountMinor: 1500, currency: 'EUR', conversionId: `cv_${rewardId}`, earnedAt: iso(earnedAt) };
  await ledger.append({ ...base, seq: 1, state: 'pending', at: iso(earnedAt) });
  await ledger.append({ ...base, seq: 2, state: 'held', holdUntil, at: iso(earnedAt) });
  await ledger.putHold({ advocateId: 'adv-1', rewardId, holdUntil });
  return holdUntil;
}

const stateOf = async (ledger: LedgerStore, rewardId: string) => (await ledger.history('adv-1', rewardId)).at(-1)?.state;

describe('the reward approver after a long gap', () => {
  it('issues a reward whose hold ended 60 days before the first approver run ever', async () => {
    const ledger = new LedgerStore(doc, await freshTable(doc, 'gap'));
    await heldReward(ledger, 'rw_old', T0);
    const result = await approveDueRewards({ ledger, publisher: new MemoryPublisher() }, new Date(T0 + 90 * DAY));
    expect(result).toMatchObject({ examined: 1, approved: 1, issued: 1 });
    expect(await stateOf(ledger, 'rw_old')).toBe('issued');
  });

  it('issues rewards held after a run, when the next run comes months later', async () => {
    const ledger = new LedgerStore(doc, await freshTable(doc, 'gap'));
    const publisher = new MemoryPublisher();
    expect(await approveDueRewards({ ledger, publisher }, new Date(T0))).toMatchObject({ examined: 0 });
    await heldReward(ledger, 'rw_a', T0 + DAY);
    await heldReward(ledger, 'rw_b', T0 + 20 * DAY);
    // Not due yet: nothing moves, and the run must not skip past their days.
    expect(await approveDueRewards({ ledger, publisher }, new Date(T0 + 10 * DAY))).toMatchObject({ issued: 0 });
    const result = await approveDueRewards({ ledger, publisher }, new Date(T0 + 200 * DAY));
    expect(result).toMatchObject({ examined: 2, approved: 2, issued: 2 });
    expect([await stateOf(ledger, 'rw_a'), await stateOf(ledger, 'rw_b')]).toEqual(['issued', 'issued']);
    // Handled markers are gone: a rerun finds nothing and reads no old days again.
    expect(await approveDueRewards({ ledger, publisher }, new Date(T0 + 201 * DAY))).toMatchObject({ examined: 0 });
  });

  it('keeps reading from a marker it could not handle yet (a clock-skewed writer filed it early)', async () => {
    const ledger = new LedgerStore(doc, await freshTable(doc, 'gap'));
    const publisher = new MemoryPublisher();
    // The ledger says held until day 80, the marker was filed under day 30.
    const base: Omit<LedgerEntry, 'seq' | 'state' | 'at'> = { rewardId: 'rw_skew', advocateId: 'adv-1', campaignId: 'c1', beneficiary: 'advocate', beneficiaryId: 'adv-1', amountMinor: 900, currency: 'EUR', conversionId: 'cv_skew' };
    await ledger.append({ ...base, seq: 1, state: 'pending', at: iso(T0) });
    await ledger.append({ ...base, seq: 2, state: 'held', holdUntil: iso(T0 + 80 * DAY), at: iso(T0) });
    await ledger.putHold({ advocateId: 'adv-1', rewardId: 'rw_skew', holdUntil: iso(T0 + 30 * DAY) });
    expect(await approveDueRewards({ ledger, publisher }, new Date(T0 + 40 * DAY))).toMatchObject({ examined: 1, issued: 0 });
    expect(await approveDueRewards({ ledger, publisher }, new Date(T0 + 150 * DAY))).toMatchObject({ examined: 1, issued: 1 });
    expect(await stateOf(ledger, 'rw_skew')).toBe('issued');
  });
});
