// The demo after the ask, for `npm start`: simulated friends visit share pages, share, click, leave a lead, sign up and
// buy through the real HTTP handlers (the signed webhook included), and customers (asked, held out and never asked)
// place ordinary orders through the customer-activity handler. Everything it makes is demo data: friends are
// `demo-friend-*` with @demo.example addresses, orders are `demo-order-*`. Deterministic per ask (seeded by its id).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { MilestoneStore } from '../adapters/dynamo/milestones.js';
import { asksByCampaignGsi, GSI1_INDEX } from '../adapters/dynamo/keys.js';
import { publisherFromEnv } from '../adapters/eventbridge.js';
import { loadKeyring } from '../adapters/signing-keys.js';
import { loadLocalWebhookSecret } from '../adapters/webhook-secret.js';
import { signToken } from '../core/links.js';
import { mulberry32 } from '../core/seed.js';
import { signWebhook } from '../core/webhooks.js';
import { makeHandler as makeActivityHandler } from '../functions/activity/customer-activity.js';
import { makeSesEventsHandler } from '../functions/channels/ses-events.js';
import { EMAIL_TAGS, encodeTagValue } from '../core/email-headers.js';
import type { LocalEnvironment } from './environment.js';

const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const NETWORKS = ['whatsapp', 'email', 'copy', 'sms', 'linkedin'] as const;

/** Share of demo emails that bounce permanently, and of delivered ones whose recipient complains. */
const DEMO_BOUNCE_RATE = 0.03;
const DEMO_COMPLAINT_RATE = 0.02;

export interface DemoCounts {
  delivered: number;
  bounced: number;
  complained: number;
  visits: number;
  shares: number;
  clicks: number;
  leads: number;
  signups: number;
  purchases: number;
  orders: number;
}

interface AskItem {
  askId: string;
  customerId: string;
  campaignId: string;
  status: string;
  referralCode?: string;
  channel?: string;
  messageId?: string;
  createdAt: string;
  milestone: { occurrenceId: string };
}

const seedOf = (s: string): number => createHash('sha256').update(s).digest().readUInt32BE(0);

async function asksOf(env: LocalEnvironment, campaignId: string): Promise<AskItem[]> {
  const out: AskItem[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await env.doc.send(new QueryCommand({ TableName: env.tableName, IndexName: GSI1_INDEX, KeyConditionExpression: 'GSI1PK = :p', ExpressionAttributeValues: { ':p': asksByCampaignGsi(campaignId) }, ExclusiveStartKey: startKey }));
    out.push(...((page.Items ?? []) as AskItem[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return out;
}

/**
 * Simulate what follows today's asks (those created on or after `since`) on the running HTTP API at `baseUrl`.
 * Throws when a handler answers with a server error.
 */
export async function simulateAfterAsks(env: LocalEnvironment, baseUrl: string, since: string, now: Date = new Date()): Promise<DemoCounts> {
  const counts: DemoCounts = { delivered: 0, bounced: 0, complained: 0, visits: 0, shares: 0, clicks: 0, leads: 0, signups: 0, purchases: 0, orders: 0 };
  const keyring = await loadKeyring({ SIGNING_KEYS_FILE: join(env.stateDir, 'keys.json') });
  const secret = loadLocalWebhookSecret(process.env.WEBHOOK_SECRET_FILE ?? join(env.stateDir, 'webhook-secret'));
  const campaigns = (await env.deps.campaigns.list()).filter((c) => c.status === 'active');
  const get = async (path: string) => {
    const res = await fetch(`${baseUrl}${path}`, { redirect: 'manual', headers: { 'user-agent': BROWSER } });
    if (res.status >= 500) throw new Error(`GET ${path}: ${res.status}`);
    await res.arrayBuffer();
    return res;
  };
  const webhook = async (body: Record<string, unknown>) => {
    const raw = JSON.stringify(body);
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${baseUrl}/conversions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-referral-timestamp': String(ts), 'x-referral-signature': signWebhook(secret, ts, raw) }, body: raw });
    if (res.status >= 500) throw new Error(`POST /conversions: ${res.status}`);
    return (await res.json()) as { status?: string };
  };
  // With the table named, events leave with subject ids instead of customer ids, as everywhere (docs/privacy.md).
  const publisher = publisherFromEnv({ EVENTS_FILE: join(env.stateDir, 'events.jsonl'), TABLE_NAME: env.tableName, DYNAMODB_ENDPOINT: env.dynamo.url });
  const activity = makeActivityHandler({ milestones: new MilestoneStore(env.doc, env.tableName), campaigns: env.deps.campaigns, clock: { now: () => new Date() }, logger: { info() {}, warn() {}, error() {} }, publisher });
  const order = async (customerId: string, key: string, rand: () => number) => {
    const customer = await env.customers.get(customerId);
    if (!customer) return;
    await activity({ type: 'order_completed', customerId, orderId: `demo-order-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`, amountMinor: 1500 + Math.floor(rand() * 9000), currency: customer.currency ?? 'EUR', at: new Date().toISOString() });
    counts.orders += 1;
  };

  // The local SES server sends no events: what SES would report for each email, through the real SES-events handler.
  const ses = makeSesEventsHandler({ doc: env.doc, tableName: env.tableName, publisher });
  const sesEvent = (ask: AskItem, eventType: string, extra: Record<string, unknown>) => ({
    'detail-type': `Email ${eventType}`,
    source: 'aws.ses',
    detail: { eventType, mail: { messageId: ask.messageId, timestamp: new Date().toISOString(), destination: [], tags: { [EMAIL_TAGS.askId]: [encodeTagValue(ask.askId)] } }, ...extra },
  });
  for (const campaign of campaigns) {
    const asks = (await asksOf(env, campaign.id)).filter((a) => a.createdAt >= since);
    for (const ask of asks) {
      const rand = mulberry32(seedOf(ask.askId));
      // Customers' own orders after the decision: asked ones a little more often than held-out ones (the lift).
      if (ask.status === 'held_out' && rand() < 0.3) await order(ask.customerId, `${ask.askId}-own`, rand);
      if (ask.status === 'skipped' && rand() < 0.2) await order(ask.customerId, `${ask.askId}-organic`, rand);
      if (ask.status !== 'sent' || !ask.referralCode) continue;
      if (rand() < 0.35) await order(ask.customerId, `${ask.askId}-own`, rand);
      if (ask.channel === 'email' && ask.messageId) {
        const t = new Date().toISOString();
        const address = (await env.customers.get(ask.customerId))?.email ?? `${ask.customerId}@demo.example`;
        // A few addresses bounce for good (then nothing else happens) and a few recipients complain after delivery, at
        // rates near real senders', so the report's bounce and complaint rates and the suppression list have data.
        if (rand() < DEMO_BOUNCE_RATE) {
          await ses(sesEvent(ask, 'Bounce', { bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: address }], timestamp: t } }));
          counts.bounced += 1;
          continue;
        }
        await ses(sesEvent(ask, 'Delivery', { delivery: { timestamp: t } }));
        counts.delivered += 1;
        if (rand() < DEMO_COMPLAINT_RATE) {
          await ses(sesEvent(ask, 'Complaint', { complaint: { complainedRecipients: [{ emailAddress: address }], complaintFeedbackType: 'abuse', timestamp: t } }));
          counts.complained += 1;
          continue;
        }
        if (rand() < 0.45) await ses(sesEvent(ask, 'Open', { open: { timestamp: t } }));
      }
      const token = signToken({ p: 'share', c: ask.customerId, k: campaign.id, o: ask.milestone.occurrenceId, r: ask.referralCode }, keyring);
      if (rand() >= 0.7) continue;
      await get(`/s/${token}`);
      counts.visits += 1;
      if (rand() >= 0.55) continue;
      await get(`/s/${token}/to/${NETWORKS[Math.floor(rand() * NETWORKS.length)]}`);
      counts.shares += 1;
      const friends = 1 + Math.floor(rand() * 3);
      for (let f = 0; f < friends; f += 1) {
        const res = await get(`/r/${ask.referralCode}`);
        const location = res.headers.get('location');
        const clickId = location ? (new URL(location, baseUrl).searchParams.get('click') ?? undefined) : undefined;
        if (!clickId) continue;
        counts.clicks += 1;
        const friendId = `demo-friend-${createHash('sha256').update(`${ask.askId}#${f}`).digest('hex').slice(0, 12)}`;
        const email = `${friendId}@demo.example`;
        if (rand() < 0.5) {
          const res2 = await fetch(`${baseUrl}/l/${campaign.id}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': BROWSER }, body: new URLSearchParams({ name: 'Demo friend', email, ref: ask.referralCode, click: clickId }).toString() });
          if (res2.status >= 500) throw new Error(`POST /l/${campaign.id}: ${res2.status}`);
          await res2.arrayBuffer();
          counts.leads += 1;
        }
        if (rand() >= 0.4) continue;
        const at = new Date().toISOString();
        const signup = await webhook({ type: 'signup', idempotencyKey: `demo-signup-${friendId}`, externalCustomerId: friendId, email, clickId, referralCode: ask.referralCode, occurredAt: at });
        if (signup.status === 'recorded') counts.signups += 1;
        if (rand() >= 0.6) continue;
        const currency = campaign.reward.currency;
        const purchase = await webhook({ type: 'purchase', idempotencyKey: `demo-purchase-${friendId}`, externalCustomerId: friendId, email, clickId, referralCode: ask.referralCode, amountMinor: 2500 + Math.floor(rand() * 7000), currency, orderId: `demo-order-${friendId}-1`, occurredAt: at });
        if (purchase.status === 'recorded') counts.purchases += 1;
      }
    }
  }
  void now;
  return counts;
}
