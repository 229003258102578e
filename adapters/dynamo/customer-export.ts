// `asks customer export <id>`: everything held about one person as one JSON document (GDPR Art. 15 and 20), read with
// Queries and Gets only: the customer view (profile, consents with their ledger, asks, milestones, referral codes with
// counted activity, rewards as advocate) plus what the person left as a referred friend (conversions, leads, rewards
// earned in other advocates' ledgers). Other people's data (the friends behind the person's own code) is counted, never
// copied.
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Keyring } from '../../core/ports.js';
import { CustomerViewReader, type CustomerView } from './customer-view.js';
import { conversionByCustomerGsi, GSI1_INDEX, leadIndexKey, ledgerPk } from './keys.js';

export interface CustomerExport {
  format: 'milestone-referral-asks/customer-export@1';
  exportedAt: string;
  customerId: string;
  profile: CustomerView['profile'];
  consents: CustomerView['consents'];
  asks: CustomerView['asks'];
  milestones: CustomerView['milestones'];
  referrals: CustomerView['referrals'];
  rewards: { asAdvocate: CustomerView['rewards']; asFriend: Array<Record<string, unknown>> };
  asFriend: { conversions: Array<Record<string, unknown>>; leads: Array<Record<string, unknown>> };
}

const INTERNAL = new Set(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'claimToken', 'entity', 'expiresAt']);
const strip = (item: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(item).filter(([k]) => !INTERNAL.has(k)));

async function queryAll(doc: DynamoDBDocumentClient, tableName: string, pk: string, index?: string): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        ...(index ? { IndexName: index, KeyConditionExpression: 'GSI1PK = :pk' } : { KeyConditionExpression: 'PK = :pk' }),
        ExpressionAttributeValues: { ':pk': pk },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The export document, or undefined when there is no profile under `customerId`. */
export async function exportCustomer(doc: DynamoDBDocumentClient, tableName: string, customerId: string, keyring: Keyring, now: Date): Promise<CustomerExport | undefined> {
  const view = await new CustomerViewReader(doc, tableName, keyring).read(customerId);
  if (!view) return undefined;
  const conversions = (await queryAll(doc, tableName, conversionByCustomerGsi(customerId), GSI1_INDEX)).map(strip);
  const leads = view.profile.email ? (await queryAll(doc, tableName, leadIndexKey(view.profile.email, keyring), GSI1_INDEX)).map(strip) : [];
  const advocates = new Set(conversions.map((c) => String(c.advocateId)).filter((a) => a !== customerId));
  const asFriend: Array<Record<string, unknown>> = [];
  for (const advocateId of advocates) {
    for (const entry of await queryAll(doc, tableName, ledgerPk(advocateId))) if (entry.beneficiaryId === customerId) asFriend.push(strip({ ...entry, advocateId: undefined }));
  }
  return {
    format: 'milestone-referral-asks/customer-export@1',
    exportedAt: now.toISOString(),
    customerId,
    profile: view.profile,
    consents: view.consents,
    asks: view.asks,
    milestones: view.milestones,
    referrals: view.referrals,
    rewards: { asAdvocate: view.rewards, asFriend },
    asFriend: { conversions, leads },
  };
}
