// Lambda entry: Summarize (run record + referral.run.completed.v1).
import { DynamoRunStore } from '../../adapters/dynamo/runs.js';
import { publisherFromEnv } from '../../adapters/eventbridge.js';
import { summarizeHandler } from './handlers.js';
import { observabilityFromEnv, tableFromEnv } from './env.js';

export const handler = async (event: unknown) => {
  const { doc, tableName } = tableFromEnv();
  return summarizeHandler({
    summarize: { runs: new DynamoRunStore(doc, tableName), events: publisherFromEnv() },
    observability: observabilityFromEnv(),
  })(event);
};
