// Wiring shared by the workflow Lambda entries: table and observability (campaigns: campaigns-env.ts), read from the
// environment at call time (handlers share process.env when they run in one process locally). Imports only what every
// entry needs.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../adapters/dynamo/client.js';
import type { Observability } from './handlers.js';

export interface TableEnv {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

const docs = new Map<string, DynamoDBDocumentClient>();

/** TABLE_NAME (required) and DYNAMODB_ENDPOINT (local only); clients are reused per endpoint. */
export function tableFromEnv(env: NodeJS.ProcessEnv = process.env): TableEnv {
  const tableName = env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set: the workflow functions need the table name');
  const endpoint = env.DYNAMODB_ENDPOINT ?? '';
  let doc = docs.get(endpoint);
  if (!doc) {
    doc = createDocumentClient(endpoint ? { endpoint } : {});
    docs.set(endpoint, doc);
  }
  return { doc, tableName };
}

let observability: Observability | undefined;
/** Powertools logger and metrics; metrics are published only inside Lambda (locally they would flood stdout). */
export function observabilityFromEnv(env: NodeJS.ProcessEnv = process.env): Observability {
  if (!observability) {
    const inLambda = Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
    observability = {
      logger: new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'referral-asks' }),
      ...(inLambda ? { metrics: new Metrics({ namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? 'ReferralAsks', serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'referral-asks' }) } : {}),
    };
  }
  return observability;
}
