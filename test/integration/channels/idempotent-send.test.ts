// Exactly-once email per ask under throttling: SES mocked to throttle every third call, send markers in dynalite.
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdempotentSender } from '../../../adapters/channels/idempotent.js';
import { DynamoRateLimiter, RateLimitedSender } from '../../../adapters/channels/rate-limiter.js';
import { withRetry } from '../../../adapters/channels/retry.js';
import { SesEmailSender } from '../../../adapters/channels/ses-email.js';
import { fixedClock } from '../../../adapters/clock.js';
import { SuppressionStore } from '../../../adapters/dynamo/suppressions.js';
import { decodeTagValue } from '../../../core/email-headers.js';
import type { OutboundMessage } from '../../../core/ports.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

const ses = mockClient(SESv2Client);
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
  ses.reset();
  table = await freshTable(doc, 'send');
});

function ask(i: number): OutboundMessage {
  const askId = `c-${i}~signup_anniversary#2026`;
  return {
    askId,
    customerId: `c-${i}`,
    campaignId: 'anniversary',
    channel: 'email',
    idempotencyKey: `${askId}#email`,
    to: { email: `person${i}@example.com` },
    subject: 'Happy anniversary',
    html: '<p>hi</p>',
    text: 'hi',
    shareUrl: 'https://x.test/s/t',
    unsubscribeUrl: 'https://x.test/u/t',
  };
}

/** SES that throttles every third call and counts accepted sends per ask. */
function flakySes(): { accepted: Map<string, number>; calls: () => number } {
  let calls = 0;
  const accepted = new Map<string, number>();
  ses.on(SendEmailCommand).callsFake((input: { EmailTags?: Array<{ Name?: string; Value?: string }> }) => {
    calls += 1;
    if (calls % 3 === 0) throw Object.assign(new Error('Maximum sending rate exceeded'), { name: 'ThrottlingException' });
    const askId = decodeTagValue(input.EmailTags!.find((t) => t.Name === 'askId')!.Value!)!;
    accepted.set(askId, (accepted.get(askId) ?? 0) + 1);
    return { MessageId: `msg-${askId}` };
  });
  return { accepted, calls: () => calls };
}

function guardedSender(): IdempotentSender {
  const email = new SesEmailSender({ client: new SESv2Client({ region: 'us-east-1' }), from: 'asks@acme.test' });
  const retried = withRetry(email, { attempts: 6, baseMs: 1, sleep: async () => {} });
  return new IdempotentSender(retried, { doc, tableName: table, clock });
}

async function sendAll(sender: IdempotentSender, messages: OutboundMessage[], concurrency = 16): Promise<PromiseSettledResult<{ messageId: string }>[]> {
  const results: PromiseSettledResult<{ messageId: string }>[] = new Array(messages.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < messages.length) {
        const i = next++;
        results[i] = await sender.send(messages[i]!).then(
          (value) => ({ status: 'fulfilled' as const, value }),
          (reason: unknown) => ({ status: 'rejected' as const, reason }),
        );
      }
    }),
  );
  return results;
}

describe('IdempotentSender + withRetry under throttling', () => {
  it('300 asks with every third SendEmail throttled give exactly 300 accepted sends, one per ask', async () => {
    // Prepare
    const { accepted, calls } = flakySes();
    const messages = Array.from({ length: 300 }, (_, i) => ask(i));

    // Act
    const results = await sendAll(guardedSender(), messages);

    // Assess
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect([...accepted.values()].reduce((a, b) => a + b, 0)).toBe(300);
    expect(accepted.size).toBe(300);
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);
    expect(calls()).toBeGreaterThan(300); // the throttled calls happened and were retried
  });

  it('sending the same 300 asks again calls SES zero times and returns the stored message ids', async () => {
    // Prepare
    const { calls } = flakySes();
    const messages = Array.from({ length: 300 }, (_, i) => ask(i));
    await sendAll(guardedSender(), messages);
    const before = calls();

    // Act
    const again = await sendAll(guardedSender(), messages);

    // Assess
    expect(calls()).toBe(before);
    expect(again.map((r) => (r.status === 'fulfilled' ? r.value.messageId : 'error'))).toEqual(messages.map((m) => `msg-${m.askId}`));
  });

  it('two workers sending the same ask at once produce one SendEmail', async () => {
    // Prepare
    let calls = 0;
    ses.on(SendEmailCommand).callsFake(async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 30));
      return { MessageId: 'only-one' };
    });

    // Act
    const results = await Promise.allSettled([guardedSender().send(ask(1)), guardedSender().send(ask(1))]);

    // Assess
    expect(calls).toBe(1);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { name: 'TransientError' } });
  });

  it('a marker left in "sending" past the lease is never resent: outcome unknown, recorded', async () => {
    // Prepare: a crashed worker's marker from 11 minutes ago
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    const m = ask(7);
    await doc.send(new PutCommand({ TableName: table, Item: { PK: 'C#c-7', SK: `SEND#${m.askId}#email`, state: 'sending', leaseToken: 'old', startedAt: '2026-03-10T11:49:00.000Z' } }));
    const sender = guardedSender();

    // Act
    const error = await sender.send(m).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'PermanentSendError', message: expect.stringMatching(/outcome unknown/) });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect((await sender.marker(m))?.state).toBe('unknown');
  });

  it('a timeout without a response marks the outcome unknown; a throttle releases the marker', async () => {
    // Prepare
    ses.on(SendEmailCommand).rejectsOnce(Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }));
    const email = new SesEmailSender({ client: new SESv2Client({ region: 'us-east-1' }), from: 'asks@acme.test' });
    const sender = new IdempotentSender(email, { doc, tableName: table, clock });

    // Act
    const error = await sender.send(ask(8)).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'PermanentSendError', message: expect.stringMatching(/outcome unknown/) });
    expect((await sender.marker(ask(8)))?.state).toBe('unknown');
  });

  it('refuses a suppressed address before writing a marker or calling SES', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    await new SuppressionStore(doc, table).suppress({ address: 'Person9@Example.com', reason: 'hard_bounce', at: '2026-03-01T00:00:00Z' });
    const sender = guardedSender();

    // Act
    const error = await sender.send(ask(9)).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'PermanentSendError', message: expect.stringMatching(/suppressed/) });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(await sender.marker(ask(9))).toBeUndefined();
  });
});

describe('DynamoRateLimiter', () => {
  it('two workers sharing the table start at most `limit` sends per second', async () => {
    // Prepare: a fake clock that sleeping advances
    let now = 1_700_000_000_100;
    const timing = { now: () => now, sleep: async (ms: number) => void (now += ms), maxWaitMs: 10_000 };
    const a = new DynamoRateLimiter(doc, table, 5, 'ses', timing);
    const b = new DynamoRateLimiter(doc, table, 5, 'ses', timing);
    const starts: number[] = [];
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    const email = new SesEmailSender({ client: new SESv2Client({ region: 'us-east-1' }), from: 'asks@acme.test' });
    const record = { send: async (m: OutboundMessage) => (starts.push(Math.floor(now / 1000)), email.send(m)) };

    // Act: 12 sends split over two workers, one after another (the fake clock is shared)
    for (let i = 0; i < 12; i += 1) await new RateLimitedSender(record, i % 2 === 0 ? a : b).send(ask(i));

    // Assess
    const perSecond = new Map<number, number>();
    for (const s of starts) perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
    expect([...perSecond.values()]).toEqual([5, 5, 2]);
  });
});

describe('the send marker and the rate-limit wait', () => {
  it('is written only after the send slot is granted, so a send killed while waiting leaves no marker', async () => {
    // Prepare: one email per second; the second of two concurrent sends waits about a second for its slot.
    const { createChannelSenders } = await import('../../../adapters/channels/index.js');
    const { MemoryPublisher } = await import('../../../adapters/eventbridge.js');
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    const senders = createChannelSenders({ doc, tableName: table, ses: { client: new SESv2Client({ region: 'us-east-1' }), from: 'a@example.com' }, publisher: new MemoryPublisher(), clock, rateLimitPerSecond: 1, rateLimitScope: 'process' });
    const guard = new IdempotentSender({ send: async () => ({ messageId: 'unused' }) }, { doc, tableName: table, clock });

    // Act
    const sends = [senders.email.send(ask(1)), senders.email.send(ask(2))];
    await sends[0];
    const whileWaiting = await guard.marker(ask(2));
    await sends[1];

    // Assess
    expect(whileWaiting).toBeUndefined();
    expect((await guard.marker(ask(2)))?.state).toBe('sent');
  });
});
