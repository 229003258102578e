// Short links for SMS: `/k/<id>` on the same public domain resolves to one ask's share page. The id is random
// (nanoid, 12 symbols, ~71 bits: not guessable), derived once per ask and channel so a retried send reuses it.
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { shortLinkKey } from './keys.js';

/** Length of a short link id (base64url symbols). */
export const SHORT_ID_LENGTH = 12;
const SHORT_ID = /^[A-Za-z0-9_-]{12}$/;

/**
 * The short id of one ask's share link: a keyed hash of the ask id, so the same ask gets the same short link on a
 * retry and ids cannot be derived without the key (the signing key of the share token).
 */
export function shortIdFor(askId: string, key: string): string {
  return createHash('sha256').update(`short-link:${key}:${askId}`).digest('base64url').slice(0, SHORT_ID_LENGTH);
}

export function isShortId(id: string): boolean {
  return SHORT_ID.test(id);
}

export class ShortLinkStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Store (or overwrite with the same value) where `/k/<id>` leads: the share token. */
  async put(id: string, shareToken: string, at: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...shortLinkKey(id), entity: 'short_link', token: shareToken, at } }));
  }

  /** The share token behind a short id, or undefined. */
  async resolve(id: string): Promise<string | undefined> {
    if (!isShortId(id)) return undefined;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: shortLinkKey(id) }));
    return typeof out.Item?.token === 'string' ? out.Item.token : undefined;
  }
}
