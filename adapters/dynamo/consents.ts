// The consent ledger: every consent change of a customer appended as `C#<id>` / `CONSENT#<at>#<channel>#<source>#<rand>`
// (time, source, channel, granted). Append-only; an erasure deletes it with the rest of the customer's partition and
// the erasure receipt records that it happened.
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { ConsentChange } from '../../core/privacy.js';
import { CONSENT_PREFIX, consentSk, customerPk } from './keys.js';

export const CONSENT_SK_PREFIX = CONSENT_PREFIX;

/** The items for `changes` of one customer (for a BatchWrite or one PutItem each). */
export function consentItems(customerId: string, changes: readonly ConsentChange[]): Array<Record<string, unknown>> {
  return changes.map((c) => ({
    PK: customerPk(customerId),
    SK: consentSk(c.at, c.channel, c.source, randomBytes(3).toString('hex')),
    entity: 'consent',
    ...ConsentChange.parse(c),
  }));
}

export class ConsentLedger {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Append changes (one PutItem each; each key is new, so nothing is ever overwritten). */
  async append(customerId: string, changes: readonly ConsentChange[]): Promise<void> {
    for (const Item of consentItems(customerId, changes)) await this.doc.send(new PutCommand({ TableName: this.tableName, Item }));
  }

  /** Every change of a customer, oldest first. */
  async list(customerId: string): Promise<ConsentChange[]> {
    const out: ConsentChange[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
          ExpressionAttributeValues: { ':pk': customerPk(customerId), ':p': CONSENT_SK_PREFIX },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const parsed = ConsentChange.safeParse(item);
        if (parsed.success) out.push(parsed.data);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
