// The two ends of a run: LoadCampaign (input -> first state with the segments to read) and Summarize (totals ->
// run record and the run-completed event).
import type { CampaignRepository, Clock, EventPublisher } from '../ports.js';
import { isDateMilestoneKind } from '../schemas/campaign.js';
import { projectEvent } from '../schemas/events.js';
import { RunInput, type RunState, type RunSummary } from '../schemas/workflow.js';
import { NotFoundError } from '../errors.js';
import { DEFAULT_PLAN, initialState, planSegments, runFor, type PlanOptions } from './plan.js';
import type { RunRecorder } from './ports.js';

export interface LoadDeps {
  campaigns: CampaignRepository;
  customers: { listPartitions(): Promise<string[]> };
  plan?: Partial<PlanOptions>;
}

export async function loadCampaign(raw: unknown, deps: LoadDeps): Promise<RunState> {
  const input = RunInput.parse(raw);
  const run = runFor(input);
  const campaign = await deps.campaigns.get(input.campaignId);
  if (!campaign) throw new NotFoundError(`campaignId: no campaign "${input.campaignId}" in the campaign files`);
  if (campaign.status !== 'active') return { ...initialState(run, [], { campaign_inactive: 1 }) };
  // Threshold campaigns read the pending index by day and need no partition registry.
  const partitions = isDateMilestoneKind(campaign.milestone.kind) ? await deps.customers.listPartitions() : [];
  return initialState(run, planSegments(campaign, run, partitions, { ...DEFAULT_PLAN, ...deps.plan }));
}

export interface SummarizeDeps {
  runs: RunRecorder;
  events: EventPublisher;
  clock: Clock;
}

export async function summarize(state: RunState, deps: SummarizeDeps): Promise<RunSummary> {
  const summary: RunSummary = { run: state.run, totals: state.totals, pages: state.page, completedAt: deps.clock.now().toISOString() };
  await deps.runs.record(summary);
  await deps.events.publish([projectEvent('referral.run.completed', { occurredAt: summary.completedAt, runId: state.run.runId, campaignId: state.run.campaignId, runDate: state.run.runDate, totals: state.totals })]);
  return summary;
}
