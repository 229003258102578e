// The conversions webhook secret (HMAC-SHA256): Secrets Manager in the cloud (WEBHOOK_SECRET_ARN; the secret string is
// the secret itself, or JSON {"secret": "..."}), a local file for the embedded runtime (WEBHOOK_SECRET_FILE, default
// .local/webhook-secret, created with 32 random bytes on first use). Cached per source: a cold start reads it once.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createAwsClient } from './aws-clients.js';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const DEFAULT_WEBHOOK_SECRET_FILE = '.local/webhook-secret';

export function parseWebhookSecret(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const secret = (JSON.parse(trimmed) as { secret?: unknown }).secret;
    if (typeof secret !== 'string' || secret.length < 16) throw new Error('webhook secret JSON needs a "secret" of at least 16 characters');
    return secret;
  }
  if (trimmed.length < 16) throw new Error('webhook secret must be at least 16 characters');
  return trimmed;
}

export function loadLocalWebhookSecret(file: string): string {
  if (existsSync(file)) return parseWebhookSecret(readFileSync(file, 'utf8'));
  const secret = randomBytes(32).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

const cache = new Map<string, Promise<string>>();

export function loadWebhookSecret(env: NodeJS.ProcessEnv = process.env, client?: SecretsManagerClient): Promise<string> {
  const arn = env.WEBHOOK_SECRET_ARN;
  const key = arn ?? env.WEBHOOK_SECRET_FILE ?? DEFAULT_WEBHOOK_SECRET_FILE;
  let found = cache.get(key);
  if (!found && !arn && env.AWS_LAMBDA_FUNCTION_NAME) {
    // In Lambda a secret must come from Secrets Manager: never mint one into the (read-only) bundle.
    return Promise.reject(new Error('WEBHOOK_SECRET_ARN is not set'));
  }
  if (!found) {
    found = arn
      ? (client ?? createAwsClient('secretsmanager', SecretsManagerClient)).send(new GetSecretValueCommand({ SecretId: arn })).then((out) => parseWebhookSecret(out.SecretString ?? ''))
      : Promise.resolve(loadLocalWebhookSecret(key));
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}
