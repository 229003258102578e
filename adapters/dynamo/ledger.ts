// The reward ledger: append-only entries L#<advocateId> / <rewardId>#<seq 4 digits>. A state change is a new entry
// written with attribute_not_exists, so two writers can never both append the same step; the current state of a
// reward is its latest entry. Every entry is also on GSI1 (`LC#<campaignId>` / `<at>#<rewardId>#<seq>`): the ledger by
// campaign. Budgets are spent with a conditional update that can never pass the budget.
// Work items beside it: hold markers `HOLD#<yyyy-mm-dd of holdUntil>` / `<holdUntil>#<advocateId>#<rewardId>` (the
// approver Queries every day from the oldest one that may still hold a marker, `META` / `HOLDS`, up to today; a marker
// is deleted once handled) and the review queue `REVIEW` / <conversionId>.
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { currentRewards, type RewardLedger } from '../../core/conversions.js';
import { ThrottlingError } from '../../core/errors.js';
import type { HoldMarker, LedgerEntry, ParkedMarker, ReviewItem } from '../../core/schemas/ledger.js';
import { GSI1_INDEX } from './table-def.js';
import { conditionHolds } from './conditions.js';
import { holdCursorKey, holdPk, holdSk, ledgerCampaignPk, ledgerPk, ledgerSk, parkedKey, parkedPk, REVIEW_PK } from './keys.js';
import { DynamoBudgetStore } from './budget.js';

export type { LedgerEntry } from '../../core/schemas/ledger.js';

const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']);
const isThrottled = (e: unknown) => THROTTLING.has((e as { name?: string }).name ?? '');

export { ledgerPk, ledgerSk, ledgerCampaignPk, holdPk, holdSk, parkedKey, REVIEW_PK };
/** Over-budget rewards by campaign; the key is the reward, so parking it again overwrites rather than duplicates. */
const INTERNAL = new Set(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'entity']);

function strip<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !INTERNAL.has(k))) as T;
}

export interface LedgerStoreOptions {
  /**
   * Days before today the approver reads at least, besides every day from the hold cursor (`META` / `HOLDS`): covers
   * markers filed under a day the cursor had already passed (a writer with a skewed clock). Default 30.
   */
  holdLookbackDays?: number;
  /** Attempts for a throttled write before ThrottlingError surfaces (default 4). */
  throttleAttempts?: number;
  /** Base backoff in ms (default 25; doubled per attempt). */
  backoffMs?: number;
}

export class LedgerStore implements RewardLedger {
  private readonly lookback: number;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: LedgerStoreOptions = {},
  ) {
    this.lookback = options.holdLookbackDays ?? 30;
    this.attempts = options.throttleAttempts ?? 4;
    this.backoffMs = options.backoffMs ?? 25;
    this.budget = new DynamoBudgetStore(doc, tableName);
  }

  /** The campaign budget item (one owner of its updates). */
  readonly budget: DynamoBudgetStore;

  /** Retry throttling with backoff; still throttled after the last attempt -> ThrottlingError (retryable). */
  private async withRetry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await fn();
      } catch (error) {
        if (!isThrottled(error)) throw error;
        if (attempt >= this.attempts) throw new ThrottlingError(`${what}: DynamoDB throttled after ${attempt} attempts`, { cause: error });
        await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** (attempt - 1)));
      }
    }
  }

  /** Append an entry; false when that step was already written (a replay or a concurrent writer). */
  async append(entry: LedgerEntry): Promise<boolean> {
    return conditionHolds(
      this.withRetry('ledger append', () =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              PK: ledgerPk(entry.advocateId),
              SK: ledgerSk(entry.rewardId, entry.seq),
              GSI1PK: ledgerCampaignPk(entry.campaignId),
              GSI1SK: `${entry.at}#${ledgerSk(entry.rewardId, entry.seq)}`,
              entity: 'ledger',
              ...entry,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        ),
      ),
    );
  }

  private async queryAll(input: ConstructorParameters<typeof QueryCommand>[0]): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.withRetry('ledger query', () => this.doc.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) })));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Every entry of an advocate, oldest first per reward. */
  async entries(advocateId: string): Promise<LedgerEntry[]> {
    const items = await this.queryAll({ TableName: this.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': ledgerPk(advocateId) }, ConsistentRead: true });
    return items.map((i) => strip<LedgerEntry>(i));
  }

  /** Every entry of one reward, oldest first. */
  async history(advocateId: string, rewardId: string): Promise<LedgerEntry[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :r)',
      ExpressionAttributeValues: { ':pk': ledgerPk(advocateId), ':r': `${rewardId}#` },
      ConsistentRead: true,
    });
    return items.map((i) => strip<LedgerEntry>(i));
  }

  /** The latest entry of each reward of an advocate. */
  async current(advocateId: string): Promise<LedgerEntry[]> {
    return currentRewards(await this.entries(advocateId));
  }

  /** The ledger of a campaign (GSI1), entries in time order; `from`/`to` are ISO instants (inclusive/exclusive). */
  async byCampaign(campaignId: string, range: { from?: string; to?: string } = {}): Promise<LedgerEntry[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: GSI1_INDEX,
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':pk': ledgerCampaignPk(campaignId), ':a': range.from ?? '0', ':b': range.to ?? '~' },
    });
    return items.map((i) => strip<LedgerEntry>(i));
  }

  /** Spend from the campaign budget unless committed (spent + reserved) would pass it (adapters/dynamo/budget.ts). */
  async spend(campaignId: string, amountMinor: number, budgetMinor: number): Promise<boolean> {
    return conditionHolds(this.withRetry('budget spend', () => this.doc.send(this.budget.spendCommand(campaignId, amountMinor, budgetMinor))));
  }

  async spendPromised(campaignId: string, amountMinor: number, budgetMinor: number): Promise<number> {
    return this.withRetry('budget spend (promised)', () => this.budget.spendOverrun(campaignId, amountMinor, budgetMinor));
  }

  async unreserve(campaignId: string, amountMinor: number): Promise<void> {
    await this.withRetry('budget unreserve', () => this.budget.unreserve(campaignId, amountMinor));
  }

  async countConversion(campaignId: string): Promise<void> {
    await this.withRetry('budget conversions', () => this.budget.countConversion(campaignId));
  }

  /** Give a clawed-back amount back to the budget (never below zero: a release that would is not applied). */
  async release(campaignId: string, amountMinor: number): Promise<void> {
    await conditionHolds(this.withRetry('budget release', () => this.doc.send(this.budget.releaseCommand(campaignId, amountMinor))));
  }

  async spentMinor(campaignId: string): Promise<number> {
    return this.budget.spentMinor(campaignId);
  }

  /** The marker, then the hold cursor lowered to its day (so the approver reads that day however late it runs). */
  async putHold(marker: HoldMarker): Promise<void> {
    await this.withRetry('hold marker', () => this.doc.send(new PutCommand({ TableName: this.tableName, Item: { PK: holdPk(marker.holdUntil), SK: holdSk(marker), entity: 'hold', ...marker } })));
    const day = holdPk(marker.holdUntil).slice('HOLD#'.length);
    await this.withRetry('hold cursor', () =>
      conditionHolds(
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: holdCursorKey(),
            UpdateExpression: 'SET #d = :d',
            ConditionExpression: 'attribute_not_exists(#d) OR #d > :d',
            ExpressionAttributeNames: { '#d': 'oldestDay' },
            ExpressionAttributeValues: { ':d': day },
          }),
        ),
      ),
    );
  }

  async deleteHold(marker: HoldMarker): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { PK: holdPk(marker.holdUntil), SK: holdSk(marker) } }));
  }

  /** The cursor this instance read in its last `dueHolds` (`holdsHandled` moves it from exactly that value). */
  private cursorRead: { oldestDay?: string } | undefined;

  /**
   * Markers with holdUntil <= now: one Query per day (never a Scan) from the hold cursor, or from `holdLookbackDays`
   * before today when that is older, up to today. However long the approver did not run, no due marker is left out.
   */
  async dueHolds(now: Date): Promise<HoldMarker[]> {
    const cursor = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: holdCursorKey(), ConsistentRead: true }))).Item?.oldestDay;
    const oldestDay = typeof cursor === 'string' ? cursor : undefined;
    this.cursorRead = oldestDay !== undefined ? { oldestDay } : {};
    const today = now.toISOString().slice(0, 10);
    const lookbackDay = new Date(now.getTime() - this.lookback * 86_400_000).toISOString().slice(0, 10);
    const from = oldestDay !== undefined && oldestDay < lookbackDay ? oldestDay : lookbackDay;
    const out: HoldMarker[] = [];
    const nowIso = now.toISOString();
    for (let t = Date.parse(`${from}T00:00:00.000Z`); t <= Date.parse(`${today}T00:00:00.000Z`); t += 86_400_000) {
      const items = await this.queryAll({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND SK < :upper',
        // '$' sorts right after '#': every marker whose holdUntil is <= now.
        ExpressionAttributeValues: { ':pk': holdPk(new Date(t).toISOString()), ':upper': `${nowIso}$` },
      });
      out.push(...items.map((i) => strip<HoldMarker>(i)));
    }
    return out;
  }

  /**
   * After a run handled what `dueHolds` returned, except `kept` (markers still held): the cursor moves up to the day
   * of the oldest kept marker, or today. Conditional on the value `dueHolds` read, so a hold written meanwhile that
   * lowered it is never skipped.
   */
  async holdsHandled(now: Date, kept: readonly HoldMarker[]): Promise<void> {
    const read = this.cursorRead;
    this.cursorRead = undefined;
    if (!read) return;
    const next = [now.toISOString(), ...kept.map((m) => m.holdUntil)].map((at) => holdPk(at).slice('HOLD#'.length)).sort()[0]!;
    if (read.oldestDay === next) return;
    await conditionHolds(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: holdCursorKey(),
          UpdateExpression: 'SET #d = :d',
          ConditionExpression: read.oldestDay === undefined ? 'attribute_not_exists(#d)' : '#d = :old',
          ExpressionAttributeNames: { '#d': 'oldestDay' },
          ExpressionAttributeValues: { ':d': next, ...(read.oldestDay === undefined ? {} : { ':old': read.oldestDay }) },
        }),
      ),
    );
  }

  async putParked(marker: ParkedMarker): Promise<void> {
    await this.withRetry('parked marker', () => this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...parkedKey(marker), entity: 'parked', ...marker } })));
  }

  async deleteParked(marker: Pick<ParkedMarker, 'campaignId' | 'advocateId' | 'rewardId'>): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: parkedKey(marker) }));
  }

  /** One Query on OVER#<campaignId> (never a Scan). */
  async parked(campaignId: string): Promise<ParkedMarker[]> {
    const items = await this.queryAll({ TableName: this.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': parkedPk(campaignId) } });
    return items.map((i) => strip<ParkedMarker>(i));
  }

  async putReview(item: ReviewItem): Promise<void> {
    await this.withRetry('review item', () => this.doc.send(new PutCommand({ TableName: this.tableName, Item: { PK: REVIEW_PK, SK: item.conversionId, entity: 'review', ...item } })));
  }

  async getReview(conversionId: string): Promise<ReviewItem | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: REVIEW_PK, SK: conversionId }, ConsistentRead: true }));
    return out.Item ? strip<ReviewItem>(out.Item) : undefined;
  }

  async listReviews(): Promise<ReviewItem[]> {
    const items = await this.queryAll({ TableName: this.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': REVIEW_PK }, ConsistentRead: true });
    return items.map((i) => strip<ReviewItem>(i)).sort((a, b) => a.at.localeCompare(b.at));
  }

  async deleteReview(conversionId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { PK: REVIEW_PK, SK: conversionId } }));
  }
}
