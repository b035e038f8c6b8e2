import type { EndOfDayIssue, EndOfDayProgress, EndOfDayReport, SubmissionReport } from '@tolem/router';
import { type Flags, optionalString, requireString } from '../args.js';
import { usageError } from '../cli-error.js';
import type { Command, CommandContext, CommandOutput } from '../command.js';
import { EXIT, type ExitCode, exitCodeFor } from '../exit-codes.js';
import { saidCell, stateCell } from '../format/payment.js';
import { ProgressLine } from '../format/progress.js';
import { columnTable, keyValueTable } from '../format/table.js';
import { CONFIG_OPTION, openRuntime } from '../journal-source.js';
import { readDate } from '../time-input.js';

/**
 * `tolem reconcile` and `tolem eod`: the day of one provider, in the provider's own zone, compared with
 * its list of payments (GetPaymentsByDate), and the registry and daily totals built from the journal —
 * sent only with `--send`, never while the day does not add up unless `--force-reason` says why. Both
 * run the router's endOfDay; reconcile shows only the comparison.
 */

const DAY_OPTIONS = {
  provider: { type: 'string', value: 'P', description: 'the provider instance (an id of the configuration)' },
  date: { type: 'string', value: 'D', description: "the day, yyyy-MM-dd, in the provider's own zone" },
} as const;

function readProvider(flags: Flags): string {
  return requireString(flags, 'provider', 'vf-a');
}

function issueRow(issue: EndOfDayIssue): (string | null)[] {
  switch (issue.kind) {
    case 'missing_at_provider':
      return [
        issue.kind,
        issue.paymentId,
        issue.transactionId,
        issue.journalState,
        '—',
        'the provider does not list it',
      ];
    case 'missing_in_journal':
      return [
        issue.kind,
        null,
        issue.transactionId,
        '—',
        issue.providerState,
        `${issue.amount}: not in this journal`,
      ];
    case 'state_mismatch':
      return [
        issue.kind,
        issue.paymentId,
        issue.transactionId,
        issue.journalState,
        issue.providerState,
        null,
      ];
    case 'amount_mismatch':
      return [
        issue.kind,
        issue.paymentId,
        issue.transactionId,
        issue.journalAmount,
        issue.providerAmount,
        'amounts differ',
      ];
    case 'open_payment':
      return [issue.kind, issue.paymentId, issue.transactionId, issue.journalState, null, 'not final yet'];
    case 'no_request_id':
      return [
        issue.kind,
        issue.paymentId,
        issue.transactionId,
        'succeeded',
        null,
        'no request id: cannot be listed',
      ];
    case 'mixed_currencies':
      return [issue.kind, null, null, issue.currencies.join(', '), null, 'no single daily total'];
    default:
      return [(issue as { kind: string }).kind, null, null, null, null, null];
  }
}

function dayHeader(report: EndOfDayReport): string {
  return `${report.provider}, ${report.date} in ${report.timeZone} (${report.from} – ${report.to})`;
}

function reconciliationText(report: EndOfDayReport): string {
  const { reconciliation, discrepancies } = report;
  const lines: string[] = [];
  if (reconciliation.complete) {
    lines.push(
      `Reconciliation: the provider listed the day; ${reconciliation.matched} payment(s) agree, ${discrepancies.length} discrepancy(ies)`,
    );
  } else {
    const failed = Object.entries(reconciliation.outcomes).filter(
      ([, outcome]) => outcome.state !== 'succeeded',
    );
    lines.push('Reconciliation incomplete: the provider did not answer every list request with its list');
    for (const [part, outcome] of failed) {
      const said = saidCell(outcome.providerStatus, outcome.message);
      lines.push(`  ${part}: ${stateCell(outcome.state, outcome.reason)}${said ? ` · ${said}` : ''}`);
    }
  }
  if (discrepancies.length > 0) {
    lines.push('');
    lines.push(
      columnTable(
        ['discrepancy', 'payment', 'transaction', 'journal', 'provider', ''],
        discrepancies.map(issueRow),
      ),
    );
  }
  return lines.join('\n');
}

/** The worst problem of the day: 1 setup (unreachable, refused credentials), 4 incomplete, 5 discrepancies. */
function dayExitCode(report: EndOfDayReport): ExitCode {
  const { reconciliation } = report;
  if (!reconciliation.complete) {
    const codes = Object.values(reconciliation.outcomes)
      .filter((outcome) => outcome.state !== 'succeeded')
      .map((outcome) => exitCodeFor(outcome));
    if (codes.includes(EXIT.other)) return EXIT.other;
    return EXIT.notFinal;
  }
  return report.discrepancies.length > 0 ? EXIT.refused : EXIT.ok;
}

function reconciliationDocument(report: EndOfDayReport): Record<string, unknown> {
  return {
    provider: report.provider,
    date: report.date,
    timeZone: report.timeZone,
    from: report.from,
    to: report.to,
    complete: report.reconciliation.complete,
    outcomes: report.reconciliation.outcomes,
    matched: report.reconciliation.matched,
    discrepancies: report.discrepancies,
  };
}

async function runDay(
  context: CommandContext,
  provider: string,
  date: string,
  send: { send: boolean; force?: { reason: string }; actor?: string },
): Promise<{ report: EndOfDayReport; where: string }> {
  const runtime = await openRuntime(context);
  const progress = new ProgressLine(context.io.stderr);
  try {
    if (!runtime.providers.has(provider)) {
      throw usageError(
        `--provider ${JSON.stringify(provider)} is not in the configuration (known: ${[...runtime.providers.keys()].join(', ')})`,
      );
    }
    const report = await runtime.router.endOfDay(provider, date, {
      send: send.send,
      signal: context.signal,
      ...(send.force ? { force: send.force } : {}),
      ...(send.actor ? { actor: send.actor } : {}),
      onProgress: (event) => progress.update(progressText(event)),
    });
    return { report, where: runtime.journalDescription };
  } finally {
    progress.done();
    await runtime.close();
  }
}

function progressText(event: EndOfDayProgress): string {
  const first = event.offset + 1;
  const last = event.offset + event.size;
  const what =
    event.kind === 'registry' ? `registry chunk ${event.chunk + 1}/${event.chunks}` : 'daily totals';
  const entries = event.kind === 'registry' ? ` (payments ${first}–${last})` : '';
  return `${what}${entries}: ${event.status === 'sending' ? 'sending…' : event.status}`;
}

export const reconcileCommand: Command = {
  name: 'reconcile',
  summary:
    "Compare one provider's day in the journal with the provider's own list; exit 5 when it does not add up.",
  usage: 'tolem reconcile --provider P --date D',
  options: { ...DAY_OPTIONS, ...CONFIG_OPTION },
  async run(context) {
    const provider = readProvider(context.flags);
    const date = readDate(context.flags);
    const { report, where } = await runDay(context, provider, date, { send: false });
    const exitCode = dayExitCode(report);
    return {
      document: { journal: where, ...reconciliationDocument(report) },
      human: `${dayHeader(report)}\n${reconciliationText(report)}`,
      exitCode,
      ...(exitCode === EXIT.ok ? {} : { notice: dayNotice(report, exitCode) }),
    } satisfies CommandOutput;
  },
};

function dayNotice(report: EndOfDayReport, code: ExitCode): string {
  if (code === EXIT.refused)
    return `the day does not add up (${report.discrepancies.length} discrepancy(ies)): see docs/runbooks.md, "End of day does not add up"`;
  if (code === EXIT.other)
    return `${report.provider} could not be reached or refused the credentials: check its baseUrl, agentId and password in the configuration`;
  return 'the provider did not give its full list of the day: nothing is known to be missing; run it again later';
}

const SEND_STATUS: Record<SubmissionReport['status'], string> = {
  not_requested: 'not sent (no --send)',
  nothing_to_send: 'nothing to send (no payment that day)',
  blocked: 'held back',
  sent: 'sent: every chunk accepted',
  already_sent: 'already sent by an earlier run: nothing sent again',
  incomplete: 'not every chunk accepted: the next run resumes from the first one that is not',
};

const BLOCKED_BY: Record<NonNullable<SubmissionReport['blockedBy']>, string> = {
  reconciliation_incomplete: 'the reconciliation is incomplete',
  discrepancies: 'the day does not add up',
  changed_since_sent: 'the content changed since it was sent: --force-reason sends a new revision',
  registry_not_accepted: 'the registry is not accepted in full yet',
  aborted: 'interrupted',
  concurrent_run: 'another run was sending the same day meanwhile: run it again to see where it stands',
};

function submissionText(submission: SubmissionReport): string {
  const status = `${SEND_STATUS[submission.status]}${submission.blockedBy ? `: ${BLOCKED_BY[submission.blockedBy]}` : ''}`;
  const lines = [`${submission.kind}: ${status}`];
  if (submission.startedAt !== null) {
    const by = submission.startedBy ? ` by ${submission.startedBy.kind} ${submission.startedBy.name}` : '';
    lines.push(
      `  revision ${submission.revision}, started ${submission.startedAt}${by}${submission.completedAt ? `, accepted in full ${submission.completedAt}` : ''}${submission.force ? `, forced: ${submission.force.reason}` : ''}`,
    );
  }
  if (submission.chunks.length > 0) {
    lines.push(
      columnTable(
        ['chunk', 'entries', 'status', 'sends', 'provider says', 'sent'],
        submission.chunks.map((chunk) => [
          chunk.index + 1,
          `${chunk.offset + 1}–${chunk.offset + chunk.size}`,
          chunk.status,
          chunk.sends,
          chunk.outcome
            ? (saidCell(chunk.outcome.providerStatus, chunk.outcome.message) ?? chunk.outcome.state)
            : null,
          chunk.sentAt,
        ]),
      )
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n'),
    );
  }
  return lines.join('\n');
}

/** eod: the day's problem first; once sending was asked, what became of each kind. */
function eodExitCode(report: EndOfDayReport): ExitCode {
  if (!report.send.requested) return dayExitCode(report);
  let worst: ExitCode = EXIT.ok;
  const rank: ExitCode[] = [EXIT.ok, EXIT.failed, EXIT.notFinal, EXIT.refused, EXIT.other];
  const raise = (code: ExitCode) => {
    if (rank.indexOf(code) > rank.indexOf(worst)) worst = code;
  };
  for (const submission of [report.send.registry, report.send.totals]) {
    if (submission.status === 'blocked') {
      if (submission.blockedBy === 'aborted') raise(EXIT.other);
      else if (submission.blockedBy === 'reconciliation_incomplete') raise(dayExitCode(report));
      else raise(EXIT.refused);
    } else if (submission.status === 'incomplete') {
      if (submission.blockedBy === 'aborted') raise(EXIT.other);
      if (submission.blockedBy === 'concurrent_run') raise(EXIT.notFinal);
      for (const chunk of submission.chunks)
        if (chunk.status !== 'accepted')
          raise(
            chunk.status === 'refused'
              ? EXIT.failed
              : chunk.outcome
                ? exitCodeFor(chunk.outcome)
                : EXIT.notFinal,
          );
    }
  }
  return worst;
}

function readSendOptions(flags: Flags): { send: boolean; force?: { reason: string }; actor?: string } {
  const send = flags.send === true;
  const reason = optionalString(flags, 'force-reason');
  const actor = optionalString(flags, 'actor');
  if (reason !== undefined && !send)
    throw usageError('--force-reason goes with --send: it says why to send anyway');
  if (reason !== undefined && reason.trim().length < 3)
    throw usageError('--force-reason must say why, in a few words (it is recorded with what is sent)');
  if (actor !== undefined && (actor.trim() === '' || [...actor].length > 128))
    throw usageError('--actor is 1 to 128 characters: who runs it, for the record');
  return {
    send,
    ...(reason === undefined ? {} : { force: { reason: reason.trim() } }),
    ...(actor === undefined ? {} : { actor: actor.trim() }),
  };
}

export const eodCommand: Command = {
  name: 'eod',
  summary:
    'End of day: reconcile, build the registry and daily totals from the journal, and send them with --send (once).',
  usage: 'tolem eod --provider P --date D [--send] [--force-reason TEXT] [--actor NAME]',
  options: {
    ...DAY_OPTIONS,
    send: {
      type: 'boolean',
      description: 'send the registry and the totals (only when the day adds up; never twice)',
    },
    'force-reason': {
      type: 'string',
      value: 'TEXT',
      description: 'send although the day does not add up (or changed since sent); recorded with it',
    },
    actor: { type: 'string', value: 'NAME', description: 'who runs it, recorded with what is sent' },
    ...CONFIG_OPTION,
  },
  async run(context) {
    const provider = readProvider(context.flags);
    const date = readDate(context.flags);
    const options = readSendOptions(context.flags);
    const { report, where } = await runDay(context, provider, date, options);
    const totals = report.totals;
    const human = [
      dayHeader(report),
      reconciliationText(report),
      '',
      keyValueTable([
        [
          'registry',
          `${report.registry.entries} payment(s), ${report.registry.amount}${report.registry.currency ? ` ${report.registry.currency}` : ''}`,
        ],
        [
          'daily totals',
          totals === null
            ? 'none (the day mixes currencies)'
            : `${totals.totalCount} payment(s), ${totals.totalAmount}${report.registry.currency ? ` ${report.registry.currency}` : ''}${totals.services.length > 0 ? ` (${totals.services.map((line) => `service ${line.serviceId}: ${line.count}, ${line.amount}`).join(' · ')})` : ''}`,
        ],
      ]),
      '',
      submissionText(report.send.registry),
      submissionText(report.send.totals),
    ].join('\n');
    const exitCode = eodExitCode(report);
    return {
      document: {
        journal: where,
        ...reconciliationDocument(report),
        registry: report.registry,
        totals: report.totals,
        send: report.send,
      },
      human,
      exitCode,
      ...(exitCode === EXIT.ok ? {} : { notice: eodNotice(report, exitCode) }),
    } satisfies CommandOutput;
  },
};

function eodNotice(report: EndOfDayReport, code: ExitCode): string {
  const aborted = [report.send.registry, report.send.totals].some((each) => each.blockedBy === 'aborted');
  if (!report.send.requested || (code === EXIT.other && !aborted)) return dayNotice(report, code);
  if (code === EXIT.refused)
    return 'nothing more was sent: the day does not add up (or changed since sent); fix it, or send anyway with --force-reason TEXT';
  if (code === EXIT.notFinal)
    return 'not everything is accepted yet: run the same command again; it resumes from the first chunk not accepted';
  if (code === EXIT.failed) return 'the provider refused a chunk: see its answer above, fix it and run again';
  return 'stopped before everything was sent: run the same command again; it resumes where it stopped';
}
