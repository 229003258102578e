// Read side of the advocate's status page: what happened under one referral code (`R#<code>`): shares by network,
// clicks, leads (friends who left their details on the landing page), signups (signup conversions the shop reported),
// conversions by type, and the share page visits counted on the code item. Query only, one
// partition, projected to the few attributes the page needs (never a Scan).
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { codePk, CODE_SK } from './codes.js';

export interface ReferralActivity {
  shareVisits: number;
  shares: { total: number; byNetwork: Record<string, number> };
  clicks: number;
  /** Friends who left their details on the hosted landing page (`LEAD#`): not signups. */
  leads: number;
  /** Signup conversions (`CONV#signup#`, a referee credited elsewhere excluded): the friends who signed up. */
  signups: number;
  conversions: { total: number; byType: Record<string, number> };
}

const PAGE_LIMIT = 1000;
/** Safety valve: a code with more items than this is counted up to here (the page says "at least"). */
const MAX_ITEMS = 200_000;

export class ReferralActivityReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Everything recorded under the code, counted. */
  async activity(code: string): Promise<ReferralActivity & { truncated: boolean }> {
    const out: ReferralActivity = { shareVisits: 0, shares: { total: 0, byNetwork: {} }, clicks: 0, leads: 0, signups: 0, conversions: { total: 0, byType: {} } };
    let startKey: Record<string, unknown> | undefined;
    let seen = 0;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': codePk(code) },
          // Only what is counted: keeps every page small however many clicks a popular advocate gets.
          ProjectionExpression: 'SK, #n, #t, #s, shareVisits',
          ExpressionAttributeNames: { '#n': 'network', '#t': 'type', '#s': 'status' },
          Limit: PAGE_LIMIT,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const sk = String(item.SK);
        if (sk === CODE_SK) out.shareVisits = Number(item.shareVisits ?? 0);
        else if (sk.startsWith('SHARE#')) {
          const network = typeof item.network === 'string' ? item.network : String(sk.split('#')[2] ?? 'other');
          out.shares.total += 1;
          out.shares.byNetwork[network] = (out.shares.byNetwork[network] ?? 0) + 1;
        } else if (sk.startsWith('CLICK#')) out.clicks += 1;
        else if (sk.startsWith('LEAD#')) out.leads += 1;
        else if (sk.startsWith('CONV#')) {
          // CONV#<type>#<conversionId> (adapters/dynamo/conversions.ts). A referee already credited to another advocate
          // is stored for the record (status duplicate_referee) but is not this advocate's conversion.
          if (item.status === 'duplicate_referee') continue;
          const type = typeof item.type === 'string' ? item.type : String(sk.split('#')[1] ?? 'other');
          out.conversions.total += 1;
          out.conversions.byType[type] = (out.conversions.byType[type] ?? 0) + 1;
          if (type === 'signup') out.signups += 1;
        }
      }
      seen += page.Items?.length ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey && seen < MAX_ITEMS);
    return { ...out, truncated: startKey !== undefined };
  }
}
