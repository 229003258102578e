// Where the webhook secret and the disposable domain list come from: local files (the secret created once, 0600), Secrets
// Manager or a layer file in the cloud; a secret is never minted inside a Lambda bundle.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { loadWebhookSecret, parseWebhookSecret } from '../../../adapters/webhook-secret.js';

describe('webhook secret', () => {
  it('creates the local file once and reads the same secret back', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'whs-')), 'webhook-secret');
    const secret = await loadWebhookSecret({ WEBHOOK_SECRET_FILE: file });
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(file, 'utf8').trim()).toBe(secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('reads Secrets Manager in the cloud, plain or as {"secret": ...}', async () => {
    const sm = new SecretsManagerClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    mockClient(sm).on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ secret: 'cloud-secret-0123456789' }) });
    expect(await loadWebhookSecret({ WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:w' }, sm)).toBe('cloud-secret-0123456789');
    expect(parseWebhookSecret('  plain-secret-0123456789\n')).toBe('plain-secret-0123456789');
    expect(() => parseWebhookSecret('short')).toThrow(/16 characters/);
  });

  it('refuses to mint a secret inside Lambda', async () => {
    await expect(loadWebhookSecret({ AWS_LAMBDA_FUNCTION_NAME: 'api', WEBHOOK_SECRET_FILE: '/var/task/x' })).rejects.toThrow(/WEBHOOK_SECRET_ARN/);
  });
});

describe('disposable domains', () => {
  it('reads the npm list from the installed package, or from DISPOSABLE_DOMAINS_FILE (the Lambda layer)', async () => {
    const { loadDisposableDomains } = await import('../../../adapters/disposable-domains.js');
    const installed = await loadDisposableDomains({});
    expect(installed.size).toBeGreaterThan(10_000);
    expect(installed.has('mailinator.com')).toBe(true);
    const file = join(mkdtempSync(join(tmpdir(), 'dd-')), 'index.json');
    writeFileSync(file, JSON.stringify(['Throwaway.Example']));
    expect([...(await loadDisposableDomains({ DISPOSABLE_DOMAINS_FILE: file }))]).toEqual(['throwaway.example']);
    await expect(loadDisposableDomains({ DISPOSABLE_DOMAINS_FILE: '/nonexistent/x.json' })).rejects.toThrow();
  });
});
