import type { Outcome } from '@tolem/core';

/** The documented exit codes (architecture §7): scripts rely on them, so they never change meaning. */
export const EXIT = {
  /** Done, or the payment succeeded. */
  ok: 0,
  /** Anything else: the provider could not be reached, wrong credentials, an unexpected error. */
  other: 1,
  /** Bad input: nothing was sent. */
  badInput: 2,
  /** Final failure: no money moved. */
  failed: 3,
  /** Not final: pending, or the outcome is unknown. Check again later; never refund on it. */
  notFinal: 4,
  /**
   * A person must look, and nothing was changed or sent: a manual resolution the provider's answer
   * refuses, a day that does not add up (`reconcile`, `eod`), a send held back by discrepancies.
   */
  refused: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Setup problems the provider reported for this request: nothing was done by it, and the user has a
 * setting to fix. They exit 1 rather than 4 so that a script does not poll forever on a typo.
 */
const SETUP_REASONS: ReadonlySet<string> = new Set(['connection_refused', 'auth_failed']);

/** Maps an outcome to its exit code. */
export function exitCodeFor(result: Pick<Outcome, 'state' | 'reason'>): ExitCode {
  if (result.reason !== null && SETUP_REASONS.has(result.reason)) return EXIT.other;
  switch (result.state) {
    case 'succeeded':
      return EXIT.ok;
    case 'failed':
      return EXIT.failed;
    default:
      return EXIT.notFinal;
  }
}

/** The most severe of several exit codes (registry chunks): setup problem, then not final, then failed. */
export function worstExitCode(codes: readonly ExitCode[]): ExitCode {
  const order: readonly ExitCode[] = [EXIT.other, EXIT.notFinal, EXIT.failed, EXIT.badInput, EXIT.ok];
  for (const code of order) if (codes.includes(code)) return code;
  return EXIT.ok;
}
