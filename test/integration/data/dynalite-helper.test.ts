// The dynalite test helper gives every test a working table with the real GSIs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { INDEX } from '../../../adapters/dynamo/keys.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

describe('dynalite helper', () => {
  let db: RunningDynalite;
  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(async () => {
    await db.stop();
  });

  it('creates a fresh ACTIVE table with every GSI', async () => {
    // Prepare
    const doc = localDoc(db.endpoint);
    // Act
    const table = await freshTable(doc);
    const out = await doc.send(new DescribeTableCommand({ TableName: table }));
    // Assess
    expect(out.Table?.TableStatus).toBe('ACTIVE');
    // The table definition and the code read index names from one module.
    expect(out.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort()).toEqual(Object.values(INDEX).sort());
    expect(out.Table?.GlobalSecondaryIndexes?.length).toBeGreaterThanOrEqual(7);
  });

  it('serves a Query on a due index', async () => {
    // Prepare
    const doc = localDoc(db.endpoint);
    const table = await freshTable(doc);
    await doc.send(new PutCommand({ TableName: table, Item: { PK: 'C#1', SK: 'PROFILE', dueSignup: '03-01#Europe/Berlin#00' } }));
    // Act
    const out = await doc.send(new QueryCommand({ TableName: table, IndexName: 'DueSignup', KeyConditionExpression: 'dueSignup = :p', ExpressionAttributeValues: { ':p': '03-01#Europe/Berlin#00' } }));
    // Assess
    expect(out.Items?.map((i) => i.PK)).toEqual(['C#1']);
  });
});
