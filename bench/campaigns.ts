// The shipped campaigns with a budget no bench run reaches. The benches measure orchestration and I/O per ask; the
// budget rule (core/budget.ts, which reserves each open ask's expected liability) would otherwise stop a run after
// the first hundred or so asks and leave the rest as cheap skips, which says nothing about the cost of an ask.
import { FileCampaignRepository } from '../adapters/campaign-files.js';
import type { CampaignRepository } from '../core/ports.js';
import type { Campaign } from '../core/schemas/campaign.js';

export function unboundedBudgets(shipped: CampaignRepository = new FileCampaignRepository()): CampaignRepository {
  const lift = (c: Campaign): Campaign => ({ ...c, budget: { ...c.budget, amountMinor: Number.MAX_SAFE_INTEGER } });
  return {
    get: async (id) => {
      const c = await shipped.get(id);
      return c ? lift(c) : undefined;
    },
    list: async () => (await shipped.list()).map(lift),
  };
}
