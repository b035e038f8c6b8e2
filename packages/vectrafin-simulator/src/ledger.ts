import { type Clock, ConfigError, Dec, Secret } from '@tolem/core';
import { AgentBook } from './agents.js';
import type { IdGenerator } from './ids.js';
import type {
  CreditEvent,
  LedgerPayment,
  NewPayment,
  OutcomePlan,
  PaymentRecord,
  RequestLogEntry,
} from './ledger-types.js';
import type { Prng } from './prng.js';
import { buildTimeline, type ResolvedProgression, type TimelineStep } from './progression.js';
import { FINAL_CODES, SUCCESS, statusMessage } from './status-codes.js';
import type { Timers } from './timers.js';

const REQUEST_LOG_LIMIT = 10_000;

export interface LedgerDependencies {
  clock: Clock;
  prng: Prng;
  ids: IdGenerator;
  timers: Timers;
  /** Called once when a payment turns final. */
  onFinal: (record: PaymentRecord) => void;
}

/**
 * The simulator's books: agent balances, one record per TransactionID per agent, the credits that
 * really happened, and every request received. Tests read it afterwards to see what the provider
 * did, whatever the agent heard.
 */
export class Ledger {
  readonly #deps: LedgerDependencies;
  readonly #agents = new AgentBook();
  readonly #records = new Map<string, PaymentRecord>();
  readonly #open = new Set<PaymentRecord>();
  readonly #voucherCodes = new WeakMap<PaymentRecord, string>();
  readonly #credits: CreditEvent[] = [];
  readonly #plans = new Map<string, OutcomePlan>();
  readonly #requestLog: RequestLogEntry[] = [];
  readonly #requestCounts = new Map<string, number>();
  readonly #registries: { agentId: string; at: Date; transactions: Record<string, string>[] }[] = [];
  readonly #dailyTotals: { agentId: string; at: Date; totals: Record<string, unknown> }[] = [];

  constructor(deps: LedgerDependencies) {
    this.#deps = deps;
  }

  /** The agents, their passwords and their money. */
  get agents(): AgentBook {
    return this.#agents;
  }

  /** Balance of an agent in a currency ("0" when it has none there). */
  balance(agentId: string, currency: string): string {
    return this.#agents.balance(agentId, currency);
  }

  /** Sets an agent's balance, e.g. to exhaust it (-2) or to top it up again. */
  setBalance(agentId: string, currency: string, amount: string): void {
    this.#agents.setBalance(agentId, currency, amount);
  }

  /**
   * Scripts the fate of a future Payment with this TransactionID: e.g. pending twice, then -115.
   * Applies to the first payment accepted with that id (for any agent unless `agentId` is given).
   */
  setOutcome(transactionId: string, plan: OutcomePlan, agentId?: string): void {
    if (plan.finalStatus !== undefined && !FINAL_CODES.has(plan.finalStatus)) {
      throw new ConfigError('finalStatus', 'a final code (10 or a final failure)');
    }
    this.#plans.set(planKey(agentId, transactionId), { ...plan });
  }

  /** The internal record of (agent, TransactionID), brought up to date with the clock. */
  find(agentId: string, transactionId: string): PaymentRecord | undefined {
    const record = this.#records.get(key(agentId, transactionId));
    if (record) this.#advance(record, this.#deps.clock.now().getTime());
    return record;
  }

  /**
   * Records an accepted payment: debits the agent, builds its timeline and applies what is due now.
   * The caller has checked the balance.
   */
  accept(payment: NewPayment, progression: ResolvedProgression, finalStatus: number): PaymentRecord {
    const now = this.#deps.clock.now();
    const plan = this.#takePlan(payment.agentId, payment.transactionId);
    const resolved = plan
      ? {
          steps: plan.steps ?? progression.steps,
          stepMs: plan.stepMs ?? progression.stepMs,
          probability: plan.steps ? 1 : progression.probability,
        }
      : progression;
    const timeline = buildTimeline(
      now.getTime(),
      plan?.finalStatus ?? finalStatus,
      resolved,
      this.#deps.prng,
    );
    const record = this.#create(payment, now, timeline);
    // Drawn now, in request order, so a seed replays the same codes whatever the timers do.
    if (payment.serviceKind === 'dynamic_voucher' || payment.serviceKind === 'static_voucher') {
      this.#voucherCodes.set(record, this.#deps.ids.voucherCode());
    }
    this.#agents.move(payment.agentId, payment.currency, new Dec(payment.amount));
    record.debited = true;
    this.#open.add(record);
    this.#advance(record, now.getTime());
    this.#arm(record);
    return record;
  }

  /** Records a payment declined at once with a final failure: nothing is debited. */
  decline(payment: NewPayment, status: number): PaymentRecord {
    const now = this.#deps.clock.now();
    const record = this.#create(payment, now, [{ code: status, at: now.getTime() }]);
    this.#advance(record, now.getTime());
    return record;
  }

  /** Applies every progression step due by the clock now (timers call it; so can tests). */
  refresh(): void {
    const now = this.#deps.clock.now().getTime();
    for (const record of [...this.#open]) this.#advance(record, now);
  }

  /** A snapshot of one payment; without `agentId`, the first agent's payment with that id. */
  get(transactionId: string, agentId?: string): LedgerPayment | undefined {
    this.refresh();
    for (const record of this.#records.values()) {
      if (record.transactionId === transactionId && (agentId === undefined || record.agentId === agentId)) {
        return snapshot(record);
      }
    }
    return undefined;
  }

  /** The internal records of an agent, up to date, oldest first (for the simulator's handlers). */
  recordsOf(agentId: string): PaymentRecord[] {
    this.refresh();
    return [...this.#records.values()].filter((record) => record.agentId === agentId);
  }

  /** Snapshots of every payment, oldest first. */
  payments(filter: { agentId?: string; status?: number } = {}): LedgerPayment[] {
    this.refresh();
    return [...this.#records.values()]
      .filter((record) => filter.agentId === undefined || record.agentId === filter.agentId)
      .filter((record) => filter.status === undefined || record.status === filter.status)
      .map(snapshot);
  }

  /** How many times the subscriber was credited for this TransactionID (never more than once). */
  creditCount(transactionId: string, agentId?: string): number {
    this.refresh();
    return this.#credits.filter(
      (credit) =>
        credit.transactionId === transactionId && (agentId === undefined || credit.agentId === agentId),
    ).length;
  }

  /** Every credit, oldest first: two credits to one account under two ids is a double payment. */
  credits(): CreditEvent[] {
    this.refresh();
    return this.#credits.map((credit) => ({ ...credit, at: new Date(credit.at) }));
  }

  noteRequest(entry: RequestLogEntry): void {
    this.#requestCounts.set(entry.requestType, (this.#requestCounts.get(entry.requestType) ?? 0) + 1);
    this.#requestLog.push(entry);
    if (this.#requestLog.length > REQUEST_LOG_LIMIT) this.#requestLog.shift();
  }

  /** Requests received, per RequestType ("Payment", "PostPayments" …) or in total. */
  requestCount(requestType?: string): number {
    if (requestType !== undefined) return this.#requestCounts.get(requestType) ?? 0;
    let total = 0;
    for (const count of this.#requestCounts.values()) total += count;
    return total;
  }

  /** The latest requests (up to 10 000), oldest first; passwords are never kept. */
  requests(): RequestLogEntry[] {
    return this.#requestLog.map((entry) => ({ ...entry, at: new Date(entry.at) }));
  }

  noteRegistry(agentId: string, transactions: Record<string, string>[]): void {
    this.#registries.push({ agentId, at: this.#deps.clock.now(), transactions });
  }

  /** Accepted PostPayments uploads, numbers as exact strings. */
  registries(): { agentId: string; at: Date; transactions: Record<string, string>[] }[] {
    return structuredClone(this.#registries);
  }

  noteDailyTotals(agentId: string, totals: Record<string, unknown>): void {
    this.#dailyTotals.push({ agentId, at: this.#deps.clock.now(), totals });
  }

  /** Accepted PostTotalAmount uploads, numbers as exact strings. */
  dailyTotals(): { agentId: string; at: Date; totals: Record<string, unknown> }[] {
    return structuredClone(this.#dailyTotals);
  }

  #create(payment: NewPayment, now: Date, timeline: TimelineStep[]): PaymentRecord {
    const record: PaymentRecord = {
      ...payment,
      providerRequestId: this.#deps.ids.paymentRequestId(),
      amountOnClient: new Dec(payment.amount).times(payment.exchangeRate).toString(),
      createdAt: now,
      processedAt: null,
      status: timeline[0]?.code ?? SUCCESS,
      timeline,
      applied: 0,
      history: [],
      credited: false,
      debited: false,
      voucherCode: null,
      createdFraction: this.#deps.ids.subMillisecond(),
      processedFraction: this.#deps.ids.subMillisecond(),
    };
    this.#records.set(key(payment.agentId, payment.transactionId), record);
    return record;
  }

  #advance(record: PaymentRecord, now: number): void {
    while (record.applied < record.timeline.length) {
      const step = record.timeline[record.applied];
      if (!step || step.at > now) return;
      record.applied += 1;
      record.status = step.code;
      record.history.push({ status: step.code, at: new Date(step.at) });
      if (FINAL_CODES.has(step.code)) this.#finish(record, new Date(step.at));
    }
  }

  /**
   * Keeps one timer per open payment, set for its next step, so it turns final (and calls back) on
   * its own. A timer that fires before the clock reaches the step simply re-arms.
   */
  #arm(record: PaymentRecord): void {
    const next = record.timeline[record.applied];
    if (!next) return;
    this.#deps.timers.after(next.at - this.#deps.clock.now().getTime(), () => {
      this.#advance(record, this.#deps.clock.now().getTime());
      this.#arm(record);
    });
  }

  #finish(record: PaymentRecord, at: Date): void {
    this.#open.delete(record);
    record.processedAt = at;
    if (record.status === SUCCESS) {
      record.credited = true;
      const code = this.#voucherCodes.get(record);
      if (code !== undefined) record.voucherCode = new Secret(code);
      this.#credits.push({
        agentId: record.agentId,
        transactionId: record.transactionId,
        serviceId: record.serviceId,
        account: record.account,
        amount: record.amount,
        currency: record.currency,
        amountOnClient: record.amountOnClient,
        serviceCurrency: record.serviceCurrency,
        at,
      });
    } else if (record.debited) {
      this.#agents.move(record.agentId, record.currency, new Dec(record.amount).negated());
      record.debited = false;
    }
    this.#deps.onFinal(record);
  }

  #takePlan(agentId: string, transactionId: string): OutcomePlan | undefined {
    for (const candidate of [planKey(agentId, transactionId), planKey(undefined, transactionId)]) {
      const plan = this.#plans.get(candidate);
      if (plan) {
        this.#plans.delete(candidate);
        return plan;
      }
    }
    return undefined;
  }
}

function key(agentId: string, transactionId: string): string {
  return `${agentId}:${transactionId}`;
}

function planKey(agentId: string | undefined, transactionId: string): string {
  return `${agentId ?? '*'}:${transactionId}`;
}

function snapshot(record: PaymentRecord): LedgerPayment {
  return {
    agentId: record.agentId,
    transactionId: record.transactionId,
    providerRequestId: record.providerRequestId,
    serviceId: record.serviceId,
    serviceKind: record.serviceKind,
    account: record.account,
    amount: record.amount,
    currency: record.currency,
    exchangeRate: record.exchangeRate,
    serviceCurrency: record.serviceCurrency,
    amountOnClient: record.amountOnClient,
    invoiceId: record.invoiceId,
    services: record.services,
    sendType: record.sendType,
    requestDate: record.requestDate,
    createdAt: new Date(record.createdAt),
    processedAt: record.processedAt && new Date(record.processedAt),
    status: record.status,
    message: statusMessage(record.status),
    final: FINAL_CODES.has(record.status),
    history: record.history.map((entry) => ({ status: entry.status, at: new Date(entry.at) })),
    credited: record.credited,
    voucherCode: record.voucherCode,
  };
}
