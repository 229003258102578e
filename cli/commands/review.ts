// `asks review`: the fraud review queue. Conversions flagged by the fraud checks (self-referral, existing customer,
// velocity, disposable email) wait here with their reasons; `approve` clears them into the normal path (cap, budget,
// hold), `reject` voids both rewards. Works on the local runtime's table (`npm start`) or, with --cloud, the deployed one.
import type { Command } from 'commander';
import { decideReview, type ReviewDecision } from '../../core/conversions.js';
import { withConversionDeps, withTargetOptions as withTarget, type TargetOptions } from '../conversion-deps.js';
import { CliError, EXIT, out, printJson } from '../output.js';
import { formatMoney } from '../../core/money.js';

async function decide(id: string, decision: ReviewDecision, options: TargetOptions): Promise<void> {
  await withConversionDeps(options, async (deps) => {
    const result = await decideReview(deps, id, decision, new Date());
    if (!result) throw new CliError(`review: no conversion "${id}" is waiting for review (see \`asks review\`)`, EXIT.failure);
    const summary = { conversionId: id, decision, rewards: result.rewards.map((r) => ({ rewardId: r.rewardId, beneficiary: r.beneficiary, state: r.state, amountMinor: r.amountMinor, currency: r.currency })) };
    if (options.json) printJson(summary);
    else out(`✓ ${id} ${decision === 'approve' ? 'approved' : 'rejected'}: ${summary.rewards.map((r) => `${r.beneficiary} ${formatMoney(r, 'en', { fraction: 'always' })} -> ${r.state}`).join(', ')}`);
  });
}

export function registerReview(program: Command): void {
  const review = withTarget(program.command('review').description('list fraud-flagged conversions waiting for review; approve or reject them'));
  review.action(async (options: TargetOptions) => {
    await withConversionDeps(options, async (deps) => {
      const items = await deps.ledger.listReviews();
      if (options.json) {
        printJson(items);
        return;
      }
      if (items.length === 0) {
        out('nothing to review');
        return;
      }
      for (const i of items) out(`${i.conversionId}  ${i.at}  campaign ${i.campaignId}  advocate ${i.advocateId}  referee ${i.refereeId}  reasons: ${i.reasons.join(', ')}`);
      out(`${items.length} to review: \`asks review approve <id>\` or \`asks review reject <id>\``);
    });
  });
  withTarget(review.command('approve').description('clear a flagged conversion: its rewards continue (cap, budget, hold)').argument('<id>', 'conversion id (cv_...)')).action((id: string, _options: TargetOptions, cmd: Command) => decide(id, 'approve', cmd.optsWithGlobals<TargetOptions>()));
  withTarget(review.command('reject').description('reject a flagged conversion: its rewards are voided').argument('<id>', 'conversion id (cv_...)')).action((id: string, _options: TargetOptions, cmd: Command) => decide(id, 'reject', cmd.optsWithGlobals<TargetOptions>()));
}
