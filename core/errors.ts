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
/**
 * Whether a send error means the provider may have accepted the message (a send marker left `sending`: the worker
 * died or the call timed out). Such an ask is failed and never resent, but the customer may have it: cooldown and caps
 * count it as an ask. Errors say so with `outcomeUnknown: true`.
 */
export function sendOutcomeUnknown(error: unknown): boolean {
  return (error as { outcomeUnknown?: unknown } | undefined)?.outcomeUnknown === true;
}

/** A conditional write lost: somebody else already did it (idempotency). */
export class ConditionFailedError extends ReferralError {
  override readonly name: string = 'ConditionFailedError';
}
/** Spending would exceed the campaign budget. */
export class BudgetExceededError extends ReferralError {
  override readonly name: string = 'BudgetExceededError';
}

/** Our own error names the state machine retries (thrown by handlers: the downstream may recover). */
export const RETRYABLE_ERRORS = ['ThrottlingError', 'TransientError'] as const;

/** Our own error names that are never retried: retrying cannot change the outcome. */
export const NON_RETRYABLE_ERRORS = ['ValidationError', 'NotFoundError', 'PermanentSendError', 'BudgetExceededError'] as const;

/**
 * Errors the Lambda service reports for an invocation that never ran or was cut off by the service (throttled, a
 * service fault, the SDK client of the service integration): safe to retry with backoff, as every step is idempotent.
 */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
] as const;

/**
 * Errors of an invocation that crashed or timed out: the function ran at least in part (`Lambda.Unknown`: out of
 * memory or killed; `Sandbox.Timedout`: the function's own timeout; `States.Timeout`: the task's TimeoutSeconds).
 * Retried fewer times (a deterministic crash would crash again); claims and send markers make the retry safe, and
 * what still fails is caught, recorded and resumed by the next hourly run.
 */
export const CRASH_ERRORS = ['Lambda.Unknown', 'Sandbox.Timedout', 'States.Timeout'] as const;

/** The Retry/Catch contract of the run state machine (infra/run-definition.ts), in one place. */
export const WORKFLOW_RETRY = {
  /** Throttles, transient faults and Lambda service errors: 5 tries, exponential backoff with full jitter. */
  transient: { errors: [...RETRYABLE_ERRORS, ...LAMBDA_SERVICE_ERRORS], intervalSeconds: 2, backoffRate: 2, maxAttempts: 5 },
  /** Crashed or timed-out invocations: 2 more tries, slower. */
  crash: { errors: [...CRASH_ERRORS], intervalSeconds: 5, backoffRate: 2, maxAttempts: 2 },
} as const;
