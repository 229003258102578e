// The reward ledger: append-only entries L#<advocateId> / <rewardId>#<seq 4 digits>. A state change is a new entry
// written with attribute_not_exists, so two writers can never both append the same step; the current state of a
// reward is its latest entry. Budgets are spent with a conditional update that can never pass the budget.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RewardState } from '../../core/rewards.js';

export interface LedgerEntry {
  rewardId: string;
  seq: number;
  state: RewardState;
  advocateId: string;
  campaignId: string;
  beneficiary: 'advocate' | 'friend';
  beneficiaryId: string;
  amountMinor: number;
  currency: string;
  conversionId: string;
  reason?: string;
  holdUntil?: string;
  at: string;
}

const isConditionFailed = (e: unknown) => e instanceof ConditionalCheckFailedException || (e as { name?: string }).name === 'ConditionalCheckFailedException';

export class LedgerStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Append an entry; false when that step was already written (a replay). */
  async append(entry: LedgerEntry): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { PK: `L#${entry.advocateId}`, SK: `${entry.rewardId}#${String(entry.seq).padStart(4, '0')}`, entity: 'ledger', ...entry },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** Every entry of an advocate, oldest first. */
  async entries(advocateId: string): Promise<LedgerEntry[]> {
    const out = await this.doc.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `L#${advocateId}` } }));
    return (out.Items ?? []) as LedgerEntry[];
  }

  /** The latest entry of each reward. */
  async current(advocateId: string): Promise<LedgerEntry[]> {
    const latest = new Map<string, LedgerEntry>();
    for (const e of await this.entries(advocateId)) if ((latest.get(e.rewardId)?.seq ?? 0) < e.seq) latest.set(e.rewardId, e);
    return [...latest.values()];
  }

  /** Spend from the campaign budget unless that would pass it. */
  async spend(campaignId: string, amountMinor: number, budgetMinor: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: `BUDGET#${campaignId}`, SK: 'BUDGET' },
          UpdateExpression: 'SET spentMinor = if_not_exists(spentMinor, :zero) + :a',
          ConditionExpression: 'attribute_not_exists(spentMinor) AND :a <= :budget OR spentMinor <= :room',
          ExpressionAttributeValues: { ':zero': 0, ':a': amountMinor, ':budget': budgetMinor, ':room': budgetMinor - amountMinor },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }
}
