// The subject id events carry instead of customer ids (docs/privacy.md). Its only link to the person is in the table:
// the `subjectId` attribute of the profile (`C#<id>` / `PROFILE`, set when the profile is created), or for an id with
// no profile (a referred friend known by the sender's id) the item `C#<id>` / `SUBJECT`. An erasure deletes both, so
// the events already written can no longer be tied to anybody.
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { nanoIds } from '../clock.js';
import type { EventPublisher, IdGenerator } from '../../core/ports.js';
import type { ProjectEvent } from '../../core/schemas/events.js';
import { newSubjectId, pseudonymizeEventDetail, type SubjectResolver } from '../../core/privacy.js';
import { isConditionFailed } from './conditions.js';
import { customerPk, PROFILE_SK, SUBJECT_SK } from './keys.js';

export { SUBJECT_SK };
const CACHE_LIMIT = 10_000;

export class SubjectStore implements SubjectResolver {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ids: IdGenerator = nanoIds,
  ) {}

  /**
   * The subject id of a customer (or referee) id: the profile's, minted on the profile when it has none, else the
   * `SUBJECT` item's (minted on first use). Idempotent under races (`if_not_exists`); cached per process.
   */
  async subjectFor(customerId: string): Promise<string> {
    const hit = this.cache.get(customerId);
    if (hit) return hit;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: customerPk(customerId), SK: PROFILE_SK }, ProjectionExpression: 'subjectId, PK' }));
    let subject = typeof out.Item?.subjectId === 'string' ? out.Item.subjectId : undefined;
    if (!subject) subject = await this.mint(customerId, out.Item ? PROFILE_SK : SUBJECT_SK);
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(customerId, subject);
    return subject;
  }

  /** Forget cached subjects (an erasure in this process). */
  forget(customerId: string): void {
    this.cache.delete(customerId);
  }

  private async mint(customerId: string, sk: string): Promise<string> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: customerPk(customerId), SK: sk },
          UpdateExpression: sk === PROFILE_SK ? 'SET subjectId = if_not_exists(subjectId, :s)' : 'SET subjectId = if_not_exists(subjectId, :s), entity = :e',
          ...(sk === PROFILE_SK ? { ConditionExpression: 'attribute_exists(PK)' } : {}),
          ExpressionAttributeValues: { ':s': newSubjectId(this.ids), ...(sk === PROFILE_SK ? {} : { ':e': 'subject' }) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return String(out.Attributes!.subjectId);
    } catch (error) {
      // The profile vanished between the read and the write: fall back to the SUBJECT item.
      if (sk === PROFILE_SK && isConditionFailed(error)) return this.mint(customerId, SUBJECT_SK);
      throw error;
    }
  }
}

/** Wraps a publisher so every event detail goes out with a subject id instead of customer ids. */
export class PseudonymizingPublisher implements EventPublisher {
  constructor(
    private readonly inner: EventPublisher,
    private readonly subjects: SubjectResolver,
  ) {}

  async publish(events: ProjectEvent[]): Promise<void> {
    const out = [];
    for (const e of events) out.push({ detailType: e.detailType, detail: await pseudonymizeEventDetail(e.detail, this.subjects) });
    // The published form (PublishedEventDetails): the same detail-types, person fields replaced by subject ids.
    await this.inner.publish(out as unknown as ProjectEvent[]);
  }
}
