// The simulator's oracle: what should have happened, computed from the inputs alone (the generated customers and
// events, the campaign files, the fault log), and the invariants that compare it with what the system did (the
// messages that went out, the ask records, the run records, the ledger). It deliberately imports nothing of the
// code under test but the schemas' types: its own calendar arithmetic (luxon, not core/zoned-time), its own rule
// evaluation (not core/eligibility), so a bug in the product cannot hide in a shared helper.
import { DateTime } from 'luxon';
import type { Campaign, Predicate } from '../core/schemas/campaign.js';
import type { Customer } from '../core/schemas/customer.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export type SimEvent =
  | { type: 'order'; customerId: string; at: string; orderId: string; amountMinor: number }
  | { type: 'project'; customerId: string; at: string; projectId: string }
  | { type: 'opt_out'; customerId: string; at: string }
  | { type: 'bounce'; customerId: string; at: string; address: string }
  | { type: 'click'; customerId: string; at: string; code: string }
  | { type: 'conversion'; customerId: string; at: string; code: string; friendId: string; amountMinor: number };

/** A message that reached a channel, as the simulator observed it at the channel port. */
export interface ObservedSend {
  /** The scheduled hour of the execution that sent it (ISO instant on the hour). */
  hour: string;
  campaignId: string;
  customerId: string;
  askId: string;
  occurrenceId: string;
  channel: string;
  /** The simulated clock when the channel accepted it. */
  at: string;
  messageId: string;
}

export interface ObservedAsk {
  askId: string;
  customerId: string;
  campaignId: string;
  occurrenceId: string;
  status: string;
  skipReason?: string;
  /** Why it failed (a stuck claim whose send outcome is unknown says so). */
  error?: string;
  runId: string;
  updatedAt: string;
  /** Reward amounts the ask quoted (minor units), when the ask stores them. */
  quotedAdvocateMinor?: number;
}

/** One run record as `asks runs` shows it: one per execution, its counts by outcome and skip reason. */
export interface ObservedRun {
  campaignId: string;
  runId: string;
  executionId?: string;
  status?: string;
  totals: Record<string, number>;
}

export interface ObservedReward {
  campaignId: string;
  advocateId: string;
  beneficiary: 'advocate' | 'friend';
  amountMinor: number;
  state: string;
  referralCode?: string;
  /** The ledger flagged it `overrun`: promised, and paid past the budget (docs/campaigns.md, "A promise is kept"). */
  overrun?: boolean;
}

export interface FaultRecord {
  campaignId: string;
  hour: string;
  kind: 'crash' | 'throttle' | 'kill' | 'failed';
  /** Where a killed process died (local/simulate.ts KILL_POINTS). */
  point?: string;
}

export interface OracleInput {
  /** First scheduled hour (ISO) and the number of hourly fires simulated. */
  start: string;
  hours: number;
  /** Active campaigns in the order the simulator runs them within each hour. */
  campaigns: Campaign[];
  customers: Customer[];
  events: SimEvent[];
  sends: ObservedSend[];
  asks: ObservedAsk[];
  runs: ObservedRun[];
  rewards: ObservedReward[];
  faults: FaultRecord[];
  /** The referral code of each advocate and campaign (`<customerId>|<campaignId>` -> code) the clicks used. */
  codes?: Record<string, string>;
}

export const INVARIANTS = {
  asked_once: 'every eligible due customer is asked exactly once per occurrence, in time',
  never_against_rules: 'nobody is asked against consent, suppression, audience, caps or cooldown',
  budget_stop: 'no ask is made after the budget rule says stop; booked rewards stay within budget',
  quote_equals_booked: 'every amount quoted equals the amount booked',
  run_totals: 'run records (asks runs, killed executions included) add up to the ask records; every sent ask has its message',
} as const;
export type InvariantName = keyof typeof INVARIANTS;

export interface Violation {
  invariant: InvariantName;
  campaignId?: string;
  customerId?: string;
  occurrenceId?: string;
  detail: string;
}

export interface InvariantRow {
  invariant: InvariantName;
  description: string;
  checked: number;
  violations: number;
}

export interface OracleReport {
  table: InvariantRow[];
  violations: Violation[];
  /** Occurrences the oracle expects (due within the window and settled before it ends). */
  expectedOccurrences: number;
}

/** One milestone occurrence the oracle expects: the customer, campaign, occurrence and the hour it is decided. */
export interface ExpectedOccurrence {
  campaignId: string;
  customerId: string;
  occurrenceId: string;
  /** The local date it celebrates (threshold: the day of the activity). */
  occurredOn: string;
  /** The first scheduled hour at or after the milestone is due (before quiet hours). */
  dueHour: number;
}

/** The documented claim lease (docs/architecture.md, "Stale claims"): a claim older than this is settled by the next run. */
const CLAIM_LEASE_MS = 10 * 60_000;
const SENT_STATUSES = new Set(['sent', 'delivered', 'bounced', 'complained']);

const hourFloor = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
const hourCeil = (ms: number): number => Math.ceil(ms / HOUR_MS) * HOUR_MS;
const iso = (ms: number): string => new Date(ms).toISOString();

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const DATE_FIELDS: Record<string, keyof Customer> = {
  signup_anniversary: 'signupDate',
  first_purchase_anniversary: 'firstPurchaseDate',
  birthday: 'birthday',
  contract_renewal: 'contractRenewalDate',
};

/** Whole years from `from` (YYYY-MM-DD) to `to` (YYYY-MM-DD), a Feb 29 origin counting on Feb 28 in common years. */
export function wholeYears(from: string, to: string): number {
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  let years = ty - fy;
  const anniversaryDay = fm === 2 && fd === 29 && !isLeap(ty) ? 28 : fd;
  if (tm < fm || (tm === fm && td < anniversaryDay)) years -= 1;
  return Math.max(0, years);
}

function fieldValue(customer: Customer, path: string): unknown {
  let v: unknown = customer;
  for (const part of path.split('.')) v = v === null || typeof v !== 'object' ? undefined : (v as Record<string, unknown>)[part];
  return v;
}

function predicateHolds(p: Predicate, customer: Customer): boolean {
  const v = fieldValue(customer, p.field);
  const want = p.value as unknown;
  switch (p.op) {
    case 'eq':
      return v === want;
    case 'neq':
      return v !== want;
    case 'in':
      return Array.isArray(want) && want.includes(v);
    case 'nin':
      return !(Array.isArray(want) && want.includes(v));
    case 'gt':
      return typeof v === 'number' && v > Number(want);
    case 'gte':
      return typeof v === 'number' && v >= Number(want);
    case 'lt':
      return typeof v === 'number' && v < Number(want);
    case 'lte':
      return typeof v === 'number' && v <= Number(want);
    case 'exists':
      return v !== undefined && v !== null;
    case 'missing':
      return v === undefined || v === null;
  }
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** The instant quiet hours end when `ms` falls inside them in `zone`, else undefined. */
function quietEnd(quiet: { start: string; end: string } | undefined, ms: number, zone: string): number | undefined {
  if (!quiet) return undefined;
  const local = DateTime.fromMillis(ms, { zone });
  const t = local.hour * 60 + local.minute;
  const s = minutes(quiet.start);
  const e = minutes(quiet.end);
  const inside = s < e ? t >= s && t < e : s > e ? t >= s || t < e : false;
  if (!inside) return undefined;
  const day = s > e && t >= s ? local.plus({ days: 1 }) : local;
  return day.set({ hour: Math.floor(e / 60), minute: e % 60, second: 0, millisecond: 0 }).toMillis();
}

/** Every occurrence of every active campaign due within the simulated window, from the inputs alone. */
export function expectedOccurrences(input: Pick<OracleInput, 'start' | 'hours' | 'campaigns' | 'customers' | 'events'>): ExpectedOccurrence[] {
  const start = Date.parse(input.start);
  const end = start + input.hours * HOUR_MS;
  const out: ExpectedOccurrence[] = [];
  for (const campaign of input.campaigns) {
    const m = campaign.milestone;
    const field = DATE_FIELDS[m.kind];
    if (field) {
      const trigger = m as { minYears?: number; maxYears?: number };
      for (const c of input.customers) {
        const origin = c[field];
        if (typeof origin !== 'string') continue;
        const [, om, od] = origin.split('-').map(Number) as [number, number, number];
        for (let h = start; h < end; h += HOUR_MS) {
          const local = DateTime.fromMillis(h, { zone: c.timezone });
          if (local.hour !== campaign.schedule.sendHour) continue;
          const day = om === 2 && od === 29 && !isLeap(local.year) ? 28 : od;
          if (local.month !== om || local.day !== day) continue;
          const date = local.toFormat('yyyy-MM-dd');
          const years = wholeYears(origin, date);
          if (years < (trigger.minYears ?? 1)) continue;
          if (trigger.maxYears !== undefined && years > trigger.maxYears) continue;
          if (out.some((o) => o.campaignId === campaign.id && o.customerId === c.id && o.occurrenceId === `${m.kind}#${local.year}`)) continue;
          out.push({ campaignId: campaign.id, customerId: c.id, occurrenceId: `${m.kind}#${local.year}`, occurredOn: date, dueHour: h });
        }
      }
      continue;
    }
    // Threshold milestones: replay the activity events in time order per customer.
    const delay = ((m as { askDelayHours?: number }).askDelayHours ?? 0) * HOUR_MS;
    const byId = new Map(input.customers.map((c) => [c.id, c]));
    const counters = new Map(input.customers.map((c) => [c.id, { orders: c.counters.orders, projects: c.counters.projectsCompleted }]));
    for (const e of [...input.events].sort((a, b) => a.at.localeCompare(b.at))) {
      const c = byId.get(e.customerId);
      const n = counters.get(e.customerId);
      if (!c || !n) continue;
      let occurrenceId: string | undefined;
      if (e.type === 'order') {
        n.orders += 1;
        if (m.kind === 'nth_purchase' && m.thresholds.includes(n.orders)) occurrenceId = `nth_purchase#${n.orders}`;
      } else if (e.type === 'project') {
        n.projects += 1;
        if (m.kind === 'project_completed' && n.projects % m.every === 0) occurrenceId = `project_completed#${n.projects}`;
      }
      if (!occurrenceId) continue;
      const due = hourCeil(Date.parse(e.at) + delay);
      if (due >= end) continue;
      out.push({ campaignId: campaign.id, customerId: c.id, occurrenceId, occurredOn: DateTime.fromISO(e.at, { zone: c.timezone }).toFormat('yyyy-MM-dd'), dueHour: due });
    }
  }
  return out;
}

/** The customer as it stood just before `ms`: opt-outs and bounces that happened before are applied. */
function stateAt(customer: Customer, events: readonly SimEvent[], ms: number): { customer: Customer; suppressed: Set<string> } {
  let c = customer;
  const suppressed = new Set<string>();
  for (const e of events) {
    if (e.customerId !== customer.id || Date.parse(e.at) >= ms) continue;
    if (e.type === 'opt_out') c = { ...c, doNotAsk: true, consents: { ...c.consents, email: false, sms: false, in_app: false } };
    if (e.type === 'bounce') suppressed.add(e.address.trim().toLowerCase());
  }
  return { customer: c, suppressed };
}

type Verdict = { ask: true; channels: string[] } | { ask: false; reason: string };

/**
 * The campaign's rules (docs/campaigns.md) at decision hour `ms`, given the messages that went out before the decision.
 * Holdout and budget are not decided here: they are allowed outcomes of an eligible customer.
 */
function verdict(campaign: Campaign, customer0: Customer, events: readonly SimEvent[], prior: readonly ObservedSend[], ms: number): Verdict {
  const { customer, suppressed } = stateAt(customer0, events, ms);
  if (campaign.status !== 'active') return { ask: false, reason: 'campaign_inactive' };
  if (customer.optOut) return { ask: false, reason: 'opted_out' };
  if (customer.doNotAsk) return { ask: false, reason: 'do_not_ask' };
  const channels: string[] = [];
  for (const ch of campaign.channels.fallback) {
    if (!campaign.variants.every((v) => (v.templates as Record<string, unknown>)[ch] !== undefined)) continue;
    if (ch === 'account_manager') {
      if (customer.accountManager) channels.push(ch);
      continue;
    }
    if (campaign.eligibility.requireConsent && (customer.consents as Record<string, boolean | undefined>)[ch] !== true) continue;
    if (ch === 'email' && (!customer.email || suppressed.has(customer.email.trim().toLowerCase()))) continue;
    if (ch === 'sms' && (!customer.phone || suppressed.has(customer.phone))) continue;
    channels.push(ch);
  }
  if (channels.length === 0) return { ask: false, reason: 'no usable channel (consent, address or suppression)' };
  if (!campaign.audience.all.every((p) => predicateHolds(p, customer))) return { ask: false, reason: 'audience_mismatch' };
  if (campaign.audience.excludeOpenSupportTicket && customer.openSupportTicket) return { ask: false, reason: 'open_support_ticket' };
  const refund = campaign.audience.excludeRefundWithinDays;
  if (refund !== undefined && customer.lastRefundAt && ms - Date.parse(customer.lastRefundAt) < refund * DAY_MS) return { ask: false, reason: 'recent_refund' };
  const mine = prior.filter((s) => s.customerId === customer.id).map((s) => Date.parse(s.at));
  const { cooldownDays, frequencyCap } = campaign.eligibility;
  if (mine.length && cooldownDays > 0 && ms - Math.max(...mine) < cooldownDays * DAY_MS) return { ask: false, reason: 'cooldown' };
  if (mine.filter((t) => t > ms - frequencyCap.windowDays * DAY_MS && t <= ms).length >= frequencyCap.maxAsks) return { ask: false, reason: 'frequency_cap' };
  return { ask: true, channels };
}

/** The tenure tier amount a campaign quotes for `years` (minor units), from the campaign file. */
export function tierAmount(campaign: Campaign, years: number): number | undefined {
  const tier = campaign.reward.tenureTiers.find((t) => years >= t.minYears && (t.maxYears === undefined || years <= t.maxYears));
  return tier?.amountMinor;
}

/** Check every invariant. Pure: the same inputs give the same report. */
export function checkInvariants(input: OracleInput): OracleReport {
  const violations: Violation[] = [];
  const checked: Record<InvariantName, number> = { asked_once: 0, never_against_rules: 0, budget_stop: 0, quote_equals_booked: 0, run_totals: 0 };
  const start = Date.parse(input.start);
  const end = start + input.hours * HOUR_MS;
  const order = new Map(input.campaigns.map((c, i) => [c.id, i]));
  const byCampaign = new Map(input.campaigns.map((c) => [c.id, c]));
  const customers = new Map(input.customers.map((c) => [c.id, c]));
  const events = [...input.events].sort((a, b) => a.at.localeCompare(b.at));
  const sends = [...input.sends].sort((a, b) => a.hour.localeCompare(b.hour) || (order.get(a.campaignId) ?? 0) - (order.get(b.campaignId) ?? 0) || a.at.localeCompare(b.at));
  const faulted = new Set(input.faults.map((f) => `${f.campaignId}@${Date.parse(f.hour)}`));
  const asksById = new Map(input.asks.map((a) => [`${a.campaignId}|${a.askId}`, a]));
  // Sends decided before (hour, campaign): an earlier hour, or the same hour by a campaign that runs earlier.
  const priorTo = (hourMs: number, campaignId: string): ObservedSend[] =>
    sends.filter((s) => {
      const h = Date.parse(s.hour);
      return h < hourMs || (h === hourMs && (order.get(s.campaignId) ?? 0) < (order.get(campaignId) ?? 0));
    });

  // 1. every eligible due customer asked exactly once, in time.
  const expected = expectedOccurrences(input);
  const expectedKeys = new Set(expected.map((o) => `${o.campaignId}|${o.customerId}~${o.occurrenceId}`));
  let settled = 0;
  for (const o of expected) {
    const campaign = byCampaign.get(o.campaignId)!;
    const customer = customers.get(o.customerId)!;
    const askId = `${o.customerId}~${o.occurrenceId}`;
    const messages = sends.filter((s) => s.campaignId === o.campaignId && s.askId === askId);
    const where = { campaignId: o.campaignId, customerId: o.customerId, occurrenceId: o.occurrenceId };
    if (messages.length > 1) violations.push({ invariant: 'asked_once', ...where, detail: `${messages.length} messages for one occurrence (${messages.map((m) => `${m.channel} at ${m.at}`).join(', ')})` });
    // When it is decided: the due hour, or the hour quiet hours end.
    const quiet = quietEnd(campaign.eligibility.quietHours, o.dueHour, customer.timezone);
    const decideAt = quiet === undefined ? o.dueHour : hourCeil(quiet);
    // A fault in the run that should have asked moves the deadline to the next run without one; when that run falls in
    // the customer's quiet hours, the ask waits for their end (and for the first run without a fault after it).
    let deadline = decideAt;
    for (;;) {
      while (faulted.has(`${o.campaignId}@${deadline}`)) deadline += HOUR_MS;
      const wait = quietEnd(campaign.eligibility.quietHours, deadline, customer.timezone);
      if (wait === undefined) break;
      deadline = hourCeil(wait);
    }
    if (deadline >= end) continue; // not settled inside the window: nothing to expect yet
    settled += 1;
    checked.asked_once += 1;
    const v = verdict(campaign, customer, events, priorTo(decideAt, o.campaignId), decideAt);
    if (!v.ask) continue; // invariant 2 reports a message sent against the rules
    const record = asksById.get(`${o.campaignId}|${askId}`);
    if (messages.length === 0) {
      // A process killed between the send marker and the provider's answer leaves the outcome unknown: the ask ends
      // failed and is never resent (docs/architecture.md, "Delivery guarantees": a missing ask over a duplicate).
      const unknownAfterKill =
        record?.status === 'failed' &&
        /outcome unknown/.test(record.error ?? '') &&
        input.faults.some((f) => f.campaignId === o.campaignId && f.kind === 'kill' && (f.point === 'after_marker' || f.point === 'after_send') && Date.parse(f.hour) >= decideAt && Date.parse(f.hour) <= deadline);
      // An ask failed with an unknown outcome may have reached the customer, so cooldown and caps count it (at the time
      // it was settled): a skip for cooldown or the cap is right when the rules say so with those asks counted.
      const maybeSent = input.asks
        .filter((a) => a.customerId === o.customerId && a.status === 'failed' && /outcome unknown/.test(a.error ?? '') && Date.parse(a.updatedAt) <= decideAt)
        .map((a) => ({ hour: iso(hourFloor(Date.parse(a.updatedAt))), campaignId: a.campaignId, customerId: a.customerId, askId: a.askId, occurrenceId: a.occurrenceId, channel: 'unknown', at: a.updatedAt, messageId: '' }));
      // Two occurrences of one customer decided in the same run get one ask: the other sees it (cooldown, caps).
      const sameRun = sends.filter((s) => s.customerId === o.customerId && s.askId !== askId && Date.parse(s.hour) === decideAt);
      const cautious =
        record?.status === 'skipped' &&
        (record.skipReason === 'cooldown' || record.skipReason === 'frequency_cap') &&
        maybeSent.length + sameRun.length > 0 &&
        !verdict(campaign, customer, events, [...priorTo(decideAt, o.campaignId), ...maybeSent, ...sameRun], decideAt).ask;
      const excused = record && (record.status === 'held_out' || (record.status === 'skipped' && record.skipReason === 'budget_exhausted') || unknownAfterKill || cautious);
      if (!excused) violations.push({ invariant: 'asked_once', ...where, detail: `eligible at ${iso(decideAt)} but no message went out by ${iso(deadline)} (ask record: ${record ? `${record.status}${record.skipReason ? ` ${record.skipReason}` : ''}` : 'none'})` });
      continue;
    }
    const first = messages[0]!;
    const hour = Date.parse(first.hour);
    if (hour < decideAt) violations.push({ invariant: 'asked_once', ...where, detail: `asked at ${first.hour}, before the decision hour ${iso(decideAt)}` });
    else if (hour > deadline) violations.push({ invariant: 'asked_once', ...where, detail: `asked at ${first.hour}, due ${iso(decideAt)}; the first run without a fault was ${iso(deadline)}` });
  }
  for (const s of sends) {
    if (expectedKeys.has(`${s.campaignId}|${s.askId}`)) continue;
    checked.asked_once += 1;
    violations.push({ invariant: 'asked_once', campaignId: s.campaignId, customerId: s.customerId, occurrenceId: s.occurrenceId, detail: `asked at ${s.hour} for an occurrence the inputs do not make due` });
  }

  // 2. nobody asked against consent, suppression, audience, caps or cooldown.
  for (const s of sends) {
    const campaign = byCampaign.get(s.campaignId);
    const customer = customers.get(s.customerId);
    if (!campaign || !customer) continue;
    checked.never_against_rules += 1;
    const hour = Date.parse(s.hour);
    // Earlier messages to the same customer in the same run count too (one ask per customer and run).
    const earlierSameRun = sends.filter((x) => x.customerId === s.customerId && x.askId !== s.askId && x.hour === s.hour && x.campaignId === s.campaignId && x.at < s.at);
    const v = verdict(campaign, customer, events, [...priorTo(hour, s.campaignId), ...earlierSameRun], hour);
    if (!v.ask) violations.push({ invariant: 'never_against_rules', campaignId: s.campaignId, customerId: s.customerId, occurrenceId: s.occurrenceId, detail: `asked by ${s.channel} at ${s.at} against ${v.reason}` });
    else if (!v.channels.includes(s.channel)) violations.push({ invariant: 'never_against_rules', campaignId: s.campaignId, customerId: s.customerId, occurrenceId: s.occurrenceId, detail: `asked by ${s.channel}, a channel without consent or address (usable: ${v.channels.join(', ')})` });
  }

  // 3. budget: an ask is made only if its reservation fits (docs/campaigns.md, "The budget rule"). Nothing in the
  // simulation gives room back within the window except a send that failed (its reservation is returned), so once an
  // ask reserving R was skipped for budget, no ask of a later run reserving R or more may be made until a failure returned
  // room. A reservation here is the oracle's own: the tenure tier at the occurrence (from the signup date in the
  // inputs) plus the friend's offer, times the configured conversion rate, rounded up to whole minor units.
  const reservationOf = (campaign: Campaign, customerId: string, occurrenceId: string): number | undefined => {
    const o = expected.find((e) => e.campaignId === campaign.id && e.customerId === customerId && e.occurrenceId === occurrenceId);
    const customer = customers.get(customerId);
    if (!o || !customer) return undefined;
    const tier = tierAmount(campaign, wholeYears(customer.signupDate, o.occurredOn));
    if (tier === undefined) return undefined;
    const ppm = Math.round((campaign.budget.conversionRate ?? 1) * 1_000_000);
    return Math.ceil(((tier + (campaign.offer.amountMinor ?? 0)) * ppm) / 1_000_000);
  };
  for (const campaign of input.campaigns) {
    const stops = input.asks
      .filter((a) => a.campaignId === campaign.id && a.status === 'skipped' && a.skipReason === 'budget_exhausted')
      .map((a) => ({ at: Date.parse(a.updatedAt), reservation: reservationOf(campaign, a.customerId, a.occurrenceId) }));
    const failures = input.asks.filter((a) => a.campaignId === campaign.id && a.status === 'failed').map((a) => Date.parse(a.updatedAt));
    for (const s of sends.filter((x) => x.campaignId === campaign.id)) {
      checked.budget_stop += 1;
      const sentAt = Date.parse(s.at);
      const reservation = reservationOf(campaign, s.customerId, s.occurrenceId);
      // Stops of earlier runs only: within one run the read order decides (a skip written as the batch decides may
      // carry the same instant as an ask decided before it; the planner's own tests cover that order).
      const stop = stops.find((x) => x.at < Date.parse(s.hour) && (reservation === undefined || x.reservation === undefined || x.reservation <= reservation) && !failures.some((f) => f >= x.at && f <= sentAt));
      if (stop) violations.push({ invariant: 'budget_stop', campaignId: campaign.id, customerId: s.customerId, occurrenceId: s.occurrenceId, detail: `asked at ${s.at} reserving ${reservation ?? '?'} after the budget said stop to an ask reserving ${stop.reservation ?? '?'} at ${iso(stop.at)}` });
    }
    // Booked past the budget only as a promise kept: the money beyond the budget is covered by rewards flagged overrun.
    const kept = input.rewards.filter((r) => r.campaignId === campaign.id && !['voided', 'over_budget', 'review'].includes(r.state));
    const booked = kept.reduce((sum, r) => sum + r.amountMinor, 0);
    const flagged = kept.filter((r) => r.overrun).reduce((sum, r) => sum + r.amountMinor, 0);
    checked.budget_stop += 1;
    if (booked - flagged > campaign.budget.amountMinor) violations.push({ invariant: 'budget_stop', campaignId: campaign.id, detail: `${booked} booked against a budget of ${campaign.budget.amountMinor} (minor units), ${flagged} of it flagged overrun: ${booked - flagged - campaign.budget.amountMinor} past the budget without an overrun record` });
  }

  // 4. the amount quoted equals the amount booked: the advocate's reward for a conversion is the campaign's tier for
  // the tenure at the occurrence (from the signup date in the inputs), and the quote stored on the ask when there is one.
  for (const r of input.rewards.filter((x) => x.beneficiary === 'advocate')) {
    const campaign = byCampaign.get(r.campaignId);
    const customer = customers.get(r.advocateId);
    if (!campaign || !customer) continue;
    const asked = sends.filter((s) => s.campaignId === r.campaignId && s.customerId === r.advocateId);
    const occurrence = expected.find((o) => o.campaignId === r.campaignId && o.customerId === r.advocateId && asked.some((s) => s.occurrenceId === o.occurrenceId));
    if (!occurrence) continue;
    checked.quote_equals_booked += 1;
    const quoted = tierAmount(campaign, wholeYears(customer.signupDate, occurrence.occurredOn));
    const record = asksById.get(`${r.campaignId}|${r.advocateId}~${occurrence.occurrenceId}`);
    const where = { campaignId: r.campaignId, customerId: r.advocateId, occurrenceId: occurrence.occurrenceId };
    if (quoted !== undefined && r.amountMinor !== quoted && r.state !== 'voided') violations.push({ invariant: 'quote_equals_booked', ...where, detail: `the ask promised ${quoted} (tenure ${wholeYears(customer.signupDate, occurrence.occurredOn)} years on ${occurrence.occurredOn}); the ledger booked ${r.amountMinor}` });
    if (record?.quotedAdvocateMinor !== undefined && record.quotedAdvocateMinor !== r.amountMinor && r.state !== 'voided') violations.push({ invariant: 'quote_equals_booked', ...where, detail: `the ask stores a quote of ${record.quotedAdvocateMinor}; the ledger booked ${r.amountMinor}` });
  }

  // 5. run totals: the run records (as `asks runs` shows them, a killed execution's too) count each decision once, in
  // the run that made it (a stuck claim in the run that settled it), so their sums equal the ask records by status;
  // every ask recorded sent has exactly its one message; every message belongs to an ask recorded sent, or failed
  // with an unknown send outcome (the documented at-most-once trade-off), or a claim no fault-free run could settle yet.
  const runHours = new Map<string, number[]>();
  for (let h = start; h < end; h += HOUR_MS) for (const c of input.campaigns) if (!faulted.has(`${c.id}@${h}`)) (runHours.get(c.id) ?? runHours.set(c.id, []).get(c.id)!).push(h);
  for (const campaign of input.campaigns) {
    const runs = input.runs.filter((r) => r.campaignId === campaign.id);
    const total = (key: string) => runs.reduce((s, r) => s + (r.totals[key] ?? 0), 0);
    const records = input.asks.filter((a) => a.campaignId === campaign.id);
    const count = (pred: (a: ObservedAsk) => boolean) => records.filter(pred).length;
    const mine = sends.filter((s) => s.campaignId === campaign.id);
    const sentRecords = count((a) => SENT_STATUSES.has(a.status));
    // A killed batch is counted from its journal by the first run a lease after it: sent asks of an execution killed
    // so late that no run came after may not be counted yet (the window ends first).
    const lastRun = Math.max(-Infinity, ...(runHours.get(campaign.id) ?? []));
    const killedLate = new Set(input.faults.filter((f) => f.campaignId === campaign.id && f.kind === 'kill' && Date.parse(f.hour) + CLAIM_LEASE_MS > lastRun).map((f) => `${campaign.id}#${f.hour.slice(0, 13)}`));
    const uncountable = count((a) => SENT_STATUSES.has(a.status) && killedLate.has(a.runId));
    checked.run_totals += 3;
    if (total('sent') > sentRecords || total('sent') < sentRecords - uncountable) violations.push({ invariant: 'run_totals', campaignId: campaign.id, detail: `run records count ${total('sent')} sent, ask records ${sentRecords} sent, ${mine.length} messages went out` });
    for (const status of ['held_out', 'failed']) {
      if (total(status) !== count((a) => a.status === status)) violations.push({ invariant: 'run_totals', campaignId: campaign.id, detail: `run records count ${total(status)} ${status}, ask records ${count((a) => a.status === status)}` });
    }
    const byAsk = new Map<string, ObservedSend[]>();
    for (const s of mine) (byAsk.get(s.askId) ?? byAsk.set(s.askId, []).get(s.askId)!).push(s);
    for (const a of records) {
      const messages = byAsk.get(a.askId) ?? [];
      const where = { campaignId: campaign.id, customerId: a.customerId, occurrenceId: a.occurrenceId };
      checked.run_totals += 1;
      if (SENT_STATUSES.has(a.status) && messages.length === 0) violations.push({ invariant: 'run_totals', ...where, detail: `ask recorded ${a.status} but no message went out` });
      if (a.status === 'claimed') {
        const settleBy = (runHours.get(campaign.id) ?? []).find((h) => h >= Date.parse(a.updatedAt) + CLAIM_LEASE_MS);
        if (settleBy !== undefined) violations.push({ invariant: 'run_totals', ...where, detail: `claimed at ${a.updatedAt} and still claimed after the fault-free run at ${iso(settleBy)}` });
      }
    }
    for (const [askId, messages] of byAsk) {
      const record = asksById.get(`${campaign.id}|${askId}`);
      const ok = record && (SENT_STATUSES.has(record.status) || record.status === 'claimed' || (record.status === 'failed' && /outcome unknown/.test(record.error ?? '')));
      checked.run_totals += 1;
      if (!ok) violations.push({ invariant: 'run_totals', campaignId: campaign.id, customerId: messages[0]!.customerId, occurrenceId: messages[0]!.occurrenceId, detail: `a message went out at ${messages[0]!.at} but the ask is recorded ${record ? `${record.status}${record.error ? ` (${record.error})` : ''}` : 'nowhere'}` });
    }
  }

  const table = (Object.keys(INVARIANTS) as InvariantName[]).map((name) => ({ invariant: name, description: INVARIANTS[name], checked: checked[name], violations: violations.filter((v) => v.invariant === name).length }));
  return { table, violations, expectedOccurrences: settled };
}

export { hourFloor, iso };
