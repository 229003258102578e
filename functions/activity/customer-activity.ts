// Lambda for `customer.activity` events (orders, projects, tier changes): counts them once and writes each threshold
// milestone the activity crosses for the active campaigns, due after the campaign's delay.
import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeEnvelope } from '@aws-lambda-powertools/parser/envelopes/eventbridge';
import { FileCampaignRepository } from '../../adapters/campaign-files.js';
import { createDocumentClient } from '../../adapters/dynamo/client.js';
import { MilestoneStore, type ApplyResult } from '../../adapters/dynamo/milestones.js';
import type { CampaignRepository, Clock } from '../../core/ports.js';
import { CustomerActivity, projectEvent } from '../../core/schemas/events.js';
import { publisherFromEnv } from '../../adapters/eventbridge.js';
import type { EventPublisher } from '../../core/ports.js';
import { inFunction } from '../../adapters/aws-clients.js';
import { FUNCTION_ID } from '../ids.js';

export interface ActivityLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface ActivityDeps {
  milestones: MilestoneStore;
  campaigns: CampaignRepository;
  clock: Clock;
  logger: ActivityLogger;
  /** Where `customer.order.completed` goes (the report's customer activity); default: from the environment. */
  publisher?: EventPublisher;
}

export type ActivityOutcome = ApplyResult | { status: 'invalid'; errors: string[] };

/** Accepts an EventBridge event (detail = CustomerActivity) or, locally, a bare CustomerActivity. */
function parseActivity(event: unknown): { ok: true; activity: CustomerActivity } | { ok: false; errors: string[] } {
  const enveloped = typeof event === 'object' && event !== null && 'detail' in event;
  if (enveloped) {
    const parsed = EventBridgeEnvelope.safeParse(event, CustomerActivity);
    if (parsed.success) return { ok: true, activity: parsed.data };
    const cause = (parsed.error as { cause?: { issues?: Array<{ path: PropertyKey[]; message: string }> } }).cause;
    return { ok: false, errors: (cause?.issues ?? []).map((i) => `${i.path.map(String).join('.') || '(event)'}: ${i.message}`) };
  }
  const parsed = CustomerActivity.safeParse(event);
  if (parsed.success) return { ok: true, activity: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(event)'}: ${i.message}`) };
}

/** The handler with its collaborators passed in (tests, the local runtime). */
export function makeHandler(deps: ActivityDeps | (() => ActivityDeps)) {
  return inFunction(FUNCTION_ID.CustomerActivity, async (event: unknown): Promise<ActivityOutcome> => {
    const d = typeof deps === 'function' ? deps() : deps;
    const parsed = parseActivity(event);
    if (!parsed.ok) {
      // Retrying cannot fix a malformed event: log it with what is wrong and drop it.
      d.logger.error('invalid customer.activity event', { errors: parsed.errors });
      return { status: 'invalid', errors: parsed.errors };
    }
    const { activity } = parsed;
    const campaigns = await d.campaigns.list();
    const result = await d.milestones.applyActivity(activity, campaigns, d.clock.now().toISOString());
    const written = result.milestones.filter((m) => m.written);
    if (result.status === 'unknown_customer') d.logger.warn('activity for an unknown customer: not counted', { customerId: activity.customerId, activityId: result.activityId });
    else if (result.warning) d.logger.warn(result.warning, { customerId: activity.customerId });
    if (activity.type === 'order_completed' && result.status !== 'duplicate') {
      // Orders of every customer (asked, held out, organic) are the holdout's and the cohorts' revenue; consumers
      // dedupe on orderId. Unknown customers (a referee not imported) count too: their order is still revenue.
      const signup = result.before?.signupDate;
      await (d.publisher ?? publisherFromEnv()).publish([
        projectEvent('customer.order.completed', { occurredAt: activity.at, customerId: activity.customerId, orderId: activity.orderId, amountMinor: activity.amountMinor, currency: activity.currency, ...(signup ? { signupDate: signup } : {}) }),
      ]);
    }
    d.logger.info('customer activity', {
      status: result.status,
      customerId: activity.customerId,
      activityId: result.activityId,
      milestonesWritten: written.map((m) => m.occurrenceId),
    });
    return result;
  });
}

function wrapLogger(logger: Logger): ActivityLogger {
  return {
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  };
}

let cached: { key: string; deps: ActivityDeps } | undefined;

/** Deps from the environment, read at call time (handlers share process.env locally). */
function depsFromEnv(): ActivityDeps {
  const tableName = process.env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set');
  const endpoint = process.env.DYNAMODB_ENDPOINT || undefined;
  const key = `${tableName}|${endpoint ?? ''}|${process.env.CAMPAIGNS_DIR ?? ''}`;
  if (cached === undefined || cached.key !== key) {
    cached = {
      key,
      deps: {
        milestones: new MilestoneStore(createDocumentClient({ endpoint }), tableName),
        campaigns: new FileCampaignRepository({ dir: process.env.CAMPAIGNS_DIR || undefined }),
        clock: { now: () => new Date() },
        logger: wrapLogger(new Logger({ serviceName: 'customer-activity' })),
      },
    };
  }
  return cached.deps;
}

export const handler = makeHandler(depsFromEnv);
