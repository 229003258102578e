// What happens under a referral code, written and read by one adapter with one item schema: clicks (`R#<code>` /
// `CLICK#<clickId>`, findable by click id on GSI1), recorded shares (`SHARE#...`), share-page visits (a counter on the
// code item) and leads (`LEAD#<leadId>`). The click route, the bench's bare server and the conversion lookup all go
// through here, so a click is one item shape everywhere.
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { clickIndexKey, clickSk, codeKey, codePk, GSI1_INDEX, LEAD_PREFIX, leadPk, leadSk, shareSk } from './keys.js';

/** A counted click: a person's browser followed /r/<code> (machines and HEAD requests are never stored). */
export const ClickItem = z.object({
  entity: z.literal('click'),
  clickId: z.string().min(8).max(64),
  visitorId: z.string().min(1).max(64),
  referralCode: z.string().min(1).max(32),
  campaignId: z.string().min(1),
  advocateId: z.string().min(1),
  agent: z.literal('human'),
  /** ISO-8601 UTC. */
  at: z.string(),
  /** Retention: epoch seconds when the table's TTL deletes the click and its visitor id (docs/privacy.md). */
  expiresAt: z.number().int().optional(),
});
export type ClickItem = z.infer<typeof ClickItem>;

export const ShareItem = z.object({
  entity: z.literal('share'),
  network: z.string().min(1).max(16),
  campaignId: z.string().min(1),
  customerId: z.string().min(1),
  at: z.string(),
});
export type ShareItem = z.infer<typeof ShareItem>;

export const LeadItem = z.object({
  entity: z.literal('lead'),
  leadId: z.string().min(1),
  campaignId: z.string().min(1),
  /** Lower-cased. */
  email: z.string(),
  name: z.string(),
  clickId: z.string().optional(),
  rule: z.enum(['click_id', 'cookie', 'none']),
  /** The landing page's marketing-consent box (unchecked by default). Nothing here ever messages the friend. */
  marketingConsent: z.boolean().default(false),
  at: z.string(),
  /** Retention: epoch seconds when the table's TTL deletes the lead (docs/privacy.md). */
  expiresAt: z.number().int().optional(),
});
export type LeadItem = z.infer<typeof LeadItem>;

/** One referral-activity item as stored (keys included), for readers that scan a code's partition. */
export const ReferralActivityItem = z.discriminatedUnion('entity', [ClickItem, ShareItem, LeadItem]);

export class ReferralActivityStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The full item of a click (keys and GSI1 included): the shape every writer of clicks puts. */
  static clickItem(click: ClickItem): Record<string, unknown> {
    const valid = ClickItem.parse(click);
    return { PK: codePk(valid.referralCode), SK: clickSk(valid.clickId), GSI1PK: clickIndexKey(valid.clickId), GSI1SK: valid.at, ...valid };
  }

  /** Store a counted click (one PutItem). */
  async putClick(click: Omit<ClickItem, 'entity' | 'agent'>): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: ReferralActivityStore.clickItem({ ...click, entity: 'click', agent: 'human' }) }));
  }

  /** A click by id; with its code a GetItem, without one the GSI1 lookup. */
  async click(clickId: string, code?: string): Promise<ClickItem | undefined> {
    let item: Record<string, unknown> | undefined;
    if (code) item = (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: codePk(code), SK: clickSk(clickId) } }))).Item;
    else {
      const out = await this.doc.send(new QueryCommand({ TableName: this.tableName, IndexName: GSI1_INDEX, KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': clickIndexKey(clickId) }, Limit: 1 }));
      item = out.Items?.[0];
    }
    if (!item) return undefined;
    // Clicks stored before the item carried its code: the code is the partition's.
    const parsed = ClickItem.safeParse({ entity: 'click', agent: 'human', visitorId: 'unknown', ...item, referralCode: item.referralCode ?? String(item.PK ?? '').slice(2) });
    return parsed.success ? parsed.data : undefined;
  }

  async putShare(code: string, share: Omit<ShareItem, 'entity'>, id: string): Promise<void> {
    const valid = ShareItem.parse({ ...share, entity: 'share' });
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { PK: codePk(code), SK: shareSk(valid.at, valid.network, id), ...valid } }));
  }

  /** +1 share-page visit on the code item. */
  async countShareVisit(code: string): Promise<void> {
    await this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: codeKey(code), UpdateExpression: 'ADD shareVisits :one', ExpressionAttributeValues: { ':one': 1 } }));
  }

  /** Store a lead; `emailIndex` (GSI1 `LE#<keyed email hash>`) lets an erasure find the leads a person left. */
  async putLead(code: string | undefined, lead: Omit<z.input<typeof LeadItem>, 'entity'>, emailIndex?: string): Promise<void> {
    const valid = LeadItem.parse({ ...lead, entity: 'lead' });
    const index = emailIndex ? { GSI1PK: emailIndex, GSI1SK: valid.at } : {};
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { PK: leadPk(code, valid.campaignId), SK: leadSk(valid.leadId), ...valid, ...index } }));
  }

  /** The leads under a code (signups on the landing page). */
  async leads(code: string): Promise<LeadItem[]> {
    const out = await this.doc.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)', ExpressionAttributeValues: { ':pk': codePk(code), ':p': LEAD_PREFIX } }),
    );
    return (out.Items ?? []).flatMap((i) => {
      const parsed = LeadItem.safeParse({ rule: 'none', name: '', ...i, entity: 'lead' });
      return parsed.success ? [parsed.data] : [];
    });
  }
}
