// `asks run <campaign> --date YYYY-MM-DD`: one local day of a campaign through the embedded runtime (the deployed
// state machine definition, dynalite, the SES v2 local server), reusing servers `npm start` already runs.
import type { Command } from 'commander';
import { CliError, EXIT, out, printJson } from '../output.js';

function parseDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new CliError(`--date: must be a date YYYY-MM-DD (got "${value}")`, EXIT.usage);
  return value;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run one campaign for one local day on the local runtime (starts or reuses the local servers)')
    .argument('<campaign>', 'campaign id (campaigns/<id>.yaml)')
    .option('--date <date>', 'the local date to run, YYYY-MM-DD (default: today, UTC)', parseDate)
    .option('--json', 'print the run summary as JSON')
    .action(async (campaignId: string, options: { date?: string; json?: boolean }) => {
      const day = options.date ?? new Date().toISOString().slice(0, 10);
      process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
      const { loadRunDefinition } = await import('../../local/definition.js');
      const { startLocalEnvironment } = await import('../../local/environment.js');
      const { runDay, exportMailbox, funnelLines } = await import('../../local/start.js');
      const env = await startLocalEnvironment({});
      try {
        const campaign = await env.deps.campaigns.get(campaignId);
        if (!campaign) {
          const known = (await env.deps.campaigns.list()).map((c) => c.id).join(', ');
          throw new CliError(`campaign: no campaign "${campaignId}" (known: ${known || 'none'})`, EXIT.usage);
        }
        const { definition } = await loadRunDefinition();
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
