// Lambda entry: LoadCampaign (RunInput -> RunState with the segments the run reads).
import { CustomerStore } from '../../adapters/dynamo/customers.js';
import { makeHandlers } from './handlers.js';
import { campaignsFromEnv, observabilityFromEnv, tableFromEnv } from './env.js';

export const handler = async (event: unknown) => {
  const { doc, tableName } = tableFromEnv();
  return makeHandlers({
    load: { campaigns: campaignsFromEnv(), customers: new CustomerStore(doc, tableName) },
    observability: observabilityFromEnv(),
  }).loadCampaign(event);
};
