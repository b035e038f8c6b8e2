import {
  type BalanceResult,
  type Clock,
  Dec,
  latestAttempt,
  movedNoMoney,
  type Outcome,
  type PaymentJournal,
  type PaymentProvider,
  type PaymentRecord,
  ProviderUnavailableError,
  type ServiceInfo,
  type ServicesResult,
} from '@tolem/core';
import { countsAsBreakerFailure, type ProviderBreakers } from '../breaker.js';
import type { BreakerState, RouterEventBus } from '../events.js';
import type { ResolvedRoutingOptions } from '../options.js';
import type { FailoverPolicy } from '../routing/failover-policy.js';
import type { CandidateFacts, ProviderFacts, ServiceFacts } from '../routing/provider-facts.js';
import { BalanceBook } from './balance-book.js';
import { serviceFacts } from './service-settings.js';
import { SuccessWindow } from './success-window.js';

/** Without `routing.balances`: how often a provider marked out of funds by a -2 has its balance checked. */
export const DEFAULT_RECHECK_MS = 60_000;
/** A balance is trusted for this many refresh intervals, then it is unknown again. */
const TRUSTED_REFRESHES = 3;
/** Journal rows read per page (and at most this many pages) when sharing amounts sent. */
const SHARE_PAGE = 500;
const SHARE_PAGES = 20;

interface ProviderState {
  readonly provider: PaymentProvider;
  readonly book: BalanceBook;
  readonly window: SuccessWindow;
  services: ReadonlyMap<string, ServiceFacts> | null;
  /** The settings as the provider listed them (the operator's view shows these). */
  serviceList: readonly ServiceInfo[] | null;
  servicesAt: number | null;
  inFlight: number;
  balanceCheck: Promise<void> | null;
  recheck: NodeJS.Timeout | null;
}

export interface RoutingFactsDeps {
  providers: ReadonlyMap<string, PaymentProvider>;
  breakers: ProviderBreakers;
  journal: PaymentJournal;
  events: RouterEventBus;
  clock: Clock;
  routing: ResolvedRoutingOptions;
  policy: FailoverPolicy;
  /** How far before a balance check a payment may have been created and still be sent after it (finalizer.inFlightMs). */
  lookbackMs: number;
  reportError(error: unknown): void;
}

/** What an operator sees of a provider's routing facts (`router.routingFacts(id)`). */
export interface ProviderRoutingFacts {
  provider: string;
  breaker: BreakerState;
  /** Per currency of the last trusted balance check: amounts as decimal strings. */
  balances: {
    currency: string;
    /** Balance plus overdraft when checked. */
    checked: string;
    checkedAt: string;
    /** Sent since (this router, and every instance on the journal when balances are shared). */
    sentSince: string;
    reserve: string;
    available: string;
  }[];
  /** Currencies a -2 marked out of funds, and since when. */
  outOfFunds: { currency: string; since: string }[];
  /** Service settings by the provider's service id (null: not read). */
  services:
    | { serviceId: string; limits: { currency: string; min: string; max: string }[]; rate: string | null }[]
    | null;
  servicesReadAt: string | null;
  successRate: { successes: number; samples: number; ratio: number | null };
  inFlight: number;
}

/**
 * The live facts routing reads (lifecycle side: this is where I/O happens). Balances: checked with
 * `getBalance` through the provider's breaker (every `routing.balances.refreshMs` while running, after a
 * -2, or on demand), less what was sent since — by this router, and by every instance on the journal
 * (read every `shareMs`). Service settings: `listServices` through the breaker. Success ratios: this
 * router's own recent payments. The pure ranking function reads a snapshot of them through `of()`.
 */
export class RoutingFacts implements ProviderFacts {
  readonly #deps: RoutingFactsDeps;
  readonly #state = new Map<string, ProviderState>();
  readonly #recheckMs: number;
  #timers: NodeJS.Timeout[] = [];
  #abort = new AbortController();
  #running = false;

  constructor(deps: RoutingFactsDeps) {
    this.#deps = deps;
    const { balances, successRate } = deps.routing;
    this.#recheckMs = balances?.refreshMs ?? DEFAULT_RECHECK_MS;
    const reserve = new Map(
      Object.entries(balances?.reserve ?? {}).map(([c, amount]) => [c, new Dec(amount)]),
    );
    for (const [id, provider] of deps.providers) {
      this.#state.set(id, {
        provider,
        book: new BalanceBook(reserve, this.#recheckMs * TRUSTED_REFRESHES),
        window: new SuccessWindow(successRate.window, successRate.maxAgeMs),
        services: null,
        serviceList: null,
        servicesAt: null,
        inFlight: 0,
        balanceCheck: null,
        recheck: null,
      });
    }
  }

  of(providerId: string): CandidateFacts | undefined {
    const state = this.#state.get(providerId);
    if (state === undefined) return undefined;
    const now = this.#now();
    if (!canCheckBalance(state.provider)) state.book.lapseMarks(now, this.#recheckMs);
    const { successes, samples } = state.window.counts(now);
    return {
      admits: this.#deps.breakers.admits(providerId),
      outOfFunds: state.book.outOfFunds(),
      available: state.book.available(now),
      services: state.services,
      successes,
      samples,
      inFlight: state.inFlight,
    };
  }

  /** These facts with `excluded` providers taking no call (they just refused one). */
  excluding(excluded: ReadonlySet<string>): ProviderFacts {
    if (excluded.size === 0) return this;
    return {
      of: (providerId) => {
        const facts = this.of(providerId);
        return facts !== undefined && excluded.has(providerId) ? { ...facts, admits: false } : facts;
      },
    };
  }

  /**
   * A Payment is about to leave for `providerId` (a new attempt or a resend): it counts against the
   * provider's balance and load until its answer. Call the returned function with the answer, or with
   * `'not_sent'` when the provider threw before sending.
   */
  sending(providerId: string, record: PaymentRecord): (answer: Outcome | 'not_sent') => void {
    const state = this.#state.get(providerId);
    if (state === undefined) return () => {};
    state.inFlight++;
    state.book.sent(record.paymentId, record.currency, new Dec(record.amount));
    let done = false;
    return (answer) => {
      if (done) return;
      done = true;
      state.inFlight--;
      if (answer === 'not_sent') {
        state.book.released(record.paymentId);
        return;
      }
      this.#answered(state, record, answer);
    };
  }

  /** An attempt became final after a pending answer (Status, a callback): count it, release its money if declined. */
  settled(providerId: string, record: PaymentRecord, before: Outcome, after: Outcome): void {
    const state = this.#state.get(providerId);
    if (state === undefined || before.final || !after.final) return;
    if (after.state === 'failed') state.book.released(record.paymentId);
    // An attempt counts once: its first answer, unless that was pending (then here, when it is final).
    if (before.state === 'pending') this.#count(state, after);
  }

  #answered(state: ProviderState, record: PaymentRecord, answer: Outcome): void {
    const now = this.#now();
    state.book.answered(record.paymentId, now);
    if (answer.state === 'failed') state.book.released(record.paymentId);
    if (answer.reason === 'insufficient_funds') {
      // The provider took nothing; it is out of funds for new payments until a check shows enough.
      state.book.released(record.paymentId);
      state.book.mark(record.currency, new Dec(record.amount), now);
      this.#scheduleRecheck(state);
      return;
    }
    this.#count(state, answer);
  }

  /** Success-rate bookkeeping: a success, a failure on the provider's side, or nothing (the customer's decline, pending). */
  #count(state: ProviderState, outcome: Outcome): void {
    let ok: boolean | null = null;
    if (outcome.state === 'succeeded') ok = true;
    else if (outcome.state === 'failed')
      ok = outcome.reason !== null && this.#deps.policy.onReasons.has(outcome.reason) ? false : null;
    else if (outcome.state === 'unknown' && countsAsBreakerFailure(outcome)) ok = false;
    if (ok !== null) state.window.record(ok, this.#now());
  }

  /** Checks the balance of every provider that can report one (or of `ids`); never rejects. */
  async checkBalances(ids: Iterable<string> = this.#state.keys()): Promise<void> {
    await Promise.all([...ids].map((id) => this.#checkBalance(id)));
  }

  #checkBalance(id: string): Promise<void> {
    const state = this.#state.get(id);
    if (state === undefined || !canCheckBalance(state.provider)) return Promise.resolve();
    state.balanceCheck ??= this.#runBalanceCheck(id, state).finally(() => {
      state.balanceCheck = null;
    });
    return state.balanceCheck;
  }

  async #runBalanceCheck(id: string, state: ProviderState): Promise<void> {
    const provider = state.provider;
    const getBalance = provider.getBalance?.bind(provider);
    if (getBalance === undefined) return;
    const signal = this.#abort.signal;
    let startedAt = this.#now();
    state.book.checking(startedAt);
    let result: BalanceResult;
    try {
      result = await this.#deps.breakers.run(
        id,
        'getBalance',
        (call) =>
          getBalance({
            signal,
            timeoutMs: this.#deps.routing.balances?.timeoutMs ?? 10_000,
            onDispatch: () => {
              call.started();
              startedAt = this.#now();
            },
          }),
        (value) => ({ state: value.state, reason: value.reason }),
        signal,
      );
    } catch (error) {
      state.book.checkFailed();
      // Refused by its breaker, or stopping: nothing was sent, nothing to report.
      if (!ProviderUnavailableError.is(error) && !signal.aborted) this.#deps.reportError(error);
      return;
    }
    if (result.state === 'succeeded') state.book.checked(result.balances, startedAt);
    else state.book.checkFailed();
    this.#deps.events.emit('balance.checked', () => ({
      provider: id,
      state: result.state,
      reason: result.reason,
      balances: result.state === 'succeeded' ? result.balances.map((line) => ({ ...line })) : [],
    }));
    if (result.state === 'succeeded' && state.book.hasMarks()) this.#scheduleRecheck(state);
  }

  /** Reads the service settings (limits, rate) of every provider that lists them (or of `ids`); never rejects. */
  async refreshServices(ids: Iterable<string> = this.#state.keys()): Promise<void> {
    await Promise.all([...ids].map((id) => this.#readServices(id)));
  }

  async #readServices(id: string): Promise<void> {
    const state = this.#state.get(id);
    const provider = state?.provider;
    const listServices = provider?.listServices?.bind(provider);
    if (state === undefined || listServices === undefined || !provider?.capabilities.operations.listServices)
      return;
    const signal = this.#abort.signal;
    let result: ServicesResult;
    try {
      result = await this.#deps.breakers.run(
        id,
        'listServices',
        (call) =>
          listServices({
            signal,
            timeoutMs: this.#deps.routing.services?.timeoutMs ?? 10_000,
            onDispatch: () => call.started(),
          }),
        (value) => ({ state: value.state, reason: value.reason }),
        signal,
      );
    } catch (error) {
      if (!ProviderUnavailableError.is(error) && !signal.aborted) this.#deps.reportError(error);
      return;
    }
    // A failed read keeps the settings of the last good one: limits change rarely, and unknown is worse.
    if (result.state !== 'succeeded') return;
    state.services = serviceFacts(result.services);
    state.serviceList = result.services;
    state.servicesAt = this.#now();
  }

  /**
   * Reads from the journal what every router instance sent to each provider since its balance check
   * (payments whose latest attempt there was opened after the check and may have moved money).
   */
  async shareSent(): Promise<void> {
    await Promise.all(
      [...this.#state].map(([id, state]) =>
        this.#readShared(id, state).catch((error: unknown) => this.#deps.reportError(error)),
      ),
    );
  }

  async #readShared(id: string, state: ProviderState): Promise<void> {
    const checkedAt = state.book.checkedAt(this.#now());
    if (checkedAt === null) return;
    const entries = new Map<string, { currency: string; amount: Dec }>();
    let after: { createdAt: string; paymentId: string } | undefined;
    for (let page = 0; page < SHARE_PAGES; page++) {
      const records = await this.#deps.journal.list({
        provider: id,
        from: new Date(checkedAt - this.#deps.lookbackMs),
        limit: SHARE_PAGE,
        ...(after === undefined ? {} : { after }),
      });
      for (const record of records) {
        const latest = latestAttempt(record);
        if (latest === undefined || latest.provider !== id || movedNoMoney(latest)) continue;
        if (Date.parse(latest.createdAt) < checkedAt) continue;
        entries.set(record.paymentId, { currency: record.currency, amount: new Dec(record.amount) });
      }
      const last = records[records.length - 1];
      if (records.length < SHARE_PAGE || last === undefined) break;
      after = { createdAt: last.createdAt, paymentId: last.paymentId };
    }
    // A newer check while we read makes these amounts moot: they are counted from it again.
    if (state.book.checkedAt(this.#now()) === checkedAt) state.book.shared(entries);
  }

  /** Starts the schedules (the first balance check and services read are awaited). */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    const { balances, services } = this.#deps.routing;
    const first: Promise<void>[] = [];
    if (balances !== undefined) first.push(this.checkBalances());
    if (services !== undefined) first.push(this.refreshServices());
    await Promise.all(first);
    if (!this.#running) return;
    if (balances !== undefined) {
      this.#every(balances.refreshMs, () => this.checkBalances());
      this.#every(balances.shareMs, () => this.shareSent());
    }
    if (services !== undefined) this.#every(services.refreshMs, () => this.refreshServices());
    for (const state of this.#state.values()) if (state.book.hasMarks()) this.#scheduleRecheck(state);
  }

  stop(): void {
    this.#running = false;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers = [];
    for (const state of this.#state.values()) {
      if (state.recheck !== null) clearTimeout(state.recheck);
      state.recheck = null;
    }
    this.#abort.abort(new Error('router stopped'));
  }

  /** The operator's view of one provider's facts. */
  view(providerId: string): ProviderRoutingFacts | null {
    const state = this.#state.get(providerId);
    if (state === undefined) return null;
    const now = this.#now();
    const checkedAt = state.book.checkedAt(now);
    const { successes, samples } = state.window.counts(now);
    const minSamples = this.#deps.routing.successRate.minSamples;
    return {
      provider: providerId,
      breaker: this.#deps.breakers.state(providerId),
      balances: state.book.lines(now).map((line) => ({
        currency: line.currency,
        checked: line.checked.toString(),
        checkedAt: new Date(checkedAt ?? now).toISOString(),
        sentSince: line.sentSince.toString(),
        reserve: line.reserve.toString(),
        available: line.available.toString(),
      })),
      outOfFunds: state.book
        .marks()
        .map((mark) => ({ currency: mark.currency, since: new Date(mark.at).toISOString() })),
      services:
        state.serviceList === null
          ? null
          : state.serviceList.map((service) => ({
              serviceId: service.id,
              limits: service.limits.map((limit) => ({
                currency: limit.currency,
                min: limit.minAmount,
                max: limit.maxAmount,
              })),
              rate: service.rate,
            })),
      servicesReadAt: state.servicesAt === null ? null : new Date(state.servicesAt).toISOString(),
      successRate: {
        successes,
        samples,
        ratio: samples >= minSamples && samples > 0 ? successes / samples : null,
      },
      inFlight: state.inFlight,
    };
  }

  /**
   * A provider marked out of funds gets its balance checked every refresh interval until a check shows
   * enough — by the regular schedule when balances are polled, else by a timer of its own (only while
   * the router runs).
   */
  #scheduleRecheck(state: ProviderState): void {
    if (!this.#running || this.#deps.routing.balances !== undefined || state.recheck !== null) return;
    if (!canCheckBalance(state.provider) || !state.book.hasMarks()) return;
    state.recheck = setTimeout(() => {
      state.recheck = null;
      void this.#checkBalance(state.provider.id);
    }, this.#recheckMs);
    state.recheck.unref?.();
  }

  #every(intervalMs: number, work: () => Promise<void>): void {
    const index = this.#timers.length;
    const schedule = () => {
      if (!this.#running) return;
      const timer = setTimeout(() => {
        void work().finally(schedule);
      }, intervalMs);
      timer.unref?.();
      this.#timers[index] = timer;
    };
    schedule();
  }

  #now(): number {
    return this.#deps.clock.now().getTime();
  }
}

function canCheckBalance(provider: PaymentProvider): boolean {
  return provider.getBalance !== undefined && provider.capabilities.operations.balance;
}
