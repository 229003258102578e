// The ports a run needs beyond core/ports.ts: reading due customers and pending milestones, claiming asks, codes,
// budget, suppression, run records. Adapters in adapters/dynamo implement them; tests may fake them.
import type { Ask } from '../schemas/ask.js';
import type { AskHistory, Customer } from '../schemas/customer.js';
import type { RunSummary } from '../schemas/workflow.js';

export type DueCustomer = Customer & AskHistory;

export interface DuePage {
  items: DueCustomer[];
  lastKey?: Record<string, unknown>;
  invalid: Array<{ customerId: string; errors: string[] }>;
}

export interface CustomerReader {
  queryDue(input: { index: string; partition: string; startKey?: Record<string, unknown>; limit: number }): Promise<DuePage>;
  getMany(customerIds: string[]): Promise<DueCustomer[]>;
  recordAsk(customerId: string, askAt: string, history: string[]): Promise<void>;
  listPartitions(): Promise<string[]>;
}

export interface PendingMilestone {
  customerId: string;
  sk: string;
  kind: string;
  threshold: string;
  occurrenceId: string;
  occurredAt: string;
  dueAt: string;
}

export interface PendingReader {
  queryPending(input: { day: string; startKey?: Record<string, unknown>; limit: number }): Promise<{ items: PendingMilestone[]; lastKey?: Record<string, unknown> }>;
  markHandled(customerId: string, sk: string, handledAt?: string): Promise<void>;
}

export type ClaimResult = { claimed: boolean };

export interface AskWriter {
  claim(ask: Ask, claimToken: string): Promise<ClaimResult>;
  complete(customerId: string, occurrenceId: string, claimToken: string, fields: Partial<Ask> & Pick<Ask, 'status' | 'updatedAt'>): Promise<void>;
}

export interface SuppressionReader {
  /** The normalized addresses among `addresses` that are suppressed. */
  suppressed(addresses: string[]): Promise<Set<string>>;
}

export interface CodeIssuer {
  ensure(owner: { customerId: string; campaignId: string; askId: string; firstName: string }, now: string): Promise<string>;
}

export interface BudgetReader {
  spentMinor(campaignId: string): Promise<number>;
}

export interface RunRecorder {
  record(summary: RunSummary): Promise<void>;
}
