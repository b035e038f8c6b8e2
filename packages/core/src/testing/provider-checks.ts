/**
 * The checks every PaymentProvider must pass, as plain async functions: `runProviderConformance`
 * wraps each in a vitest `it`, and tests can run one directly to prove that a broken provider fails it.
 */
import { inspect } from 'node:util';
import { expect } from 'vitest';
import { isCurrency } from '../currency.js';
import { UnsupportedOperationError, ValidationError } from '../errors.js';
import { reasonKind } from '../model.js';
import type { PaymentRequest, PaymentResult } from '../operations.js';
import { SERVICE_KINDS } from '../operations.js';
import type { OptionalOperation, PaymentProvider } from '../port.js';
import { assertTimeZone } from '../zoned-time.js';
import {
  expectAccountCheckResult,
  expectConsistentOutcome,
  expectDecimalOrNull,
  expectNoSecrets,
  expectPaymentResult,
} from './assertions.js';
import type { ConformanceCheck } from './conformance-check.js';
import type { PaymentScenario, ProviderConformanceOptions } from './provider-options.js';

interface Context {
  provider: PaymentProvider;
  options: ProviderConformanceOptions;
  /** Runs `call` and returns how many requests reached the backend meanwhile. */
  sent(call: () => Promise<unknown>): Promise<{ count: number; error: unknown; value: unknown }>;
  request(scenario: PaymentScenario): PaymentRequest;
  noSecrets(value: unknown, label: string): void;
}

const OPERATION_METHODS = {
  balance: 'getBalance',
  quote: 'quote',
  listServices: 'listServices',
  listPayments: 'listPayments',
  registry: 'submitRegistry',
  dailyTotals: 'submitDailyTotals',
  callbacks: 'parseCallback',
} as const satisfies Record<OptionalOperation, keyof PaymentProvider>;

async function withProvider(options: ProviderConformanceOptions, body: (ctx: Context) => Promise<void>) {
  const provider = await options.createProvider();
  const ctx: Context = {
    provider,
    options,
    async sent(call) {
      const before = await options.requestsSeen();
      let error: unknown;
      let value: unknown;
      try {
        value = await call();
      } catch (caught) {
        error = caught;
      }
      return { count: (await options.requestsSeen()) - before, error, value };
    },
    request: (scenario) => ({ ...scenario, transactionId: options.scenarios.transactionId() }),
    noSecrets: (value, label) => expectNoSecrets(value, options.secrets ?? [], label),
  };
  try {
    await body(ctx);
  } finally {
    await provider.close();
  }
}

async function pay(ctx: Context, scenario: PaymentScenario, label: string): Promise<PaymentResult> {
  const request = ctx.request(scenario);
  const result = await ctx.provider.pay(request);
  expectPaymentResult(result, request.transactionId, label);
  ctx.noSecrets(result, label);
  return result;
}

async function expectRefusedBeforeSending(ctx: Context, field: RegExp, call: () => Promise<unknown>) {
  const { count, error } = await ctx.sent(call);
  expect(ValidationError.is(error), `expected a ValidationError naming ${field}, got ${String(error)}`).toBe(
    true,
  );
  expect((error as ValidationError).field).toMatch(field);
  expect(count, 'a request that fails validation must not reach the provider').toBe(0);
  ctx.noSecrets({ message: (error as Error).message }, 'validation error');
}

async function waitForRequest(options: ProviderConformanceOptions, before: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await options.requestsSeen()) > before) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function providerChecks(options: ProviderConformanceOptions): ConformanceCheck[] {
  const { scenarios } = options;
  const check = (name: string, body: (ctx: Context) => Promise<void>): ConformanceCheck => ({
    name,
    run: () => withProvider(options, body),
  });

  const checks: ConformanceCheck[] = [
    check('describes itself: an id and capabilities as data', async ({ provider }) => {
      expect(typeof provider.id).toBe('string');
      expect(provider.id.length).toBeGreaterThan(0);
      const { capabilities } = provider;
      expect(capabilities.serviceKinds.length).toBeGreaterThan(0);
      for (const kind of capabilities.serviceKinds) expect(SERVICE_KINDS).toContain(kind);
      for (const currency of capabilities.currencies) expect(isCurrency(currency), currency).toBe(true);
      for (const operation of Object.keys(OPERATION_METHODS)) {
        expect(
          typeof capabilities.operations[operation as OptionalOperation],
          `operations.${operation}`,
        ).toBe('boolean');
      }
      expect(typeof capabilities.idempotentResend).toBe('boolean');
      expect(capabilities.transactionId.pattern.test(scenarios.transactionId())).toBe(true);
      expect(capabilities.transactionId.maxLength).toBeGreaterThan(0);
      if (capabilities.registryChunkSize !== undefined) {
        expect(Number.isInteger(capabilities.registryChunkSize), 'registryChunkSize').toBe(true);
        expect(capabilities.registryChunkSize, 'registryChunkSize').toBeGreaterThan(0);
      }
      // The zone its days are counted in: an IANA name (an offset goes stale), when it says one.
      if (provider.timeZone !== undefined) {
        expect(
          () => assertTimeZone(provider.timeZone, 'timeZone'),
          `timeZone ${provider.timeZone}`,
        ).not.toThrow();
      }
    }),

    check('pay: an accepted payment is succeeded, final, with no reason', async (ctx) => {
      const result = await pay(ctx, scenarios.succeeded(), 'succeeded payment');
      expect(result.state).toBe('succeeded');
    }),

    check('pay: a declined payment is failed, final, with a decline reason', async (ctx) => {
      const result = await pay(ctx, scenarios.declined(), 'declined payment');
      expect(result.state).toBe('failed');
      expect(reasonKind(result.reason!), `a final failure needs a decline reason, got ${result.reason}`).toBe(
        'decline',
      );
      if (scenarios.declineReason) expect(result.reason).toBe(scenarios.declineReason);
    }),

    check('pay: a fault with no usable answer is unknown, never failed', async (ctx) => {
      const result = await pay(ctx, scenarios.unknown(), 'faulted payment');
      expect(result.state, 'a payment that may exist must not be reported failed').toBe('unknown');
      expect(result.final).toBe(false);
    }),

    check('pay: a payment the provider has not finished is pending', async (ctx) => {
      const result = await pay(ctx, scenarios.pending(), 'pending payment');
      expect(result.state).toBe('pending');
    }),

    check('getStatus: confirms a succeeded payment', async (ctx) => {
      const request = ctx.request(scenarios.succeeded());
      expect((await ctx.provider.pay(request)).state).toBe('succeeded');
      const status = await ctx.provider.getStatus({ transactionId: request.transactionId });
      expectPaymentResult(status, request.transactionId, 'status');
      expect(status.state).toBe('succeeded');
      ctx.noSecrets(status, 'status');
    }),

    check('getStatus: a transaction the provider never saw is not final', async (ctx) => {
      const transactionId = scenarios.transactionId();
      const status = await ctx.provider.getStatus({ transactionId });
      expectPaymentResult(status, transactionId, 'status of an unknown transaction');
      expect(status.final, 'never declare a payment final because it was not found').toBe(false);
    }),

    check('checkAccount: a valid request is answered with a consistent outcome', async (ctx) => {
      const result = await ctx.provider.checkAccount(scenarios.accountCheck());
      expectAccountCheckResult(result);
      expect(result.state).toBe('succeeded');
      expect(ctx.provider.capabilities.serviceKinds).toContain(result.kind);
      ctx.noSecrets(result, 'account check');
    }),

    check('validates before sending: bad amounts', async (ctx) => {
      for (const amount of ['1e3', '10.001', '-5', '', ' 5', '1,5']) {
        await expectRefusedBeforeSending(ctx, /amount/, () =>
          ctx.provider.pay({ ...ctx.request(scenarios.succeeded()), amount }),
        );
      }
      await expectRefusedBeforeSending(ctx, /amount/, () =>
        ctx.provider.pay({ ...ctx.request(scenarios.succeeded()), amount: 100 as unknown as string }),
      );
      await expectRefusedBeforeSending(ctx, /amount/, () =>
        ctx.provider.checkAccount({ ...scenarios.accountCheck(), amount: '1e3' }),
      );
    }),

    check('validates before sending: bad transaction ids', async (ctx) => {
      for (const transactionId of ['1234567890123456', 'abc', '', '-1', '1.5']) {
        await expectRefusedBeforeSending(ctx, /transactionId/, () =>
          ctx.provider.pay({ ...ctx.request(scenarios.succeeded()), transactionId }),
        );
      }
      await expectRefusedBeforeSending(ctx, /transactionId/, () =>
        ctx.provider.getStatus({ transactionId: '1234567890123456' }),
      );
    }),

    check('validates before sending: too-long accounts and unknown currencies', async (ctx) => {
      await expectRefusedBeforeSending(ctx, /account/, () =>
        ctx.provider.pay({ ...ctx.request(scenarios.succeeded()), account: 'a'.repeat(201) }),
      );
      await expectRefusedBeforeSending(ctx, /account/, () =>
        ctx.provider.checkAccount({ ...scenarios.accountCheck(), account: 'a'.repeat(201) }),
      );
      await expectRefusedBeforeSending(ctx, /currency/, () =>
        ctx.provider.pay({ ...ctx.request(scenarios.succeeded()), currency: 'XTS' }),
      );
    }),

    check('an already-aborted signal throws and sends nothing', async (ctx) => {
      const controller = new AbortController();
      controller.abort(new Error('customer left'));
      const { signal } = controller;
      const calls: [string, () => Promise<unknown>][] = [
        ['pay', () => ctx.provider.pay(ctx.request(scenarios.succeeded()), { signal })],
        ['checkAccount', () => ctx.provider.checkAccount(scenarios.accountCheck(), { signal })],
        ['getStatus', () => ctx.provider.getStatus({ transactionId: scenarios.transactionId() }, { signal })],
      ];
      for (const [name, call] of calls) {
        const { count, error } = await ctx.sent(call);
        expect(error, `${name} with an aborted signal must throw`).toBeDefined();
        expect(count, `${name} with an aborted signal must send nothing`).toBe(0);
      }
    }),

    check('resending the same Payment returns the same outcome', async (ctx) => {
      for (const scenario of [scenarios.succeeded(), scenarios.declined()]) {
        const request = ctx.request(scenario);
        const first = await ctx.provider.pay(request);
        const second = await ctx.provider.pay({ ...request });
        expectPaymentResult(second, request.transactionId, 'resent payment');
        if (ctx.provider.capabilities.idempotentResend) {
          expect([second.state, second.final, second.reason]).toEqual([
            first.state,
            first.final,
            first.reason,
          ]);
          expect(second.providerRequestId).toBe(first.providerRequestId);
        } else {
          expect(
            second.final && second.state !== first.state,
            'a final outcome must not flip on resend',
          ).toBe(false);
        }
      }
    }),

    check('results carry no secret in their JSON', async (ctx) => {
      const results: unknown[] = [
        await ctx.provider.pay(ctx.request(scenarios.succeeded())),
        await ctx.provider.pay(ctx.request(scenarios.declined())),
        await ctx.provider.pay(ctx.request(scenarios.unknown())),
        await ctx.provider.checkAccount(scenarios.accountCheck()),
        await ctx.provider.getStatus({ transactionId: scenarios.transactionId() }),
      ];
      results.forEach((result, i) => {
        ctx.noSecrets(result, `result ${i}`);
      });
      const rendered = inspect(ctx.provider, { depth: 6, showHidden: false });
      for (const secret of options.secrets ?? []) {
        if (secret)
          expect(rendered.includes(secret), 'util.inspect(provider) must not show a secret').toBe(false);
      }
    }),

    check('close() resolves', async ({ provider }) => {
      await expect(provider.close()).resolves.toBeUndefined();
    }),
  ];

  for (const operation of Object.keys(OPERATION_METHODS) as OptionalOperation[]) {
    checks.push(
      check(`optional operation ${operation}: offered only as capabilities say`, async (ctx) => {
        const method = OPERATION_METHODS[operation];
        const implementation = ctx.provider[method] as ((...args: unknown[]) => unknown) | undefined;
        if (!ctx.provider.capabilities.operations[operation]) {
          if (implementation === undefined) return;
          const { count, error } = await ctx.sent(async () =>
            implementation.call(ctx.provider, ...argsFor(operation)),
          );
          expect(
            UnsupportedOperationError.is(error),
            `${method} is present although capabilities.operations.${operation} is false: it must throw UnsupportedOperationError`,
          ).toBe(true);
          expect(count).toBe(0);
          return;
        }
        expect(
          typeof implementation,
          `capabilities.operations.${operation} is true but ${method} is missing`,
        ).toBe('function');
        await exerciseOperation(ctx, operation);
      }),
    );
  }

  if (scenarios.hanging) {
    const hanging = scenarios.hanging;
    checks.push(
      check('abort mid-flight gives unknown (throws only if nothing was sent)', async (ctx) => {
        const controller = new AbortController();
        const request = ctx.request(hanging());
        const before = await options.requestsSeen();
        const settled = ctx.provider.pay(request, { signal: controller.signal }).then(
          (value) => ({ value, error: undefined }),
          (error: unknown) => ({ value: undefined, error }),
        );
        await waitForRequest(options, before);
        controller.abort(new Error('customer left'));
        const { value, error } = await settled;
        if (error !== undefined) {
          expect(await options.requestsSeen(), 'a call may throw on abort only when nothing was sent').toBe(
            before,
          );
          return;
        }
        expect(value).toBeDefined();
        expectPaymentResult(value!, request.transactionId, 'aborted payment');
        expect(value!.state, 'a request that left may have been processed: unknown').toBe('unknown');
      }),
    );
  }
  return checks;
}

function argsFor(operation: OptionalOperation): unknown[] {
  const day = new Date('2024-07-09T00:00:00Z');
  switch (operation) {
    case 'quote':
      return [{ serviceId: '1', account: 'x', amount: '1.00', currency: 'KZT' }];
    case 'listPayments':
      return [{ from: day, to: day }];
    case 'registry':
      return [[]];
    case 'dailyTotals':
      return [{ date: '2024-07-09', totalAmount: '0.00', totalCount: 0, services: [] }];
    case 'callbacks':
      return ['{}'];
    default:
      return [];
  }
}

async function exerciseOperation(ctx: Context, operation: OptionalOperation): Promise<void> {
  const { provider, options } = ctx;
  switch (operation) {
    case 'balance': {
      const result = await provider.getBalance!();
      expectConsistentOutcome(result, 'balance');
      for (const line of result.balances) {
        expectDecimalOrNull(line.balance, 'balance.balance');
        expectDecimalOrNull(line.overdraft, 'balance.overdraft');
      }
      ctx.noSecrets(result, 'balance');
      return;
    }
    case 'listServices': {
      const result = await provider.listServices!();
      expectConsistentOutcome(result, 'services');
      for (const service of result.services) expect(typeof service.id).toBe('string');
      return;
    }
    case 'quote': {
      if (!options.scenarios.quote) return;
      const result = await provider.quote!(options.scenarios.quote());
      expectConsistentOutcome(result, 'quote');
      expectDecimalOrNull(result.amount, 'quote.amount');
      expectDecimalOrNull(result.payAmount, 'quote.payAmount');
      return;
    }
    case 'listPayments': {
      if (!options.scenarios.paymentListRange) return;
      const result = await provider.listPayments!(options.scenarios.paymentListRange());
      expectConsistentOutcome(result, 'payments');
      for (const payment of result.payments) {
        expect(typeof payment.transactionId).toBe('string');
        expectDecimalOrNull(payment.amount, 'payments.amount');
      }
      return;
    }
    case 'callbacks': {
      const { error } = await ctx.sent(async () => provider.parseCallback!('not a callback'));
      expect(ValidationError.is(error), 'parseCallback must refuse a body that is not a callback').toBe(true);
      return;
    }
    default:
      // registry and dailyTotals submit the agent's books: present as a function is all a suite may ask.
      return;
  }
}
