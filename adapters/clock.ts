// The real clock and id generator, injected into core (which never reads the time or draws randomness itself).
import { nanoid } from 'nanoid';
import type { Clock, IdGenerator } from '../core/ports.js';

export const systemClock: Clock = { now: () => new Date() };
export const nanoIds: IdGenerator = { id: (size?: number) => nanoid(size) };

/** A clock stuck at one instant (tests, `asks run --date`). */
export function fixedClock(at: Date | string): Clock {
  const t = new Date(at);
  return { now: () => new Date(t) };
}
