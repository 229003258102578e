// Campaign budgets (`BUDGET#<campaignId>` / `BUDGET`), the one item every budget decision goes through
// (core/budget.ts): `committedMinor` = `spentMinor` + `reservedMinor` is guarded by conditional updates
// (`committedMinor <= budget - amount`), so concurrent batches and conversions can never commit past the budget;
// `overrunMinor` is what promised rewards were paid beyond it; `asks` / `conversions` give the observed rate.
// Only ADD and conditional updates: dynalite has no transactions, and none are needed.
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EMPTY_BUDGET, uncountOf, type BudgetState, type BudgetStore } from '../../core/budget.js';
import { conditionHolds } from './conditions.js';
import type { ReadStats } from './customers.js';
import { budgetKey } from './keys.js';

export { budgetKey };

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** The conditional "add to committed if it still fits" update: reservations and reward spends both use it. */
function commitIfRoom(tableName: string, campaignId: string, amountMinor: number, budgetMinor: number, adds: Record<string, number>): UpdateCommand {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':a': amountMinor, ':b': budgetMinor, ':room': budgetMinor - amountMinor };
  const parts = ['committedMinor :a'];
  Object.entries(adds).forEach(([k, v], i) => {
    names[`#n${i}`] = k;
    values[`:v${i}`] = v;
    parts.push(`#n${i} :v${i}`);
  });
  return new UpdateCommand({
    TableName: tableName,
    Key: budgetKey(campaignId),
    UpdateExpression: `ADD ${parts.join(', ')} SET budgetMinor = :b`,
    ConditionExpression: '(attribute_not_exists(committedMinor) AND :a <= :b) OR committedMinor <= :room',
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
  });
}

export class DynamoBudgetStore implements BudgetStore {
  readonly readStats: ReadStats = { itemsRead: 0, queries: 0, gets: 0 };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The budget item (zeros when nothing was ever committed). Strongly consistent. */
  async state(campaignId: string): Promise<BudgetState> {
    this.readStats.gets += 1;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: budgetKey(campaignId), ConsistentRead: true }));
    if (!out.Item) return { ...EMPTY_BUDGET };
    this.readStats.itemsRead += 1;
    const i = out.Item;
    return { committedMinor: num(i.committedMinor), spentMinor: num(i.spentMinor), reservedMinor: num(i.reservedMinor), overrunMinor: num(i.overrunMinor), asks: num(i.asks), conversions: num(i.conversions) };
  }

  /** Minor units spent on rewards so far (0 when nothing was ever spent). */
  async spentMinor(campaignId: string): Promise<number> {
    return (await this.state(campaignId)).spentMinor;
  }

  async reserve(campaignId: string, amountMinor: number, budgetMinor: number, asks = 1): Promise<boolean> {
    return conditionHolds(this.doc.send(this.reserveCommand(campaignId, amountMinor, budgetMinor, asks)));
  }

  reserveCommand(campaignId: string, amountMinor: number, budgetMinor: number, asks = 1): UpdateCommand {
    return commitIfRoom(this.tableName, campaignId, amountMinor, budgetMinor, { reservedMinor: amountMinor, asks });
  }

  async unreserve(campaignId: string, amountMinor: number, options: { uncount?: boolean | number } = {}): Promise<void> {
    const uncount = uncountOf(options.uncount);
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: budgetKey(campaignId),
        UpdateExpression: `ADD committedMinor :m, reservedMinor :m${uncount ? ', asks :minusN' : ''}`,
        ExpressionAttributeValues: { ':m': -amountMinor, ...(uncount ? { ':minusN': -uncount } : {}) },
      }),
    );
  }

  /** Spend a reward's amount if committed + amount stays within the budget (the command; LedgerStore retries it). */
  spendCommand(campaignId: string, amountMinor: number, budgetMinor: number): UpdateCommand {
    return commitIfRoom(this.tableName, campaignId, amountMinor, budgetMinor, { spentMinor: amountMinor });
  }

  /**
   * Spend a promised reward whatever the budget says (the rule's check failed: commitments pass the budget). Returns
   * how much of it lies beyond the budget in money (spent past the budget; 0 while open asks' reservations are what
   * pass it), which is also added to `overrunMinor`.
   */
  async spendOverrun(campaignId: string, amountMinor: number, budgetMinor: number): Promise<number> {
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: budgetKey(campaignId),
        UpdateExpression: 'ADD committedMinor :a, spentMinor :a SET budgetMinor = :b',
        ExpressionAttributeValues: { ':a': amountMinor, ':b': budgetMinor },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    // The money beyond the budget this spend added: spent past the budget after it, less before it.
    const spent = num(out.Attributes?.spentMinor);
    const overrun = Math.max(0, spent - budgetMinor) - Math.max(0, spent - amountMinor - budgetMinor);
    if (overrun > 0) {
      await this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: budgetKey(campaignId), UpdateExpression: 'ADD overrunMinor :o', ExpressionAttributeValues: { ':o': overrun } }));
    }
    return overrun;
  }

  /** Give a clawed-back amount back (never below zero spent: a release that would is not applied). */
  releaseCommand(campaignId: string, amountMinor: number): UpdateCommand {
    return new UpdateCommand({
      TableName: this.tableName,
      Key: budgetKey(campaignId),
      UpdateExpression: 'ADD committedMinor :m, spentMinor :m',
      ConditionExpression: 'spentMinor >= :a',
      ExpressionAttributeValues: { ':a': amountMinor, ':m': -amountMinor },
    });
  }

  /** One more rewarded referral for the observed rate. */
  async countConversion(campaignId: string): Promise<void> {
    await this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: budgetKey(campaignId), UpdateExpression: 'ADD conversions :one', ExpressionAttributeValues: { ':one': 1 } }));
  }
}
