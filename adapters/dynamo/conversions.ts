// Conversions in the single table, and what attribution reads:
//   conversion      R#<code> / CONV#<type>#<conversionId>   GSI1: X#<externalCustomerId> / CONV#<occurredAt>#<conversionId>
//   outcome (idem.) IDEM#<idempotencyKey> / CONVERSION       the first answer for a key, returned again on replay
//   referee claim   REF#<campaignId>#X#<externalCustomerId> / REFEREE   GSI1: XC#<externalCustomerId> / <campaignId>
//                   REF#<campaignId>#E#<emailHash> / REFEREE           (one advocate per referee, by id and by email)
//   click           R#<code> / CLICK#<clickId> (written by the click route); by id alone via GSI1 K#<clickId> when present
//   lead            R#<code> / LEAD#<leadId> (written by the landing page)
// Every write is a conditional put: no TransactWriteItems anywhere.
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AdvocateRecord, ClaimOutcome, ClickRecord, CodeOwnerRecord, ConversionRecord, ConversionStore, LeadRecord, RefereeClaim } from '../../core/conversions.js';
import { ConversionResult } from '../../core/schemas/conversion.js';
import type { Ask } from '../../core/schemas/ask.js';
import { conditionHolds, isConditionFailed } from './conditions.js';
import { askSk, claimByCustomerGsi, claimKeys, clickIndexKey, codeKey, codePk, conversionByCustomerGsi, conversionByCustomerGsiSk, conversionSk, customerPk, GSI1_INDEX, outcomeKey, PROFILE_SK } from './keys.js';
import { ReferralActivityStore } from './referral-activity.js';

export { outcomeKey, conversionSk, claimKeys, clickIndexKey };
/** GSI1 key the click route may add to click items so a click is found by id alone (GSI1PK = K#<clickId>). */
const CLAIM_FIELDS = ['campaignId', 'externalCustomerId', 'emailHash', 'advocateId', 'referralCode', 'rule', 'conversionId', 'at'] as const;

function claimOf(item: Record<string, unknown>): RefereeClaim {
  return Object.fromEntries(CLAIM_FIELDS.filter((f) => item[f] !== undefined).map((f) => [f, item[f]])) as unknown as RefereeClaim;
}

export class DynamoConversionStore implements ConversionStore {
  /** Clicks and leads are read through the one referral-activity adapter (the same item schema the routes write). */
  private readonly activity: ReferralActivityStore;
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.activity = new ReferralActivityStore(doc, tableName);
  }

  async outcome(idempotencyKey: string): Promise<ConversionResult | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: outcomeKey(idempotencyKey), ConsistentRead: true }));
    return out.Item ? ConversionResult.parse(out.Item.result) : undefined;
  }

  async saveOutcome(idempotencyKey: string, result: ConversionResult, at: string): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...outcomeKey(idempotencyKey), entity: 'conversion_outcome', result, at }, ConditionExpression: 'attribute_not_exists(PK)' }));
      return true;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      return false;
    }
  }

  async codeOwner(code: string): Promise<CodeOwnerRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: codeKey(code) }));
    return out.Item ? { customerId: String(out.Item.customerId), campaignId: String(out.Item.campaignId), askId: String(out.Item.askId ?? '') } : undefined;
  }

  async click(clickId: string, code?: string): Promise<ClickRecord | undefined> {
    const c = await this.activity.click(clickId, code);
    return c ? { referralCode: c.referralCode, clickId: c.clickId, campaignId: c.campaignId, advocateId: c.advocateId, at: c.at } : undefined;
  }

  async leads(code: string): Promise<LeadRecord[]> {
    return (await this.activity.leads(code)).filter((l) => l.email).map((l) => ({ email: l.email, at: l.at, ...(l.clickId ? { clickId: l.clickId } : {}) }));
  }

  async advocate(customerId: string): Promise<AdvocateRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: customerPk(customerId), SK: PROFILE_SK }, ConsistentRead: true }));
    const i = out.Item;
    if (!i) return undefined;
    const counters = (i.counters ?? {}) as Record<string, unknown>;
    return {
      id: customerId,
      ...(typeof i.email === 'string' ? { email: i.email } : {}),
      ...(typeof i.paymentFingerprint === 'string' ? { paymentFingerprint: i.paymentFingerprint } : {}),
      successfulReferrals: typeof counters.successfulReferrals === 'number' ? counters.successfulReferrals : 0,
    };
  }

  private askKey(askId: string): { PK: string; SK: string } | undefined {
    const sep = askId.indexOf('~');
    return sep < 1 ? undefined : { PK: customerPk(askId.slice(0, sep)), SK: askSk(askId.slice(sep + 1)) };
  }

  async ask(askId: string): Promise<Pick<Ask, 'quote' | 'milestone'> | undefined> {
    const key = this.askKey(askId);
    if (!key) return undefined;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ProjectionExpression: 'quote, milestone' }));
    if (!out.Item) return undefined;
    return { milestone: (out.Item.milestone ?? {}) as Ask['milestone'], ...(out.Item.quote ? { quote: out.Item.quote as Ask['quote'] } : {}) };
  }

  async consumeReservation(askId: string): Promise<number> {
    const key = this.askKey(askId);
    if (!key) return 0;
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET reservation = :converted',
          ConditionExpression: 'reservation = :open',
          ExpressionAttributeValues: { ':open': 'open', ':converted': 'converted' },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return typeof out.Attributes?.reservedMinor === 'number' ? out.Attributes.reservedMinor : 0;
    } catch (error) {
      if (isConditionFailed(error)) return 0;
      throw error;
    }
  }

  async existingCustomerSince(customerId: string): Promise<string | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: customerPk(customerId), SK: PROFILE_SK }, ProjectionExpression: 'signupDate' }));
    return typeof out.Item?.signupDate === 'string' ? out.Item.signupDate : undefined;
  }

  private async getClaim(key: { PK: string; SK: string }): Promise<RefereeClaim | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return out.Item ? claimOf(out.Item) : undefined;
  }

  /**
   * The one-advocate rule: a conditional put of the claim by customer id, then by email hash. The first conversion's
   * advocate keeps the referee; a later one for another advocate (or another id with the same email) is refused.
   */
  async claimReferee(claim: RefereeClaim): Promise<ClaimOutcome> {
    const keys = claimKeys(claim.campaignId, claim.externalCustomerId, claim.emailHash);
    let status: 'claimed' | 'same_advocate' = 'claimed';
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.byCustomer, entity: 'referee_claim', GSI1PK: claimByCustomerGsi(claim.externalCustomerId), GSI1SK: claim.campaignId, ...claim },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const holder = await this.getClaim(keys.byCustomer);
      if (holder && holder.advocateId !== claim.advocateId) return { status: 'other_advocate', holder };
      status = 'same_advocate';
    }
    if (keys.byEmail) {
      try {
        await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.byEmail, entity: 'referee_claim_email', ...claim }, ConditionExpression: 'attribute_not_exists(PK)' }));
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        const holder = await this.getClaim(keys.byEmail);
        if (holder && holder.externalCustomerId !== claim.externalCustomerId) {
          // Give back the id claim this conversion just took: the person is already somebody else's referee.
          if (status === 'claimed') {
            await this.doc
              .send(new DeleteCommand({ TableName: this.tableName, Key: keys.byCustomer, ConditionExpression: 'conversionId = :c', ExpressionAttributeValues: { ':c': claim.conversionId } }))
              .catch((e: unknown) => {
                if (!isConditionFailed(e)) throw e;
              });
          }
          return { status: 'other_person', holder };
        }
      }
    }
    return { status };
  }

  async claimsOf(externalCustomerId: string): Promise<RefereeClaim[]> {
    const out = await this.doc.send(new QueryCommand({ TableName: this.tableName, IndexName: GSI1_INDEX, KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': claimByCustomerGsi(externalCustomerId) } }));
    return (out.Items ?? []).map(claimOf);
  }

  async putConversion(record: ConversionRecord): Promise<boolean> {
    return conditionHolds(
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            PK: codePk(record.referralCode),
            SK: conversionSk(record.type, record.conversionId),
            GSI1PK: conversionByCustomerGsi(record.externalCustomerId),
            GSI1SK: conversionByCustomerGsiSk(record.occurredAt, record.conversionId),
            entity: 'conversion',
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );
  }

  /** counters.successfulReferrals + 1, guarded by the set of counted reward ids on the same item (exactly once). */
  async countSuccessfulReferral(advocateId: string, rewardId: string): Promise<boolean> {
    return conditionHolds(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: customerPk(advocateId), SK: PROFILE_SK },
          UpdateExpression: 'SET counters.successfulReferrals = if_not_exists(counters.successfulReferrals, :zero) + :one ADD countedReferrals :rid',
          ConditionExpression: 'attribute_exists(PK) AND attribute_exists(counters) AND NOT contains(countedReferrals, :r)',
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':rid': new Set([rewardId]), ':r': rewardId },
        }),
      ),
    );
  }

  /** counters.successfulReferrals - 1 on refund, only while the reward id is in the counted set (exactly once). */
  async uncountSuccessfulReferral(advocateId: string, rewardId: string): Promise<boolean> {
    return conditionHolds(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: customerPk(advocateId), SK: PROFILE_SK },
          UpdateExpression: 'SET counters.successfulReferrals = counters.successfulReferrals - :one DELETE countedReferrals :rid',
          ConditionExpression: 'contains(countedReferrals, :r) AND counters.successfulReferrals >= :one',
          ExpressionAttributeValues: { ':one': 1, ':rid': new Set([rewardId]), ':r': rewardId },
        }),
      ),
    );
  }
}
