// SDK fault path on the ledger put (aws-sdk-client-mock): throttling is retried with backoff; when it does not pass,
// it surfaces as the retryable named ThrottlingError (never as "already written"), and a lost condition is a replay.
import { ConditionalCheckFailedException, DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { LedgerStore } from '../../../adapters/dynamo/ledger.js';
import { ThrottlingError, RETRYABLE_ERRORS } from '../../../core/errors.js';
import type { LedgerEntry } from '../../../core/schemas/ledger.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const mock = mockClient(doc);
const entry: LedgerEntry = { rewardId: 'rw_1', seq: 1, state: 'pending', advocateId: 'adv-1', campaignId: 'c1', beneficiary: 'advocate', beneficiaryId: 'adv-1', amountMinor: 1500, currency: 'EUR', conversionId: 'cv_1', at: '2026-11-25T10:00:00.000Z' };
const throttled = () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });

afterEach(() => mock.reset());

describe('LedgerStore.append under throttling', () => {
  it('retries a throttled put and succeeds', async () => {
    mock.on(PutCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({});
    expect(await new LedgerStore(doc, 't', { backoffMs: 1 }).append(entry)).toBe(true);
    expect(mock.commandCalls(PutCommand)).toHaveLength(3);
    const put = mock.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.ConditionExpression).toBe('attribute_not_exists(PK)');
    expect(put.Item).toMatchObject({ PK: 'L#adv-1', SK: 'rw_1#0001', GSI1PK: 'LC#c1' });
  });

  it('surfaces persistent throttling as the retryable ThrottlingError', async () => {
    mock.on(PutCommand).rejects(throttled());
    const error = await new LedgerStore(doc, 't', { backoffMs: 1, throttleAttempts: 3 }).append(entry).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottlingError);
    expect(RETRYABLE_ERRORS).toContain((error as Error).name);
    expect(mock.commandCalls(PutCommand)).toHaveLength(3);
  });

  it('treats a failed condition as "already written" (a replay), without retrying', async () => {
    mock.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    expect(await new LedgerStore(doc, 't').append(entry)).toBe(false);
    expect(mock.commandCalls(PutCommand)).toHaveLength(1);
  });
});
