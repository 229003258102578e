// EventPublisher on EventBridge (the project's own bus), plus an in-memory publisher for the local runtime and tests.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../core/ports.js';
import { EVENT_SOURCE, type ProjectEvent } from '../core/schemas/events.js';
import { ThrottlingError, TransientError } from '../core/errors.js';
import { MetricsPublisher } from './metrics.js';
import { createDocumentClient } from './dynamo/client.js';
import { PseudonymizingPublisher, SubjectStore } from './dynamo/subjects.js';
import { createAwsClient, type AwsClientOptions } from './aws-clients.js';

/** An EventBridge client (AWS_ENDPOINT_URL_EVENTBRIDGE / AWS_ENDPOINT_URL, region, profile: adapters/aws-clients.ts). */
export const createEventBridgeClient = (options: AwsClientOptions = {}): EventBridgeClient => createAwsClient('events', EventBridgeClient, options);

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: ProjectEvent[]): Promise<void> {
    // PutEvents takes at most 10 entries per call.
    for (let i = 0; i < events.length; i += 10) {
      const chunk = events.slice(i, i + 10);
      let out;
      try {
        out = await this.client.send(
          new PutEventsCommand({
            Entries: chunk.map((e) => ({ EventBusName: this.busName, Source: EVENT_SOURCE, DetailType: e.detailType, Detail: JSON.stringify(e.detail) })),
          }),
        );
      } catch (error) {
        const name = (error as Error).name;
        if (/Throttl|TooManyRequests/.test(name)) throw new ThrottlingError(`EventBridge throttled: ${name}`, { cause: error });
        throw new TransientError(`EventBridge PutEvents failed: ${name}`, { cause: error });
      }
      if ((out.FailedEntryCount ?? 0) > 0) throw new TransientError(`EventBridge rejected ${out.FailedEntryCount} of ${chunk.length} events`);
    }
  }
}

/** Keeps published events in memory (local runtime, tests). */
export class MemoryPublisher implements EventPublisher {
  readonly events: ProjectEvent[] = [];
  async publish(events: ProjectEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

/** Appends one JSON line per event: the local runtime's stand-in for the bus (`.local/events.jsonl`). */
export class FileEventPublisher implements EventPublisher {
  constructor(private readonly file: string) {}

  async publish(events: ProjectEvent[]): Promise<void> {
    if (events.length === 0) return;
    const { appendFile, mkdir } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, `${events.map((e) => JSON.stringify({ source: EVENT_SOURCE, 'detail-type': e.detailType, detail: e.detail })).join('\n')}\n`);
  }
}

let busPublisher: { bus: string; publisher: EventPublisher } | undefined;

let subjectStore: { key: string; store: SubjectStore } | undefined;

/** The subject ids of the table named in the environment (one store, so one cache, per process and table). */
export function subjectsFromEnv(env: NodeJS.ProcessEnv = process.env): SubjectStore | undefined {
  if (!env.TABLE_NAME) return undefined;
  const key = `${env.TABLE_NAME}|${env.DYNAMODB_ENDPOINT ?? ''}`;
  if (subjectStore?.key !== key) subjectStore = { key, store: new SubjectStore(createDocumentClient(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}), env.TABLE_NAME) };
  return subjectStore.store;
}

/**
 * EVENT_BUS_NAME set: the bus; else EVENTS_FILE (local JSON lines); else kept in memory. With TABLE_NAME set, every
 * detail's customer id is replaced by its subject id on the way out (docs/privacy.md).
 */
export function publisherFromEnv(env: NodeJS.ProcessEnv = process.env): EventPublisher {
  let inner: EventPublisher;
  if (env.EVENT_BUS_NAME) {
    // In Lambda every published event is also counted (Powertools EMF, adapters/metrics.ts).
    if (busPublisher?.bus !== env.EVENT_BUS_NAME) busPublisher = { bus: env.EVENT_BUS_NAME, publisher: new MetricsPublisher(new EventBridgePublisher(createEventBridgeClient(), env.EVENT_BUS_NAME)) };
    inner = busPublisher.publisher;
  } else if (env.EVENTS_FILE) inner = new FileEventPublisher(env.EVENTS_FILE);
  else inner = new MemoryPublisher();
  const subjects = subjectsFromEnv(env);
  return subjects ? new PseudonymizingPublisher(inner, subjects) : inner;
}
