// Lambda for `customer.erasure.requested` events on the project's bus: erase one person (by customer id or by the
// email address on their profile), write the receipt and publish `referral.customer.erased`. Logs carry the
// pseudonym and counts only, never the id or address it was asked about.
import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeEnvelope } from '@aws-lambda-powertools/parser/envelopes/eventbridge';
import { systemClock } from '../../adapters/clock.js';
import { createDocumentClient } from '../../adapters/dynamo/client.js';
import { inFunction } from '../../adapters/aws-clients.js';
import { FUNCTION_ID } from '../ids.js';
import { CustomerEraser } from '../../adapters/dynamo/erasure.js';
import { publisherFromEnv, subjectsFromEnv } from '../../adapters/eventbridge.js';
import { loadKeyring } from '../../adapters/signing-keys.js';
import type { Clock, EventPublisher, Keyring } from '../../core/ports.js';
import { ErasureRequest, type ErasureReceipt } from '../../core/privacy.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface ErasureHandlerDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
  keyring: () => Promise<Keyring>;
  clock: Clock;
  publisher: EventPublisher;
  logger: { info(message: string, extra: Record<string, unknown>): void; warn(message: string, extra: Record<string, unknown>): void };
  onErased?: (customerId: string) => void;
}

export type ErasureOutcome = { status: 'erased'; receipt: ErasureReceipt } | { status: 'not_found' } | { status: 'invalid'; errors: string[] };

function parse(event: unknown): { ok: true; request: ErasureRequest } | { ok: false; errors: string[] } {
  const enveloped = typeof event === 'object' && event !== null && 'detail' in event;
  const parsed = enveloped ? EventBridgeEnvelope.safeParse(event, ErasureRequest) : ErasureRequest.safeParse(event);
  if (parsed.success) return { ok: true, request: parsed.data };
  // Never echo the input: it may hold an address.
  return { ok: false, errors: ['detail: must be {"customerId": "..."} or {"email": "..."}'] };
}

export function makeErasureHandler(deps: ErasureHandlerDeps | (() => ErasureHandlerDeps)) {
  return inFunction(FUNCTION_ID.CustomerErasure, async (event: unknown): Promise<ErasureOutcome> => {
    const d = typeof deps === 'function' ? deps() : deps;
    const parsed = parse(event);
    if (!parsed.ok) {
      d.logger.warn('invalid customer.erasure.requested event', { errors: parsed.errors });
      return { status: 'invalid', errors: parsed.errors };
    }
    const eraser = new CustomerEraser({ doc: d.doc, tableName: d.tableName, keyring: await d.keyring(), clock: d.clock, publisher: d.publisher, ...(d.onErased ? { onErased: d.onErased } : {}) });
    const request = parsed.request;
    const customerId = 'customerId' in request ? request.customerId : await eraser.customerIdByEmail(request.email);
    const receipt = customerId ? await eraser.erase(customerId, request.requestedBy ?? 'event') : undefined;
    if (!receipt) {
      d.logger.warn('erasure requested for nobody stored here', { by: 'customerId' in request ? 'customerId' : 'email' });
      return { status: 'not_found' };
    }
    d.logger.info('customer erased', { pseudonym: receipt.pseudonym, deleted: receipt.deleted, pseudonymized: receipt.pseudonymized, suppressionsHashed: receipt.suppressionsHashed });
    return { status: 'erased', receipt };
  });
}

const logger = new Logger({ serviceName: 'customer-erasure' });

/** Deps from the environment, read at call time (handlers share process.env locally). */
function depsFromEnv(): ErasureHandlerDeps {
  const tableName = process.env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set');
  const endpoint = process.env.DYNAMODB_ENDPOINT || undefined;
  const subjects = subjectsFromEnv();
  return {
    doc: createDocumentClient({ endpoint }),
    tableName,
    keyring: () => loadKeyring(),
    clock: systemClock,
    publisher: publisherFromEnv(),
    logger,
    ...(subjects ? { onErased: (id: string) => subjects.forget(id) } : {}),
  };
}

export const handler = makeErasureHandler(depsFromEnv);
