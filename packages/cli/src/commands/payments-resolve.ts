import { ResolutionRefusedError } from '@tolem/core';
import type { PaymentView, Resolution } from '@tolem/router';
import { type Flags, optionalString, requireString } from '../args.js';
import { CliError, usageError } from '../cli-error.js';
import type { Command, CommandOutput } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { historyRow, saidCell, stateCell } from '../format/payment.js';
import { columnTable, keyValueTable } from '../format/table.js';
import { CONFIG_OPTION, openRuntime } from '../journal-source.js';
import { readDisplayZone, TIME_ZONE_OPTION, zoneNote } from '../time-input.js';
import { notFound, readPaymentId } from './payments.js';

const TEXT_LIMIT = 2000;

function readText(flags: Flags, name: string, max: number, example: string): string {
  const value = requireString(flags, name, example).trim();
  if (value === '') throw usageError(`--${name} must not be blank`);
  if ([...value].length > max) throw usageError(`--${name} is at most ${max} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value))
    throw usageError(`--${name} must not contain control characters`);
  return value;
}

interface ResolveInput {
  paymentId: string;
  state: 'succeeded' | 'failed';
  actor: string;
  note: string;
  evidence?: string;
}

function readInput(flags: Flags, positional: string | undefined): ResolveInput {
  const paymentId = readPaymentId(positional);
  const state = requireString(flags, 'as', 'succeeded');
  if (state !== 'succeeded' && state !== 'failed')
    throw usageError(`--as must be succeeded or failed, got ${JSON.stringify(state.slice(0, 30))}`);
  const input: ResolveInput = {
    paymentId,
    state,
    actor: readText(flags, 'actor', 128, '"Aigerim N."'),
    note: readText(flags, 'note', TEXT_LIMIT, '"support confirmed by phone"'),
  };
  if (optionalString(flags, 'evidence') !== undefined)
    input.evidence = readText(flags, 'evidence', TEXT_LIMIT, '"ticket VF-1234"');
  return input;
}

/** A payment view as printed: never its voucher code. */
function viewDocument(view: PaymentView): Record<string, unknown> {
  return {
    paymentId: view.paymentId,
    service: view.service,
    account: view.account,
    amount: view.amount,
    currency: view.currency,
    state: view.state,
    final: view.final,
    reason: view.reason,
    providerStatus: view.providerStatus,
    message: view.message,
    provider: view.provider,
    transactionId: view.transactionId,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    stuck: view.stuck,
  };
}

const CONFIRMATIONS = {
  provider: "confirmed by the provider's Status answers",
  journal: 'no attempt can have moved money: nothing to ask the provider',
  evidence: 'the provider could not confirm it: recorded on your evidence',
} as const;

function resolutionOutput(resolution: Resolution, where: string, zone: string | undefined): CommandOutput {
  const { payment, entry } = resolution;
  const answers = columnTable(
    ['attempt', 'provider', 'transaction', 'provider answers'],
    resolution.checks.map((check) => [
      check.attemptNo,
      check.provider,
      check.transactionId,
      check.answer === null
        ? 'not asked (could not be reached)'
        : `${stateCell(check.answer.state, check.answer.reason)}${saidCell(check.answer.providerStatus, check.answer.message) ? ` · ${saidCell(check.answer.providerStatus, check.answer.message)}` : ''}`,
    ]),
  );
  const human = [
    `${payment.paymentId} is now ${resolution.state} (final): ${CONFIRMATIONS[resolution.confirmation]}.`,
    '',
    keyValueTable([
      ['payment', payment.paymentId],
      ['amount', `${payment.amount} ${payment.currency}`],
      ['state', `${stateCell(payment.state, payment.reason)} (${payment.final ? 'final' : 'not final'})`],
      ['provider', payment.provider],
      ['transaction', payment.transactionId],
    ]),
    '',
    resolution.checks.length === 0 ? 'Provider answers: none asked' : `Provider answers\n${answers}`,
    '',
    `History entry\n${columnTable(['#', 'time', 'actor', 'event', 'change', 'why'], [historyRow(entry, zone)])}`,
    '',
    `${where}; ${zoneNote(zone)}`,
  ].join('\n');
  return {
    document: {
      journal: where,
      paymentId: payment.paymentId,
      state: resolution.state,
      confirmation: resolution.confirmation,
      checks: resolution.checks,
      payment: viewDocument(payment),
      entry,
    },
    human,
    exitCode: EXIT.ok,
  };
}

/** A refusal: one line with the provider's answer, exit 5, and the details in the --json error document. */
function refused(error: ResolutionRefusedError): CliError {
  return new CliError(error.message, EXIT.refused, 'resolution_refused', {
    cause: error,
    details: {
      paymentId: error.paymentId,
      requested: error.requested,
      refusal: error.refusal,
      current: error.current,
      answer: error.answer,
    },
  });
}

export const resolveCommand: Command = {
  name: 'payments resolve',
  summary:
    'Make an open payment final by hand, after asking the provider: refused (exit 5) when its answer contradicts you.',
  usage: 'tolem payments resolve ID --as succeeded|failed --actor NAME --note TEXT [--evidence TEXT]',
  positionals: [{ name: 'ID', description: 'the payment id' }],
  options: {
    as: { type: 'string', value: 'STATE', description: 'succeeded or failed: what you found out' },
    actor: { type: 'string', value: 'NAME', description: 'who you are, for the history (1–128 characters)' },
    note: { type: 'string', value: 'TEXT', description: 'why, for the history' },
    evidence: {
      type: 'string',
      value: 'TEXT',
      description: 'what backs it when the provider cannot confirm (a support ticket): required then',
    },
    ...TIME_ZONE_OPTION,
    ...CONFIG_OPTION,
  },
  async run(context) {
    const zone = readDisplayZone(context.flags);
    const input = readInput(context.flags, context.positionals[0]);
    const runtime = await openRuntime(context);
    try {
      const where = runtime.journalDescription;
      if ((await runtime.journal.get(input.paymentId)) === null) return notFound(input.paymentId, where);
      try {
        const resolution = await runtime.router.resolve(input.paymentId, {
          state: input.state,
          actor: input.actor,
          note: input.note,
          ...(input.evidence === undefined ? {} : { evidence: input.evidence }),
        });
        return resolutionOutput(resolution, where, zone);
      } catch (error) {
        if (ResolutionRefusedError.is(error)) throw refused(error);
        throw error;
      }
    } finally {
      await runtime.close();
    }
  },
};
