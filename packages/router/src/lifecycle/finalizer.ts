import { latestAttempt, type PaymentRecord, type PaymentResult } from '@tolem/core';
import { type AuditFrame, answerOf, asActor } from '../back-office/audit.js';
import { decide } from '../routing/failover-policy.js';
import { backoffDelay } from './backoff.js';
import { nextTargetNow, type RouterContext } from './context.js';
import { drive, resendLatest, voucherOf } from './drive.js';
import { commit } from './journal-writer.js';
import { settle, statusUpdate } from './settle.js';
import { checkStatus } from './status.js';

/**
 * The background loop of architecture §4.4: claims due open payments from the journal (a lease, so two
 * router instances never re-check one at once), asks Status, resends the same Payment when the
 * provider does not have it, fails over only where the rules allow, and reschedules the rest on a
 * growing jittered delay. Age never makes a payment final: it only raises `payment.stuck`, once.
 */
export class Finalizer {
  readonly #ctx: RouterContext;
  #running = false;
  #timer: NodeJS.Timeout | null = null;
  #tick: Promise<void> | null = null;
  #again = false;

  constructor(ctx: RouterContext) {
    this.#ctx = ctx;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Polls now instead of at the next interval (a payment just became due). */
  wake(): void {
    if (!this.#running) return;
    if (this.#tick !== null) {
      this.#again = true;
      return;
    }
    this.#schedule(0);
  }

  /** Stops polling and waits for the checks in flight to finish. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#tick;
  }

  /** Claims one batch of due payments and checks them all; resolves with how many were claimed. */
  async runOnce(): Promise<number> {
    const { journal, options, clock, events } = this.#ctx;
    const started = performance.now();
    const claimed = await journal.claimDue({
      now: clock.now(),
      owner: options.instanceId,
      leaseMs: options.finalizer.leaseMs,
      limit: options.finalizer.batchSize,
    });
    await Promise.all(
      claimed.map((record) =>
        this.check(record).catch((error: unknown) =>
          this.#ctx.reportError(error, { source: 'finalizer', paymentId: record.paymentId }),
        ),
      ),
    );
    events.emit('finalizer.pass', () => ({
      claimed: claimed.length,
      durationMs: performance.now() - started,
    }));
    return claimed.length;
  }

  /** One re-check of a claimed payment. */
  async check(claimed: PaymentRecord): Promise<void> {
    // What this check learns goes into the history with its writes.
    const frame: AuditFrame = { reason: 'status_check' };
    const ctx = asActor(this.#ctx, 'finalizer', frame);
    const owner = ctx.options.instanceId;
    await ctx.locks.run(claimed.paymentId, async () => {
      const current = await ctx.journal.get(claimed.paymentId);
      if (current === null || current.final || current.lease?.owner !== owner) return;
      const due =
        current.nextCheckAt !== null && Date.parse(current.nextCheckAt) <= ctx.clock.now().getTime();
      if (!due) {
        // A pay() or callback in this process moved it while we waited for the lock.
        await commit(ctx, current, (fresh) =>
          fresh.lease?.owner === owner ? { releaseLease: owner } : null,
        );
        return;
      }
      const latest = latestAttempt(current);
      const decision = decide(latest, ctx.policy, nextTargetNow(ctx, current).target !== null);
      if (decision.kind !== 'wait' || latest === undefined) {
        // No attempt yet (a crash between create and send), or a crash in the middle of a failover.
        frame.reason = 'recovery';
        const driven = await drive(ctx, current, { origin: 'finalizer' });
        await this.#release(driven.record);
        return;
      }
      const status = await this.#status(current);
      if (status !== null) frame.answer = answerOf(status);
      const provider = ctx.providers.get(latest.provider);
      if (
        status?.state === 'unknown' &&
        status.reason === 'not_found' &&
        provider?.capabilities.idempotentResend
      ) {
        // The provider does not have it (never arrived, or lost): send the very same Payment again.
        frame.reason = 'resend_not_found';
        const resent = await resendLatest(ctx, current, { check: true, releaseLease: owner });
        await this.#continue(resent);
        return;
      }
      const update = status === null ? null : statusUpdate(latest, status);
      const settled = await settle(ctx, current, {
        attemptNo: latest.no,
        update,
        check: true,
        releaseLease: owner,
        ...(status === null ? {} : voucherOf(status, false)),
      });
      await this.#continue(settled.record);
    });
  }

  /** After new facts: a failover decided by them runs now; a lease still held is released. */
  async #continue(record: PaymentRecord): Promise<void> {
    let current = record;
    if (current.final) return;
    const decision = decide(
      latestAttempt(current),
      this.#ctx.policy,
      nextTargetNow(this.#ctx, current).target !== null,
    );
    if (decision.kind !== 'wait') current = (await drive(this.#ctx, current, { origin: 'finalizer' })).record;
    await this.#release(current);
  }

  /** Counts the check, sets the next one and releases the lease — unless a write already did. */
  async #release(record: PaymentRecord): Promise<void> {
    if (record.final || record.lease?.owner !== this.#ctx.options.instanceId) return;
    await this.#reschedule(record);
  }

  async #status(record: PaymentRecord): Promise<PaymentResult | null> {
    const attempt = latestAttempt(record);
    return attempt === undefined ? null : checkStatus(this.#ctx, record, attempt, 'finalizer');
  }

  /** Counts a check and sets the next one when a drive left the payment open; releases the lease. */
  async #reschedule(record: PaymentRecord): Promise<void> {
    if (record.final) return;
    const ctx = this.#ctx;
    const owner = ctx.options.instanceId;
    const latest = latestAttempt(record);
    if (latest !== undefined) {
      await settle(ctx, record, { attemptNo: latest.no, update: null, check: true, releaseLease: owner });
      return;
    }
    await commit(ctx, record, (current) => {
      if (current.final) return null;
      const delay = backoffDelay(current.checks + 1, ctx.options.finalizer, ctx.options.random);
      return {
        countCheck: true,
        nextCheckAt: new Date(ctx.clock.now().getTime() + delay),
        releaseLease: owner,
      };
    });
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#tick = this.#loop().finally(() => {
        this.#tick = null;
      });
    }, delayMs);
    this.#timer.unref?.();
  }

  async #loop(): Promise<void> {
    let claimed = 0;
    try {
      claimed = await this.runOnce();
    } catch (error) {
      this.#ctx.reportError(error, { source: 'finalizer', paymentId: null });
    }
    const full = claimed >= this.#ctx.options.finalizer.batchSize;
    const again = this.#again;
    this.#again = false;
    this.#schedule(full || again ? 0 : this.#ctx.options.finalizer.pollIntervalMs);
  }
}
