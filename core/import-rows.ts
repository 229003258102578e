// Turns one imported row (a flat CSV row or a JSONL object) into a Customer, or into "field: message" errors that
// name the column the user wrote, so `asks import` can say exactly which line is wrong and why.
import { Customer } from './schemas/customer.js';

export type RowResult =
  | { ok: true; customer: Customer; /** The row carried counters (without them, stored counters are kept). */ hasCounters: boolean }
  | { ok: false; errors: string[] };

const STRING_COLUMNS = [
  'id', 'firstName', 'lastName', 'email', 'phone', 'locale', 'timezone', 'country', 'signupDate', 'firstPurchaseDate',
  'birthday', 'contractRenewalDate', 'plan', 'tier', 'currency', 'preferredChannel', 'lastRefundAt', 'paymentFingerprint',
] as const;
const COUNTER_COLUMNS = ['orders', 'lifetimeSpendMinor', 'projectsCompleted', 'successfulReferrals'] as const;
const CONSENT_COLUMNS = { consent_email: 'email', consent_sms: 'sms', consent_in_app: 'in_app' } as const;
const BOOLEAN_COLUMNS = ['optOut', 'doNotAsk', 'openSupportTicket'] as const;
const MANAGER_COLUMNS = { accountManagerName: 'name', accountManagerEmail: 'email' } as const;
export const ATTRIBUTE_PREFIX = 'attr_';

/** Every CSV column `asks import` understands (plus any `attr_<name>`). */
export const CSV_COLUMNS: readonly string[] = [
  ...STRING_COLUMNS,
  ...COUNTER_COLUMNS,
  ...Object.keys(CONSENT_COLUMNS),
  ...BOOLEAN_COLUMNS,
  ...Object.keys(MANAGER_COLUMNS),
];

const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/** Problems with a CSV header: unknown columns (with a suggestion) and a missing required column. */
export function checkCsvHeader(columns: readonly string[]): string[] {
  const problems: string[] = [];
  for (const column of columns) {
    if (CSV_COLUMNS.includes(column)) continue;
    if (column.startsWith(ATTRIBUTE_PREFIX) && column.length > ATTRIBUTE_PREFIX.length) continue;
    const near = CSV_COLUMNS.map((c) => ({ c, d: editDistance(column.toLowerCase(), c.toLowerCase()) })).sort((x, y) => x.d - y.d)[0];
    const hint = near && near.d <= 3 ? ` (did you mean "${near.c}"?)` : ` (custom fields go in "${ATTRIBUTE_PREFIX}<name>" columns)`;
    problems.push(`column "${column}": unknown column${hint}`);
  }
  for (const required of ['id', 'firstName', 'timezone', 'signupDate']) {
    if (!columns.includes(required)) problems.push(`column "${required}": required column is missing`);
  }
  return problems;
}

/** Map a schema path back to the name the user wrote in the file. */
function csvName(path: ReadonlyArray<PropertyKey>): string {
  const [head, sub] = path.map(String);
  if (head === 'counters' && sub) return sub;
  if (head === 'consents' && sub) return `consent_${sub}`;
  if (head === 'accountManager' && sub) return sub === 'name' ? 'accountManagerName' : 'accountManagerEmail';
  if (head === 'attributes' && sub) return `${ATTRIBUTE_PREFIX}${sub}`;
  return path.map(String).join('.') || '(row)';
}

function jsonName(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('.') || '(row)';
}

function validate(candidate: Record<string, unknown>, hasCounters: boolean, name: (p: ReadonlyArray<PropertyKey>) => string, errors: string[]): RowResult {
  const parsed = Customer.safeParse(candidate);
  if (!parsed.success) for (const issue of parsed.error.issues) errors.push(`${name(issue.path)}: ${issue.message}`);
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, customer: parsed.data, hasCounters };
}

/** A flat CSV row (csv-parse `columns: true`) to a Customer. Empty cells mean "not given". */
export function csvRowToCustomer(row: Readonly<Record<string, string | undefined>>): RowResult {
  const errors: string[] = [];
  const out: Record<string, unknown> = {};
  const cell = (column: string): string | undefined => {
    const v = row[column];
    if (v === undefined) return undefined;
    const trimmed = v.trim();
    return trimmed === '' ? undefined : trimmed;
  };
  for (const column of STRING_COLUMNS) {
    const v = cell(column);
    if (v !== undefined) out[column] = v;
  }
  const counters: Record<string, number> = {};
  let hasCounters = false;
  for (const column of COUNTER_COLUMNS) {
    const v = cell(column);
    if (v === undefined) continue;
    hasCounters = true;
    if (!/^-?\d+$/.test(v)) errors.push(`${column}: must be a whole number (got "${v}")`);
    else counters[column] = Number(v);
  }
  if (hasCounters) out.counters = counters;
  const bool = (column: string): boolean | undefined => {
    const v = cell(column);
    if (v === undefined) return undefined;
    const lower = v.toLowerCase();
    if (TRUE.has(lower)) return true;
    if (FALSE.has(lower)) return false;
    errors.push(`${column}: must be true or false (got "${v}")`);
    return undefined;
  };
  const consents: Record<string, boolean> = {};
  for (const [column, channel] of Object.entries(CONSENT_COLUMNS)) {
    const v = bool(column);
    if (v !== undefined) consents[channel] = v;
  }
  out.consents = consents;
  for (const column of BOOLEAN_COLUMNS) {
    const v = bool(column);
    if (v !== undefined) out[column] = v;
  }
  const managerName = cell('accountManagerName');
  const managerEmail = cell('accountManagerEmail');
  if (managerName !== undefined || managerEmail !== undefined) {
    if (managerName === undefined) errors.push('accountManagerName: required when accountManagerEmail is given');
    if (managerEmail === undefined) errors.push('accountManagerEmail: required when accountManagerName is given');
    if (managerName !== undefined && managerEmail !== undefined) out.accountManager = { name: managerName, email: managerEmail };
  }
  const attributes: Record<string, string | number | boolean> = {};
  for (const [column, raw] of Object.entries(row)) {
    if (!column.startsWith(ATTRIBUTE_PREFIX) || raw === undefined || raw.trim() === '') continue;
    const v = raw.trim();
    // Numbers only without leading zeros, so codes such as "01234" stay text.
    attributes[column.slice(ATTRIBUTE_PREFIX.length)] = /^-?(0|[1-9]\d*)(\.\d+)?$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v;
  }
  out.attributes = attributes;
  return validate(out, hasCounters, csvName, errors);
}

const CUSTOMER_KEYS = new Set(Object.keys(Customer.shape));

/** A JSONL object (the nested Customer shape) to a Customer; unknown keys are errors, not silently dropped. */
export function jsonToCustomer(value: unknown): RowResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, errors: ['(row): must be a JSON object'] };
  const errors: string[] = [];
  for (const key of Object.keys(value)) {
    if (!CUSTOMER_KEYS.has(key)) errors.push(`${key}: unknown field`);
  }
  return validate(value as Record<string, unknown>, 'counters' in value, jsonName, errors);
}
