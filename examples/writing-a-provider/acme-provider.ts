/**
 * A complete, small provider for a made-up aggregator, Acme, as docs/writing-a-provider.md walks
 * through it. In a real repository this is `packages/provider-acme/src/` split into a few files
 * (options.ts, status-table.ts, transport.ts, provider.ts, module.ts); here it is one file so it can be
 * read top to bottom.
 *
 * Acme's API (JSON over HTTPS, `Authorization: Bearer <apiKey>`):
 *   POST /v1/accounts/check  { service, account, amount, currency }  → { code, message }
 *   POST /v1/payments        { txn, service, account, amount, currency } → { code, message, ref, amount }
 *   GET  /v1/payments/:txn                                             → the same, or { code: "NOT_FOUND" }
 *   GET  /v1/balance                                                   → { code, balances: [{ currency, amount }] }
 * Resending a payment with a txn Acme already has returns the earlier answer (idempotent).
 */
import {
  accountSchema,
  amountSchema,
  type BalanceResult,
  type CallOptions,
  type Capabilities,
  ConfigError,
  currencySchema,
  type Outcome,
  outcome,
  type PaymentProvider,
  type PaymentResult,
  parseDecimal,
  parseInput,
  providerModule,
  type Reason,
  Secret,
  serviceIdSchema,
  throwIfAborted,
  transactionIdSchema,
} from '@tolem/core';

// ── options ─────────────────────────────────────────────────────────────────────────────────────
export interface AcmeOptions {
  /** Instance id, unique among the router's providers: "acme-kzt". */
  id: string;
  /** https://api.acme.example (plain http only for loopback test servers). */
  baseUrl: string;
  apiKey: string | Secret;
  /** Per-request timeout in ms (default 30000). */
  timeoutMs?: number;
}

function parseOptions(options: AcmeOptions): { id: string; baseUrl: URL; apiKey: Secret; timeoutMs: number } {
  if (!options.id) throw new ConfigError('id', 'a provider instance id is required');
  let baseUrl: URL;
  try {
    baseUrl = new URL(options.baseUrl);
  } catch (cause) {
    throw new ConfigError('baseUrl', 'must be an absolute URL', { cause, providerId: options.id });
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(baseUrl.hostname);
  if (baseUrl.protocol !== 'https:' && !(baseUrl.protocol === 'http:' && loopback)) {
    throw new ConfigError('baseUrl', 'must be https (plain http only for loopback)', {
      providerId: options.id,
    });
  }
  const apiKey = Secret.is(options.apiKey) ? options.apiKey : new Secret(options.apiKey ?? '');
  if (!apiKey.reveal()) throw new ConfigError('apiKey', 'is required', { providerId: options.id });
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new ConfigError('timeoutMs', 'a positive integer', { providerId: options.id });
  }
  return { id: options.id, baseUrl, apiKey, timeoutMs };
}

// ── status table: Acme's codes onto the canonical model, unknown codes → unknown ────────────────
const STATUS_TABLE: Readonly<Record<string, { state: Outcome['state']; reason: Reason | null }>> = {
  OK: { state: 'succeeded', reason: null },
  PENDING: { state: 'pending', reason: null },
  NO_ACCOUNT: { state: 'failed', reason: 'account_not_found' },
  BAD_ACCOUNT: { state: 'failed', reason: 'account_invalid' },
  AMOUNT_TOO_SMALL: { state: 'failed', reason: 'amount_too_small' },
  NOT_FOUND: { state: 'unknown', reason: 'not_found' },
  NO_FUNDS: { state: 'unknown', reason: 'insufficient_funds' },
  UNAUTHORIZED: { state: 'unknown', reason: 'auth_failed' },
};

function mapStatus(code: unknown, message: unknown): Outcome {
  const text = typeof message === 'string' ? message : null;
  if (typeof code !== 'string') return outcome('unknown', 'malformed_response', null, text);
  const row = STATUS_TABLE[code];
  return row ? outcome(row.state, row.reason, code, text) : outcome('unknown', 'unknown_status', code, text);
}

// ── capabilities, as data ───────────────────────────────────────────────────────────────────────
const CAPABILITIES: Capabilities = {
  serviceKinds: ['direct'],
  currencies: ['KZT', 'USD'],
  operations: {
    balance: true,
    quote: false,
    listServices: false,
    listPayments: false,
    registry: false,
    dailyTotals: false,
    callbacks: false,
  },
  idempotentResend: true,
  transactionId: { pattern: /^[1-9]\d{0,14}$/, maxLength: 15 },
};

// ── transport: one call; anything without a usable answer becomes an `unknown` outcome ─────────
type Answer = { ok: true; body: Record<string, unknown> } | { ok: false; outcome: Outcome };

function transportFault(error: unknown, timedOut: boolean, aborted: boolean): Outcome {
  if (timedOut) return outcome('unknown', 'timeout', null, 'no answer in time');
  if (aborted) return outcome('unknown', 'aborted', null, 'aborted by the caller after sending');
  const code = (error as { cause?: { code?: string } }).cause?.code;
  // A refused connection provably sent nothing; everything else may have reached Acme.
  if (code === 'ECONNREFUSED') return outcome('unknown', 'connection_refused', null, 'connection refused');
  return outcome('unknown', 'connection_lost', null, 'connection lost');
}

// ── the provider ────────────────────────────────────────────────────────────────────────────────
export function createAcmeProvider(options: AcmeOptions): PaymentProvider {
  const config = parseOptions(options);

  async function call(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    opts?: CallOptions,
  ): Promise<Answer> {
    throwIfAborted(opts?.signal); // nothing sent yet: throwing is allowed
    const timeout = AbortSignal.timeout(opts?.timeoutMs ?? config.timeoutMs);
    const signal = opts?.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    let response: Response;
    let text: string;
    try {
      response = await fetch(new URL(path, config.baseUrl), {
        method,
        signal,
        headers: { authorization: `Bearer ${config.apiKey.reveal()}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      text = await response.text();
    } catch (error) {
      return { ok: false, outcome: transportFault(error, timeout.aborted, opts?.signal?.aborted ?? false) };
    }
    if (text.trim() === '') return { ok: false, outcome: outcome('unknown', 'empty_response', null, null) };
    try {
      const parsed: unknown = JSON.parse(text); // Acme's ids are strings and amounts decimal strings
      if (typeof parsed === 'object' && parsed !== null)
        return { ok: true, body: parsed as Record<string, unknown> };
    } catch {
      // falls through: not JSON
    }
    const message = response.ok ? 'not a JSON object' : `HTTP ${response.status}`;
    return {
      ok: false,
      outcome: outcome('unknown', response.ok ? 'malformed_response' : 'http_error', null, message),
    };
  }

  /** An echoed amount that differs from the request means the answer is not about our payment. */
  function echoConflicts(echoed: unknown, requested: string | null): boolean {
    if (typeof echoed !== 'string' || requested === null) return false;
    try {
      return !parseDecimal(echoed, 'amount', { allowZero: true }).equals(parseDecimal(requested, 'amount'));
    } catch {
      return true;
    }
  }

  function paymentResult(transactionId: string, requested: string | null, answer: Answer): PaymentResult {
    const body = answer.ok ? answer.body : {};
    let result = answer.ok ? mapStatus(body.code, body.message) : answer.outcome;
    if (echoConflicts(body.amount, requested)) {
      result = outcome('unknown', 'conflict', result.providerStatus, `echoed amount ${String(body.amount)}`);
    }
    return {
      ...result,
      transactionId,
      providerRequestId: typeof body.ref === 'string' ? body.ref : null,
      amount: typeof body.amount === 'string' ? body.amount : requested,
      currency: typeof body.currency === 'string' ? body.currency : null,
      account: null,
      amountOnClient: null,
      exchangeRate: null,
      serviceCurrency: null,
    };
  }

  return {
    id: config.id,
    capabilities: CAPABILITIES,

    async checkAccount(request, opts) {
      // Validate everything first: a ValidationError is thrown before anything is sent.
      const serviceId = parseInput(serviceIdSchema, request.serviceId, 'serviceId');
      const account = parseInput(accountSchema, request.account, 'account');
      const amount = parseInput(amountSchema, request.amount, 'amount');
      const currency = parseInput(currencySchema, request.currency, 'currency');
      const answer = await call(
        'POST',
        '/v1/accounts/check',
        { service: serviceId, account, amount, currency },
        opts,
      );
      return {
        ...(answer.ok ? mapStatus(answer.body.code, answer.body.message) : answer.outcome),
        transactionId: null,
        providerRequestId: null,
        serviceId,
        account,
        amount,
        currency,
        kind: 'direct',
        exchangeRate: null,
        serviceCurrency: null,
      };
    },

    async pay(request, opts) {
      const serviceId = parseInput(serviceIdSchema, request.serviceId, 'serviceId');
      const account = parseInput(accountSchema, request.account, 'account');
      const amount = parseInput(amountSchema, request.amount, 'amount');
      const currency = parseInput(currencySchema, request.currency, 'currency');
      const txn = parseInput(transactionIdSchema, request.transactionId, 'transactionId');
      const body = { txn, service: serviceId, account, amount, currency };
      return paymentResult(txn, amount, await call('POST', '/v1/payments', body, opts));
    },

    async getStatus(ref, opts) {
      const txn = parseInput(transactionIdSchema, ref.transactionId, 'transactionId');
      return paymentResult(txn, null, await call('GET', `/v1/payments/${txn}`, undefined, opts));
    },

    async getBalance(opts): Promise<BalanceResult> {
      const answer = await call('GET', '/v1/balance', undefined, opts);
      if (!answer.ok) return { ...answer.outcome, balances: [] };
      const lines = Array.isArray(answer.body.balances)
        ? (answer.body.balances as Record<string, unknown>[])
        : [];
      return {
        ...mapStatus(answer.body.code, answer.body.message),
        balances: lines.map((line) => ({
          currency: String(line.currency),
          balance: String(line.amount),
          overdraft: '0',
        })),
      };
    },

    // fetch keeps no state of ours to release; a provider holding an undici Agent closes it here.
    async close() {},
  };
}

// ── DI: the ContainerModule a provider package exports ──────────────────────────────────────────
/** `container.load(acmeModule({ id: 'acme-kzt', ... }))`; the router collects it with `getAll`. */
export function acmeModule(options: AcmeOptions) {
  return providerModule(() => createAcmeProvider(options));
}
