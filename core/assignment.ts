// Deterministic assignment: copy variant and holdout from a hash of campaign and customer, so reruns, retries
// and every process agree without storing a random draw.
import { createHash } from 'node:crypto';
import { ValidationError } from './errors.js';

// Distinct salts keep the variant draw and the holdout draw independent of each other.
const VARIANT_SALT = 'variant.v1';
const HOLDOUT_SALT = 'holdout.v1';

/** A number in [0, 1) from sha256 over the parts; the same parts always give the same number. */
export function unitHash(...parts: string[]): number {
  // A unit separator keeps ("ab","c") and ("a","bc") apart.
  const digest = createHash('sha256').update(parts.join('\u001f')).digest();
  // 48 bits fit a double exactly: the result is uniform and strictly below 1.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** The variant id for a customer in a campaign, chosen in proportion to the weights (weights need not sum to 100). */
export function assignVariant(campaignId: string, customerId: string, variants: ReadonlyArray<{ id: string; weight: number }>): string {
  const usable = variants.filter((v) => Number.isFinite(v.weight) && v.weight > 0);
  if (usable.length === 0) throw new ValidationError('variants: at least one variant needs a weight above 0');
  const total = usable.reduce((sum, v) => sum + v.weight, 0);
  const point = unitHash(VARIANT_SALT, campaignId, customerId) * total;
  let upTo = 0;
  for (const v of usable) {
    upTo += v.weight;
    if (point < upTo) return v.id;
  }
  // Float rounding can leave point a hair above the last running sum.
  return usable[usable.length - 1]!.id;
}

/** Whether the customer is in the campaign's holdout group (not asked, recorded for lift). */
export function isHeldOut(campaignId: string, customerId: string, percent: number): boolean {
  if (!(percent > 0)) return false;
  return unitHash(HOLDOUT_SALT, campaignId, customerId) * 100 < percent;
}
