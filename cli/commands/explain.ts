// `asks explain <customer> <campaign> --date D`: why the run would or would not ask this customer on that date, from
// the run's own eligibility code (core/workflow/explain.ts), with the facts the decision rests on. Writes nothing.
import type { Command } from 'commander';
import type { Explanation } from '../../core/workflow/explain.js';
import { withTargetOptions, type TargetOptions } from '../conversion-deps.js';
import { CliError, EXIT, out, printJson } from '../output.js';
import { localDateOption, unknownCampaign } from '../args.js';
import { formatMoney } from '../../core/money.js';

export function humanExplanation(e: Explanation): string[] {
  const f = e.facts;
  // Money in the budget's currency with its own digits (¥ none, € two), never bare minor units.
  const money = (amountMinor: number) => formatMoney({ amountMinor, currency: f.currency }, 'en', { fraction: 'always' });
  return [
    `${e.customerId} · ${e.campaignId} · ${e.date}: ${e.verdict.replace(/_/g, ' ')}`,
    `  because ${e.because}`,
    ...(e.occurrence ? [`  occurrence ${e.occurrence.occurrenceId} on ${e.occurrence.occurredOn}${e.decidedAt ? `, decided at ${e.decidedAt}` : ''}`] : []),
    ...(e.existingAsk ? [`  existing ask: ${e.existingAsk.status}${e.existingAsk.skipReason ? ` (${e.existingAsk.skipReason})` : ''}${e.existingAsk.deferredUntil ? ` until ${e.existingAsk.deferredUntil}` : ''}, run ${e.existingAsk.runId}`] : []),
    `  consents ${Object.entries(f.consents).map(([c, ok]) => `${c} ${ok ? 'yes' : 'no'}`).join(', ') || 'none'}${f.optOut ? ' · opted out' : ''}${f.doNotAsk ? ' · do not ask' : ''}${f.suppressed.email ? ' · email suppressed' : ''}${f.suppressed.phone ? ' · phone suppressed' : ''}`,
    `  last ask ${f.lastAskAt ?? 'never'} · ${f.recentAskAts.length} recent asks · zone ${f.timezone}${f.quietHoursUntil ? ` · quiet hours until ${f.quietHoursUntil}` : ''}${f.heldOut ? ' · in holdout' : ''}`,
    `  budget ${money(f.budgetMinor)} · committed ${money(f.committedMinor)} (spent ${money(f.spentMinor)}, reserved ${money(f.committedMinor - f.spentMinor)})${f.potentialCostMinor !== undefined ? ` · this ask would reserve ${money(f.potentialCostMinor)}` : ''}${f.tenureYears !== undefined ? ` · tenure ${f.tenureYears} year${f.tenureYears === 1 ? '' : 's'}` : ''}`,
  ];
}

export function registerExplain(program: Command): void {
  withTargetOptions(
    program
      .command('explain')
      .description('why a customer would or would not be asked by a campaign on a date (the run\'s own eligibility rules; writes nothing)')
      .argument('<customer>', 'customer id')
      .argument('<campaign>', 'campaign id (campaigns/<id>.yaml)')
      .requiredOption('--date <date>', 'the local date YYYY-MM-DD (threshold milestones: the day the ask falls due)', localDateOption('--date')),
  ).action(async (customerId: string, campaignId: string, options: TargetOptions & { date: string }) => {
    const { FileCampaignRepository } = await import('../../adapters/campaign-files.js');
    const repo = new FileCampaignRepository(process.env.CAMPAIGNS_DIR ? { dir: process.env.CAMPAIGNS_DIR } : {});
    const campaign = await repo.get(campaignId);
    if (!campaign) throw unknownCampaign(campaignId, (await repo.list()).map((c) => c.id));
    const { openDataTarget } = await import('../data-target.js');
    const { CustomerViewReader } = await import('../../adapters/dynamo/customer-view.js');
    const { DynamoBudgetStore } = await import('../../adapters/dynamo/budget.js');
    const { explainAsk } = await import('../../core/workflow/explain.js');
    const { normalizeAddress } = await import('../../adapters/dynamo/asks.js');
    const target = await openDataTarget(options);
    let explanation: Explanation;
    try {
      const view = await new CustomerViewReader(target.doc, target.tableName).read(customerId);
      if (!view) throw new CliError(`customer: no customer "${customerId}"`, EXIT.failure);
      const suppressed = new Set(view.consents.suppressed);
      explanation = explainAsk({
        campaign,
        customer: view.profile,
        date: options.date,
        milestones: view.milestones.map((m) => ({ ...m, customerId })),
        asks: new Map(view.asks.filter((a) => a.campaignId === campaignId || !a.campaignId).map((a) => [a.milestone.occurrenceId, a])),
        suppressed: {
          email: view.profile.email !== undefined && suppressed.has(normalizeAddress(view.profile.email)),
          phone: view.profile.phone !== undefined && suppressed.has(normalizeAddress(view.profile.phone)),
        },
        ...(await (async () => {
          const budget = await new DynamoBudgetStore(target.doc, target.tableName).state(campaignId);
          return { spentMinor: budget.spentMinor, budget };
        })()),
      });
    } finally {
      await target.close();
    }
    if (options.json) printJson(explanation);
    else out(...humanExplanation(explanation));
  });
}
