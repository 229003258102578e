// Ports the core declares and adapters implement. Anything that talks to the outside world comes in here.
import type { Channel } from './schemas/common.js';
import type { ProjectEvent } from './schemas/events.js';

/** The clock is passed in: core never calls Date.now(). */
export interface Clock {
  now(): Date;
}

/** Id generation is passed in so tests are deterministic. */
export interface IdGenerator {
  /** A random, unguessable id (nanoid in production). */
  id(size?: number): string;
}

/** One message handed to a channel. */
export interface OutboundMessage {
  askId: string;
  customerId: string;
  campaignId: string;
  channel: Channel;
  /** Per ask and channel: the same key is never sent twice. */
  idempotencyKey: string;
  to: { email?: string; phone?: string; name?: string };
  /** The sender (email): display name and address from the program file; the channel formats the header. */
  from?: { name: string; address: string };
  replyTo?: string;
  subject?: string;
  preheader?: string;
  html?: string;
  text: string;
  shareUrl: string;
  unsubscribeUrl?: string;
  /** Extra headers (email): List-Unsubscribe and friends. */
  headers?: Record<string, string>;
  /** Structured data for in-app and account-manager channels. */
  data?: Record<string, unknown>;
}

export interface SendResult {
  messageId: string;
}

/** A channel sender throws ThrottlingError/TransientError (retry) or PermanentSendError (record, don't retry). */
export interface ChannelSender {
  send(message: OutboundMessage): Promise<SendResult>;
}

/** Puts project events on the bus (or the local log). Only the typed union goes out (core/schemas/events.ts). */
export interface EventPublisher {
  publish(events: ProjectEvent[]): Promise<void>;
}

/** HMAC keys by key id; `currentKid` signs, every listed key verifies (rotation). Secrets are base64url. */
export interface Keyring {
  currentKid: string;
  keys: Record<string, string>;
}

/** Where campaigns come from (files bundled with the function, or campaigns/ locally). */
export interface CampaignRepository {
  get(id: string): Promise<import('./schemas/campaign.js').Campaign | undefined>;
  list(): Promise<Array<import('./schemas/campaign.js').Campaign>>;
}

/** The program file (brand, sender, postal address, default locale); shipped with the code, read once. */
export interface ProgramSource {
  get(): Promise<import('./schemas/program.js').Program>;
}

/** Template sources by reference ("anniversary/email") and part ("html", "text", "subject"); undefined when missing. */
export interface TemplateSource {
  load(ref: string, part: string, locale?: string): Promise<string | undefined>;
}
