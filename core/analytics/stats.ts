// The statistics the report states, pure and small: Wilson score intervals for a proportion, Newcombe's hybrid score
// interval for a difference of two proportions (variants), a normal (Welch) interval for a difference of means and the
// delta method for a relative lift (holdout), and a chi-square sample-ratio-mismatch test. All intervals are 95%.

/** The two-sided 95% normal quantile. */
export const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** Wilson score interval for `successes` of `n` (null when n = 0). */
export function wilson(successes: number, n: number, z = Z95): Interval | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Newcombe's hybrid score interval (his method 10) for p1 - p2, from each arm's Wilson interval. Null when an arm is
 * empty.
 */
export function newcombeDiff(x1: number, n1: number, x2: number, n2: number, z = Z95): (Interval & { diff: number }) | null {
  const a = wilson(x1, n1, z);
  const b = wilson(x2, n2, z);
  if (!a || !b) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const diff = p1 - p2;
  return {
    diff,
    low: diff - Math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2),
    high: diff + Math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2),
  };
}

/** Mean and sample variance of a metric from its count, sum and sum of squares over every unit (zeros included). */
export function moments(n: number, sum: number, sumSq: number): { mean: number; variance: number } {
  if (n <= 0) return { mean: 0, variance: 0 };
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
  return { mean, variance };
}

export interface Lift {
  /** Mean per unit in the treated arm and in the control arm. */
  treated: number;
  control: number;
  absolute: number;
  absoluteInterval: Interval | null;
  /** treated / control - 1; null when the control mean is 0. */
  relative: number | null;
  relativeInterval: Interval | null;
}

/**
 * Lift of treated over control from per-unit moments: the absolute difference with a Welch (unpooled) normal 95%
 * interval, and the relative lift with a delta-method interval. Intervals are null when an arm has fewer than 2 units.
 */
export function lift(t: { n: number; sum: number; sumSq: number }, c: { n: number; sum: number; sumSq: number }, z = Z95): Lift {
  const mt = moments(t.n, t.sum, t.sumSq);
  const mc = moments(c.n, c.sum, c.sumSq);
  const absolute = mt.mean - mc.mean;
  const enough = t.n >= 2 && c.n >= 2;
  const se = Math.sqrt(mt.variance / Math.max(t.n, 1) + mc.variance / Math.max(c.n, 1));
  const relative = mc.mean > 0 ? mt.mean / mc.mean - 1 : null;
  let relativeInterval: Interval | null = null;
  if (enough && relative !== null && mt.mean > 0) {
    const ratio = mt.mean / mc.mean;
    const seRatio = ratio * Math.sqrt(mt.variance / (t.n * mt.mean * mt.mean) + mc.variance / (c.n * mc.mean * mc.mean));
    relativeInterval = { low: relative - z * seRatio, high: relative + z * seRatio };
  }
  return { treated: mt.mean, control: mc.mean, absolute, absoluteInterval: enough ? { low: absolute - z * se, high: absolute + z * se } : null, relative, relativeInterval };
}

/** erfc(x) for x >= 0 (Numerical Recipes' erfcc, fractional error below 1.2e-7). */
function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const y =
    t *
    Math.exp(
      -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return y;
}

/** Sample-ratio mismatch: chi-square (1 df) of observed held-out versus treated counts against the expected share. */
export function sampleRatioMismatch(heldOut: number, treated: number, expectedHeldOutShare: number): { chiSquare: number; pValue: number; mismatch: boolean } | null {
  const n = heldOut + treated;
  if (n === 0 || expectedHeldOutShare <= 0 || expectedHeldOutShare >= 1) return null;
  const eh = n * expectedHeldOutShare;
  const et = n - eh;
  const chiSquare = (heldOut - eh) ** 2 / eh + (treated - et) ** 2 / et;
  const pValue = erfc(Math.sqrt(chiSquare / 2));
  // GrowthBook's default: flag below p = 0.001, so a healthy split rarely raises a false alarm.
  return { chiSquare, pValue, mismatch: pValue < 0.001 };
}
