// `asks run <campaign> --date YYYY-MM-DD`: one local day of a campaign through the embedded runtime (the deployed
// state machine definition, dynalite, the SES v2 local server), reusing servers `npm start` already runs.
// `asks run <campaign> --from <instant> --to <instant>`: every fire of the campaign's schedule in the window (its cron
// or rate in its IANA zone, the expression infra deploys: core/schedule.ts), each one an hour-mode execution at the
// scheduled instant, exactly as EventBridge Scheduler starts them in the cloud.
// Ctrl-C aborts the execution in flight (a killed run): the next run settles whatever it left (docs/architecture.md).
import type { Command } from 'commander';
import type { Counts } from '../../core/schemas/workflow.js';
import { CliError, EXIT, err, out, printJson } from '../output.js';
import { instantOption, localDateOption, unknownCampaign } from '../args.js';
import { isAwsTarget, resolveStackOutputs, withAwsTarget, type AwsTargetOptions, type StackOutputs } from '../target.js';

/** Start the deployed state machine for one day of a campaign and wait for its summary. */
async function runDeployed(stack: StackOutputs & { stateMachineArn: string }, campaignId: string, day: string): Promise<Record<string, unknown>> {
  const { DescribeExecutionCommand, SFNClient, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
  const { createAwsClient } = await import('../../adapters/aws-clients.js');
  const { executionName } = await import('../../functions/schedule/start-run.js');
  // The run's clock, as on the embedded runtime: now for today, else the campaign's send hour on that day.
  const { FileCampaignRepository } = await import('../../adapters/campaign-files.js');
  const { dayRunAt } = await import('../../core/workflow/plan.js');
  const campaign = await new FileCampaignRepository().get(campaignId);
  const input = { campaignId, at: dayRunAt(campaign, day, new Date()), mode: 'day' as const, runDate: day };
  const sfn = createAwsClient('states', SFNClient);
  try {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: stack.stateMachineArn, name: `${executionName(input)}-${Date.now().toString(36)}`.slice(0, 80), input: JSON.stringify(input) }));
    for (;;) {
      const ex = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn! }));
      if (ex.status !== 'RUNNING' && ex.status !== 'PENDING_REDRIVE') {
        if (ex.status !== 'SUCCEEDED') throw new CliError(`the run ${ex.status}: ${ex.error ?? ''} ${ex.cause ?? ''}`.trim());
        const summary = JSON.parse(ex.output ?? '{}') as { totals?: Record<string, number>; pages?: number };
        return { campaignId, date: day, executionArn: started.executionArn, totals: summary.totals ?? {}, pages: summary.pages ?? 0 };
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    sfn.destroy();
  }
}

interface RunOptions extends AwsTargetOptions {
  date?: string;
  from?: string;
  to?: string;
  json?: boolean;
}

/** `sent 3 · deferred 1 · skipped:cooldown 2` (non-zero counts, largest first). */
export function countsLine(counts: Counts): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.length ? entries.map(([k, n]) => `${k} ${n}`).join(' · ') : 'nothing due';
}

function addInto(into: Counts, from: Counts): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description('run a campaign on the local runtime: one local day (--date), or every scheduled hourly fire in a window (--from/--to); with --target aws on a deployed stack (its state machine; without one, the embedded runtime on its table and bus)')
    .argument('<campaign>', 'campaign id (campaigns/<id>.yaml)')
    .option('--date <date>', "the local date to run, YYYY-MM-DD (default: today, UTC); a day other than today runs at the campaign's send hour on it, in the campaign's timezone (the run's clock)", localDateOption('--date'))
    .option('--from <instant>', 'replay the schedule from this ISO-8601 instant (inclusive), each fire in hour mode', instantOption('--from'))
    .option('--to <instant>', 'replay the schedule up to this ISO-8601 instant (exclusive)', instantOption('--to'))
    .option('--json', 'print the run summary as JSON');
  withAwsTarget(cmd).action(async (campaignId: string, options: RunOptions) => {
      if ((options.from === undefined) !== (options.to === undefined)) throw new CliError('give both --from and --to (or neither)', EXIT.usage);
      if (options.from !== undefined && options.date !== undefined) throw new CliError('give either --date or --from/--to, not both', EXIT.usage);
      if (options.from !== undefined && options.to !== undefined && options.from >= options.to) throw new CliError('--from must be before --to', EXIT.usage);
      process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
      const stack = isAwsTarget(options) ? await resolveStackOutputs(options) : undefined;
      if (stack?.stateMachineArn) {
        if (options.from !== undefined) throw new CliError('--from/--to replays the schedule on the embedded runtime; with a deployed state machine give --date', EXIT.usage);
        const day = options.date ?? new Date().toISOString().slice(0, 10);
        const report = await runDeployed({ ...stack, stateMachineArn: stack.stateMachineArn }, campaignId, day);
        if (options.json) printJson(report);
        else out(`✓ ${campaignId} ${day} on ${stack.stacks.join(', ')}: ${JSON.stringify(report.totals)} (${String(report.executionArn)})`);
        return;
      }
      let data: { doc: import('@aws-sdk/lib-dynamodb').DynamoDBDocumentClient; tableName: string } | undefined;
      let wiring: Record<string, unknown> = {};
      if (stack) {
        // No deployed state machine (an emulator such as moto): the embedded runtime on the stack's table and bus.
        const { createDocumentClient } = await import('../../adapters/dynamo/client.js');
        const { EventBridgePublisher, createEventBridgeClient } = await import('../../adapters/eventbridge.js');
        data = { doc: createDocumentClient({}), tableName: stack.tableName };
        // Links in the messages point at the deployed API.
        if (stack.apiUrl) process.env.PUBLIC_BASE_URL ??= stack.apiUrl;
        if (stack.eventBusName) wiring = { ...wiring, events: new EventBridgePublisher(createEventBridgeClient(), stack.eventBusName) };
        if (stack.signingSecretArn) {
          const { loadKeyring } = await import('../../adapters/signing-keys.js');
          const arn = stack.signingSecretArn;
          wiring = { ...wiring, keyring: () => loadKeyring({ SIGNING_SECRET_ARN: arn }) };
        }
      }
      const { loadRunDefinition } = await import('../../local/definition.js');
      const { startLocalEnvironment } = await import('../../local/environment.js');
      const { runDay, exportMailbox, funnelLines } = await import('../../local/start.js');
      const env = await startLocalEnvironment({ ...(data ? { data, wiring } : {}) });
      try {
        const campaign = await env.deps.campaigns.get(campaignId);
        if (!campaign) {
          throw unknownCampaign(campaignId, (await env.deps.campaigns.list()).map((c) => c.id));
        }
        const { definition } = await loadRunDefinition();
        if (options.from !== undefined && options.to !== undefined) {
          await runWindow({ env, definition, campaignId, schedule: campaign.schedule, from: options.from, to: options.to, json: options.json === true, exportMailbox });
          return;
        }
        const day = options.date ?? new Date().toISOString().slice(0, 10);
        const result = await runDay(env, definition, campaignId, day, { progress: !options.json });
        if (result.error || !result.summary) throw new CliError(`the run failed: ${result.error ?? 'no summary'}`);
        const files = await exportMailbox(env);
        const report = { campaignId, date: day, totals: result.summary.totals, pages: result.summary.pages, transitions: result.transitions, durationMs: result.durationMs, mailbox: `${env.stateDir}/mailbox`, emails: files.length };
        if (options.json) printJson(report);
        else out(...funnelLines(campaignId, result.summary.totals), `  ${result.transitions} state transitions in ${result.durationMs} ms; mailbox ${report.mailbox} (${files.length} .eml)`);
      } finally {
        await env.stop();
      }
    });
}

interface WindowInput {
  env: Awaited<ReturnType<typeof import('../../local/environment.js').startLocalEnvironment>>;
  definition: Record<string, unknown>;
  campaignId: string;
  schedule: import('../../core/schemas/campaign.js').Schedule;
  from: string;
  to: string;
  json: boolean;
  exportMailbox: (env: WindowInput['env']) => Promise<string[]>;
}

/** Every scheduled fire in [from, to) as one hour-mode execution at its scheduled instant, in order. */
async function runWindow(w: WindowInput): Promise<void> {
  const { scheduledFires, scheduleExpression } = await import('../../core/schedule.js');
  const { runExecution } = await import('../../local/run-campaign.js');
  const fires = scheduledFires(w.schedule, new Date(w.from), new Date(w.to));
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  const runs: Array<{ at: string; runId?: string; executionId?: string; totals: Counts; durationMs: number; error?: string; aborted?: boolean }> = [];
  const totals: Counts = {};
  try {
    for (const [i, at] of fires.entries()) {
      if (controller.signal.aborted) break;
      const result = await runExecution({ definition: w.definition, handlers: w.env.deps.handlers, input: { campaignId: w.campaignId, at, mode: 'hour' }, signal: controller.signal });
      const runTotals = result.summary?.totals ?? {};
      addInto(totals, runTotals);
      runs.push({
        at,
        ...(result.summary ? { runId: result.summary.run.runId } : {}),
        ...(result.summary?.run.executionId ? { executionId: result.summary.run.executionId } : {}),
        totals: runTotals,
        durationMs: result.durationMs,
        ...(result.error ? { error: result.error } : {}),
        ...(result.aborted ? { aborted: true } : {}),
      });
      if (!w.json) err(`[${String(i + 1).padStart(String(fires.length).length)}/${fires.length}] ${at}  ${result.aborted ? 'aborted' : result.error ? `failed: ${result.error}` : countsLine(runTotals)}`);
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
  const files = await w.exportMailbox(w.env);
  const failed = runs.filter((r) => r.error || r.aborted).length;
  const report = { campaignId: w.campaignId, from: w.from, to: w.to, schedule: scheduleExpression(w.schedule), timezone: w.schedule.timezone, fires: fires.length, ran: runs.length, failed, totals, runs, mailbox: `${w.env.stateDir}/mailbox`, emails: files.length };
  if (w.json) printJson(report);
  else out(`${w.campaignId}: ${runs.length} of ${fires.length} scheduled fires of ${report.schedule} (${report.timezone}) from ${w.from} to ${w.to}`, `  ${countsLine(totals)}`, `  mailbox ${report.mailbox} (${files.length} .eml)`);
  if (failed > 0 || runs.length < fires.length) throw new CliError(`${failed + fires.length - runs.length} of ${fires.length} runs failed or did not run (the next run resumes their work)`);
}
