/** The finalizer's schedule: growing, capped, jittered (architecture §4.4). Pure, so it is tested exactly. */
export interface BackoffSchedule {
  firstDelayMs: number;
  growth: number;
  maxDelayMs: number;
  /** Fraction of spread around the delay: 0.2 draws from [0.8 d, 1.2 d], still capped at maxDelayMs. */
  jitter: number;
}

/**
 * Delay before re-check number `checks + 1`, given `checks` done so far: firstDelayMs × growth^checks,
 * capped at maxDelayMs, then spread by ±jitter with `random()` in [0, 1) and capped again.
 */
export function backoffDelay(checks: number, schedule: BackoffSchedule, random: () => number): number {
  const exponent = Math.max(0, Math.floor(checks));
  // Growth stops mattering once the cap is reached; bounding the exponent keeps the number finite.
  const raw = schedule.firstDelayMs * schedule.growth ** Math.min(exponent, 64);
  const base = Math.min(schedule.maxDelayMs, raw);
  const draw = Math.min(Math.max(random(), 0), 1);
  const spread = 1 + schedule.jitter * (2 * draw - 1);
  return Math.max(1, Math.min(schedule.maxDelayMs, Math.round(base * spread)));
}
