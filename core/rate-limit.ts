// Send-rate math: a token bucket for one process and fixed one-second windows for the shared (DynamoDB) limiter,
// both pure over an injected "now" in milliseconds.

export interface TokenBucketConfig {
  /** Tokens added per second (the SES MaxSendRate). */
  ratePerSecond: number;
  /** Most tokens held at once (burst); defaults to ratePerSecond. */
  burst?: number;
}

export interface TokenBucketState {
  tokens: number;
  /** When `tokens` was last computed (ms since epoch). */
  atMs: number;
}

export interface TakeResult {
  state: TokenBucketState;
  granted: boolean;
  /** When not granted: how long until a token is there. */
  waitMs: number;
}

export function validateRate(config: TokenBucketConfig): void {
  if (!(config.ratePerSecond > 0) || !Number.isFinite(config.ratePerSecond)) throw new Error('rateLimitPerSecond must be a positive number');
  if (config.burst !== undefined && !(config.burst >= 1)) throw new Error('burst must be at least 1');
}

export function initialBucket(config: TokenBucketConfig, nowMs: number): TokenBucketState {
  return { tokens: config.burst ?? config.ratePerSecond, atMs: nowMs };
}

/** Refill for the time passed, then take `n` tokens if there are enough. */
export function takeTokens(state: TokenBucketState, config: TokenBucketConfig, nowMs: number, n = 1): TakeResult {
  const capacity = config.burst ?? config.ratePerSecond;
  const elapsed = Math.max(0, nowMs - state.atMs);
  const tokens = Math.min(capacity, state.tokens + (elapsed * config.ratePerSecond) / 1000);
  if (tokens >= n) return { state: { tokens: tokens - n, atMs: Math.max(nowMs, state.atMs) }, granted: true, waitMs: 0 };
  const waitMs = Math.ceil(((n - tokens) * 1000) / config.ratePerSecond);
  return { state: { tokens, atMs: Math.max(nowMs, state.atMs) }, granted: false, waitMs };
}

/** The fixed window a send at `nowMs` counts against (epoch seconds). */
export function windowOf(nowMs: number): number {
  return Math.floor(nowMs / 1000);
}

/** Milliseconds until the next one-second window opens. */
export function msUntilNextWindow(nowMs: number): number {
  return 1000 - (((nowMs % 1000) + 1000) % 1000);
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog): a random delay in [0, min(cap, base * 2^attempt)).
 * `random` is injected (0 <= r < 1) so the math is testable.
 */
export function backoffDelayMs(attempt: number, baseMs: number, capMs: number, random: number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(Math.max(0, Math.min(0.999999, random)) * ceiling);
}
