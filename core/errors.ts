// Named errors: the retry/catch contract between handlers and the state machine.
// Retry: ThrottlingError, TransientError. Never retry: ValidationError, NotFoundError, PermanentSendError.
//
// Every class states its name as a string: Step Functions matches `errorType` by name, and the deployed bundles are
// minified, so `new.target.name` would turn into something like "yr" and no Retry or Catch would ever match.

export class ReferralError extends Error {
  override readonly name: string = 'ReferralError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
/** Input that will never become valid by retrying. */
export class ValidationError extends ReferralError {
  override readonly name: string = 'ValidationError';
}
/** A thing that should exist does not (unknown campaign, token, code). */
export class NotFoundError extends ReferralError {
  override readonly name: string = 'NotFoundError';
}
/** The downstream service asked us to slow down: retry with backoff. */
export class ThrottlingError extends ReferralError {
  override readonly name: string = 'ThrottlingError';
}
/** A fault that may pass (timeouts, 5xx): retry with backoff. */
export class TransientError extends ReferralError {
  override readonly name: string = 'TransientError';
}
/** The channel refused this message for good (bad address, suppressed, rejected). */
export class PermanentSendError extends ReferralError {
  override readonly name: string = 'PermanentSendError';
}
/** A conditional write lost: somebody else already did it (idempotency). */
export class ConditionFailedError extends ReferralError {
  override readonly name: string = 'ConditionFailedError';
}
/** Spending would exceed the campaign budget. */
export class BudgetExceededError extends ReferralError {
  override readonly name: string = 'BudgetExceededError';
}

/** Error names the state machine retries. */
export const RETRYABLE_ERRORS = ['ThrottlingError', 'TransientError'] as const;
