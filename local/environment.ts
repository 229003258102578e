// The embedded runtime as one object: servers up (or reused), table ensured, the workflow wired to them. `npm start`,
// `asks run` and the bench all start from here.
import { join } from 'node:path';
import { createDocumentClient, ensureTable } from '../adapters/dynamo/client.js';
import { CustomerStore } from '../adapters/dynamo/customers.js';
import { LocalEndpointError, resolveLocalEndpoints, writeEngineRecord, type LocalEndpoints } from './endpoints.js';
import { openLocalDynamo, startHttp, startSes, type StartedServer } from './servers.js';
import { localDeps, type LocalWiring } from './run-campaign.js';

export interface LocalEnvironmentOptions {
  /** Directory for local state (.local): dynamo data, keys, mailbox, events. */
  stateDir?: string;
  dynamoPort?: number;
  sesPort?: number;
  httpPort?: number;
  /** Start the HTTP server (share pages, clicks). */
  http?: boolean;
  /** Keep DynamoDB data in memory (bench, tests) instead of under stateDir/dynamo. */
  inMemory?: boolean;
  tableName?: string;
  /**
   * Data elsewhere (`asks run --target aws`): this table through this client (no local DynamoDB is started); events
   * and the keyring in `wiring`. SES stays the local server.
   */
  data?: { doc: ReturnType<typeof createDocumentClient>; tableName: string };
  wiring?: Partial<LocalWiring>;
}

export interface LocalEnvironment {
  dynamo: StartedServer;
  ses: StartedServer;
  http?: StartedServer;
  httpNote?: string;
  publicBaseUrl: string;
  tableName: string;
  stateDir: string;
  /** The resolved endpoints this environment was started from (local/endpoints.ts). */
  endpoints: LocalEndpoints;
  deps: ReturnType<typeof localDeps>;
  customers: CustomerStore;
  doc: ReturnType<typeof createDocumentClient>;
  stop(): Promise<void>;
}

/**
 * Start (or reuse) the local servers on the endpoints `resolveLocalEndpoints` gives for `options` and the environment.
 * Throws a one-line `LocalEndpointError` when a port or the data directory is taken by someone else.
 */
export async function startLocalEnvironment(options: LocalEnvironmentOptions = {}): Promise<LocalEnvironment> {
  const endpoints = resolveLocalEndpoints({
    ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    ...(options.dynamoPort !== undefined ? { dynamoPort: options.dynamoPort } : {}),
    ...(options.sesPort !== undefined ? { sesPort: options.sesPort } : {}),
    ...(options.httpPort !== undefined ? { httpPort: options.httpPort } : {}),
    ...(options.data ? { tableName: options.data.tableName } : options.tableName !== undefined ? { tableName: options.tableName } : {}),
  });
  const { stateDir, tableName, publicBaseUrl } = endpoints;
  // A second `npm start` on a checkout whose `npm start` still serves: say so, not "port in use by another program".
  const serving = endpoints.engine?.http;
  if (options.http && serving && new URL(serving).port === String(endpoints.http.port)) {
    throw new LocalEndpointError(`npm start is already running for ${stateDir} (process ${endpoints.engine!.pid}, pages on ${serving}): stop it first (Ctrl-C), or run a campaign against it with \`npx asks run\``);
  }
  // With `data` (a deployed table) no local DynamoDB is started.
  const dynamo: StartedServer = options.data ? { url: '', reused: true, stop: async () => {} } : await openLocalDynamo(endpoints, { inMemory: options.inMemory ?? false });
  const ses = await startSes({ port: endpoints.ses.port });
  const httpPort = endpoints.http.port;
  const keysFile = join(stateDir, 'keys.json');
  // Handlers that read the environment (the HTTP API) see the same local resources.
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    ...(options.data ? {} : { DYNAMODB_ENDPOINT: dynamo.url }),
    SES_ENDPOINT: ses.url,
    PUBLIC_BASE_URL: publicBaseUrl,
    SIGNING_KEYS_FILE: keysFile,
    WEBHOOK_SECRET_FILE: process.env.WEBHOOK_SECRET_FILE ?? join(stateDir, 'webhook-secret'),
    // The HTTP API's events (share views, shares, clicks, leads, conversions) go to the same local log as the runs'.
    EVENTS_FILE: join(stateDir, 'events.jsonl'),
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
  });
  let http: StartedServer | undefined;
  let httpNote: string | undefined;
  if (options.http) {
    const started = await startHttp({ port: httpPort });
    if ('skipped' in started) httpNote = started.skipped;
    else http = started;
  }
  // Later commands in this checkout (`asks import`, `asks preview`) find these servers through the record.
  if (!dynamo.reused && !options.inMemory) writeEngineRecord(stateDir, { dynamo: dynamo.url, ses: ses.url, ...(http ? { http: http.url } : {}) });
  const doc = options.data?.doc ?? createDocumentClient({ endpoint: dynamo.url });
  // A deployed table exists already (created by its stack); the local one is created on first use.
  if (!options.data) await ensureTable(doc, tableName);
  const deps = localDeps({
    doc,
    tableName,
    sesUrl: ses.url,
    publicBaseUrl,
    keysFile,
    eventsFile: join(stateDir, 'events.jsonl'),
    smsOutboxFile: join(stateDir, 'outbox', 'sms.jsonl'),
    ...options.wiring,
  });
  return {
    dynamo,
    ses,
    ...(http ? { http } : {}),
    ...(httpNote ? { httpNote } : {}),
    publicBaseUrl,
    tableName,
    stateDir,
    endpoints,
    deps,
    customers: new CustomerStore(doc, tableName),
    doc,
    async stop() {
      await http?.stop();
      await ses.stop();
      await dynamo.stop();
      doc.destroy();
    },
  };
}
