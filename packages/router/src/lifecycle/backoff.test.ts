import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

const schedule = { firstDelayMs: 1_000, growth: 2, maxDelayMs: 60_000, jitter: 0.2 };
const middle = () => 0.5;

describe('backoffDelay', () => {
  it('grows geometrically from the first delay when the draw is centred', () => {
    expect([0, 1, 2, 3, 4].map((checks) => backoffDelay(checks, schedule, middle))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000,
    ]);
  });

  it('is capped at maxDelayMs, even for absurd check counts', () => {
    expect(backoffDelay(6, schedule, middle)).toBe(60_000);
    expect(backoffDelay(10_000, schedule, middle)).toBe(60_000);
    expect(backoffDelay(10_000, schedule, () => 0.999)).toBe(60_000);
  });

  it('spreads each delay by ±jitter with the injected random', () => {
    expect(backoffDelay(2, schedule, () => 0)).toBe(3_200);
    expect(backoffDelay(2, schedule, () => 1)).toBe(4_800);
    expect(backoffDelay(2, schedule, () => 0.25)).toBe(3_600);
  });

  it('never goes below the first delay minus the jitter, and never under 1 ms', () => {
    for (let checks = 0; checks < 30; checks++) {
      for (const draw of [0, 0.1, 0.5, 0.9, 0.999999]) {
        const delay = backoffDelay(checks, schedule, () => draw);
        expect(delay).toBeGreaterThanOrEqual(800);
        expect(delay).toBeLessThanOrEqual(60_000);
      }
    }
    expect(backoffDelay(0, { firstDelayMs: 1, growth: 1, maxDelayMs: 1, jitter: 1 }, () => 0)).toBe(1);
  });

  it('is monotone in the number of checks for a fixed draw', () => {
    let previous = 0;
    for (let checks = 0; checks < 12; checks++) {
      const delay = backoffDelay(checks, schedule, () => 0.3);
      expect(delay).toBeGreaterThanOrEqual(previous);
      previous = delay;
    }
  });

  it('clamps a random source that strays outside [0, 1)', () => {
    expect(backoffDelay(0, schedule, () => -5)).toBe(800);
    expect(backoffDelay(0, schedule, () => 7)).toBe(1_200);
  });
});
