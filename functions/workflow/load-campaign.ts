// Lambda entry: LoadCampaign (RunInput -> RunState with the segments the run reads).
import { CustomerStore } from '../../adapters/dynamo/customers.js';
import { loadCampaignHandler } from './handlers.js';
import { campaignsFromEnv } from './campaigns-env.js';
import { observabilityFromEnv, tableFromEnv } from './env.js';

export const handler = async (event: unknown) => {
  const { doc, tableName } = tableFromEnv();
  return loadCampaignHandler({
    load: { campaigns: campaignsFromEnv(), customers: new CustomerStore(doc, tableName) },
    observability: observabilityFromEnv(),
  })(event);
};
