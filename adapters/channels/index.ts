// One call wires every channel for the workflow: email (SES v2, rate limited, retried on throttling), SMS (End User
// Messaging or the local outbox), in-app (inbox + event) and account manager (event); each behind the idempotency
// and suppression guard so an ask goes out at most once per channel.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { ChannelSender, Clock, EventPublisher } from '../../core/ports.js';
import type { Channel } from '../../core/schemas/common.js';
import { PermanentSendError } from '../../core/errors.js';
import { AssistedSender } from './assisted.js';
import { IdempotentSender, type SendMarkerStore } from './idempotent.js';
import { InAppSender } from './inapp.js';
import { DynamoRateLimiter, InProcessRateLimiter, RateLimitedSender, type RateLimiter } from './rate-limiter.js';
import { withRetry, type RetryOptions } from './retry.js';
import { SesEmailSender } from './ses-email.js';
import { OutboxSmsSender, SmsSender, type OriginationIdentities, type QuietHours } from './sms.js';

export { SendDeferredError, isSendDeferred } from './errors.js';

export interface ChannelSenderDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
  ses: { client: SESv2Client; from?: string; configurationSet?: string; unsubscribeMailbox?: string };
  sms?: {
    client?: PinpointSMSVoiceV2Client;
    /** Local runtime: write SMS here instead of sending (used when `client` is absent). */
    outboxFile?: string;
    originationIdentities?: OriginationIdentities;
    configurationSetName?: string;
    maxSegments?: number;
    quietHours?: QuietHours | false;
  };
  publisher: EventPublisher;
  clock: Clock;
  /** SES sends per second across all workers (the account's MaxSendRate). */
  rateLimitPerSecond: number;
  /** "shared" (default): the DynamoDB window counter; "process": an in-process bucket (local runtime, one worker). */
  rateLimitScope?: 'shared' | 'process';
  retry?: RetryOptions;
  /** Where the send markers live (default: their own `SEND#` items). */
  markers?: SendMarkerStore;
  /** Check the suppression list before each send (default true; off when the caller checked it already). */
  checkSuppression?: boolean;
  /** Skip the send markers (benchmarks of the raw channel); default false. */
  withoutIdempotency?: boolean;
}

const refuse = (why: string): ChannelSender => ({
  send: async () => {
    throw new PermanentSendError(why);
  },
});

export function createChannelSenders(deps: ChannelSenderDeps): Record<Channel, ChannelSender> {
  const limiter: RateLimiter =
    deps.rateLimitScope === 'process' ? new InProcessRateLimiter(deps.rateLimitPerSecond) : new DynamoRateLimiter(deps.doc, deps.tableName, deps.rateLimitPerSecond, 'ses');
  const ses = new SesEmailSender({
    client: deps.ses.client,
    ...(deps.ses.from ? { from: deps.ses.from } : {}),
    ...(deps.ses.configurationSet ? { configurationSet: deps.ses.configurationSet } : {}),
    ...(deps.ses.unsubscribeMailbox ? { unsubscribeMailbox: deps.ses.unsubscribeMailbox } : {}),
  });
  // The rate-limit wait comes before the send marker (beforeMarker below) and the retry on throttling sits outside the
  // guard: a refused send gives its marker back, so each try writes its marker just before calling SES.
  const retry = (sender: ChannelSender): ChannelSender => withRetry(sender, deps.retry ?? {});
  const smsBase = {
    clock: deps.clock,
    ...(deps.sms?.maxSegments !== undefined ? { maxSegments: deps.sms.maxSegments } : {}),
    ...(deps.sms?.quietHours !== undefined ? { quietHours: deps.sms.quietHours } : {}),
  };
  const identities = deps.sms?.originationIdentities ?? { default: 'ReferralAsk' };
  const smsClient = deps.sms?.client;
  const sms: ChannelSender = smsClient
    ? new SmsSender({ client: smsClient, originationIdentities: identities, ...smsBase, ...(deps.sms?.configurationSetName ? { configurationSetName: deps.sms.configurationSetName } : {}) })
    : deps.sms?.outboxFile
      ? new OutboxSmsSender(deps.sms.outboxFile, { ...smsBase, originationIdentities: identities })
      : refuse('sms: no SMS client or outbox configured');

  const raw: Record<Channel, ChannelSender> = {
    email: ses,
    sms,
    in_app: new InAppSender({ doc: deps.doc, tableName: deps.tableName, publisher: deps.publisher, clock: deps.clock }),
    account_manager: new AssistedSender({ publisher: deps.publisher, clock: deps.clock }),
  };
  if (deps.withoutIdempotency) return { ...raw, email: retry(new RateLimitedSender(ses, limiter)), sms: smsClient ? retry(sms) : sms };
  const guard = (s: ChannelSender, beforeMarker?: () => Promise<void>): ChannelSender =>
    new IdempotentSender(s, {
      doc: deps.doc,
      tableName: deps.tableName,
      clock: deps.clock,
      ...(deps.markers ? { markers: deps.markers } : {}),
      ...(deps.checkSuppression === false ? { checkSuppression: false } : {}),
      ...(beforeMarker ? { beforeMarker } : {}),
    });
  return {
    email: retry(guard(raw.email, () => limiter.acquire())),
    sms: smsClient ? retry(guard(raw.sms)) : guard(raw.sms),
    in_app: guard(raw.in_app),
    account_manager: guard(raw.account_manager),
  };
}
