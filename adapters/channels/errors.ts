// Channel errors beyond core/errors.ts. SendDeferredError: a sender refused to send *now* (SMS quiet hours) but the
// ask is good later. It extends TransientError so any caller that does not know it still retries instead of
// dropping the ask; a caller that knows it records the ask as deferred until `until`.
import { TransientError } from '../../core/errors.js';

export class SendDeferredError extends TransientError {
  override readonly name: string = 'SendDeferredError';
  constructor(
    message: string,
    /** UTC instant from which the send may be tried again. */
    readonly until: string,
  ) {
    super(message);
  }
}


export function isSendDeferred(error: unknown): error is SendDeferredError {
  return (error as { name?: string } | undefined)?.name === 'SendDeferredError';
}
