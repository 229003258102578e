// `asks runs <campaign> [--json]`: the campaign's run records, one per execution (a rerun, a duplicate fire and a
// killed execution each keep their own), newest first, with counts by outcome and by skip reason.
import type { Command } from 'commander';
import type { RunRecord } from '../../adapters/dynamo/runs.js';
import { withTargetOptions, type TargetOptions } from '../conversion-deps.js';
import { CliError, EXIT, out, printJson } from '../output.js';
import { unknownCampaign } from '../args.js';

interface RunsOptions extends TargetOptions {
  limit?: number;
}

/** Outcomes (sent, deferred, failed, in_flight, ...) and skip reasons of a record's counts, apart. */
export function splitCounts(totals: Record<string, number>): { outcomes: Record<string, number>; reasons: Record<string, number> } {
  const outcomes: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  for (const [k, n] of Object.entries(totals)) {
    if (k.startsWith('skipped:')) {
      reasons[k.slice('skipped:'.length)] = n;
      outcomes.skipped = (outcomes.skipped ?? 0) + n;
    } else outcomes[k] = n;
  }
  return { outcomes, reasons };
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new CliError(`--limit: must be an integer from 1 to 1000 (got "${value}")`, EXIT.usage);
  return n;
}

/**
 * Records still `running` although a later scheduled run of the campaign completed: their execution ended without its
 * summary (a killed process, a timed-out execution), so they will never complete; later runs count their batches.
 * (Two executions of the same hour, a duplicate fire, are not compared: one may still be running.)
 */
export function unfinished(records: ReadonlyArray<Pick<RunRecord, 'status' | 'executionId' | 'run'>>): Set<RunRecord['run']> {
  const out = new Set<RunRecord['run']>();
  for (const r of records) {
    if (r.status !== 'running') continue;
    if (records.some((o) => o.status === 'completed' && (o.run.at ?? '') > (r.run.at ?? ''))) out.add(r.run);
  }
  return out;
}

const line = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${k} ${n}`)
    .join(' · ') || '—';

export function registerRuns(program: Command): void {
  withTargetOptions(
    program
      .command('runs')
      .description("a campaign's run records, one per execution, newest first: status, counts by outcome and by skip reason")
      .argument('<campaign>', 'campaign id')
      .option('--limit <n>', 'at most this many records (default 50)', parseLimit),
  ).action(async (campaignId: string, options: RunsOptions) => {
    const { openDataTarget } = await import('../data-target.js');
    const { DynamoRunStore } = await import('../../adapters/dynamo/runs.js');
    const target = await openDataTarget(options);
    let records: RunRecord[];
    try {
      records = await new DynamoRunStore(target.doc, target.tableName).list(campaignId, options.limit ?? 50);
    } finally {
      await target.close();
    }
    const dead = unfinished(records);
    const rows = records.map((r) => ({ ...r, ...(dead.has(r.run) ? { unfinished: true } : {}), ...splitCounts(r.totals) }));
    if (rows.length === 0) {
      // A campaign that never ran is fine; a name no campaign file has (and no record either) is a mistake.
      const { FileCampaignRepository } = await import('../../adapters/campaign-files.js');
      const repo = new FileCampaignRepository(process.env.CAMPAIGNS_DIR ? { dir: process.env.CAMPAIGNS_DIR } : {});
      if (!(await repo.get(campaignId))) throw unknownCampaign(campaignId, (await repo.list()).map((c) => c.id));
    }
    if (options.json) {
      printJson({ campaignId, runs: rows });
      return;
    }
    if (rows.length === 0) {
      out(`no runs recorded for ${campaignId}`);
      return;
    }
    for (const r of rows) {
      const status = 'unfinished' in r ? 'unfinished: no summary, and a later run completed (the execution ended early, e.g. a killed process; later runs count its batches)' : r.status;
      out(`${r.run.runId}${r.executionId ? ` (${r.executionId})` : ''}  ${r.run.mode} at ${r.run.at}  ${status}${r.completedAt ? ` ${r.completedAt}` : ''}`);
      out(`    outcomes: ${line(r.outcomes)}`);
      if (Object.keys(r.reasons).length) out(`    skipped:  ${line(r.reasons)}`);
    }
  });
}
