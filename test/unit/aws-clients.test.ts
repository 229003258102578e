// One place creates every AWS client (adapters/aws-clients.ts): the standard endpoint, region and profile settings,
// dummy credentials for loopback emulators, and the call recorder.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { clientConfig, createAwsClient, currentFunction, endpointFor, inFunction, resourcesOf } from '../../adapters/aws-clients.js';
import { REPO_ROOT } from '../../local/definition.js';

describe('clientConfig', () => {
  it('takes an explicit endpoint first, then AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL', () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:2', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:3' };
    expect(endpointFor('dynamodb', { endpoint: 'http://127.0.0.1:9' }, env)).toBe('http://127.0.0.1:9');
    expect(endpointFor('dynamodb', {}, env)).toBe('http://127.0.0.1:2');
    expect(endpointFor('secretsmanager', {}, env)).toBe('http://127.0.0.1:3');
    expect(endpointFor('events', {}, env)).toBe('http://127.0.0.1:1');
    expect(endpointFor('ses', {}, {})).toBeUndefined();
  });

  it('uses AWS_REGION, then AWS_DEFAULT_REGION; signs for a loopback emulator with dummy credentials only when none are configured', () => {
    expect(clientConfig('events', {}, { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' })).toEqual({ region: 'eu-west-1' });
    expect(clientConfig('events', {}, { AWS_DEFAULT_REGION: 'us-west-2' })).toEqual({ region: 'us-west-2' });
    expect(clientConfig('events', { region: 'ap-south-1', profile: 'prod' }, { AWS_REGION: 'eu-west-1' })).toEqual({ region: 'ap-south-1', profile: 'prod' });
    expect(clientConfig('dynamodb', {}, { AWS_ENDPOINT_URL: 'http://localhost:4566' })).toEqual({ endpoint: 'http://localhost:4566', region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    expect(clientConfig('dynamodb', {}, { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_ACCESS_KEY_ID: 'k' })).toEqual({ endpoint: 'http://127.0.0.1:5000', region: 'us-east-1' });
    // A remote endpoint never gets dummy credentials.
    expect(clientConfig('dynamodb', {}, { AWS_ENDPOINT_URL: 'https://dynamodb.example.com', AWS_REGION: 'eu-west-1' })).toEqual({ endpoint: 'https://dynamodb.example.com', region: 'eu-west-1' });
  });

  it('gives the SDK client the resolved endpoint', async () => {
    const client = createAwsClient('dynamodb', DynamoDBClient, { endpoint: 'http://127.0.0.1:9' });
    expect(String((await client.config.endpoint!()).hostname)).toBe('127.0.0.1');
    client.destroy();
  });
});

describe('the call recorder', () => {
  it('attributes calls to the running function only', async () => {
    expect(currentFunction()).toBeUndefined();
    const seen = await inFunction('ProcessBatch', async () => currentFunction())();
    expect(seen).toBe(process.env.AWS_CALL_LOG_DIR ? 'ProcessBatch' : undefined);
  });

  it('names the resources of a call from its input', () => {
    expect(resourcesOf('dynamodb', { TableName: 't', IndexName: 'GSI1' })).toEqual(['table/t/index/GSI1']);
    expect(resourcesOf('dynamodb', { RequestItems: { a: {}, b: {} } })).toEqual(['table/a', 'table/b']);
    expect(resourcesOf('events', { Entries: [{ EventBusName: 'bus' }, { EventBusName: 'bus' }] })).toEqual(['event-bus/bus']);
    expect(resourcesOf('ses', { FromEmailAddress: 'Acme <asks@news.acme.com>', ConfigurationSetName: 'cs' })).toEqual(['identity/news.acme.com', 'configuration-set/cs']);
  });

  it('does not break a call (the middleware passes the request through)', async () => {
    const client = createAwsClient('dynamodb', DynamoDBClient, { endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    await expect(client.send(new ListTablesCommand({}))).rejects.toThrow();
    client.destroy();
  });
});

describe('one place creates AWS clients', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : name.endsWith('.ts') ? [path] : [];
    });

  it('no source outside adapters/aws-clients.ts constructs an SDK client', () => {
    const offenders = ['adapters', 'functions', 'cli', 'local', 'core', 'infra']
      .flatMap((d) => files(join(REPO_ROOT, d)))
      .filter((f) => !f.endsWith('aws-clients.ts'))
      .filter((f) => /new\s+[A-Z][A-Za-z0-9]*Client\s*\(/.test(readFileSync(f, 'utf8').replace(/\/\/.*$/gm, '')))
      .map((f) => relative(REPO_ROOT, f));
    expect(offenders, 'create clients with createAwsClient (adapters/aws-clients.ts) so endpoint, region, profile and the call recorder apply').toEqual([]);
  });
});
