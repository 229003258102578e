// What the simulation tests share. Every invariant is checked: the list of pending ones is empty since the reward
// quote is stored on the ask at claim and read by the ledger (quote_equals_booked holds).
import type { InvariantName, Violation } from '../../../local/sim-oracle.js';

export const PENDING_INVARIANTS: readonly InvariantName[] = [];

export const landed = (violations: readonly Violation[]): Violation[] => violations.filter((v) => !PENDING_INVARIANTS.includes(v.invariant));

export const describeViolations = (violations: readonly Violation[]): string => violations.map((v) => `${v.invariant} ${v.campaignId ?? ''} ${v.customerId ?? ''} ${v.occurrenceId ?? ''}: ${v.detail}`).join('\n');
