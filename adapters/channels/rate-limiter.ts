// Send-rate limits held across concurrent workers: a DynamoDB fixed-window counter per second (every Lambda of every
// batch shares the SES quota), an in-process token bucket for local runs, and a sender wrapper that waits for a slot.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChannelSender, OutboundMessage, SendResult } from '../../core/ports.js';
import { ThrottlingError } from '../../core/errors.js';
import { initialBucket, msUntilNextWindow, takeTokens, validateRate, windowOf, type TokenBucketState } from '../../core/rate-limit.js';
import { rateKey } from '../dynamo/keys.js';

export interface RateLimiter {
  /** Resolves when one send may go out; throws ThrottlingError when no slot came within the wait budget. */
  acquire(): Promise<void>;
}

export interface LimiterTiming {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Longest total wait for a slot before giving up with ThrottlingError (default 30 s). */
  maxWaitMs?: number;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One item per second window, `RATE#<name>#<epochSecond>` / `RATE`, counted with `ADD sent :1` under the condition
 * `sent < :limit`: at most `limit` sends start in any wall-clock second across all workers. A lost condition means
 * the window is full; the caller waits for the next one. Items carry `expiresAt` for a TTL (the cloud table's TTL
 * attribute), so they vanish after a day; dynalite just keeps them.
 */
export class DynamoRateLimiter implements RateLimiter {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxWaitMs: number;
  /** DynamoDB write calls made (tests and the bench read it). */
  writes = 0;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly limitPerSecond: number,
    private readonly name = 'ses',
    timing: LimiterTiming = {},
  ) {
    validateRate({ ratePerSecond: limitPerSecond });
    this.now = timing.now ?? Date.now;
    this.sleep = timing.sleep ?? realSleep;
    this.maxWaitMs = timing.maxWaitMs ?? 30_000;
  }

  async acquire(): Promise<void> {
    const started = this.now();
    for (;;) {
      const nowMs = this.now();
      const second = windowOf(nowMs);
      this.writes += 1;
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: rateKey(this.name, second),
            UpdateExpression: 'ADD sent :one SET expiresAt = if_not_exists(expiresAt, :exp)',
            ConditionExpression: 'attribute_not_exists(sent) OR sent < :limit',
            ExpressionAttributeValues: { ':one': 1, ':limit': Math.floor(this.limitPerSecond), ':exp': second + 86_400 },
          }),
        );
        return;
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      }
      const wait = msUntilNextWindow(this.now());
      if (this.now() + wait - started > this.maxWaitMs) throw new ThrottlingError(`rate limit ${this.name}: no send slot within ${this.maxWaitMs} ms`);
      // A little jitter spreads the workers that all woke for the same new second.
      await this.sleep(wait + Math.floor(Math.random() * 20));
    }
  }
}

/** A token bucket in this process (the local runtime, a single worker). */
export class InProcessRateLimiter implements RateLimiter {
  private state: TokenBucketState;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxWaitMs: number;
  private queue: Promise<void> = Promise.resolve();
  private readonly burst: number | undefined;

  constructor(
    private readonly ratePerSecond: number,
    timing: LimiterTiming & { burst?: number } = {},
  ) {
    validateRate({ ratePerSecond, ...(timing.burst !== undefined ? { burst: timing.burst } : {}) });
    this.now = timing.now ?? Date.now;
    this.sleep = timing.sleep ?? realSleep;
    this.maxWaitMs = timing.maxWaitMs ?? 30_000;
    this.burst = timing.burst;
    this.state = initialBucket(this.config(), this.now());
  }

  private config(): { ratePerSecond: number; burst?: number } {
    return { ratePerSecond: this.ratePerSecond, ...(this.burst !== undefined ? { burst: this.burst } : {}) };
  }

  acquire(): Promise<void> {
    // Callers queue up in order so concurrent sends cannot all see the same token.
    const next = this.queue.then(() => this.take());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async take(): Promise<void> {
    const started = this.now();
    for (;;) {
      const result = takeTokens(this.state, this.config(), this.now());
      this.state = result.state;
      if (result.granted) return;
      if (this.now() + result.waitMs - started > this.maxWaitMs) throw new ThrottlingError(`rate limit: no send slot within ${this.maxWaitMs} ms`);
      await this.sleep(result.waitMs);
    }
  }
}

/** Waits for the limiter before every send. */
export class RateLimitedSender implements ChannelSender {
  constructor(
    private readonly inner: ChannelSender,
    private readonly limiter: RateLimiter,
  ) {}

  async send(message: OutboundMessage): Promise<SendResult> {
    await this.limiter.acquire();
    return this.inner.send(message);
  }
}
