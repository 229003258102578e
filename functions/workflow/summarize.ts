// Lambda entry: Summarize (run record + referral.run.completed.v1).
import { systemClock } from '../../adapters/clock.js';
import { DynamoRunStore } from '../../adapters/dynamo/runs.js';
import { publisherFromEnv } from '../../adapters/eventbridge.js';
import { summarizeHandler } from './handlers.js';
import { observabilityFromEnv, tableFromEnv } from './env.js';

export const handler = async (event: unknown) => {
  const { doc, tableName } = tableFromEnv();
  return summarizeHandler({
    summarize: { runs: new DynamoRunStore(doc, tableName), events: publisherFromEnv(), clock: systemClock },
    observability: observabilityFromEnv(),
  })(event);
};
