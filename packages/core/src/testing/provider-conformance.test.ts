import { describe, expect, it } from 'vitest';
import type { PaymentRequest } from '../operations.js';
import { type FakeAnswer, FakeProvider, type FakeProviderFlaw } from './fake-provider.js';
import { providerChecks } from './provider-checks.js';
import { runProviderConformance } from './provider-conformance.js';
import type { ProviderConformanceOptions } from './provider-options.js';

const FAKE_PASSWORD = 'fake-agent-Pa55!';

/** The scenario accounts of the fake's backend: how each one is answered. */
function byAccount(request: PaymentRequest): FakeAnswer | Promise<FakeAnswer> {
  switch (request.account) {
    case 'fault':
      return { state: 'unknown', reason: 'connection_lost' };
    case 'hang':
      // Never answers: only the caller's abort ends the call.
      return new Promise<FakeAnswer>(() => {});
    case 'missing':
      return { state: 'failed', reason: 'account_not_found', providerStatus: '-105' };
    case 'slow':
      return { state: 'pending', providerStatus: '3' };
    default:
      return { state: 'succeeded', providerStatus: '10' };
  }
}

function fakeOptions(flaws: readonly FakeProviderFlaw[] = []): ProviderConformanceOptions {
  let current: FakeProvider | undefined;
  let nextId = 1_000_000n;
  const pay = (account: string) => ({ serviceId: '7', account, amount: '100.00', currency: 'KZT' });
  return {
    name: flaws.length ? `fake with ${flaws.join(', ')}` : 'fake',
    createProvider: () => {
      current = new FakeProvider('fake', {
        pay: byAccount,
        quote: 'unsupported',
        listServices: () => [
          { id: '7', name: 'Steam', testAccount: 'galek10', rate: null, topCommission: null, limits: [] },
        ],
        password: FAKE_PASSWORD,
        timeZone: 'Asia/Almaty',
        registryChunkSize: 1000,
        flaws,
      });
      return current;
    },
    requestsSeen: () => current?.requests ?? 0,
    secrets: [FAKE_PASSWORD],
    scenarios: {
      succeeded: () => pay('galek10'),
      declined: () => pay('missing'),
      declineReason: 'account_not_found',
      unknown: () => pay('fault'),
      pending: () => pay('slow'),
      hanging: () => pay('hang'),
      accountCheck: () => pay('galek10'),
      transactionId: () => (nextId++).toString(),
    },
  };
}

// The healthy fake passes the whole suite.
runProviderConformance(fakeOptions());

describe('the provider suite fails a broken provider', () => {
  const cases: [FakeProviderFlaw, string][] = [
    ['unknown-as-failed', 'pay: a fault with no usable answer is unknown, never failed'],
    ['sends-before-validating', 'validates before sending: bad amounts'],
    ['ignores-aborted-signal', 'an already-aborted signal throws and sends nothing'],
    ['throws-after-sending-on-abort', 'abort mid-flight gives unknown (throws only if nothing was sent)'],
    ['not-idempotent', 'resending the same Payment returns the same outcome'],
    ['leaks-password', 'results carry no secret in their JSON'],
    ['balance-without-capability', 'optional operation balance: offered only as capabilities say'],
    ['final-when-not-found', 'getStatus: a transaction the provider never saw is not final'],
    ['offset-time-zone', 'describes itself: an id and capabilities as data'],
  ];

  it.each(cases)('%s fails "%s"', async (flaw, checkName) => {
    const checks = providerChecks(fakeOptions([flaw]));
    const check = checks.find((c) => c.name === checkName);
    expect(check, checkName).toBeDefined();
    await expect(check!.run()).rejects.toThrow();
    // The same check passes on the healthy fake: the failure is the flaw, not the check.
    const healthy = providerChecks(fakeOptions()).find((c) => c.name === checkName);
    await expect(healthy!.run()).resolves.toBeUndefined();
  });

  it('every check of the suite is exercised by the healthy fake', () => {
    const names = providerChecks(fakeOptions()).map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const [, name] of cases) expect(names).toContain(name);
  });
});
