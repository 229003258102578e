// `asks review`: the fraud review queue. Conversions flagged by the fraud checks (self-referral, existing customer,
// velocity, disposable email) wait here with their reasons; `approve` clears them into the normal path (cap, budget,
// hold), `reject` voids both rewards. Works on the local runtime's table (`npm start`) or, with --cloud, the deployed one.
import type { Command } from 'commander';
import { FileCampaignRepository } from '../../adapters/campaign-files.js';
import { connectDataTarget, LocalEngineDownError, type DataTarget } from '../../adapters/dynamo/client.js';
import { publisherFromEnv } from '../../adapters/eventbridge.js';
import { decideReview, type ReviewDecision } from '../../core/conversions.js';
import { conversionDeps } from '../../functions/conversions/wiring.js';
import { CliError, EXIT, out, printJson } from '../output.js';

interface TargetOptions {
  json?: boolean;
  endpoint?: string;
  table?: string;
  cloud?: boolean;
}

async function open(options: TargetOptions): Promise<DataTarget> {
  try {
    return await connectDataTarget(options);
  } catch (error) {
    if (error instanceof LocalEngineDownError) throw new CliError(error.message);
    throw error;
  }
}

function wire(target: DataTarget, options: TargetOptions) {
  const env = options.cloud ? process.env : { ...process.env, EVENTS_FILE: process.env.EVENTS_FILE ?? '.local/events.jsonl' };
  return conversionDeps({ doc: target.doc, tableName: target.tableName, campaigns: new FileCampaignRepository(process.env.CAMPAIGNS_DIR ? { dir: process.env.CAMPAIGNS_DIR } : {}), publisher: publisherFromEnv(env) });
}

const withTarget = (cmd: Command): Command =>
  cmd
    .option('--json', 'print the result as JSON')
    .option('--endpoint <url>', 'local DynamoDB endpoint (default: DYNAMODB_ENDPOINT or http://127.0.0.1:8700)')
    .option('--table <name>', 'table name (default: TABLE_NAME or referral-asks-local)')
    .option('--cloud', 'use the deployed table (default AWS credentials, TABLE_NAME)');

async function decide(id: string, decision: ReviewDecision, options: TargetOptions): Promise<void> {
  const target = await open(options);
  try {
    const result = await decideReview(wire(target, options), id, decision, new Date());
    if (!result) throw new CliError(`review: no conversion "${id}" is waiting for review (see \`asks review\`)`, EXIT.usage);
    const summary = { conversionId: id, decision, rewards: result.rewards.map((r) => ({ rewardId: r.rewardId, beneficiary: r.beneficiary, state: r.state, amountMinor: r.amountMinor, currency: r.currency })) };
    if (options.json) printJson(summary);
    else out(`✓ ${id} ${decision === 'approve' ? 'approved' : 'rejected'}: ${summary.rewards.map((r) => `${r.beneficiary} ${r.amountMinor} ${r.currency} -> ${r.state}`).join(', ')}`);
  } finally {
    target.doc.destroy();
  }
}

export function registerReview(program: Command): void {
  const review = withTarget(program.command('review').description('list fraud-flagged conversions waiting for review; approve or reject them'));
  review.action(async (options: TargetOptions) => {
    const target = await open(options);
    try {
      const items = await wire(target, options).ledger.listReviews();
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
    } finally {
      target.doc.destroy();
    }
  });
  withTarget(review.command('approve').description('clear a flagged conversion: its rewards continue (cap, budget, hold)').argument('<id>', 'conversion id (cv_...)')).action((id: string, _options: TargetOptions, cmd: Command) => decide(id, 'approve', cmd.optsWithGlobals<TargetOptions>()));
  withTarget(review.command('reject').description('reject a flagged conversion: its rewards are voided').argument('<id>', 'conversion id (cv_...)')).action((id: string, _options: TargetOptions, cmd: Command) => decide(id, 'reject', cmd.optsWithGlobals<TargetOptions>()));
}
