// Referral codes: one per advocate and campaign. The pointer `C#<id>` / `CODE#<campaignId>` is claimed first with a
// conditional put (so two workers agree on one code without a read in the common case), then `R#<code>` / `CODE` is
// written, conditionally, so a code never changes owner.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newReferralCode } from '../../core/links.js';
import type { IdGenerator } from '../../core/ports.js';
import type { CodeIssuer } from '../../core/workflow/ports.js';
import { customerPk, type ReadStats } from './customers.js';

export const codePointerSk = (campaignId: string): string => `CODE#${campaignId}`;
export const codePk = (code: string): string => `R#${code}`;
export const CODE_SK = 'CODE';

function isConditionFailed(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException';
}

export interface CodeOwner {
  customerId: string;
  campaignId: string;
  askId: string;
  firstName: string;
}

export class DynamoCodeStore implements CodeIssuer {
  readonly readStats: ReadStats = { itemsRead: 0, queries: 0, gets: 0 };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ids: IdGenerator,
  ) {}

  /** The advocate's code for the campaign, created on first use. */
  async ensure(owner: CodeOwner, now: string): Promise<string> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const fresh = newReferralCode(this.ids);
      let code = fresh;
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { PK: customerPk(owner.customerId), SK: codePointerSk(owner.campaignId), entity: 'code_pointer', code, createdAt: now },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        this.readStats.gets += 1;
        const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: customerPk(owner.customerId), SK: codePointerSk(owner.campaignId) }, ConsistentRead: true }));
        if (out.Item) this.readStats.itemsRead += 1;
        code = String(out.Item?.code);
      }
      // Written (again) even for an existing pointer: repairs a crash between the two puts.
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { PK: codePk(code), SK: CODE_SK, entity: 'code', code, ...owner, createdAt: now },
            ConditionExpression: 'attribute_not_exists(PK) OR customerId = :c',
            ExpressionAttributeValues: { ':c': owner.customerId },
          }),
        );
        return code;
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        // Another advocate owns this code (a 2^-50 collision): give the pointer back and draw again.
        await this.doc.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { PK: customerPk(owner.customerId), SK: codePointerSk(owner.campaignId) },
            ConditionExpression: 'code = :code',
            ExpressionAttributeValues: { ':code': code },
          }),
        ).catch((e: unknown) => {
          if (!isConditionFailed(e)) throw e;
        });
      }
    }
    throw new Error(`could not issue a unique referral code for ${owner.customerId} in ${owner.campaignId}`);
  }

  async owner(code: string): Promise<(CodeOwner & { code: string }) | undefined> {
    this.readStats.gets += 1;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: codePk(code), SK: CODE_SK } }));
    if (!out.Item) return undefined;
    this.readStats.itemsRead += 1;
    return out.Item as CodeOwner & { code: string };
  }
}
