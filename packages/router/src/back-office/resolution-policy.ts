import {
  type AttemptRecord,
  movedNoMoney,
  type Outcome,
  type Reason,
  type ResolutionRefusal,
  reasonKind,
} from '@tolem/core';
import type { ResolutionConfirmation } from './types.js';

/**
 * The rules of a manual resolution (architecture §4.8, §4.3), as one pure function over facts: which
 * attempts must be asked, and what their answers allow. Never marks failed what may have gone through.
 */

/** The attempts a resolution must ask Status about: every one that may have moved money. */
export function attemptsToCheck(attempts: readonly AttemptRecord[]): AttemptRecord[] {
  return attempts.filter((attempt) => !movedNoMoney(attempt));
}

/**
 * What one Status answer says about whether the attempt moved money: `none` (a final failure: it did
 * not) · `moved` (succeeded: it did) · `may_have` (pending, or an answer showing the provider holds the
 * payment in some state: an unmapped status, a conflicting echo) · `unconfirmed` (no usable answer:
 * not asked, "not found", a transport or request-level error).
 */
export type AnswerMeaning = 'none' | 'moved' | 'may_have' | 'unconfirmed';

export function meaningOf(answer: Outcome | null): AnswerMeaning {
  if (answer === null) return 'unconfirmed';
  if (answer.state === 'failed') return 'none';
  if (answer.state === 'succeeded') return 'moved';
  if (answer.state === 'pending') return 'may_have';
  const reason: Reason | null = answer.reason;
  if (reason === null) return 'unconfirmed';
  // The provider holds something under this id: in a state nobody mapped, or with other fields.
  if (reason === 'unknown_status' || reasonKind(reason) === 'integrity') return 'may_have';
  return 'unconfirmed';
}

export interface ResolutionFacts {
  requested: 'succeeded' | 'failed';
  attempts: readonly AttemptRecord[];
  /** Status answers by attempt number, for every attempt `attemptsToCheck` returned (null: not asked). */
  answers: ReadonlyMap<number, Outcome | null>;
  hasEvidence: boolean;
  /** Now, and how long a send may stay on its way (`finalizer.inFlightMs`), in ms. */
  now: number;
  inFlightMs: number;
}

export type ResolutionDecision =
  | {
      kind: 'resolve';
      confirmation: ResolutionConfirmation;
      /** The attempt the resolution finalises too (null: none may have moved money). */
      attemptNo: number | null;
      answer: Outcome | null;
    }
  | {
      kind: 'refuse';
      refusal: ResolutionRefusal;
      attemptNo: number | null;
      answer: Outcome | null;
      why: string;
    };

function describe(answer: Outcome | null): string {
  if (answer === null) return 'could not be asked';
  const code = answer.providerStatus === null ? '' : ` (${answer.providerStatus})`;
  return `${answer.state}${answer.reason === null ? '' : `/${answer.reason}`}${code}`;
}

export function decideResolution(facts: ResolutionFacts): ResolutionDecision {
  const checked = attemptsToCheck(facts.attempts).map((attempt) => ({
    attempt,
    answer: facts.answers.get(attempt.no) ?? null,
  }));
  for (const { attempt } of checked) {
    if (!facts.answers.has(attempt.no)) throw new Error(`attempt ${attempt.no} was not asked`);
  }
  return facts.requested === 'failed' ? decideFailed(facts, checked) : decideSucceeded(facts, checked);
}

type Checked = { attempt: AttemptRecord; answer: Outcome | null }[];

function decideFailed(facts: ResolutionFacts, checked: Checked): ResolutionDecision {
  // The journal already holds a success: the provider said so once, and a success never turns back.
  const succeeded = facts.attempts.find((a) => a.state === 'succeeded');
  if (succeeded !== undefined) {
    return refuse('contradicted', succeeded.no, null, `attempt ${succeeded.no} is succeeded in the journal`);
  }
  if (checked.length === 0)
    return { kind: 'resolve', confirmation: 'journal', attemptNo: null, answer: null };
  for (const { attempt, answer } of checked) {
    const meaning = meaningOf(answer);
    if (meaning === 'moved' || meaning === 'may_have') {
      return refuse(
        'contradicted',
        attempt.no,
        answer,
        `the provider says ${describe(answer)} for attempt ${attempt.no}: it may have moved money`,
      );
    }
  }
  const unconfirmed = checked.filter(({ answer }) => meaningOf(answer) === 'unconfirmed');
  const latest = checked[checked.length - 1]!;
  if (unconfirmed.length === 0) {
    return { kind: 'resolve', confirmation: 'provider', attemptNo: latest.attempt.no, answer: latest.answer };
  }
  const first = unconfirmed[0]!;
  // A request still on its way may arrive after the provider said it has none: no evidence vouches for that.
  const recent = unconfirmed.find(
    ({ attempt }) => facts.now - Date.parse(attempt.updatedAt) < facts.inFlightMs,
  );
  if (recent !== undefined) {
    return refuse(
      'in_flight',
      recent.attempt.no,
      recent.answer,
      `attempt ${recent.attempt.no} was sent or updated less than ${facts.inFlightMs} ms ago and the provider cannot confirm it (${describe(recent.answer)}): wait until no request can still be on its way`,
    );
  }
  if (!facts.hasEvidence) {
    return refuse(
      'evidence_required',
      first.attempt.no,
      first.answer,
      `the provider cannot confirm attempt ${first.attempt.no} (${describe(first.answer)}): give evidence (a support ticket) to resolve it failed`,
    );
  }
  return { kind: 'resolve', confirmation: 'evidence', attemptNo: latest.attempt.no, answer: first.answer };
}

function decideSucceeded(facts: ResolutionFacts, checked: Checked): ResolutionDecision {
  if (checked.length === 0) {
    const latest = facts.attempts[facts.attempts.length - 1];
    return refuse(
      'nothing_sent',
      latest?.no ?? null,
      null,
      facts.attempts.length === 0
        ? 'nothing was ever sent for it'
        : 'every attempt provably moved no money (declined, or never sent)',
    );
  }
  const confirmed = checked.find(({ answer }) => meaningOf(answer) === 'moved');
  if (confirmed !== undefined) {
    return {
      kind: 'resolve',
      confirmation: 'provider',
      attemptNo: confirmed.attempt.no,
      answer: confirmed.answer,
    };
  }
  const open = checked.filter(({ answer }) => meaningOf(answer) !== 'none');
  if (open.length === 0) {
    const last = checked[checked.length - 1]!;
    return refuse(
      'contradicted',
      last.attempt.no,
      last.answer,
      `the provider says ${describe(last.answer)}: a final failure, no money moved`,
    );
  }
  const target = open[open.length - 1]!;
  if (!facts.hasEvidence) {
    return refuse(
      'evidence_required',
      target.attempt.no,
      target.answer,
      `the provider does not confirm a success of attempt ${target.attempt.no} (${describe(target.answer)}): give evidence to resolve it succeeded`,
    );
  }
  return { kind: 'resolve', confirmation: 'evidence', attemptNo: target.attempt.no, answer: target.answer };
}

function refuse(
  refusal: ResolutionRefusal,
  attemptNo: number | null,
  answer: Outcome | null,
  why: string,
): ResolutionDecision {
  return { kind: 'refuse', refusal, attemptNo, answer, why };
}
