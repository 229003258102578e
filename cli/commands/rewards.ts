// `asks rewards <advocateId>`: an advocate's rewards with their current state (the append-only ledger's latest entry per
// reward) and totals by state; `asks rewards approve-due [--at <instant>]` runs the scheduled approver once (the local
// runtime has no schedule: this moves held rewards whose refund window ended to approved and issued).
import type { Command } from 'commander';
import { advocateRewards, runRewardSchedule } from '../../core/conversions.js';
import { withConversionDeps as withDeps, withTargetOptions as withTarget, type TargetOptions as DataOptions } from '../conversion-deps.js';
import { CliError, EXIT, out, printJson } from '../output.js';
import { checkInstant } from '../args.js';
import { formatMoney, formatTotals } from '../../core/money.js';
import type { LedgerEntry } from '../../core/schemas/ledger.js';

interface TargetOptions extends DataOptions {
  at?: string;
}

/**
 * The totals under the list, by beneficiary and state, so they add up to what is listed: `advocate: held 1 (€10.00)`
 * and, when friends they referred earned rewards, `friends: held 1 (€20.00)` (per currency, never added across).
 */
export function summaryLines(rewards: readonly LedgerEntry[]): string[] {
  const lines: string[] = [];
  for (const beneficiary of ['advocate', 'friend'] as const) {
    const mine = rewards.filter((r) => r.beneficiary === beneficiary);
    if (mine.length === 0) continue;
    const states = [...new Set(mine.map((r) => r.state))];
    const parts = states.map((state) => {
      const inState = mine.filter((r) => r.state === state);
      return `${state} ${inState.length} (${formatTotals(inState, 'en', { fraction: 'always' })})`;
    });
    lines.push(`${beneficiary === 'advocate' ? 'advocate' : 'friends'}: ${parts.join(', ')}`);
  }
  return lines;
}

export function registerRewards(program: Command): void {
  const rewards = withTarget(program.command('rewards').description("an advocate's rewards and their states; `approve-due` runs the reward approver once").argument('[advocateId]', 'customer id of the advocate'));
  rewards.action(async (advocateId: string | undefined, options: TargetOptions) => {
    if (!advocateId) throw new CliError('rewards: give an advocate id (`asks rewards <advocateId>`) or `asks rewards approve-due`', EXIT.usage);
    const result = await withDeps(options, (deps) => advocateRewards(deps.ledger, advocateId));
    if (result.rewards.length === 0) {
      // No rewards is an answer for a customer; for an id nobody has it is a mistake (exit 1, like `asks customer`).
      const { readCustomerView } = await import('./customer.js');
      if (!(await readCustomerView(advocateId, options))) throw new CliError(`advocateId: no customer "${advocateId}"`, EXIT.failure);
    }
    if (options.json) {
      printJson(result);
      return;
    }
    if (result.rewards.length === 0) {
      out(`no rewards for ${advocateId}`);
      return;
    }
    for (const r of result.rewards) out(`${r.rewardId}  ${r.beneficiary.padEnd(8)} ${formatMoney(r, 'en', { fraction: 'always' }).padStart(12)}  ${r.state}${r.overrun ? ' OVERRUN' : ''}${r.holdUntil ? ` until ${r.holdUntil}` : ''}${r.reason ? `  (${r.reason})` : ''}`);
    out(...summaryLines(result.rewards));
    // Promised rewards paid past the campaign budget (docs/campaigns.md "The budget rule"): reported, never denied.
    const overruns = result.rewards.filter((r) => r.overrun);
    if (overruns.length) out(`overrun: ${overruns.length} promised reward(s) paid although the campaign budget was committed (${formatTotals(overruns, 'en', { fraction: 'always' })})`);
  });
  withTarget(rewards.command('approve-due').description('approve and issue held rewards whose refund window has ended; resume over-budget rewards the budget now covers').option('--at <instant>', 'pretend it is this ISO instant (default: now)')).action(
    async (_options: TargetOptions, cmd: Command) => {
      const options = cmd.optsWithGlobals<TargetOptions>();
      const at = options.at ? new Date(checkInstant('--at', options.at)) : new Date();
      const result = await withDeps(options, (deps) => runRewardSchedule(deps, at));
      if (options.json) printJson({ at: at.toISOString(), ...result });
      else out(`✓ ${result.approved} approved, ${result.issued} issued (${result.examined} held rewards examined, ${result.skipped} no longer held); ${result.parkedResumed} of ${result.parkedExamined} over-budget rewards resumed`);
    },
  );
}
