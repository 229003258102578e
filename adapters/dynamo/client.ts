// DynamoDB clients for the cloud and the local engine (dynalite), plus `ensureTable` for the local runtime and tests.
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput } from './table-def.js';
import { createAwsClient } from '../aws-clients.js';

export interface DocumentClientOptions {
  /** Local engine URL (e.g. http://127.0.0.1:8700); omit for AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL or AWS itself. */
  endpoint?: string;
  region?: string;
  profile?: string;
}

/** The default local endpoint and table (what `npm start` runs and `asks import/seed` target). */
export const LOCAL_DEFAULTS = { endpoint: 'http://127.0.0.1:8700', tableName: 'referral-asks-local' } as const;

export function createDocumentClient(options: DocumentClientOptions = {}): DynamoDBDocumentClient {
  const local = options.endpoint !== undefined && options.endpoint !== '';
  // Endpoint, region, profile and (for loopback engines) dummy credentials: adapters/aws-clients.ts.
  const client = createAwsClient('dynamodb', DynamoDBClient, { ...options, ...(local ? { maxAttempts: 3 } : {}) });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

async function tableStatus(client: DynamoDBDocumentClient, tableName: string): Promise<string | undefined> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table?.TableStatus;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** Create the table (with every GSI) if it is missing, then wait until it and its indexes are ACTIVE. */
export async function ensureTable(client: DynamoDBDocumentClient, tableName: string, timeoutMs = 30_000): Promise<void> {
  if ((await tableStatus(client, tableName)) === undefined) {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    } catch (error) {
      // Two processes racing to create the same table is fine.
      if (!(error instanceof ResourceInUseException || (error as { name?: string }).name === 'ResourceInUseException')) throw error;
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (out.Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === undefined || g.IndexStatus === 'ACTIVE');
    if (out.Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} did not become ACTIVE within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True when something answers DynamoDB requests at `endpoint` (used to tell the user to run `npm start`). */
export async function isEndpointReachable(client: DynamoDBDocumentClient): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: '__probe__' }));
    return true;
  } catch (error) {
    const name = (error as { name?: string }).name;
    return name === 'ResourceNotFoundException';
  }
}

export interface DataTarget {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** The local endpoint, or undefined for the cloud. */
  endpoint?: string;
}

/**
 * Resolve where CLI data commands write: `--cloud` uses the default AWS credentials and TABLE_NAME as is; otherwise the
 * local engine (DYNAMODB_ENDPOINT, default http://127.0.0.1:8700) must be running, and the table is created if missing.
 * Throws a `LocalEngineDownError` with the fix when nothing answers.
 */
export async function connectDataTarget(options: { endpoint?: string; table?: string; cloud?: boolean; env?: NodeJS.ProcessEnv }): Promise<DataTarget> {
  const env = options.env ?? process.env;
  const tableName = options.table ?? env.TABLE_NAME ?? LOCAL_DEFAULTS.tableName;
  if (options.cloud) return { doc: createDocumentClient({ region: env.AWS_REGION }), tableName };
  const endpoint = options.endpoint ?? (env.DYNAMODB_ENDPOINT || LOCAL_DEFAULTS.endpoint);
  const doc = createDocumentClient({ endpoint });
  if (!(await isEndpointReachable(doc))) throw new LocalEngineDownError(endpoint);
  await ensureTable(doc, tableName);
  return { doc, tableName, endpoint };
}

export class LocalEngineDownError extends Error {
  constructor(readonly endpoint: string) {
    super(`no local DynamoDB answers at ${endpoint}: run \`npm start\` in another terminal first (or pass --endpoint <url>, or --cloud for the deployed table)`);
    this.name = 'LocalEngineDownError';
  }
}
