import type { Outcome } from '@tolem/core';
import type { Cell } from './table.js';

/** An outcome's fields as every `--json` document starts with them. */
export function outcomeFields(outcome: Outcome): Record<string, unknown> {
  return {
    state: outcome.state,
    final: outcome.final,
    reason: outcome.reason,
    providerStatus: outcome.providerStatus,
    message: outcome.message,
  };
}

/** "succeeded (final)", "pending (not final)". */
export function stateLabel(outcome: Pick<Outcome, 'state' | 'final'>): string {
  return `${outcome.state} (${outcome.final ? 'final' : 'not final'})`;
}

/**
 * The canonical reason and, next to it, what the provider said, untouched (often Russian):
 * the reason is for scripts, the message for the operator who calls the provider's support.
 */
export function outcomeRows(outcome: Outcome): [string, Cell][] {
  const said = [outcome.providerStatus, outcome.message]
    .filter((part) => part !== null && part !== '')
    .join(' ');
  return [
    ['state', stateLabel(outcome)],
    ['reason', outcome.reason],
    ['provider says', said === '' ? null : said],
  ];
}

export function moneyCell(amount: string | null | undefined, currency: string | null | undefined): Cell {
  if (amount === null || amount === undefined) return amount;
  return currency ? `${amount} ${currency}` : amount;
}
