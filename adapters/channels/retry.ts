// Retry a sender on throttling with exponential backoff and full jitter, a bounded number of times. Only
// ThrottlingError is retried here: it means the request was refused before anything was sent. Other transient
// faults go back to the workflow (whose retry re-enters the idempotency guard).
import type { ChannelSender, OutboundMessage, SendResult } from '../../core/ports.js';
import { backoffDelayMs } from '../../core/rate-limit.js';

export interface RetryOptions {
  /** Total tries, first one included (default 5). */
  attempts?: number;
  /** Base delay in ms (default 100): the ceiling doubles each try. */
  baseMs?: number;
  /** Largest delay in ms (default 5000). */
  capMs?: number;
  /** Error names retried (default ThrottlingError). */
  retryOn?: string[];
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function withRetry(sender: ChannelSender, options: RetryOptions = {}): ChannelSender {
  const attempts = Math.max(1, options.attempts ?? 5);
  const baseMs = options.baseMs ?? 100;
  const capMs = options.capMs ?? 5000;
  const retryOn = new Set(options.retryOn ?? ['ThrottlingError']);
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    async send(message: OutboundMessage): Promise<SendResult> {
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await sender.send(message);
        } catch (error) {
          const name = (error as { name?: string }).name ?? '';
          if (!retryOn.has(name) || attempt + 1 >= attempts) throw error;
          await sleep(backoffDelayMs(attempt, baseMs, capMs, random()));
        }
      }
    },
  };
}
