// The embedded runtime as one object: servers up (or reused), table ensured, the workflow wired to them. `npm start`,
// `asks run` and the bench all start from here.
import { join, resolve } from 'node:path';
import { createDocumentClient, ensureTable, LOCAL_DEFAULTS } from '../adapters/dynamo/client.js';
import { CustomerStore } from '../adapters/dynamo/customers.js';
import { LOCAL_PORTS, startDynamo, startHttp, startSes, type StartedServer } from './servers.js';
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
  deps: ReturnType<typeof localDeps>;
  customers: CustomerStore;
  doc: ReturnType<typeof createDocumentClient>;
  stop(): Promise<void>;
}

function port(env: string | undefined, fallback: number): number {
  const n = Number(env);
  return env !== undefined && env !== '' && Number.isInteger(n) && n >= 0 && n < 65536 ? n : fallback;
}

export async function startLocalEnvironment(options: LocalEnvironmentOptions = {}): Promise<LocalEnvironment> {
  const stateDir = resolve(options.stateDir ?? '.local');
  const dynamo = await startDynamo({ port: options.dynamoPort ?? port(process.env.DYNAMO_PORT, LOCAL_PORTS.dynamo), dataDir: options.inMemory ? null : join(stateDir, 'dynamo') });
  const ses = await startSes({ port: options.sesPort ?? port(process.env.SES_PORT, LOCAL_PORTS.ses) });
  const tableName = options.tableName ?? process.env.TABLE_NAME ?? LOCAL_DEFAULTS.tableName;
  const httpPort = options.httpPort ?? port(process.env.PORT, LOCAL_PORTS.http);
  const publicBaseUrl = process.env.PUBLIC_BASE_URL ?? `http://localhost:${httpPort}`;
  const keysFile = join(stateDir, 'keys.json');
  // Handlers that read the environment (the HTTP API) see the same local resources.
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: dynamo.url,
    SES_ENDPOINT: ses.url,
    PUBLIC_BASE_URL: publicBaseUrl,
    SIGNING_KEYS_FILE: keysFile,
    WEBHOOK_SECRET_FILE: process.env.WEBHOOK_SECRET_FILE ?? join(stateDir, 'webhook-secret'),
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
  });
  let http: StartedServer | undefined;
  let httpNote: string | undefined;
  if (options.http) {
    const started = await startHttp({ port: httpPort });
    if ('skipped' in started) httpNote = started.skipped;
    else http = started;
  }
  const doc = createDocumentClient({ endpoint: dynamo.url });
  await ensureTable(doc, tableName);
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
