// What the simulation tests share: violations printed one per line, with the customer and occurrence.
import type { Violation } from '../../../local/sim-oracle.js';

export const describeViolations = (violations: readonly Violation[]): string => violations.map((v) => `${v.invariant} ${v.campaignId ?? ''} ${v.customerId ?? ''} ${v.occurrenceId ?? ''}: ${v.detail}`).join('\n');
