import {
  type CallOptions,
  isAbortSignal,
  MAX_TIMEOUT_MS,
  type PaymentListRange,
  type PaymentProvider,
  type PaymentRecord,
  ProviderUnavailableError,
  parseCallOptions,
  parseInput,
  paymentIdSchema,
  UnsupportedOperationError,
  ValidationError,
} from '@tolem/core';
import { asActor, auditedJournal } from './back-office/audit.js';
import { endOfDay } from './back-office/end-of-day.js';
import { resolvePayment } from './back-office/resolve.js';
import type { EndOfDayOptions, EndOfDayReport, Resolution, ResolveRequest } from './back-office/types.js';
import { ProviderBreakers } from './breaker.js';
import { type BreakerState, RouterEventBus } from './events.js';
import { KeyedLock } from './keyed-lock.js';
import { CallbackChecks } from './lifecycle/callback-checks.js';
import { handleCallback } from './lifecycle/callback-intake.js';
import type { RouterContext } from './lifecycle/context.js';
import { Finalizer } from './lifecycle/finalizer.js';
import { pay } from './lifecycle/pay.js';
import { PaymentWatchers } from './lifecycle/watchers.js';
import { type ResolvedOptions, type RouterOptions, resolveOptions } from './options.js';
import { readOnlyCall } from './read-only-calls.js';
import { compareWithProvider, type ReconcileReport } from './reconciliation.js';
import type {
  CallbackHandling,
  CheckRequest,
  PaymentView,
  PayRequest,
  ReconcileOptions,
  RoutedAccountCheck,
  RoutedQuote,
  Router,
} from './types.js';
import { toView } from './view.js';
import { Vouchers } from './vouchers.js';
import { RouterWarning } from './warnings.js';

/**
 * Builds a router (architecture §5): per-service routes over several providers, one circuit breaker per
 * provider, safe failover, every payment journaled before it is sent and driven to a final state.
 */
export function createRouter(options: RouterOptions): Router {
  return new TolemRouter(resolveOptions(options));
}

class TolemRouter implements Router {
  readonly events = new RouterEventBus();
  readonly journal;
  readonly providers: ReadonlyMap<string, PaymentProvider>;
  readonly #ctx: RouterContext;
  readonly #finalizer: Finalizer;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #options: ResolvedOptions;
  readonly #warned = new Set<string>();
  #stopped: Promise<void> | null = null;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.journal = options.journal;
    this.providers = new Map(options.providers.map((provider) => [provider.id, provider]));
    const clock = options.clock;
    const breakers = new ProviderBreakers([...this.providers.keys()], options.breaker, this.events, () =>
      clock.now().getTime(),
    );
    const reportError: RouterContext['reportError'] = (error, context) => {
      if (options.onError) options.onError(error, context);
      else process.emitWarning(`tolem router ${context.source}: ${describe(error)}`, 'TolemRouterWarning');
    };
    this.#ctx = {
      options,
      providers: this.providers,
      routes: options.routes,
      // pay()'s writes, signed as this instance (the finalizer and callbacks sign their own).
      journal: auditedJournal(options.journal, () => ({
        actor: { kind: 'router', name: options.instanceId },
        reason: 'pay',
      })),
      breakers,
      events: this.events,
      policy: { onReasons: new Set(options.failover.onReasons) },
      locks: new KeyedLock(),
      watchers: new PaymentWatchers(),
      vouchers: new Vouchers(options.vouchers.keyring, clock),
      callbackChecks: new CallbackChecks(options.callbacks.minCheckIntervalMs, {
        clock,
        track: (work) => this.#track(work),
        reportError: (error, paymentId) => reportError(error, { source: 'callback', paymentId }),
      }),
      clock,
      wakeFinalizer: () => this.#finalizer.wake(),
      reportError,
    };
    this.#finalizer = new Finalizer(asActor(this.#ctx, 'finalizer', { reason: 'status_check' }));
  }

  async start(): Promise<void> {
    this.#assertRunning();
    if (!this.#options.vouchers.silent) {
      this.warn(
        new RouterWarning(
          'TOLEM_VOUCHER_CODES_NOT_KEPT',
          "no voucher key: the code of a sendType 'api' voucher whose first answer is not final (confirmed later by the finalizer or a callback) is held only in this process's memory for its waiters, and lost on restart; set vouchers: { keys, current } to keep codes encrypted in the journal, or vouchers: false to say this is intended",
        ),
      );
    }
    this.#finalizer.start();
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#shutdown();
    return this.#stopped;
  }

  async #shutdown(): Promise<void> {
    this.#ctx.callbackChecks.close();
    await this.#finalizer.stop();
    await Promise.allSettled([...this.#inFlight]);
    this.#ctx.breakers.shutdown();
    if (!this.#options.closeResources) return;
    const closing = await Promise.allSettled(
      [...this.providers.values()].map((provider) => provider.close()),
    );
    await this.journal.close();
    const failed = closing.find((result) => result.status === 'rejected');
    if (failed?.status === 'rejected') throw failed.reason;
  }

  async checkAccount(request: CheckRequest, callOptions?: CallOptions): Promise<RoutedAccountCheck> {
    return this.#track(
      readOnlyCall(this.#ctx, 'checkAccount', request, callOptions, (provider, atTarget, options) =>
        provider.checkAccount(atTarget, options),
      ),
    );
  }

  async quote(request: CheckRequest, callOptions?: CallOptions): Promise<RoutedQuote> {
    return this.#track(
      readOnlyCall(this.#ctx, 'quote', request, callOptions, (provider, atTarget, options) => {
        if (provider.quote === undefined)
          throw new UnsupportedOperationError('quote', { providerId: provider.id });
        return provider.quote(atTarget, options);
      }),
    );
  }

  async pay(request: PayRequest, callOptions?: CallOptions): Promise<PaymentView> {
    this.#assertRunning();
    const options = parseCallOptions(callOptions);
    const { inFlightMs } = this.#options.finalizer;
    // A send may not outlive the window that keeps finalizers off it (they would re-check it mid-flight).
    if (options.timeoutMs !== undefined && options.timeoutMs > inFlightMs) {
      throw new ValidationError('timeoutMs', `at most finalizer.inFlightMs (${inFlightMs})`);
    }
    return this.#track(pay(this.#ctx, request, { signal: options.signal, timeoutMs: options.timeoutMs }));
  }

  async getPayment(paymentId: string): Promise<PaymentView | null> {
    parseInput(paymentIdSchema, paymentId, 'paymentId');
    const record = await this.journal.get(paymentId);
    return record === null ? null : this.#view(record);
  }

  async waitForFinal(
    paymentId: string,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<PaymentView> {
    parseInput(paymentIdSchema, paymentId, 'paymentId');
    if (typeof options !== 'object' || options === null)
      throw new ValidationError('options', 'an object { timeoutMs?, signal? } is required');
    const timeoutMs = options.timeoutMs ?? 60_000;
    // Above 2^31-1 ms setTimeout fires at once: a long wait would silently become no wait.
    if (
      typeof timeoutMs !== 'number' ||
      !Number.isFinite(timeoutMs) ||
      timeoutMs < 0 ||
      timeoutMs > MAX_TIMEOUT_MS
    )
      throw new ValidationError(
        'timeoutMs',
        `a number of milliseconds from 0 to ${MAX_TIMEOUT_MS} is required`,
      );
    if (options.signal !== undefined && !isAbortSignal(options.signal))
      throw new ValidationError('signal', 'an AbortSignal is required');
    const first = await this.journal.get(paymentId);
    if (first === null) throw new ValidationError('paymentId', `no payment ${JSON.stringify(paymentId)}`);
    if (first.final || timeoutMs === 0) return this.#view(first);
    options.signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      let poll: NodeJS.Timeout | null = null;
      const finish = (error?: unknown) => {
        clearTimeout(deadline);
        if (poll !== null) clearTimeout(poll);
        unwatch();
        options.signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = () => finish(options.signal?.reason);
      const deadline = setTimeout(() => finish(), timeoutMs);
      // In-process writes wake us at once; polling catches writes by other router instances.
      const unwatch = this.#ctx.watchers.watch(paymentId, (record) => {
        if (record.final) finish();
      });
      const schedule = () => {
        poll = setTimeout(() => {
          this.journal.get(paymentId).then(
            (record) => (record?.final ? finish() : schedule()),
            (error: unknown) => finish(error),
          );
        }, this.#options.finalizer.pollIntervalMs);
      };
      schedule();
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
    const latest = await this.journal.get(paymentId);
    return this.#view(latest ?? first);
  }

  warn(warning: RouterWarning): void {
    if (!(warning instanceof RouterWarning))
      throw new ValidationError('warning', 'a RouterWarning is required');
    if (this.#warned.has(warning.code)) return;
    this.#warned.add(warning.code);
    const { onError } = this.#options;
    if (onError === undefined) {
      process.emitWarning(warning.message, { type: warning.name, code: warning.code });
      return;
    }
    try {
      onError(warning, { source: 'startup', paymentId: null });
    } catch {
      // A throwing onError must not stop a start-up that only wanted to warn.
    }
  }

  handleCallback(providerId: string, body: string | Uint8Array): Promise<CallbackHandling> {
    return this.#track(
      handleCallback(this.#ctx, providerId, body).catch((error: unknown) => {
        this.#ctx.reportError(error, { source: 'callback', paymentId: null });
        throw error;
      }),
    );
  }

  breakerState(providerId: string): BreakerState {
    return this.#ctx.breakers.state(providerId);
  }

  async finalizeDue(): Promise<number> {
    this.#assertRunning();
    return this.#track(this.#finalizer.runOnce());
  }

  async resolve(paymentId: string, request: ResolveRequest, callOptions?: CallOptions): Promise<Resolution> {
    this.#assertRunning();
    return this.#track(resolvePayment(this.#ctx, paymentId, request, callOptions));
  }

  async endOfDay(providerId: string, date: string, options?: EndOfDayOptions): Promise<EndOfDayReport> {
    this.#assertRunning();
    return this.#track(endOfDay(this.#ctx, providerId, date, options));
  }

  async reconcile(
    providerId: string,
    range: PaymentListRange,
    options: ReconcileOptions = {},
  ): Promise<ReconcileReport> {
    if (typeof range !== 'object' || range === null)
      throw new ValidationError('range', 'an object { from, to } of Dates is required');
    parseCallOptions(options);
    const provider = this.providers.get(providerId);
    if (provider === undefined)
      throw new ValidationError('providerId', `unknown provider ${JSON.stringify(providerId)}`);
    if (provider.listPayments === undefined)
      throw new UnsupportedOperationError('listPayments', { providerId });
    if (!(range.from instanceof Date) || !(range.to instanceof Date) || !(range.from < range.to)) {
      throw new ValidationError('range', 'from and to Dates with from before to are required');
    }
    const list = provider.listPayments.bind(provider);
    const listed = await this.#ctx.breakers.run(
      providerId,
      'listPayments',
      (call) =>
        list(range, {
          signal: options.signal,
          timeoutMs: options.timeoutMs,
          onDispatch: () => call.started(),
        }),
      (result) => ({ state: result.state, reason: result.reason }),
      options.signal,
    );
    const { payments, ...outcome } = listed;
    return compareWithProvider(this.journal, providerId, range, { outcome, payments }, options.marginMs);
  }

  #view(record: PaymentRecord): PaymentView {
    return toView(record, this.#ctx.vouchers.view(record));
  }

  #assertRunning(): void {
    if (this.#stopped !== null) throw new ProviderUnavailableError('the router is stopped');
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    const forget = () => this.#inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
