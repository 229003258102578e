// The scheduled reward approver: held rewards whose refund window has ended move to approved, then issued (a
// `referral.reward.issued` event for fulfilment); over-budget rewards resume when their campaign's budget has room. It reads hold markers by day (Query on HOLD#<yyyy-mm-dd>, never a
// Scan) from the oldest day that may still hold one (the cursor META/HOLDS), so a run after a long gap finds them all;
// a marker is deleted once handled, so reruns and overlapping runs do nothing twice.
import { Logger } from '@aws-lambda-powertools/logger';
import { FileCampaignRepository } from '../../adapters/campaign-files.js';
import { systemClock } from '../../adapters/clock.js';
import { createDocumentClient } from '../../adapters/dynamo/client.js';
import { publisherFromEnv } from '../../adapters/eventbridge.js';
import { runRewardSchedule, type ConversionDeps } from '../../core/conversions.js';
import type { Clock } from '../../core/ports.js';
import { conversionDeps } from '../conversions/wiring.js';
import { inFunction } from '../../adapters/aws-clients.js';
import { FUNCTION_ID } from '../ids.js';

export interface ApproverDeps {
  ledger: ConversionDeps['ledger'];
  publisher: ConversionDeps['publisher'];
  /** With the campaigns, over-budget rewards are resumed when their budget has room again. */
  campaigns?: ConversionDeps['campaigns'];
  clock: Clock;
  logger?: { info(message: string, extra?: Record<string, unknown>): void };
}

/** The handler with its collaborators passed in (tests inject a clock; the local runtime its stores). */
export function makeApprover(deps: ApproverDeps | (() => ApproverDeps)) {
  return inFunction(FUNCTION_ID.RewardApprover, async (event?: { at?: string }) => {
    const d = typeof deps === 'function' ? deps() : deps;
    // A scheduler may pass the scheduled time; otherwise the clock decides.
    const at = event?.at && Number.isFinite(Date.parse(event.at)) ? new Date(event.at) : d.clock.now();
    const result = await runRewardSchedule(d, at);
    d.logger?.info('reward approver', { at: at.toISOString(), ...result });
    return result;
  });
}

let cached: { key: string; deps: ApproverDeps } | undefined;

function depsFromEnv(): ApproverDeps {
  const tableName = process.env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set');
  const endpoint = process.env.DYNAMODB_ENDPOINT || undefined;
  const key = `${tableName}|${endpoint ?? ''}`;
  if (cached?.key !== key) {
    const logger = new Logger({ serviceName: 'reward-approver' });
    const wired = conversionDeps({ doc: createDocumentClient({ endpoint }), tableName, campaigns: new FileCampaignRepository({ dir: process.env.CAMPAIGNS_DIR || undefined }), publisher: publisherFromEnv() });
    cached = { key, deps: { ledger: wired.ledger, publisher: wired.publisher, campaigns: wired.campaigns, clock: systemClock, logger: { info: (m, e) => logger.info(m, e ?? {}) } } };
  }
  return cached.deps;
}

export const handler = makeApprover(depsFromEnv);
