// `asks customer <id>` (= `asks customer show <id>`): one customer's profile, consents, asks (status, reason, quoted
// rewards, deferred until), threshold milestones, referral codes with what happened under them, and rewards.
// A command group: further subcommands (erase, export, ...) register beside `show` with `customer.command(...)`.
import type { Command } from 'commander';
import type { CustomerView } from '../../adapters/dynamo/customer-view.js';
import { currentRewards } from '../../core/conversions.js';
import { withTargetOptions, type TargetOptions } from '../conversion-deps.js';
import { CliError, EXIT, out, printJson } from '../output.js';
import { formatMoney } from '../../core/money.js';
import { registerCustomerPrivacy } from './customer-privacy.js';

/** Read one customer's view from the chosen table (the local engine is started when none runs). */
export async function readCustomerView(customerId: string, options: TargetOptions): Promise<CustomerView | undefined> {
  const { openDataTarget } = await import('../data-target.js');
  const { CustomerViewReader } = await import('../../adapters/dynamo/customer-view.js');
  const target = await openDataTarget(options);
  try {
    return await new CustomerViewReader(target.doc, target.tableName).read(customerId);
  } finally {
    await target.close();
  }
}

const money = (minor: unknown, currency: unknown): string => (typeof minor === 'number' && typeof currency === 'string' && currency ? formatMoney({ amountMinor: minor, currency }, 'en', { fraction: 'always' }) : typeof minor === 'number' ? String(minor) : '');

/** The reward an ask quoted, whatever shape the stored quote has (amounts in minor units). */
function quoteText(ask: Record<string, unknown>): string {
  const q = (ask.quote ?? ask.rewardQuote ?? ask.quotedReward) as Record<string, unknown> | undefined;
  if (!q || typeof q !== 'object') return '';
  const cur = q.currency;
  const parts = Object.entries(q)
    .filter(([k, v]) => typeof v === 'number' && /minor/i.test(k))
    .map(([k, v]) => `${k.replace(/Minor$/i, '')} ${money(v, cur)}`);
  return parts.length ? `quoted ${parts.join(', ')}` : '';
}

export function humanView(v: CustomerView): string[] {
  const p = v.profile;
  const lines = [
    `${p.id}  ${[p.firstName, p.lastName].filter(Boolean).join(' ')}  ${p.email ?? ''}${p.phone ? `  ${p.phone}` : ''}`,
    `  zone ${p.timezone}${p.country ? ` · ${p.country}` : ''} · signed up ${p.signupDate}${p.plan ? ` · plan ${p.plan}` : ''}${p.tier ? ` · tier ${p.tier}` : ''}`,
    `  counters: ${Object.entries(p.counters ?? {}).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `  last ask ${p.lastAskAt ?? 'never'}${p.recentAskAts?.length ? ` · ${p.recentAskAts.length} recent` : ''}`,
    `consents: ${Object.entries(v.consents.channels).map(([c, ok]) => `${c} ${ok ? 'yes' : 'no'}`).join(', ') || 'none'}${v.consents.optOut ? ' · OPTED OUT' : ''}${v.consents.doNotAsk ? ' · do not ask' : ''}${v.consents.suppressed.length ? ` · suppressed: ${v.consents.suppressed.join(', ')}` : ''}`,
    ...(v.consents.ledger.length ? [`consent ledger (${v.consents.ledger.length}):`, ...v.consents.ledger.map((c) => `  ${c.at} ${c.source.padEnd(12)} ${c.channel.padEnd(6)} ${c.granted ? 'granted' : 'withdrawn'}${c.note ? ` · ${c.note}` : ''}`)] : []),
    `asks (${v.asks.length}):`,
    ...v.asks.map((a) =>
      [
        `  ${a.campaignId} ${a.milestone.occurrenceId} (${a.milestone.occurredOn})`,
        a.status + (a.skipReason ? `: ${a.skipReason}` : ''),
        a.deferredUntil ? `until ${a.deferredUntil}` : '',
        a.channel ? `via ${a.channel}` : '',
        a.variantId ? `variant ${a.variantId}` : '',
        quoteText(a),
        `run ${a.runId}`,
        a.error ? `(${a.error})` : '',
      ]
        .filter(Boolean)
        .join(' · '),
    ),
    ...(v.milestones.length ? [`milestones (${v.milestones.length}):`, ...v.milestones.map((m) => `  ${m.occurrenceId} due ${m.dueAt}${m.pendingDay ? ' · pending' : ''}${m.handledAt ? ` · handled ${m.handledAt}` : ''}`)] : []),
    `referrals (${v.referrals.length} codes):`,
    ...v.referrals.map((r) => `  ${r.campaignId} ${r.code}: ${r.activity.shares.total} shares, ${r.activity.clicks} clicks, ${r.activity.signups} signups, ${r.activity.conversions.total} conversions`),
  ];
  const rewards = currentRewards(v.rewards);
  lines.push(`rewards (${rewards.length}):`, ...rewards.map((r) => `  ${r.rewardId} ${r.beneficiary} ${money(r.amountMinor, r.currency)} ${r.state}${r.tierLabel ? ` · ${r.tierLabel}` : ''}${r.holdUntil ? ` · until ${r.holdUntil}` : ''}`));
  return lines;
}

export function registerCustomer(program: Command): void {
  const customer = program.command('customer').description("one customer's profile, consents, asks, referrals and rewards (`asks customer <id>` = `asks customer show <id>`)");
  withTargetOptions(customer.command('show', { isDefault: true }).description("show a customer's profile, consents, asks (status, reason, quoted rewards, deferred until), referrals and rewards").argument('<customerId>', 'customer id')).action(
    async (customerId: string, _options: TargetOptions, cmd: Command) => {
      const options = cmd.optsWithGlobals<TargetOptions>();
      const view = await readCustomerView(customerId, options);
      if (!view) throw new CliError(`customer: no customer "${customerId}"`, EXIT.failure);
      if (options.json) printJson({ ...view, rewards: { entries: view.rewards, current: currentRewards(view.rewards) } });
      else out(...humanView(view));
    },
  );
  registerCustomerPrivacy(customer);
}
