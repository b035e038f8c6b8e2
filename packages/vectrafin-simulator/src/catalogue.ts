import { ConfigError, Dec, parseConfig, type ServiceKind } from '@tolem/core';
import * as z from 'zod';
import { defaultServices } from './catalogue-defaults.js';
import type { Prng } from './prng.js';
import { type ProgressionOptions, progressionSchema } from './progression.js';
import { FAILURE_CODES, FINAL_CODES } from './status-codes.js';

/** A denomination of a dynamic voucher (protocol §3.6). */
export interface OfferSpec {
  /** Digits ("4063"). */
  invoiceId: string;
  /** Exact price with all its digits ("238345.4409"). */
  orderAmount: string;
  name: string;
}

/** One line of a utility invoice (protocol §3.9); sums and counters are decimal strings. */
export interface InvoiceLineSpec {
  serviceId: number;
  name: string;
  fixSum: string;
  debtSum: string | null;
  isCounterService?: number;
  measure?: string | null;
  tariff?: string | null;
  debtInfo?: string | null;
  fixCount?: string | null;
  prevCount?: string | null;
  lastCount?: string | null;
}

export interface InvoiceSpec {
  /** Digits, kept as a string ("240710296539"). */
  invoiceId: string;
  address: string;
  accountName?: string;
  lines: InvoiceLineSpec[];
  /** Append ServiceId 999 "Оплатить всё" with the sum of the lines (default true). */
  payAllLine?: boolean;
}

/** What an account does. An account without a spec simply exists (when the service is open). */
export interface AccountSpec {
  /** AccountCheck and Payment answer this final failure at once (-105, -120, -110 …). */
  status?: number;
  /** Accepted payments end with this code instead of 10 (a late failure such as -300). */
  finalStatus?: number;
  /** Pending steps for payments to this account, overriding the simulator's progression. */
  progression?: ProgressionOptions;
  /** The invoice AccountCheck shows (invoice services). */
  invoice?: InvoiceSpec;
}

export interface ServiceSpec {
  /** Digits ("7"). */
  id: string;
  name: string;
  kind: ServiceKind;
  testAccount: string;
  /** Currency the subscriber is credited in (ServiceCurrency). */
  serviceCurrency: string;
  /** ExchangeRate per contract currency; a payment in a currency without a rate answers -502. */
  rates: Record<string, string>;
  /** Agent fee and top commission as GetSettingServices reports them (default "0"). */
  rate?: string;
  topCommission?: string;
  /** Limits in KZT, checked for KZT payments of direct services (-201 / -202). */
  limits?: { min: string; max: string };
  /** Accounts not matching it answer -100. */
  accountPattern: RegExp;
  /** Whether a well-formed account without a spec exists (default true; false answers -105). */
  openAccounts?: boolean;
  accounts?: Record<string, AccountSpec>;
  /** Dynamic vouchers: the current denominations. */
  offers?: OfferSpec[];
  /** Static vouchers: the current price. */
  orderAmount?: string;
  /** AccountCheck echoes the TransactionID negated (protocol §3.2). */
  flipAccountCheckSign?: boolean;
}

const digits = z.string().regex(/^[1-9]\d{0,14}$/, { error: 'digits' });
const decimal = z.string().regex(/^-?(0|[1-9]\d*)(\.\d+)?$/, { error: 'a plain decimal string' });
const positive = decimal.refine((value) => new Dec(value).greaterThan(0), { error: 'greater than zero' });
const failure = z.number().refine((code) => FAILURE_CODES.has(code), { error: 'a final failure code' });

const offerSchema = z.object({ invoiceId: digits, orderAmount: positive, name: z.string().min(1) });
const lineSchema = z.object({
  serviceId: z.number().int().positive(),
  name: z.string(),
  fixSum: decimal,
  debtSum: decimal.nullable(),
  isCounterService: z.number().int().optional(),
  measure: z.string().nullable().optional(),
  tariff: z.string().nullable().optional(),
  debtInfo: z.string().nullable().optional(),
  fixCount: decimal.nullable().optional(),
  prevCount: decimal.nullable().optional(),
  lastCount: decimal.nullable().optional(),
});
const invoiceSchema = z.object({
  invoiceId: z.string().regex(/^\d+$/, { error: 'digits' }),
  address: z.string(),
  accountName: z.string().optional(),
  lines: z.array(lineSchema).min(1),
  payAllLine: z.boolean().optional(),
});
const accountSchema = z
  .object({
    status: failure.optional(),
    finalStatus: z
      .number()
      .refine((code) => FINAL_CODES.has(code), { error: 'a final code' })
      .optional(),
    progression: progressionSchema.optional(),
    invoice: invoiceSchema.optional(),
  })
  .strict();
const serviceSchema = z.object({
  id: digits,
  name: z.string().min(1),
  kind: z.enum(['direct', 'dynamic_voucher', 'static_voucher', 'invoice']),
  testAccount: z.string(),
  serviceCurrency: z.string().regex(/^[A-Z]{3}$/),
  rates: z.record(z.string().regex(/^[A-Z]{3}$/), positive),
  rate: decimal.optional(),
  topCommission: decimal.optional(),
  limits: z.object({ min: positive, max: positive }).optional(),
  accountPattern: z.instanceof(RegExp),
  openAccounts: z.boolean().optional(),
  accounts: z.record(z.string(), accountSchema).optional(),
  offers: z.array(offerSchema).optional(),
  orderAmount: positive.optional(),
  flipAccountCheckSign: z.boolean().optional(),
});

export type AccountLookup = { found: true; spec: AccountSpec } | { found: false; status: number };

/**
 * The services the simulator sells and the accounts behind them. Out of the box it holds every
 * service of the spec's samples (7, 1911, 1549, 815); tests add services and accounts and change
 * voucher offers through it while the simulator runs.
 */
export class Catalogue {
  readonly #services = new Map<string, ServiceSpec>();
  readonly #prng: Prng;

  constructor(prng: Prng, services: readonly ServiceSpec[] = defaultServices()) {
    this.#prng = prng;
    for (const service of services) this.addService(service);
  }

  /** Adds or replaces a service. */
  addService(spec: ServiceSpec): void {
    parseConfig(serviceSchema, spec, `service ${spec.id}`);
    this.#services.set(spec.id, cloneService(spec));
  }

  /** Adds or replaces an account of a service (its invoice, its failure code, its progression). */
  setAccount(serviceId: string, account: string, spec: AccountSpec): void {
    const service = this.#require(serviceId);
    parseConfig(accountSchema, spec, `service ${serviceId} account ${account}`);
    service.accounts = { ...service.accounts, [account]: structuredClone(spec) };
  }

  /** Replaces the denominations of a dynamic voucher: old InvoiceIds stop working (-203). */
  setOffers(serviceId: string, offers: readonly OfferSpec[]): void {
    const service = this.#require(serviceId);
    if (service.kind !== 'dynamic_voucher') throw new ConfigError('serviceId', `${serviceId} has no offers`);
    parseConfig(z.array(offerSchema).min(1), offers, 'offers');
    service.offers = offers.map((offer) => ({ ...offer }));
  }

  /**
   * Reprices every offer by up to ±2 % and gives each a new InvoiceId, as the provider's list
   * does every 30 minutes (protocol §3.6). Drawn from the seed.
   */
  rotateOffers(serviceId: string): OfferSpec[] {
    const current = this.offers(serviceId);
    let nextId = Math.max(...current.map((offer) => Number(offer.invoiceId))) + 1;
    const rotated = current.map((offer) => {
      const factor = new Dec(10_000 + this.#prng.int(-200, 200)).div(10_000);
      const orderAmount = new Dec(offer.orderAmount).times(factor).toDecimalPlaces(4).toString();
      return { invoiceId: String(nextId++), orderAmount, name: offer.name };
    });
    this.setOffers(serviceId, rotated);
    return rotated;
  }

  /** Changes the price of a static voucher. */
  setOrderAmount(serviceId: string, orderAmount: string): void {
    const service = this.#require(serviceId);
    if (service.kind !== 'static_voucher')
      throw new ConfigError('serviceId', `${serviceId} is no static voucher`);
    parseConfig(positive, orderAmount, 'orderAmount');
    service.orderAmount = orderAmount;
  }

  offers(serviceId: string): OfferSpec[] {
    return (this.#require(serviceId).offers ?? []).map((offer) => ({ ...offer }));
  }

  /** The live spec of a service, for the simulator's handlers: read it, never change it. */
  find(serviceId: string): Readonly<ServiceSpec> | undefined {
    return this.#services.get(serviceId);
  }

  /** A copy of a service, or undefined. */
  get(serviceId: string): ServiceSpec | undefined {
    const service = this.#services.get(serviceId);
    return service && cloneService(service);
  }

  /** Copies of every service, in the order they were added. */
  list(): ServiceSpec[] {
    return [...this.#services.values()].map(cloneService);
  }

  /** Whether `account` exists for the service, and what it does; -100 / -105 otherwise. */
  lookupAccount(service: ServiceSpec, account: string): AccountLookup {
    if (account.length > 200 || !service.accountPattern.test(account)) return { found: false, status: -100 };
    const accounts = service.accounts ?? {};
    const spec = Object.hasOwn(accounts, account) ? accounts[account] : undefined;
    if (spec?.status !== undefined) return { found: false, status: spec.status };
    if (spec) return { found: true, spec };
    return service.openAccounts === false ? { found: false, status: -105 } : { found: true, spec: {} };
  }

  #require(serviceId: string): ServiceSpec {
    const service = this.#services.get(serviceId);
    if (!service)
      throw new ConfigError('serviceId', `no service ${JSON.stringify(serviceId)} in the catalogue`);
    return service;
  }
}

function cloneService(spec: ServiceSpec): ServiceSpec {
  const { accountPattern, ...rest } = spec;
  return { ...structuredClone(rest), accountPattern };
}
