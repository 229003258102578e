// Channel errors beyond core/errors.ts. SendDeferredError: a sender refused to send *now* (SMS quiet hours) but the
// ask is good later. It extends TransientError so any caller that does not know it still retries instead of
// dropping the ask; a caller that knows it records the ask as deferred until `until`.
import { PermanentSendError, TransientError } from '../../core/errors.js';

export class SendDeferredError extends TransientError {
  constructor(
    message: string,
    /** UTC instant from which the send may be tried again. */
    readonly until: string,
  ) {
    super(message);
  }
}

/** The outcome of an earlier attempt is unknown (crash or timeout mid-send): never resent, so never sent twice. */
export class SendOutcomeUnknownError extends PermanentSendError {}

export function isSendDeferred(error: unknown): error is SendDeferredError {
  return (error as { name?: string } | undefined)?.name === 'SendDeferredError';
}
