/**
 * A tiny in-process provider for core's own tests: its "backend" is a map and a request counter. Each
 * `flaw` breaks one rule, so tests can prove the conformance suite catches it.
 */
import * as z from 'zod';
import {
  accountSchema,
  amountSchema,
  type Capabilities,
  currencySchema,
  outcome,
  type PaymentProvider,
  type PaymentResult,
  parseInput,
  Secret,
  serviceIdSchema,
  throwIfAborted,
  transactionIdSchema,
  UnsupportedOperationError,
} from '../src/index.js';

export type Flaw =
  | 'unknown-as-failed'
  | 'sends-before-validating'
  | 'ignores-aborted-signal'
  | 'throws-after-sending-on-abort'
  | 'not-idempotent'
  | 'leaks-password'
  | 'balance-without-capability'
  | 'final-when-not-found'
  | 'offset-time-zone';

export interface FakeBackend {
  /** Requests received, counted on arrival. */
  requests: number;
  payments: Map<string, PaymentResult>;
  nextRequestId: bigint;
}

export function createFakeBackend(): FakeBackend {
  return { requests: 0, payments: new Map(), nextRequestId: 638405063993273260n };
}

export const FAKE_PASSWORD = 'fake-agent-Pa55!';

const payRequest = z.object({
  serviceId: serviceIdSchema,
  account: accountSchema,
  amount: amountSchema,
  currency: currencySchema,
  transactionId: transactionIdSchema,
});
const checkRequest = payRequest.omit({ transactionId: true });

const capabilities: Capabilities = {
  serviceKinds: ['direct'],
  currencies: ['KZT'],
  operations: {
    balance: false,
    quote: false,
    listServices: true,
    listPayments: false,
    registry: false,
    dailyTotals: false,
    callbacks: false,
  },
  idempotentResend: true,
  transactionId: { pattern: /^[1-9]\d{0,14}$/, maxLength: 15 },
};

export function createFakeProvider(backend: FakeBackend, flaws: readonly Flaw[] = []): PaymentProvider {
  const has = (flaw: Flaw) => flaws.includes(flaw);
  const password = new Secret(FAKE_PASSWORD);
  const leakyConfig = has('leaks-password') ? { password: FAKE_PASSWORD } : { password };

  async function send<T>(signal: AbortSignal | undefined, answer: () => T | Promise<T>): Promise<T> {
    if (!has('ignores-aborted-signal')) throwIfAborted(signal);
    backend.requests += 1;
    await new Promise((resolve) => setImmediate(resolve));
    return answer();
  }

  function result(
    transactionId: string,
    amount: string,
    state: PaymentResult['state'],
    ...rest: Parameters<typeof outcome> extends [unknown, ...infer R] ? R : never
  ): PaymentResult {
    return {
      ...outcome(state, ...rest),
      transactionId,
      providerRequestId: (backend.nextRequestId++).toString(),
      amount,
      currency: 'KZT',
      account: null,
      amountOnClient: null,
      exchangeRate: null,
      serviceCurrency: null,
    };
  }

  function decide(
    request: z.output<typeof payRequest>,
    signal: AbortSignal | undefined,
  ): Promise<PaymentResult> {
    const { account, transactionId, amount } = request;
    if (account === 'fault') {
      return Promise.resolve(
        has('unknown-as-failed')
          ? result(transactionId, amount, 'failed', 'provider_technical', null, 'socket hang up')
          : result(transactionId, amount, 'unknown', 'connection_lost', null, 'socket hang up'),
      );
    }
    if (account === 'hang') {
      return new Promise((resolve, reject) => {
        signal?.addEventListener('abort', () => {
          if (has('throws-after-sending-on-abort')) reject(signal.reason);
          else resolve(result(transactionId, amount, 'unknown', 'aborted', null, 'aborted by the caller'));
        });
      });
    }
    const previous = backend.payments.get(transactionId);
    if (previous && !has('not-idempotent')) return Promise.resolve(previous);
    let answer: PaymentResult;
    if (account === 'missing') {
      answer = result(transactionId, amount, 'failed', 'account_not_found', '-105', 'Лицевой счет не найден');
    } else if (account === 'slow') {
      answer = result(transactionId, amount, 'pending', null, '3', 'Создана у поставщика');
    } else {
      answer = result(transactionId, amount, 'succeeded', null, '10', 'Транзакция успешна');
    }
    if (has('leaks-password')) answer.message = `${answer.message} (agent ${leakyConfig.password})`;
    backend.payments.set(transactionId, answer);
    return Promise.resolve(answer);
  }

  const provider: PaymentProvider & { config: unknown } = {
    id: 'fake',
    capabilities,
    timeZone: has('offset-time-zone') ? '+05:00' : 'Asia/Almaty',
    config: leakyConfig,
    async checkAccount(request, options) {
      const valid = parseInput(checkRequest, request);
      throwIfAborted(options?.signal);
      return send(options?.signal, () => ({
        ...outcome('succeeded', null, '10', 'OK'),
        transactionId: null,
        providerRequestId: null,
        serviceId: valid.serviceId,
        account: valid.account,
        amount: valid.amount,
        currency: valid.currency,
        kind: 'direct' as const,
        exchangeRate: null,
        serviceCurrency: null,
      }));
    },
    async pay(request, options) {
      if (has('sends-before-validating')) backend.requests += 1;
      const valid = parseInput(payRequest, request);
      if (!has('ignores-aborted-signal')) throwIfAborted(options?.signal);
      backend.requests += 1;
      return decide(valid, options?.signal);
    },
    async getStatus(ref, options) {
      const transactionId = parseInput(transactionIdSchema, ref.transactionId, 'transactionId');
      return send(options?.signal, () => {
        const known = backend.payments.get(transactionId);
        if (known) return known;
        return has('final-when-not-found')
          ? result(transactionId, '0.00', 'failed', 'account_not_found', '-4', 'not found')
          : result(transactionId, '0.00', 'unknown', 'not_found', '-4', 'Транзакция не найдена');
      });
    },
    async listServices(options) {
      return send(options?.signal, () => ({
        ...outcome('succeeded', null),
        services: [
          { id: '7', name: 'Steam', testAccount: 'galek10', rate: null, topCommission: null, limits: [] },
        ],
      }));
    },
    async close() {},
  };
  if (has('balance-without-capability')) {
    provider.getBalance = (options) =>
      send(options?.signal, () => ({ ...outcome('succeeded', null), balances: [] }));
  } else {
    provider.quote = async () => {
      throw new UnsupportedOperationError('quote', { providerId: 'fake' });
    };
  }
  return provider;
}
