// `asks rewards <advocateId>`: an advocate's rewards with their current state (the append-only ledger's latest entry per
// reward) and totals by state; `asks rewards approve-due [--at <instant>]` runs the scheduled approver once (the local
// runtime has no schedule: this moves held rewards whose refund window ended to approved and issued).
import type { Command } from 'commander';
import { FileCampaignRepository } from '../../adapters/campaign-files.js';
import { connectDataTarget, LocalEngineDownError, type DataTarget } from '../../adapters/dynamo/client.js';
import { publisherFromEnv } from '../../adapters/eventbridge.js';
import { advocateRewards, approveDueRewards } from '../../core/conversions.js';
import { conversionDeps } from '../../functions/conversions/wiring.js';
import { CliError, EXIT, out, printJson } from '../output.js';

interface TargetOptions {
  json?: boolean;
  endpoint?: string;
  table?: string;
  cloud?: boolean;
  at?: string;
}

async function withDeps<T>(options: TargetOptions, fn: (deps: ReturnType<typeof conversionDeps>) => Promise<T>): Promise<T> {
  let target: DataTarget;
  try {
    target = await connectDataTarget(options);
  } catch (error) {
    if (error instanceof LocalEngineDownError) throw new CliError(error.message);
    throw error;
  }
  try {
    const env = options.cloud ? process.env : { ...process.env, EVENTS_FILE: process.env.EVENTS_FILE ?? '.local/events.jsonl' };
    return await fn(conversionDeps({ doc: target.doc, tableName: target.tableName, campaigns: new FileCampaignRepository(process.env.CAMPAIGNS_DIR ? { dir: process.env.CAMPAIGNS_DIR } : {}), publisher: publisherFromEnv(env) }));
  } finally {
    target.doc.destroy();
  }
}

const withTarget = (cmd: Command): Command =>
  cmd
    .option('--json', 'print the result as JSON')
    .option('--endpoint <url>', 'local DynamoDB endpoint (default: DYNAMODB_ENDPOINT or http://127.0.0.1:8700)')
    .option('--table <name>', 'table name (default: TABLE_NAME or referral-asks-local)')
    .option('--cloud', 'use the deployed table (default AWS credentials, TABLE_NAME)');

export function registerRewards(program: Command): void {
  const rewards = withTarget(program.command('rewards').description("an advocate's rewards and their states; `approve-due` runs the reward approver once").argument('[advocateId]', 'customer id of the advocate'));
  rewards.action(async (advocateId: string | undefined, options: TargetOptions) => {
    if (!advocateId) throw new CliError('rewards: give an advocate id (`asks rewards <advocateId>`) or `asks rewards approve-due`', EXIT.usage);
    const result = await withDeps(options, (deps) => advocateRewards(deps.ledger, advocateId));
    if (options.json) {
      printJson(result);
      return;
    }
    if (result.rewards.length === 0) {
      out(`no rewards for ${advocateId}`);
      return;
    }
    for (const r of result.rewards) out(`${r.rewardId}  ${r.beneficiary.padEnd(8)} ${String(r.amountMinor).padStart(8)} ${r.currency}  ${r.state}${r.holdUntil ? ` until ${r.holdUntil}` : ''}${r.reason ? `  (${r.reason})` : ''}`);
    out(Object.entries(result.byState).map(([state, v]) => `${state}: ${v.count} (${v.amountMinor})`).join(', '));
  });
  withTarget(rewards.command('approve-due').description('approve and issue held rewards whose refund window has ended').option('--at <instant>', 'pretend it is this ISO instant (default: now)')).action(
    async (_options: TargetOptions, cmd: Command) => {
      const options = cmd.optsWithGlobals<TargetOptions>();
      const at = options.at ? new Date(options.at) : new Date();
      if (Number.isNaN(at.getTime())) throw new CliError(`--at: must be an ISO-8601 instant (got "${options.at}")`, EXIT.usage);
      const result = await withDeps(options, (deps) => approveDueRewards(deps, at));
      if (options.json) printJson({ at: at.toISOString(), ...result });
      else out(`✓ ${result.approved} approved, ${result.issued} issued (${result.examined} held rewards examined, ${result.skipped} no longer held)`);
    },
  );
}
