// Audience predicates: a campaign's segment rules evaluated against one customer profile (pure, no I/O).
import type { Predicate } from './schemas/campaign.js';
import type { Customer } from './schemas/customer.js';

type Scalar = string | number | boolean;

const COUNTER_FIELDS = ['orders', 'lifetimeSpendMinor', 'projectsCompleted', 'successfulReferrals'] as const;

/**
 * The value a predicate field names: a profile field (plan, tier, country, ...), a counter by its short name
 * ("orders", "lifetimeSpendMinor") or as "counters.orders", or a custom attribute as "attributes.<name>".
 */
export function fieldValue(customer: Customer, field: string): Scalar | undefined {
  if (field.startsWith('attributes.')) return customer.attributes?.[field.slice('attributes.'.length)];
  const counter = field.startsWith('counters.') ? field.slice('counters.'.length) : field;
  if ((COUNTER_FIELDS as readonly string[]).includes(counter)) {
    return customer.counters?.[counter as (typeof COUNTER_FIELDS)[number]];
  }
  if (!Object.hasOwn(customer, field)) return undefined;
  const value = (customer as unknown as Record<string, unknown>)[field];
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

function asNumber(v: Scalar | string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

// A number on either side compares numerically (attributes imported from CSV arrive as strings).
function equal(a: Scalar, b: Scalar | string | number): boolean {
  if (typeof a === 'number' || typeof b === 'number') {
    const x = asNumber(a as string | number);
    const y = asNumber(b as string | number);
    return x !== undefined && y !== undefined && x === y;
  }
  return a === b;
}

function compare(a: Scalar, b: Scalar | string | number): number | undefined {
  if (typeof a === 'boolean' || typeof b === 'boolean') return undefined;
  if (typeof a === 'number' || typeof b === 'number') {
    const x = asNumber(a);
    const y = asNumber(b);
    return x === undefined || y === undefined ? undefined : x - y;
  }
  // Strings compare as text, which orders ISO dates correctly.
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether one predicate holds for the customer. A missing field satisfies only neq, nin and missing. */
export function evaluatePredicate(p: Predicate, customer: Customer): boolean {
  const actual = fieldValue(customer, p.field);
  if (p.op === 'exists') return actual !== undefined;
  if (p.op === 'missing') return actual === undefined;
  const list = Array.isArray(p.value) ? p.value : p.value === undefined ? [] : [p.value];
  if (actual === undefined) return p.op === 'neq' || p.op === 'nin';
  switch (p.op) {
    case 'eq':
      return p.value !== undefined && !Array.isArray(p.value) && equal(actual, p.value);
    case 'neq':
      return p.value === undefined || Array.isArray(p.value) || !equal(actual, p.value);
    case 'in':
      return list.some((v) => equal(actual, v));
    case 'nin':
      return !list.some((v) => equal(actual, v));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (p.value === undefined || Array.isArray(p.value)) return false;
      const c = compare(actual, p.value);
      if (c === undefined) return false;
      return p.op === 'gt' ? c > 0 : p.op === 'gte' ? c >= 0 : p.op === 'lt' ? c < 0 : c <= 0;
    }
  }
}

/** Every predicate holds (AND); an empty list matches everyone. */
export function matchesAll(preds: readonly Predicate[], customer: Customer): boolean {
  return preds.every((p) => evaluatePredicate(p, customer));
}

/** The first predicate that fails, for skip logs ("plan in [pro,team]"), or undefined when all hold. */
export function firstFailing(preds: readonly Predicate[], customer: Customer): Predicate | undefined {
  return preds.find((p) => !evaluatePredicate(p, customer));
}

/** A predicate as a short human-readable text for logs and `asks plan`. */
export function describePredicate(p: Predicate): string {
  if (p.op === 'exists' || p.op === 'missing') return `${p.field} ${p.op}`;
  const value = Array.isArray(p.value) ? `[${p.value.join(',')}]` : String(p.value);
  return `${p.field} ${p.op} ${value}`;
}
