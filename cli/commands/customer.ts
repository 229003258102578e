// `asks customer <id>` (= `asks customer show <id>`): one customer's profile, consents, asks (status, reason, quoted
// rewards, deferred until), threshold milestones, referral codes with what happened under them, and rewards.
// A command group: further subcommands (erase, export, ...) register beside `show` with `customer.command(...)`.
import type { Command } from 'commander';
import type { CustomerView } from '../../adapters/dynamo/customer-view.js';
import { currentRewards } from '../../core/conversions.js';
import { withTargetOptions, type TargetOptions } from '../conversion-deps.js';
import { CliError, EXIT, out, printJson } from '../output.js';
import { formatMoney } from '../../core/money.js';
import { quoteOf, type RewardQuote } from '../../core/quote.js';
import type { Campaign } from '../../core/schemas/campaign.js';
import { isSentStatus } from '../../core/workflow/recovery.js';
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

/**
 * The rewards an ask quoted (its stored quote, core/quote.ts `quoteOf`): `quoted advocate €25.00, friend €10.00
 * (tier)`. Empty for an ask that promised nothing (held out, skipped, deferred before any claim).
 */
export function quoteText(quote: RewardQuote | undefined): string {
  if (!quote) return '';
  const friend = quote.friend ? `, friend ${formatMoney(quote.friend, 'en', { fraction: 'always' })}` : quote.friendPercentOff !== undefined ? `, friend ${quote.friendPercentOff}% off` : '';
  return `quoted advocate ${formatMoney(quote.advocate, 'en', { fraction: 'always' })}${friend}${quote.tierLabel ? ` (${quote.tierLabel})` : ''}`;
}

/** The quote of each ask that made one, by ask id: the stored quote, or for an older sent ask the campaign's (`quoteOf`). */
export function quotesOf(asks: CustomerView['asks'], campaigns: ReadonlyMap<string, Campaign>): Map<string, RewardQuote> {
  const quotes = new Map<string, RewardQuote>();
  for (const a of asks) {
    const campaign = campaigns.get(a.campaignId);
    if (a.quote) quotes.set(a.askId, a.quote);
    else if (campaign && (isSentStatus(a.status) || a.status === 'claimed')) quotes.set(a.askId, quoteOf(a, campaign));
  }
  return quotes;
}

export function humanView(v: CustomerView, quotes: ReadonlyMap<string, RewardQuote> = new Map()): string[] {
  const p = v.profile;
  const lines = [
    `${p.id}  ${[p.firstName, p.lastName].filter(Boolean).join(' ')}  ${p.email ?? ''}${p.phone ? `  ${p.phone}` : ''}`,
    `  zone ${p.timezone}${p.country ? ` · ${p.country}` : ''} · signed up ${p.signupDate}${p.plan ? ` · plan ${p.plan}` : ''}${p.tier ? ` · tier ${p.tier}` : ''}`,
    // Money in the customer's currency with its own digits, never bare minor units.
    `  counters: ${Object.entries(p.counters ?? {}).map(([k, n]) => (k === 'lifetimeSpendMinor' ? `lifetime spend ${money(n, p.currency ?? 'EUR')}` : `${k} ${n}`)).join(', ')}`,
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
        quoteText(quotes.get(a.askId)),
        `run ${a.runId}`,
        a.error ? `(${a.error})` : '',
      ]
        .filter(Boolean)
        .join(' · '),
    ),
    ...(v.milestones.length ? [`milestones (${v.milestones.length}):`, ...v.milestones.map((m) => `  ${m.occurrenceId} due ${m.dueAt}${m.pendingDay ? ' · pending' : ''}${m.handledAt ? ` · handled ${m.handledAt}` : ''}`)] : []),
    `referrals (${v.referrals.length} codes):`,
    ...v.referrals.map((r) => `  ${r.campaignId} ${r.code}: ${r.activity.shares.total} shares, ${r.activity.clicks} clicks, ${r.activity.leads} leads, ${r.activity.signups} signups, ${r.activity.conversions.total} conversions`),
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
      const { FileCampaignRepository } = await import('../../adapters/campaign-files.js');
      const repo = new FileCampaignRepository(process.env.CAMPAIGNS_DIR ? { dir: process.env.CAMPAIGNS_DIR } : {});
      // Only for older asks without a stored quote: campaign files that do not load leave those without one.
      const campaigns = new Map((await repo.list().catch(() => [])).map((c) => [c.id, c]));
      const quotes = quotesOf(view.asks, campaigns);
      if (options.json) printJson({ ...view, asks: view.asks.map((a) => ({ ...a, ...(quotes.has(a.askId) ? { quote: quotes.get(a.askId) } : {}) })), rewards: { entries: view.rewards, current: currentRewards(view.rewards) } });
      else out(...humanView(view, quotes));
    },
  );
  registerCustomerPrivacy(customer);
}
