// Lambda for inbound conversion events on the project's bus (detail-type "conversion.signup", "conversion.purchase",
// "conversion.refund"): the same conversion flow as the signed webhook. The bus is IAM-guarded, so there is no HMAC;
// the detail is the webhook body (its `type` may be left out: the detail-type says it).
import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeEnvelope } from '@aws-lambda-powertools/parser/envelopes/eventbridge';
import { z } from 'zod';
import { FileCampaignRepository } from '../../adapters/campaign-files.js';
import { createDocumentClient } from '../../adapters/dynamo/client.js';
import { publisherFromEnv } from '../../adapters/eventbridge.js';
import { systemClock } from '../../adapters/clock.js';
import { recordConversion, type ConversionDeps } from '../../core/conversions.js';
import type { Clock } from '../../core/ports.js';
import { CONVERSION_TYPES, ConversionInput, type ConversionResult } from '../../core/schemas/conversion.js';
import { conversionDeps } from './wiring.js';
import { inFunction } from '../../adapters/aws-clients.js';
import { FUNCTION_ID } from '../ids.js';

export const CONVERSION_DETAIL_TYPES = CONVERSION_TYPES.map((t) => `conversion.${t}`);

/** The EventBridge event as we accept it: detail-type conversion.<type>, detail = the webhook body. */
const ConversionEvent = z.looseObject({ 'detail-type': z.enum(CONVERSION_DETAIL_TYPES as [string, ...string[]]), detail: z.looseObject({}) });

export interface ConversionEventLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export type ConversionEventOutcome = (ConversionResult & { replayed: boolean }) | { status: 'invalid'; errors: string[] };

const issues = (e: z.ZodError): string[] => e.issues.map((i) => `${i.path.map(String).join('.') || '(event)'}: ${i.message}`);

/** Parse the envelope with Powertools, filling `type` from the detail-type when the detail leaves it out. */
export function parseConversionEvent(event: unknown): { ok: true; input: ConversionInput } | { ok: false; errors: string[] } {
  const envelope = ConversionEvent.safeParse(event);
  if (!envelope.success) return { ok: false, errors: issues(envelope.error) };
  const type = envelope.data['detail-type'].slice('conversion.'.length);
  const withType = { ...(event as Record<string, unknown>), detail: { type, ...envelope.data.detail } };
  const parsed = EventBridgeEnvelope.safeParse(withType, ConversionInput);
  if (parsed.success) {
    if (parsed.data.type !== type) return { ok: false, errors: [`detail.type: "${parsed.data.type}" disagrees with detail-type "${envelope.data['detail-type']}"`] };
    return { ok: true, input: parsed.data };
  }
  const cause = (parsed.error as { cause?: unknown }).cause;
  return { ok: false, errors: cause instanceof z.ZodError ? issues(cause) : [String((parsed.error as Error).message)] };
}

export function makeHandler(deps: (ConversionDeps & { clock: Clock; logger: ConversionEventLogger }) | (() => ConversionDeps & { clock: Clock; logger: ConversionEventLogger })) {
  return inFunction(FUNCTION_ID.ConversionEvents, async (event: unknown): Promise<ConversionEventOutcome> => {
    const d = typeof deps === 'function' ? deps() : deps;
    const parsed = parseConversionEvent(event);
    if (!parsed.ok) {
      // Retrying cannot fix a malformed event: log what is wrong and drop it.
      d.logger.error('invalid conversion event', { errors: parsed.errors });
      return { status: 'invalid', errors: parsed.errors };
    }
    // Throttling and transient faults propagate: EventBridge retries the invocation, the idempotency key dedupes it.
    const result = await recordConversion(d, parsed.input, d.clock.now());
    d.logger.info('conversion', { conversionId: result.conversionId, status: result.status, rule: result.rule, replayed: result.replayed });
    return result;
  });
}

let cached: { key: string; deps: ConversionDeps & { clock: Clock; logger: ConversionEventLogger } } | undefined;

function depsFromEnv() {
  const tableName = process.env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set');
  const endpoint = process.env.DYNAMODB_ENDPOINT || undefined;
  const key = `${tableName}|${endpoint ?? ''}|${process.env.EVENT_BUS_NAME ?? ''}`;
  if (cached?.key !== key) {
    const logger = new Logger({ serviceName: 'conversion-events' });
    cached = {
      key,
      deps: {
        ...conversionDeps({
          doc: createDocumentClient({ endpoint }),
          tableName,
          campaigns: new FileCampaignRepository({ dir: process.env.CAMPAIGNS_DIR || undefined }),
          publisher: publisherFromEnv(),
        }),
        clock: systemClock,
        logger: { info: (m, e) => logger.info(m, e ?? {}), error: (m, e) => logger.error(m, e ?? {}) },
      },
    };
  }
  return cached.deps;
}

export const handler = makeHandler(depsFromEnv);
