// The real clock and id generator, injected into core (which never reads the time or draws randomness itself).
import { AsyncLocalStorage } from 'node:async_hooks';
import { nanoid } from 'nanoid';
import type { Clock, IdGenerator } from '../core/ports.js';

export const systemClock: Clock = { now: () => new Date() };
export const nanoIds: IdGenerator = { id: (size?: number) => nanoid(size) };

/** A clock stuck at one instant (tests, `asks run --date`). */
export function fixedClock(at: Date | string): Clock {
  const t = new Date(at);
  return { now: () => new Date(t) };
}

const scoped = new AsyncLocalStorage<Clock>();

/**
 * The clock of the run being processed, for adapters built once per process (channel guards, SMS quiet hours): inside
 * `withRunClock(clock, fn)` it answers that clock, elsewhere the system time. Concurrent runs in one process each see
 * their own (AsyncLocalStorage).
 */
export const ambientClock: Clock = { now: () => scoped.getStore()?.now() ?? new Date() };

/** Run `fn` with `clock` as the ambient clock. */
export function withRunClock<T>(clock: Clock, fn: () => Promise<T>): Promise<T> {
  return scoped.run(clock, fn);
}
