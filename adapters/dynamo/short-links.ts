// Short links for SMS: `/k/<id>` on the same public domain resolves to one ask's share page. The id is
// core/links.ts shortLinkId (a keyed hash of the ask id: not guessable, the same on a retried send).
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SHORT_LINK_ID_LENGTH } from '../../core/links.js';
import type { ShortLinkWriter } from '../../core/workflow/ports.js';
import { shortLinkKey } from './keys.js';

const SHORT_ID = new RegExp(`^[A-Za-z0-9_-]{${SHORT_LINK_ID_LENGTH}}$`);

/** Whether `id` has the shape of a short link id (checked before any read). */
export function isShortId(id: string): boolean {
  return SHORT_ID.test(id);
}

export class ShortLinkStore implements ShortLinkWriter {
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
