// The workflow's send marker on the ask item (adapters/dynamo/ask-send-markers.ts) in dynalite: written only while the
// ask is claimed; a claim with a marker is never taken over by a fresh decision, only settled by its marker; the ask's
// completion records `sent` in the same update; a refused send gives the marker back.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdempotentSender } from '../../../adapters/channels/idempotent.js';
import { fixedClock } from '../../../adapters/clock.js';
import { AskSendMarkers } from '../../../adapters/dynamo/ask-send-markers.js';
import { DynamoAskStore } from '../../../adapters/dynamo/asks.js';
import type { OutboundMessage } from '../../../core/ports.js';
import type { Ask } from '../../../core/schemas/ask.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

let dynamo: RunningDynalite;
let doc: DynamoDBDocumentClient;
let table: string;
const clock = fixedClock('2026-03-10T12:00:00Z');

beforeAll(async () => {
  dynamo = await startDynalite();
  doc = localDoc(dynamo.endpoint);
});
afterAll(async () => {
  await dynamo.stop();
});
beforeEach(async () => {
  table = await freshTable(doc, 'askmarker');
});

const at = '2026-03-10T12:00:00.000Z';
const claimed: Ask = { askId: 'c1~signup_anniversary#2026', customerId: 'c1', campaignId: 'camp', runId: 'r1', milestone: { kind: 'signup_anniversary', occurrenceId: 'signup_anniversary#2026', occurredOn: '2026-03-10' }, status: 'claimed', channel: 'email', createdAt: at, updatedAt: at };
const message: OutboundMessage = { askId: claimed.askId, customerId: 'c1', campaignId: 'camp', channel: 'email', idempotencyKey: `${claimed.askId}#email`, to: { email: 'a@example.com' }, text: 'hi', shareUrl: 'https://x.test/s/t' };

describe('send marker on the ask item', () => {
  it('is written only on a claimed ask, recorded sent with the completion, and read back', async () => {
    // Prepare
    const asks = new DynamoAskStore(doc, table);
    expect((await asks.claim(claimed, 'tok')).claimed).toBe(true);
    let calls = 0;
    const sender = new IdempotentSender({ send: async () => ((calls += 1), { messageId: 'm-1' }) }, { doc, tableName: table, clock, markers: new AskSendMarkers(doc, table), checkSuppression: false });

    // Act
    const first = await sender.send(message);
    const during = await asks.get('c1', 'signup_anniversary#2026');
    await asks.complete('c1', 'signup_anniversary#2026', 'tok', { status: 'sent', messageId: first.messageId, updatedAt: at });
    const again = await sender.send(message);

    // Assess: one call; `sending` until the completion wrote `sent`; the second send answers the stored message id.
    expect(calls).toBe(1);
    expect(during).toMatchObject({ status: 'claimed', sendState: 'sending' });
    expect(await asks.get('c1', 'signup_anniversary#2026')).toMatchObject({ status: 'sent', sendState: 'sent', messageId: 'm-1' });
    expect(again.messageId).toBe('m-1');
  });

  it('refuses to send for an ask that is not claimed', async () => {
    const asks = new DynamoAskStore(doc, table);
    await asks.claim({ ...claimed, status: 'held_out' }, 'tok');
    const sender = new IdempotentSender({ send: async () => ({ messageId: 'never' }) }, { doc, tableName: table, clock, markers: new AskSendMarkers(doc, table), checkSuppression: false });
    await expect(sender.send(message)).rejects.toMatchObject({ name: 'PermanentSendError' });
  });

  it('a refused send gives the marker back, so a later try may send', async () => {
    const asks = new DynamoAskStore(doc, table);
    await asks.claim(claimed, 'tok');
    const refusing = new IdempotentSender({ send: async () => Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingError' })) }, { doc, tableName: table, clock, markers: new AskSendMarkers(doc, table), checkSuppression: false });
    await expect(refusing.send(message)).rejects.toMatchObject({ name: 'ThrottlingError' });
    expect((await asks.get('c1', 'signup_anniversary#2026'))?.sendState).toBeUndefined();
  });

  it('a stale claim with a marker is not taken over by a fresh claim; settle decides it once', async () => {
    // Prepare: a claim from 11:00 whose worker wrote its marker and died.
    const asks = new DynamoAskStore(doc, table);
    const old = { ...claimed, createdAt: '2026-03-10T11:00:00.000Z', updatedAt: '2026-03-10T11:00:00.000Z' };
    await asks.claim(old, 'dead');
    expect(await new AskSendMarkers(doc, table).begin(message, 'lease', '2026-03-10T11:00:01.000Z')).toBe(true);
    const stale = (await asks.get('c1', 'signup_anniversary#2026'))!;

    // Act
    const fresh = await asks.claim({ ...claimed, runId: 'r2' }, 'new');
    const settled = await asks.settle(stale, { status: 'failed', error: 'send outcome unknown', updatedAt: at });
    const twice = await asks.settle(stale, { status: 'failed', error: 'send outcome unknown', updatedAt: at });

    // Assess
    expect(fresh).toMatchObject({ claimed: false, existing: 'claimed' });
    expect(settled).toBe(true);
    expect(twice).toBe(false);
    const item = (await asks.get('c1', 'signup_anniversary#2026')) as Ask & { askDueHour?: string; claimToken?: string };
    expect(item).toMatchObject({ status: 'failed', runId: 'r1', sendState: 'sending' });
    expect(item.askDueHour).toBeUndefined();
    expect(item.claimToken).toBeUndefined();
  });
});
