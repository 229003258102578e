// Everything the pages and webhooks need, built from the environment at call time (locally the embedded runtime sets
// it; in Lambda the stack does). The channel routes (unsubscribe, preferences, in-app) take a subset.
import { createDocumentClient } from '../../adapters/dynamo/client.js';
import { FileCampaignRepository } from '../../adapters/campaign-files.js';
import { nanoIds, systemClock } from '../../adapters/clock.js';
import { loadKeyring } from '../../adapters/signing-keys.js';
import { loadWebhookSecret } from '../../adapters/webhook-secret.js';
import { publisherFromEnv } from '../../adapters/eventbridge.js';
import { parseRetentionDays } from '../../core/privacy.js';
import type { ChannelRouteDeps } from './routes/unsubscribe.js';
import type { CampaignRepository, EventPublisher, IdGenerator } from '../../core/ports.js';

export interface HttpDeps extends ChannelRouteDeps {
  campaigns: CampaignRepository;
  publisher: EventPublisher;
  ids: IdGenerator;
  /** Plain-http localhost: cookies cannot be Secure there. */
  insecureCookies: boolean;
  /** HMAC secret of POST /conversions (WEBHOOK_SECRET_ARN in the cloud, WEBHOOK_SECRET_FILE locally); unset -> 503. */
  webhookSecret?: string;
  /** Days clicks (with visitor ids) and leads are kept: their `expiresAt` TTL (RETENTION_DAYS, default 180). */
  retentionDays?: number;
}

let cached: { key: string; deps: Promise<HttpDeps> } | undefined;

export function httpDepsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<HttpDeps> {
  const key = [env.TABLE_NAME, env.DYNAMODB_ENDPOINT, env.PUBLIC_BASE_URL, env.SIGNING_SECRET_ARN, env.SIGNING_KEYS_FILE, env.WEBHOOK_SECRET_ARN, env.WEBHOOK_SECRET_FILE, env.EVENT_BUS_NAME, env.EVENTS_FILE, env.RETENTION_DAYS].join('|');
  if (cached?.key === key) return cached.deps;
  const deps = (async (): Promise<HttpDeps> => {
    if (!env.TABLE_NAME) throw new Error('TABLE_NAME is not set');
    const baseUrl = env.PUBLIC_BASE_URL ?? 'http://localhost:3000';
    // Read beside the keyring; a missing webhook secret only disables POST /conversions (503), never the pages.
    const webhookSecret = loadWebhookSecret(env).catch(() => undefined);
    return {
      doc: createDocumentClient(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
      tableName: env.TABLE_NAME,
      keyring: await loadKeyring(env),
      clock: systemClock,
      ids: nanoIds,
      baseUrl,
      ...(env.TEMPLATES_DIR ? { templatesDir: env.TEMPLATES_DIR } : {}),
      campaigns: new FileCampaignRepository(env.CAMPAIGNS_DIR ? { dir: env.CAMPAIGNS_DIR } : {}),
      // The bus in the cloud; locally the event log (EVENTS_FILE), else memory.
      publisher: publisherFromEnv(env),
      insecureCookies: baseUrl.startsWith('http://'),
      retentionDays: parseRetentionDays(env.RETENTION_DAYS),
      ...(await webhookSecret.then((secret) => (secret ? { webhookSecret: secret } : {}))),
    };
  })();
  cached = { key, deps };
  return deps;
}
