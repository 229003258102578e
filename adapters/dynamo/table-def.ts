// The one DynamoDB table, described once: key names, the GSIs and CreateTable input. The CDK stack, the local runtime
// and tests all read this, so it has no side effects and creates no SDK client.
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { DateMilestoneKind } from '../../core/schemas/campaign.js';
import { DUE_ASKS_ATTRIBUTE, GSI1_INDEX, INDEX, PENDING_INDEX } from './keys.js';

export const TABLE_KEY = { pk: 'PK', sk: 'SK' } as const;

export interface GsiDef {
  /** Index name. */
  name: string;
  /** Partition key attribute (string). */
  pk: string;
  /** Sort key attribute (string). */
  sk: string;
}

/** Every GSI on the table (projection ALL: a due customer is read exactly once, from the index). */
export const GSIS: readonly GsiDef[] = [
  { name: INDEX.dueSignup, pk: 'dueSignup', sk: 'PK' },
  { name: INDEX.dueFirstPurchase, pk: 'dueFirstPurchase', sk: 'PK' },
  { name: INDEX.dueBirthday, pk: 'dueBirthday', sk: 'PK' },
  { name: INDEX.dueRenewal, pk: 'dueRenewal', sk: 'PK' },
  { name: INDEX.pending, pk: 'pendingDay', sk: 'PK' },
  { name: INDEX.gsi1, pk: 'GSI1PK', sk: 'GSI1SK' },
  // Asks due at an hour (deferred until then, or a claim whose lease ends then): `<campaignId>#<YYYY-MM-DDTHH>`.
  { name: INDEX.dueAsks, pk: DUE_ASKS_ATTRIBUTE, sk: 'PK' },
] as const;

/** Which index (and which item attribute) holds the customers due for each date milestone kind. */
export const DUE_INDEX_BY_KIND: Record<DateMilestoneKind, { index: string; attribute: string }> = {
  signup_anniversary: { index: INDEX.dueSignup, attribute: 'dueSignup' },
  first_purchase_anniversary: { index: INDEX.dueFirstPurchase, attribute: 'dueFirstPurchase' },
  birthday: { index: INDEX.dueBirthday, attribute: 'dueBirthday' },
  contract_renewal: { index: INDEX.dueRenewal, attribute: 'dueRenewal' },
};

export { PENDING_INDEX, GSI1_INDEX };

/** CreateTable input for the local engine and tests (the CDK stack builds the same shape from GSIS). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const attributes = new Set<string>([TABLE_KEY.pk, TABLE_KEY.sk]);
  for (const g of GSIS) {
    attributes.add(g.pk);
    attributes.add(g.sk);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: TABLE_KEY.pk, KeyType: 'HASH' },
      { AttributeName: TABLE_KEY.sk, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    GlobalSecondaryIndexes: GSIS.map((g) => ({
      IndexName: g.name,
      KeySchema: [
        { AttributeName: g.pk, KeyType: 'HASH' },
        { AttributeName: g.sk, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
