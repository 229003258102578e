// Preferences on the customer profile (`C#<id>` / `PROFILE`): consents per channel, preferred channel and
// "don't ask me again", changed by UpdateItem only (never a rewrite of the profile), plus the phone pointer
// `P#<e164>` / `PHONE` -> customerId that inbound SMS (STOP) uses to find the customer.
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PreferenceUpdate, PreferenceView } from '../../core/preferences.js';
import type { Channel, ConsentChannel } from '../../core/schemas/common.js';
import { isConditionFailed } from './conditions.js';
import { phonePointerKey, profileKey } from './keys.js';
import { ConsentLedger } from './consents.js';
import type { ConsentChange, ConsentSource } from '../../core/privacy.js';

/** The ledger entries of a preference update: each channel stated, and "don't ask me again" as channel `ask`. */
export function preferenceChanges(update: PreferenceUpdate, at: string, source: ConsentSource): ConsentChange[] {
  const out: ConsentChange[] = [];
  for (const [channel, granted] of Object.entries(update.consents) as Array<[ConsentChannel, boolean | undefined]>) {
    if (granted !== undefined) out.push({ at, source, channel, granted });
  }
  if (update.doNotAsk !== undefined) out.push({ at, source, channel: 'ask', granted: !update.doNotAsk });
  return out;
}

export { phonePointerKey };

/** dynalite and DynamoDB refuse SET on a nested path whose parent map is missing. */
function isMissingParent(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e.name === 'ValidationException' && /document path/i.test(e.message ?? '');
}

export class PreferenceStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The current choices, or undefined for an unknown customer. */
  async view(customerId: string): Promise<PreferenceView | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: profileKey(customerId),
        ConsistentRead: true,
        ProjectionExpression: 'consents, doNotAsk, preferredChannel, email, phone, #l',
        ExpressionAttributeNames: { '#l': 'locale' },
      }),
    );
    if (!out.Item) return undefined;
    const item = out.Item as { consents?: Record<string, boolean>; doNotAsk?: boolean; preferredChannel?: Channel; email?: string; phone?: string; locale?: string };
    return {
      consents: item.consents ?? {},
      doNotAsk: item.doNotAsk === true,
      ...(item.preferredChannel ? { preferredChannel: item.preferredChannel } : {}),
      hasEmail: typeof item.email === 'string',
      hasPhone: typeof item.phone === 'string',
      ...(item.locale ? { locale: item.locale } : {}),
    };
  }

  /**
   * Apply an update to an existing profile. Returns false when the customer does not exist (nothing is created:
   * a token for a deleted customer must not resurrect a half profile).
   */
  async apply(customerId: string, update: PreferenceUpdate, at: string, source?: ConsentSource): Promise<boolean> {
    const applied = await this.write(customerId, update, at);
    // Every change is appended to the consent ledger with its source (docs/privacy.md).
    if (applied && source) await new ConsentLedger(this.doc, this.tableName).append(customerId, preferenceChanges(update, at, source));
    return applied;
  }

  private async write(customerId: string, update: PreferenceUpdate, at: string): Promise<boolean> {
    const names: Record<string, string> = { '#c': 'consents', '#u': 'preferencesUpdatedAt' };
    const values: Record<string, unknown> = { ':at': at };
    const sets: string[] = ['#u = :at'];
    const removes: string[] = [];
    let n = 0;
    for (const [channel, allowed] of Object.entries(update.consents) as Array<[ConsentChannel, boolean | undefined]>) {
      if (allowed === undefined) continue;
      n += 1;
      names[`#ch${n}`] = channel;
      values[`:ch${n}`] = allowed;
      sets.push(`#c.#ch${n} = :ch${n}`);
    }
    if (update.doNotAsk !== undefined) {
      names['#dna'] = 'doNotAsk';
      values[':dna'] = update.doNotAsk;
      sets.push('#dna = :dna');
    }
    if (update.preferredChannel !== undefined) {
      names['#pc'] = 'preferredChannel';
      if (update.preferredChannel === null) removes.push('#pc');
      else {
        values[':pc'] = update.preferredChannel;
        sets.push('#pc = :pc');
      }
    }
    const expression = `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`;
    const send = () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: profileKey(customerId),
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    try {
      await send();
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      if (!isMissingParent(error)) throw error;
    }
    // The profile has no consents map yet: create it empty (only if still missing), then set the channels.
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: profileKey(customerId),
          UpdateExpression: 'SET #c = if_not_exists(#c, :empty)',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#c': 'consents' },
          ExpressionAttributeValues: { ':empty': {} },
        }),
      );
      await send();
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** Write (or move) the pointer from a phone number to its customer. The import should call this for every phone. */
  async putPhonePointer(phone: string, customerId: string, at: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...phonePointerKey(phone), entity: 'phone', customerId, updatedAt: at } }));
  }

  async customerIdByPhone(phone: string): Promise<string | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: phonePointerKey(phone), ConsistentRead: true }));
    const id = out.Item?.customerId;
    return typeof id === 'string' ? id : undefined;
  }
}
