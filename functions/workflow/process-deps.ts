// Everything ProcessBatch talks to, built from explicit options (local runtime, tests, bench) or from the environment
// (the Lambda): the table adapters, SES v2 email, the other channels, events, the keyring, campaigns and templates.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ambientClock, nanoIds } from '../../adapters/clock.js';
import { FileCampaignRepository, FileProgramSource } from '../../adapters/campaign-files.js';
import { DynamoAskStore } from '../../adapters/dynamo/asks.js';
import { AskSendMarkers } from '../../adapters/dynamo/ask-send-markers.js';
import { DynamoBudgetStore } from '../../adapters/dynamo/budget.js';
import { DynamoCodeStore } from '../../adapters/dynamo/codes.js';
import { CustomerStore } from '../../adapters/dynamo/customers.js';
import { MilestoneStore } from '../../adapters/dynamo/milestones.js';
import { publisherFromEnv } from '../../adapters/eventbridge.js';
import { keyringFromEnv } from '../../adapters/signing-keys.js';
import { createSesClient } from '../../adapters/channels/ses-email.js';
import { createChannelSenders } from '../../adapters/channels/index.js';
import { createSmsClient, type OriginationIdentities } from '../../adapters/channels/sms.js';
import { FsTemplateSource } from '../../adapters/templates-fs.js';
import { createRenderer } from '../../core/render.js';
import type { EventPublisher } from '../../core/ports.js';
import type { ProcessDeps } from '../../core/workflow/process.js';
import { campaignsFromEnv, programFromEnv } from './campaigns-env.js';
import { tableFromEnv } from './env.js';
import { ShortLinkStore } from '../../adapters/dynamo/short-links.js';

export interface ProcessWiring {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** SES endpoint (local server); omit for the real SES. */
  sesEndpoint?: string;
  sesFrom?: string;
  sesConfigurationSet?: string;
  publicBaseUrl: string;
  events: EventPublisher;
  keyring: ProcessDeps['keyring'];
  campaigns?: ProcessDeps['campaigns'];
  /** The program file (brand, sender, postal address); default: program.yaml beside the campaigns. */
  program?: ProcessDeps['program'];
  templatesDir?: string;
  smsOutboxFile?: string;
  /** SMS origination identity per ISO country plus `default` (SMS_ORIGINATION_IDENTITIES, docs/deploy.md). */
  smsOriginationIdentities?: OriginationIdentities;
  /** SES sends per second across all workers (the account quota). */
  sendRatePerSecond?: number;
  concurrency?: number;
}

/** ProcessDeps plus the concrete stores (the bench reads their read counters). */
export function buildProcessDeps(w: ProcessWiring): ProcessDeps & { stores: { customers: CustomerStore; asks: DynamoAskStore; codes: DynamoCodeStore; budget: DynamoBudgetStore; pending: MilestoneStore } } {
  const customers = new CustomerStore(w.doc, w.tableName);
  const asks = new DynamoAskStore(w.doc, w.tableName, w.keyring);
  const codes = new DynamoCodeStore(w.doc, w.tableName, nanoIds);
  const budget = new DynamoBudgetStore(w.doc, w.tableName);
  const pending = new MilestoneStore(w.doc, w.tableName);
  // Every channel behind the idempotency + suppression guard; email rate limited (in process for the one local
  // worker, a shared DynamoDB window in the cloud) and retried on throttling.
  const senders = createChannelSenders({
    doc: w.doc,
    tableName: w.tableName,
    ses: {
      client: createSesClient(w.sesEndpoint ? { endpoint: w.sesEndpoint } : {}),
      ...(w.sesFrom ? { from: w.sesFrom } : {}),
      ...(w.sesConfigurationSet ? { configurationSet: w.sesConfigurationSet } : {}),
    },
    // Locally (the outbox) eligibility already decided quiet hours as at each customer's send hour of the run date;
    // the SMS sender's own wall-clock quiet-hours net is for live sends only.
    // With a local SES endpoint and no outbox there is no SMS at all (never the real service from a local run).
    ...(w.smsOutboxFile
      ? { sms: { outboxFile: w.smsOutboxFile, quietHours: false as const } }
      : w.sesEndpoint
        ? {}
        : { sms: { client: createSmsClient(), ...(w.smsOriginationIdentities ? { originationIdentities: w.smsOriginationIdentities } : {}) } }),
    publisher: w.events,
    // The channel guards and SMS quiet hours read the run's clock (set per batch by the ProcessBatch handler).
    clock: ambientClock,
    // Send markers on the ask items; suppressions read once per batch by ProcessBatch (one BatchGet for all addresses).
    markers: new AskSendMarkers(w.doc, w.tableName),
    checkSuppression: false,
    rateLimitPerSecond: w.sendRatePerSecond ?? 14,
    rateLimitScope: w.sesEndpoint ? 'process' : 'shared',
  });
  return {
    campaigns: w.campaigns ?? new FileCampaignRepository(),
    program: w.program ?? new FileProgramSource(),
    customers,
    pending,
    asks,
    dueAsks: asks,
    suppressions: asks,
    codes,
    budget,
    senders,
    shortLinks: new ShortLinkStore(w.doc, w.tableName),
    events: w.events,
    keyring: w.keyring,
    templates: createRenderer(new FsTemplateSource(w.templatesDir)),
    clock: ambientClock,
    ids: nanoIds,
    publicBaseUrl: w.publicBaseUrl,
    concurrency: w.concurrency ?? 4,
    stores: { customers, asks, codes, budget, pending },
  };
}

/** SMS_ORIGINATION_IDENTITIES: JSON {"US": "+18005550100", "DE": "ACME", "default": "..."}; throws on anything else. */
export function parseOriginationIdentities(text: string): OriginationIdentities {
  const value = JSON.parse(text) as unknown;
  if (!value || typeof value !== 'object' || Array.isArray(value) || typeof (value as Record<string, unknown>).default !== 'string' || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new Error('SMS_ORIGINATION_IDENTITIES must be a JSON object of ISO country -> origination identity with a "default"');
  }
  return value as OriginationIdentities;
}

/** From the Lambda environment (TABLE_NAME, SES_*, PUBLIC_BASE_URL, SIGNING_*, EVENT_BUS_NAME). */
export function processDepsFromEnv(env: NodeJS.ProcessEnv = process.env): ProcessDeps {
  const { doc, tableName } = tableFromEnv(env);
  if (!env.PUBLIC_BASE_URL) throw new Error('PUBLIC_BASE_URL is not set: links in messages need it');
  return buildProcessDeps({
    doc,
    tableName,
    ...(env.SES_ENDPOINT ? { sesEndpoint: env.SES_ENDPOINT } : {}),
    ...(env.SES_FROM_ADDRESS ? { sesFrom: env.SES_FROM_ADDRESS } : {}),
    ...(env.SES_CONFIGURATION_SET ? { sesConfigurationSet: env.SES_CONFIGURATION_SET } : {}),
    publicBaseUrl: env.PUBLIC_BASE_URL,
    events: publisherFromEnv(env),
    keyring: keyringFromEnv(env),
    campaigns: campaignsFromEnv(env),
    program: programFromEnv(env),
    ...(env.TEMPLATES_DIR ? { templatesDir: env.TEMPLATES_DIR } : {}),
    ...(env.SMS_OUTBOX_FILE ? { smsOutboxFile: env.SMS_OUTBOX_FILE } : {}),
    ...(env.SMS_ORIGINATION_IDENTITIES ? { smsOriginationIdentities: parseOriginationIdentities(env.SMS_ORIGINATION_IDENTITIES) } : {}),
    sendRatePerSecond: Number(env.SEND_RATE_PER_SECOND ?? 14) || 14,
    concurrency: Number(env.SEND_CONCURRENCY ?? 4) || 4,
  });
}
