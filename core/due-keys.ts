// Keys of the due indexes: a date milestone is found by local month-day, the customer's IANA zone and a shard
// (`<MM-DD>#<zone>#<shard2>`), so an hourly run reads only the zones at their send hour and each partition stays small.
import type { Customer } from './schemas/customer.js';
import type { DateMilestoneKind } from './schemas/campaign.js';

export const DEFAULT_DUE_SHARDS = 4;

/** FNV-1a (32 bit): stable across processes and runtimes, cheap, and evenly spread for short ids. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The shard (0 .. shards-1) a customer lives in; the same id always lands in the same shard. */
export function shardOf(customerId: string, shards: number = DEFAULT_DUE_SHARDS): number {
  if (!Number.isInteger(shards) || shards < 1 || shards > 100) throw new RangeError('shards must be an integer from 1 to 100');
  return fnv1a(customerId) % shards;
}

function pad2(n: number): string {
  return n.toString().padStart(2, '0');
}

/** `<zone>#<shard2>`: the unit a run reads per month-day (and the entry in the META/PARTITIONS registry). */
export function partitionOf(customer: Pick<Customer, 'id' | 'timezone'>, shards: number = DEFAULT_DUE_SHARDS): string {
  return `${customer.timezone}#${pad2(shardOf(customer.id, shards))}`;
}

/** Split `<zone>#<shard2>` back into its parts (zones never contain "#"). */
export function parsePartition(partition: string): { zone: string; shard: number } {
  const at = partition.lastIndexOf('#');
  const shard = Number(partition.slice(at + 1));
  if (at <= 0 || !/^\d{2}$/.test(partition.slice(at + 1)) || !Number.isInteger(shard)) {
    throw new RangeError(`not a partition "<zone>#<shard2>": ${partition}`);
  }
  return { zone: partition.slice(0, at), shard };
}

/** `MM-DD` of a YYYY-MM-DD date (Feb 29 stays "02-29": the reader folds it into Feb 28 in non-leap years). */
export function monthDayOf(localDate: string): string {
  return localDate.slice(5, 10);
}

/** The full index key: `<MM-DD>#<zone>#<shard2>`. */
export function dueKey(monthDay: string, partition: string): string {
  return `${monthDay}#${partition}`;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Month-days a run for local date `localDate` must read: Feb 28 in a non-leap year also reads the Feb 29 customers. */
export function monthDaysToRead(localDate: string): string[] {
  const md = monthDayOf(localDate);
  const year = Number(localDate.slice(0, 4));
  return md === '02-28' && !isLeapYear(year) ? ['02-28', '02-29'] : [md];
}

export interface DueKeys {
  dueSignup?: string;
  dueFirstPurchase?: string;
  dueBirthday?: string;
  dueRenewal?: string;
}

/** Which customer date feeds each due index attribute. */
export const DUE_DATE_FIELDS = {
  dueSignup: 'signupDate',
  dueFirstPurchase: 'firstPurchaseDate',
  dueBirthday: 'birthday',
  dueRenewal: 'contractRenewalDate',
} as const satisfies Record<keyof DueKeys, keyof Customer>;

/** The date field of the profile each date milestone kind celebrates. */
export const DATE_FIELD_BY_KIND = {
  signup_anniversary: 'signupDate',
  first_purchase_anniversary: 'firstPurchaseDate',
  birthday: 'birthday',
  contract_renewal: 'contractRenewalDate',
} as const satisfies Record<DateMilestoneKind, keyof Customer>;

/** The due index keys a customer item carries (absent dates give no key: the indexes are sparse). */
export function dueKeysFor(customer: Pick<Customer, 'id' | 'timezone' | 'signupDate' | 'firstPurchaseDate' | 'birthday' | 'contractRenewalDate'>, shards: number = DEFAULT_DUE_SHARDS): DueKeys {
  const partition = partitionOf(customer, shards);
  const keys: DueKeys = {};
  for (const [attribute, field] of Object.entries(DUE_DATE_FIELDS) as Array<[keyof DueKeys, keyof typeof customer]>) {
    const date = customer[field];
    if (typeof date === 'string' && date.length >= 10) keys[attribute] = dueKey(monthDayOf(date), partition);
  }
  return keys;
}
