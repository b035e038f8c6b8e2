import { createHash, timingSafeEqual } from 'node:crypto';
import { type Clock, ConfigError, Dec, Secret, type ServiceKind } from '@tolem/core';
import type { IdGenerator } from './ids.js';
import type { Prng } from './prng.js';
import { buildTimeline, type ResolvedProgression, type TimelineStep } from './progression.js';
import { FINAL_CODES, SUCCESS, statusMessage } from './status-codes.js';
import type { Timers } from './timers.js';

/** An agent (a "Partner") the simulator accepts, with its money per contract currency. */
export interface AgentSpec {
  /** Digits only. */
  agentId: string;
  password: string;
  /** Opening balance per currency, decimal strings ({ KZT: "719190.223" }). */
  balances?: Record<string, string>;
  /** Overdraft allowed per currency (Overbalance), default "0". */
  overdraft?: Record<string, string>;
  /** Where this agent's callbacks go (default: the simulator's `callbackUrl`). */
  callbackUrl?: string;
}

/** A scripted future for one TransactionID (see `Ledger.setOutcome`). */
export interface OutcomePlan {
  /** The final code (default 10). */
  finalStatus?: number;
  /** Pending steps before it (default: the simulator's progression). */
  steps?: readonly number[];
  stepMs?: number;
}

/** What the ledger knows about one payment, as tests read it. */
export interface LedgerPayment {
  agentId: string;
  transactionId: string;
  providerRequestId: string;
  serviceId: string;
  serviceKind: ServiceKind;
  account: string;
  amount: string;
  currency: string;
  exchangeRate: string;
  serviceCurrency: string;
  amountOnClient: string;
  invoiceId: string | null;
  /** The Services JSON of an invoice payment, as sent. */
  services: string | null;
  sendType: string | null;
  /** RequestDate as sent. */
  requestDate: string | null;
  createdAt: Date;
  processedAt: Date | null;
  status: number;
  message: string;
  final: boolean;
  /** Every status the payment has had so far, oldest first. */
  history: { status: number; at: Date }[];
  credited: boolean;
  /** Set once a voucher payment succeeds; redacted wherever it is printed. */
  voucherCode: Secret | null;
}

export interface CreditEvent {
  agentId: string;
  transactionId: string;
  serviceId: string;
  account: string;
  amount: string;
  currency: string;
  amountOnClient: string;
  serviceCurrency: string;
  at: Date;
}

export interface RequestLogEntry {
  requestType: string;
  agentId: string | null;
  transactionId: string | null;
  at: Date;
  /** The fault applied to this request, if any. */
  fault: string | null;
}

/** The fields a new payment is recorded with; the ledger adds ids, times and the timeline. */
export interface NewPayment {
  agentId: string;
  transactionId: string;
  serviceId: string;
  serviceKind: ServiceKind;
  account: string;
  amount: string;
  currency: string;
  exchangeRate: string;
  serviceCurrency: string;
  invoiceId: string | null;
  services: string | null;
  sendType: string | null;
  requestDate: string | null;
}

/** The internal record: a LedgerPayment plus what the ledger needs to move it forward. */
export interface PaymentRecord extends Omit<LedgerPayment, 'history' | 'message' | 'final'> {
  timeline: TimelineStep[];
  /** How many timeline steps have been applied. */
  applied: number;
  history: { status: number; at: Date }[];
  debited: boolean;
  createdFraction: string;
  processedFraction: string;
}

interface Account {
  balance: Dec;
  overdraft: Dec;
}

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
  readonly #agents = new Map<
    string,
    { password: string; accounts: Map<string, Account>; callbackUrl: string | null }
  >();
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

  /** Adds an agent, or replaces its password and balances. */
  addAgent(agent: AgentSpec): void {
    if (!/^\d{1,18}$/.test(agent.agentId)) throw new ConfigError('agents.agentId', 'digits only');
    if (agent.password === '') throw new ConfigError('agents.password', 'must not be empty');
    const accounts = new Map<string, Account>();
    for (const [currency, amount] of Object.entries(agent.balances ?? {})) {
      accounts.set(currency, { balance: money(amount, 'agents.balances'), overdraft: new Dec(0) });
    }
    for (const [currency, amount] of Object.entries(agent.overdraft ?? {})) {
      const account = accounts.get(currency) ?? { balance: new Dec(0), overdraft: new Dec(0) };
      account.overdraft = money(amount, 'agents.overdraft');
      accounts.set(currency, account);
    }
    this.#agents.set(agent.agentId, {
      password: agent.password,
      accounts,
      callbackUrl: agent.callbackUrl ?? null,
    });
  }

  authenticate(agentId: string | undefined, password: string | undefined): boolean {
    if (agentId === undefined || password === undefined) return false;
    const agent = this.#agents.get(agentId);
    return agent !== undefined && samePassword(agent.password, password);
  }

  /** The agent's own callback URL, if it has one. */
  callbackUrlOf(agentId: string): string | null {
    return this.#agents.get(agentId)?.callbackUrl ?? null;
  }

  /** Balance of an agent in a currency ("0" when it has none there). */
  balance(agentId: string, currency: string): string {
    return this.#account(agentId, currency)?.balance.toString() ?? '0';
  }

  /** Sets an agent's balance, e.g. to exhaust it (-2) or to top it up again. */
  setBalance(agentId: string, currency: string, amount: string): void {
    const agent = this.#agents.get(agentId);
    if (!agent) throw new ConfigError('agentId', `no agent ${agentId}`);
    const account = agent.accounts.get(currency) ?? { balance: new Dec(0), overdraft: new Dec(0) };
    account.balance = money(amount, 'amount');
    agent.accounts.set(currency, account);
  }

  /** Every balance of an agent, for CheckBalance. */
  balances(agentId: string): { currency: string; balance: string; overdraft: string }[] {
    const agent = this.#agents.get(agentId);
    return [...(agent?.accounts ?? [])].map(([currency, account]) => ({
      currency,
      balance: account.balance.toString(),
      overdraft: account.overdraft.toString(),
    }));
  }

  /** Whether the agent can pay `amount` in `currency` (balance plus overdraft). */
  canAfford(agentId: string, currency: string, amount: string): boolean {
    const account = this.#account(agentId, currency);
    if (!account) return false;
    return account.balance.plus(account.overdraft).greaterThanOrEqualTo(amount);
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
    const account = this.#account(payment.agentId, payment.currency);
    if (account) account.balance = account.balance.minus(payment.amount);
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
      const account = this.#account(record.agentId, record.currency);
      if (account) account.balance = account.balance.plus(record.amount);
      record.debited = false;
    }
    this.#deps.onFinal(record);
  }

  #account(agentId: string, currency: string): Account | undefined {
    return this.#agents.get(agentId)?.accounts.get(currency);
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

function money(amount: string, option: string): Dec {
  if (!/^-?(0|[1-9]\d*)(\.\d+)?$/.test(amount)) throw new ConfigError(option, 'a plain decimal string');
  return new Dec(amount);
}

function samePassword(expected: string, given: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
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
