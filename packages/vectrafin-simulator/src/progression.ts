import * as z from 'zod';
import type { Prng } from './prng.js';
import { PENDING_CODES, SUCCESS } from './status-codes.js';

/**
 * How an accepted payment moves through pending codes (1 → 3 → 9 …) to its final status over time.
 * The default is final at once (a Payment answers 10 immediately); tests and demos that need
 * pending payments configure steps.
 */
export interface ProgressionOptions {
  /** Pending codes answered before the final status, in order. Default [1, 3, 9] once any option is set. */
  steps?: readonly number[];
  /** How long each pending step lasts, in ms (default 1000). */
  stepMs?: number;
  /** Share of payments that go through the steps (0..1, default 1), drawn from the seed. */
  probability?: number;
}

export interface ResolvedProgression {
  steps: readonly number[];
  stepMs: number;
  probability: number;
}

/** One point of a payment's timeline: from `at` (epoch ms) on, Status answers `code`. */
export interface TimelineStep {
  code: number;
  at: number;
}

export const IMMEDIATE: ResolvedProgression = { steps: [], stepMs: 0, probability: 1 };

export const progressionSchema = z
  .object({
    steps: z
      .array(
        z
          .number()
          .refine((code) => PENDING_CODES.has(code), { error: 'pending codes only (1, 2, 3, 4, 5, 9)' }),
      )
      .optional(),
    stepMs: z.number().int().min(0).max(86_400_000).optional(),
    probability: z.number().min(0).max(1).optional(),
  })
  .strict();

export function resolveProgression(options: ProgressionOptions | undefined): ResolvedProgression {
  if (options === undefined) return IMMEDIATE;
  return {
    steps: options.steps ?? [1, 3, 9],
    stepMs: options.stepMs ?? 1000,
    probability: options.probability ?? 1,
  };
}

/** The timeline of a payment accepted at `start` that will end with `finalStatus`. */
export function buildTimeline(
  start: number,
  finalStatus: number,
  progression: ResolvedProgression,
  prng: Prng,
): TimelineStep[] {
  const pending = progression.steps.length > 0 && prng.chance(progression.probability);
  if (!pending) return [{ code: finalStatus, at: start }];
  const timeline = progression.steps.map((code, index) => ({ code, at: start + index * progression.stepMs }));
  timeline.push({ code: finalStatus, at: start + progression.steps.length * progression.stepMs });
  return timeline;
}

export const DEFAULT_FINAL_STATUS = SUCCESS;
