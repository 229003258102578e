// Lambda entry: ProcessBatch (about 100 due customers: decide, claim, link, render, send, record).
import { processBatchHandler } from './handlers.js';
import { observabilityFromEnv, tableFromEnv } from './env.js';
import { processDepsFromEnv } from './process-deps.js';
import { DynamoProgressStore } from '../../adapters/dynamo/progress.js';
import { DynamoRunStore } from '../../adapters/dynamo/runs.js';

let cached: { key: string; handler: ReturnType<typeof processBatchHandler> } | undefined;

export const handler = async (event: unknown) => {
  // Rebuilt only when the environment changes (locally several tables or endpoints may be used in one process).
  const key = [process.env.TABLE_NAME, process.env.DYNAMODB_ENDPOINT, process.env.SES_ENDPOINT, process.env.PUBLIC_BASE_URL].join('|');
  if (cached?.key !== key) {
    const { doc, tableName } = tableFromEnv();
    cached = { key, handler: processBatchHandler({ process: processDepsFromEnv(), progress: new DynamoProgressStore(doc, tableName), runs: new DynamoRunStore(doc, tableName), observability: observabilityFromEnv() }) };
  }
  return cached.handler(event);
};
