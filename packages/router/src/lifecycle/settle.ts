import {
  type AttemptRecord,
  type AttemptUpdate,
  canTransition,
  isFinal,
  type Outcome,
  type PaymentRecord,
  type PaymentResult,
  type Secret,
  type Transition,
} from '@tolem/core';
import {
  type AttemptFacts,
  type Decision,
  decide,
  mayMarkFailed,
  settledWithoutMoney,
} from '../routing/failover-policy.js';
import { backoffDelay } from './backoff.js';
import { nextTargetNow, type RouterContext } from './context.js';
import { commit } from './journal-writer.js';

export interface Settlement {
  /** The attempt the news is about. */
  attemptNo: number;
  /** What to write on that attempt; null when nothing new is known about it. */
  update: AttemptUpdate | null;
  /** A finalizer re-check: count it, reschedule from the grown delay, and escalate when old. */
  check?: boolean;
  /** Release the finalizer's lease held by this owner. */
  releaseLease?: string;
  /**
   * The voucher code the answer behind `update` carried. Kept (sealed into this very write, or held in
   * memory without a key) when the update is a success of a `sendType: 'api'` payment. `handedOut`:
   * the caller that got the answer (`pay()`) already has it.
   */
  voucher?: { code: Secret; handedOut: boolean };
}

/** The attempt fields a provider answer sets. */
export function attemptUpdateFrom(result: Outcome & { providerRequestId?: string | null }): AttemptUpdate {
  return {
    state: result.state,
    final: result.final,
    reason: result.reason,
    providerStatus: result.providerStatus,
    message: result.message,
    providerRequestId: result.providerRequestId ?? null,
  };
}

/** What a Status answer may write on an attempt: only a real state, never a transport fault of the check itself. */
export function statusUpdate(attempt: AttemptRecord, result: PaymentResult): AttemptUpdate | null {
  if (result.state === 'unknown') return null;
  if (!canTransition(attempt.state, result.state)) return null;
  if (attempt.state === result.state && attempt.providerStatus === result.providerStatus) return null;
  return attemptUpdateFrom(result);
}

function factsAfter(attempt: AttemptRecord, update: AttemptUpdate | null): AttemptFacts {
  if (update === null || attempt.final) return attempt;
  const state = update.state ?? attempt.state;
  const reason = state === 'pending' || state === 'succeeded' ? null : (update.reason ?? attempt.reason);
  return { state, reason, sends: attempt.sends };
}

/**
 * Builds the one journal write that records news about an attempt and what it means for the
 * payment: final success or failure, a pending/unknown mirror with the next re-check, or (for a
 * failover) a short in-flight hold while the caller opens the next attempt.
 */
export function planSettlement(
  ctx: RouterContext,
  record: PaymentRecord,
  settlement: Settlement,
): { change: Transition; decision: Decision } | null {
  const attempt = record.attempts.find((a) => a.no === settlement.attemptNo);
  if (attempt === undefined) return null;
  const now = ctx.clock.now();
  const change: Transition = {};
  if (settlement.update !== null && !attempt.final) {
    change.attempt = { no: attempt.no, update: settlement.update };
  }
  const facts = record.attempts.map((a) => (a.no === attempt.no ? factsAfter(a, settlement.update) : a));
  const latest = record.attempts[record.attempts.length - 1];
  const latestFacts = facts[facts.length - 1];
  let decision: Decision = { kind: 'wait' };
  if (!record.final && latest !== undefined && latestFacts !== undefined) {
    decision = decide(latestFacts, ctx.policy, nextTargetNow(ctx, record).target !== null);
    const latestUpdate = latest.no === attempt.no && !latest.final ? settlement.update : null;
    const shown = { ...latest, ...(latestUpdate ?? {}), ...latestFacts };
    if (decision.kind === 'succeeded') {
      change.payment = payment(shown, 'succeeded');
    } else if (decision.kind === 'failed' && mayMarkFailed(facts)) {
      change.payment = { ...payment(shown, 'failed'), reason: decision.reason };
    } else if (decision.kind === 'failover') {
      // The caller opens the next attempt right away; keep other instances off it meanwhile.
      change.nextCheckAt = new Date(now.getTime() + ctx.options.finalizer.inFlightMs);
    } else if (decision.kind === 'failed') {
      // An earlier attempt may have moved money (never by our own rules, but a journal can be edited):
      // the payment stays open and escalates instead of being failed.
      decision = { kind: 'wait' };
      const doubtful = facts.find((a) => !settledWithoutMoney(a));
      change.payment = { ...payment(shown, 'unknown'), reason: doubtful?.reason ?? 'unknown_status' };
      const checks = record.checks + (settlement.check ? 1 : 0);
      change.nextCheckAt = new Date(
        now.getTime() + backoffDelay(checks, ctx.options.finalizer, ctx.options.random),
      );
    } else {
      change.payment = payment(shown, shown.state);
      const checks = record.checks + (settlement.check ? 1 : 0);
      change.nextCheckAt = new Date(
        now.getTime() + backoffDelay(checks, ctx.options.finalizer, ctx.options.random),
      );
    }
  }
  if (settlement.check) {
    change.countCheck = true;
    const age = now.getTime() - Date.parse(record.createdAt);
    // Age never decides a state: an old open payment is only reported, and re-checked as before.
    if (
      decision.kind === 'wait' &&
      !record.final &&
      record.stuckAt === null &&
      age >= ctx.options.finalizer.escalateAfterMs
    ) {
      change.stuck = true;
    }
  }
  if (settlement.releaseLease !== undefined) change.releaseLease = settlement.releaseLease;
  return { change, decision };
}

function payment(
  source: Pick<AttemptRecord, 'state' | 'reason' | 'providerStatus' | 'message'>,
  state: Outcome['state'],
): Outcome {
  return {
    state,
    final: isFinal(state),
    reason: state === 'pending' || state === 'succeeded' ? null : source.reason,
    providerStatus: source.providerStatus,
    message: source.message,
  };
}

/** The voucher code a settlement brings, when it is one to keep: a success of a `sendType: 'api'` payment. */
function voucherCode(record: PaymentRecord, settlement: Settlement): Secret | undefined {
  if (settlement.voucher === undefined || record.details.sendType !== 'api') return undefined;
  return settlement.update?.state === 'succeeded' ? settlement.voucher.code : undefined;
}

/**
 * Writes a settlement (retrying on concurrent writes), with the voucher code it brings sealed into the
 * same write, and emits `payment.stuck` when it escalates and `voucher` when a code was received.
 */
export async function settle(
  ctx: RouterContext,
  record: PaymentRecord,
  settlement: Settlement,
): Promise<{ record: PaymentRecord; decision: Decision }> {
  let decision: Decision = { kind: 'wait' };
  let escalated = false;
  const code = record.voucher === null ? voucherCode(record, settlement) : undefined;
  // Sealed (or held in memory) before the write: a waiter woken by it finds the code.
  const sealed =
    code === undefined ? null : ctx.vouchers.keep(record, code, settlement.voucher?.handedOut === true);
  const written = await commit(ctx, record, (current) => {
    const plan = planSettlement(ctx, current, settlement);
    if (plan === null) return null;
    decision = plan.decision;
    escalated = plan.change.stuck === true;
    if (sealed !== null && current.voucher === null) plan.change.voucher = sealed;
    return plan.change;
  });
  if (code !== undefined && written.state === 'succeeded') {
    const provider = written.attempts.find((a) => a.no === settlement.attemptNo)?.provider ?? null;
    ctx.events.emit('voucher', () => ({
      paymentId: written.paymentId,
      service: written.service,
      provider,
      code,
      kept: sealed !== null && written.voucher !== null,
    }));
  }
  if (escalated && written.stuckAt !== null && !written.final) {
    const latest = written.attempts[written.attempts.length - 1];
    ctx.events.emit('payment.stuck', () => ({
      paymentId: written.paymentId,
      service: written.service,
      provider: latest?.provider ?? null,
      state: written.state,
      ageMs: Math.max(0, ctx.clock.now().getTime() - Date.parse(written.createdAt)),
    }));
  }
  return { record: written, decision };
}
