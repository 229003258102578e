// Campaign budgets (`BUDGET#<campaignId>` / `BUDGET`): what is spent so far, and spending by a conditional update that
// can never take the total past the budget.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BudgetReader } from '../../core/workflow/ports.js';
import type { ReadStats } from './customers.js';
import { budgetKey } from './keys.js';

export { budgetKey };

export class DynamoBudgetStore implements BudgetReader {
  readonly readStats: ReadStats = { itemsRead: 0, queries: 0, gets: 0 };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Minor units spent so far (0 when nothing was ever spent). */
  async spentMinor(campaignId: string): Promise<number> {
    this.readStats.gets += 1;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: budgetKey(campaignId) }));
    if (out.Item) this.readStats.itemsRead += 1;
    return typeof out.Item?.spentMinor === 'number' ? out.Item.spentMinor : 0;
  }

  /** Spend `amountMinor` if the total stays within `budgetMinor`; false when it would not. */
  async spend(campaignId: string, amountMinor: number, budgetMinor: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: budgetKey(campaignId),
          UpdateExpression: 'SET spentMinor = if_not_exists(spentMinor, :zero) + :a, budgetMinor = :b',
          ConditionExpression: 'attribute_not_exists(spentMinor) AND :a <= :b OR spentMinor <= :room',
          ExpressionAttributeValues: { ':zero': 0, ':a': amountMinor, ':b': budgetMinor, ':room': budgetMinor - amountMinor },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
