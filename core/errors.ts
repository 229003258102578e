// Named errors: the retry/catch contract between handlers and the state machine.
// Retry: ThrottlingError, TransientError. Never retry: ValidationError, NotFoundError, PermanentSendError.

export class ReferralError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
/** Input that will never become valid by retrying. */
export class ValidationError extends ReferralError {}
/** A thing that should exist does not (unknown campaign, token, code). */
export class NotFoundError extends ReferralError {}
/** The downstream service asked us to slow down: retry with backoff. */
export class ThrottlingError extends ReferralError {}
/** A fault that may pass (timeouts, 5xx): retry with backoff. */
export class TransientError extends ReferralError {}
/** The channel refused this message for good (bad address, suppressed, rejected). */
export class PermanentSendError extends ReferralError {}
/** A conditional write lost: somebody else already did it (idempotency). */
export class ConditionFailedError extends ReferralError {}
/** Spending would exceed the campaign budget. */
export class BudgetExceededError extends ReferralError {}

/** Error names the state machine retries. */
export const RETRYABLE_ERRORS = ['ThrottlingError', 'TransientError'] as const;
