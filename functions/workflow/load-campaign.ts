// Lambda entry: LoadCampaign (RunInput -> RunState with the segments the run reads).
import { nanoIds } from '../../adapters/clock.js';
import { DynamoBudgetStore } from '../../adapters/dynamo/budget.js';
import { CustomerStore } from '../../adapters/dynamo/customers.js';
import { DynamoProgressStore } from '../../adapters/dynamo/progress.js';
import { DynamoRunStore } from '../../adapters/dynamo/runs.js';
import { loadCampaignHandler } from './handlers.js';
import { campaignsFromEnv } from './campaigns-env.js';
import { observabilityFromEnv, tableFromEnv } from './env.js';

export const handler = async (event: unknown) => {
  const { doc, tableName } = tableFromEnv();
  return loadCampaignHandler({
    load: {
      campaigns: campaignsFromEnv(),
      customers: new CustomerStore(doc, tableName),
      ids: nanoIds,
      runs: new DynamoRunStore(doc, tableName),
      budget: new DynamoBudgetStore(doc, tableName),
      recovery: { progress: new DynamoProgressStore(doc, tableName), lookbackHours: Number(process.env.RECOVERY_LOOKBACK_HOURS ?? 24) || 24 },
    },
    observability: observabilityFromEnv(),
  })(event);
};
