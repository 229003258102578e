// Everything ProcessBatch talks to, built from explicit options (local runtime, tests, bench) or from the environment
// (the Lambda): the table adapters, SES v2 email, the other channels, events, the keyring, campaigns and templates.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { nanoIds, systemClock } from '../../adapters/clock.js';
import { FileCampaignRepository } from '../../adapters/campaign-files.js';
import { DynamoAskStore } from '../../adapters/dynamo/asks.js';
import { DynamoBudgetStore } from '../../adapters/dynamo/budget.js';
import { DynamoCodeStore } from '../../adapters/dynamo/codes.js';
import { CustomerStore } from '../../adapters/dynamo/customers.js';
import { MilestoneStore } from '../../adapters/dynamo/milestones.js';
import { publisherFromEnv } from '../../adapters/eventbridge.js';
import { keyringFromEnv } from '../../adapters/signing-keys.js';
import { createSesClient, SesEmailSender } from '../../adapters/channels/ses-email.js';
import { FsTemplateSource } from '../../adapters/templates-fs.js';
import { createRenderer } from '../../core/render.js';
import { PermanentSendError } from '../../core/errors.js';
import type { ChannelSender, EventPublisher, OutboundMessage } from '../../core/ports.js';
import type { Channel } from '../../core/schemas/common.js';
import { detailType } from '../../core/schemas/events.js';
import type { ProcessDeps } from '../../core/workflow/process.js';
import { campaignsFromEnv, tableFromEnv } from './env.js';

// TEMPORARY SHIM (until helper E's adapters/channels for SMS and in-app land): in-app and account-manager asks are
// handed on as events (the app or CRM shows them); SMS goes to a local JSON-lines outbox or fails permanently.
export function eventChannelSenders(events: EventPublisher, options: { smsOutboxFile?: string; now?: () => string } = {}): Partial<Record<Channel, ChannelSender>> {
  const now = options.now ?? (() => new Date().toISOString());
  const viaEvent = (name: 'referral.ask.inapp' | 'referral.ask.assisted') => ({
    async send(m: OutboundMessage) {
      const data = m.data ?? {};
      const detail =
        name === 'referral.ask.inapp'
          ? { version: 1, occurredAt: now(), askId: m.askId, campaignId: m.campaignId, customerId: m.customerId, title: m.subject ?? '', body: m.text, shareUrl: m.shareUrl }
          : { version: 1, occurredAt: now(), askId: m.askId, campaignId: m.campaignId, customerId: m.customerId, ...(data.accountManager ? { accountManager: data.accountManager } : {}), shareMessage: String(data.shareMessage ?? ''), shareUrl: m.shareUrl };
      await events.publish([{ detailType: detailType(name), detail }]);
      return { messageId: m.idempotencyKey };
    },
  });
  const sms: ChannelSender = {
    async send(m) {
      if (!options.smsOutboxFile) throw new PermanentSendError('no SMS sender configured');
      await mkdir(dirname(options.smsOutboxFile), { recursive: true });
      await appendFile(options.smsOutboxFile, `${JSON.stringify({ at: now(), to: m.to.phone, text: m.text, askId: m.askId })}\n`);
      return { messageId: m.idempotencyKey };
    },
  };
  return { in_app: viaEvent('referral.ask.inapp'), account_manager: viaEvent('referral.ask.assisted'), sms };
}

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
  templatesDir?: string;
  smsOutboxFile?: string;
  concurrency?: number;
}

/** ProcessDeps plus the concrete stores (the bench reads their read counters). */
export function buildProcessDeps(w: ProcessWiring): ProcessDeps & { stores: { customers: CustomerStore; asks: DynamoAskStore; codes: DynamoCodeStore; budget: DynamoBudgetStore; pending: MilestoneStore } } {
  const customers = new CustomerStore(w.doc, w.tableName);
  const asks = new DynamoAskStore(w.doc, w.tableName);
  const codes = new DynamoCodeStore(w.doc, w.tableName, nanoIds);
  const budget = new DynamoBudgetStore(w.doc, w.tableName);
  const pending = new MilestoneStore(w.doc, w.tableName);
  const email = new SesEmailSender({
    client: createSesClient(w.sesEndpoint ? { endpoint: w.sesEndpoint } : {}),
    from: w.sesFrom ?? 'asks@example.com',
    ...(w.sesConfigurationSet ? { configurationSet: w.sesConfigurationSet } : {}),
  });
  return {
    campaigns: w.campaigns ?? new FileCampaignRepository(),
    customers,
    pending,
    asks,
    suppressions: asks,
    codes,
    budget,
    senders: { ...eventChannelSenders(w.events, w.smsOutboxFile ? { smsOutboxFile: w.smsOutboxFile } : {}), email },
    events: w.events,
    keyring: w.keyring,
    templates: createRenderer(new FsTemplateSource(w.templatesDir)),
    clock: systemClock,
    ids: nanoIds,
    publicBaseUrl: w.publicBaseUrl,
    concurrency: w.concurrency ?? 4,
    stores: { customers, asks, codes, budget, pending },
  };
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
    ...(env.TEMPLATES_DIR ? { templatesDir: env.TEMPLATES_DIR } : {}),
    ...(env.SMS_OUTBOX_FILE ? { smsOutboxFile: env.SMS_OUTBOX_FILE } : {}),
    concurrency: Number(env.SEND_CONCURRENCY ?? 4) || 4,
  });
}
