/** Statistics of the benchmarks (scripts/bench/): medians, quantiles, paired ratios, and the alternating run order. */

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median: no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The q-quantile (0 ≤ q ≤ 1) of a non-empty list, interpolating linearly between neighbours; median = quantile 0.5. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile: no values');
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}

/** a[i] / b[i] for each pair: the ratio of two measurements taken back to back, so that slow drift cancels. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`pairedRatios: ${a.length} values against ${b.length}`);
  return a.map((x, i) => x / b[i]);
}

/**
 * Run order of round `round` when several subjects alternate: the list rotated by the round number. For two
 * subjects that is A B, B A, A B, … so that neither always runs first (on a warmer cache, or on a CPU with more of
 * its burst budget left).
 */
export function rotation<T>(subjects: readonly T[], round: number): T[] {
  const k = subjects.length ? round % subjects.length : 0;
  return [...subjects.slice(k), ...subjects.slice(0, k)];
}

/** 25000 → `25,000` (no locale data needed). */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
