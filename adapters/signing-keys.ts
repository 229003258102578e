// The token keyring: Secrets Manager in the cloud (SIGNING_SECRET_ARN, JSON {"currentKid":"k1","k1":"..."}), a local
// key file for the embedded runtime (SIGNING_KEYS_FILE, default .local/keys.json, created on first use).
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createAwsClient } from './aws-clients.js';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Keyring } from '../core/ports.js';
import { generateKeyring } from '../core/links.js';

/** Accepts {currentKid, keys: {...}} or the flat secret form {currentKid, k1: "...", k2: "..."}. */
export function parseKeyring(text: string): Keyring {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const currentKid = String(raw.currentKid ?? '');
  const keys = (raw.keys as Record<string, string> | undefined) ?? Object.fromEntries(Object.entries(raw).filter(([k, v]) => k !== 'currentKid' && typeof v === 'string')) as Record<string, string>;
  if (!currentKid || !keys[currentKid]) throw new Error(`keyring has no key for currentKid "${currentKid}"`);
  return { currentKid, keys };
}

export function loadLocalKeyring(file: string): Keyring {
  if (existsSync(file)) return parseKeyring(readFileSync(file, 'utf8'));
  const keyring = generateKeyring(randomBytes, 'local1');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(keyring, null, 2), { mode: 0o600 });
  return keyring;
}

const cache = new Map<string, Promise<Keyring>>();

/** The keyring for this process, cached per source (a cold start reads the secret once). */
export function loadKeyring(env: NodeJS.ProcessEnv = process.env, client?: SecretsManagerClient): Promise<Keyring> {
  const arn = env.SIGNING_SECRET_ARN;
  const key = arn ?? env.SIGNING_KEYS_FILE ?? '.local/keys.json';
  let found = cache.get(key);
  if (!found) {
    found = arn
      ? (client ?? createAwsClient('secretsmanager', SecretsManagerClient)).send(new GetSecretValueCommand({ SecretId: arn })).then((out) => parseKeyring(out.SecretString ?? '{}'))
      : Promise.resolve(loadLocalKeyring(key));
    cache.set(key, found);
  }
  return found;
}

/** A keyring provider for handlers: SIGNING_SECRET_ARN (cloud) or SIGNING_KEYS_FILE (local), read at call time. */
export function keyringFromEnv(env: NodeJS.ProcessEnv = process.env): () => Promise<Keyring> {
  return () => loadKeyring(env);
}
