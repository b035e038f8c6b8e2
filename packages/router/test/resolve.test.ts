/**
 * router.resolve end to end: router + VectraFin provider + SQLite journal against the simulator, whose
 * ledger says what really happened (architecture §4.8).
 */
import { ResolutionRefusedError } from '@tolem/core';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_ID, AGENT_PASSWORD, type Stack, stack } from './stack.js';

const TIMEOUT = 60_000;
const IN_FLIGHT_MS = 1_500;

let current: Stack | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

async function open(): Promise<Stack> {
  current = await stack({
    router: {
      finalizer: {
        firstDelayMs: 100,
        growth: 1.5,
        maxDelayMs: 1_000,
        pollIntervalMs: 25,
        inFlightMs: IN_FLIGHT_MS,
      },
    },
  });
  return current;
}

const steam = (paymentId: string, account = 'galek10') => ({
  paymentId,
  service: 'steam',
  account,
  amount: '150.00',
  currency: 'KZT',
});

async function refused(call: Promise<unknown>): Promise<ResolutionRefusedError> {
  const error = await call.catch((caught: unknown) => caught);
  expect(ResolutionRefusedError.is(error), String(error)).toBe(true);
  return error as ResolutionRefusedError;
}

describe('resolve against the simulator', () => {
  it(
    'a payment the provider credited (its answer lost): failed is refused, succeeded is provider-confirmed',
    async () => {
      const s = await open();
      s.simA.faults.add({ requestType: 'Payment', times: 1, fault: { kind: 'drop-after' } });
      const view = await s.router.pay(steam('e-credited'));
      expect(view).toMatchObject({ state: 'unknown', provider: 'vf-a' });
      const tx = view.transactionId!;
      expect(s.simA.ledger.creditCount(tx, AGENT_ID)).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_MS + 100));
      const error = await refused(
        s.router.resolve('e-credited', {
          state: 'failed',
          actor: 'Aigerim N.',
          note: 'refund?',
          evidence: 'ticket',
        }),
      );
      expect(error).toMatchObject({
        refusal: 'contradicted',
        answer: { state: 'succeeded', providerStatus: '10' },
      });
      expect((await s.router.getPayment('e-credited'))?.final).toBe(false);
      const resolution = await s.router.resolve('e-credited', {
        state: 'succeeded',
        actor: 'Aigerim N.',
        note: 'the provider has it',
      });
      expect(resolution).toMatchObject({
        confirmation: 'provider',
        payment: { state: 'succeeded', final: true },
      });
      expect(resolution.payment.attempts[0]?.providerRequestId).toBe(
        s.simA.ledger.get(tx, AGENT_ID)?.providerRequestId,
      );
      expect(s.simA.ledger.creditCount(tx, AGENT_ID)).toBe(1);
      expect(s.simA.ledger.requestCount('Payment')).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'a payment still in progress at the provider cannot be failed by hand',
    async () => {
      const s = await open();
      const view = await s.router.pay(steam('e-slow', 'slow-user'));
      expect(view.state).toBe('pending');
      const error = await refused(
        s.router.resolve('e-slow', { state: 'failed', actor: 'ops', note: 'looks stuck', evidence: 'none' }),
      );
      expect(error.refusal).toBe('contradicted');
      expect(error.answer?.state).toBe('pending');
    },
    TIMEOUT,
  );

  it(
    'the provider never got it ("not found"): evidence is required, then it fails on evidence, nothing credited',
    async () => {
      const s = await open();
      s.simA.faults.add({ requestType: 'Payment', times: 1, fault: { kind: 'drop-before' } });
      const view = await s.router.pay(steam('e-lost'));
      expect(view.state).toBe('unknown');
      const tx = view.transactionId!;
      expect(s.simA.ledger.get(tx, AGENT_ID)).toBeUndefined();
      expect(
        (
          await refused(
            s.router.resolve('e-lost', {
              state: 'failed',
              actor: 'ops',
              note: 'never arrived',
              evidence: 'x',
            }),
          )
        ).refusal,
      ).toBe('in_flight');
      await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_MS + 100));
      const missing = await refused(
        s.router.resolve('e-lost', { state: 'failed', actor: 'ops', note: 'never arrived' }),
      );
      expect(missing).toMatchObject({
        refusal: 'evidence_required',
        answer: { state: 'unknown', reason: 'not_found', providerStatus: '-4' },
      });
      const resolution = await s.router.resolve('e-lost', {
        state: 'failed',
        actor: 'ops',
        note: 'never arrived',
        evidence: 'VectraFin support ticket 4417: no such transaction',
      });
      expect(resolution).toMatchObject({
        confirmation: 'evidence',
        payment: { state: 'failed', final: true },
      });
      // The finalizer, started now, leaves a final payment alone: nothing is ever sent again.
      await s.router.start();
      await s.router.finalizeDue();
      expect(s.simA.ledger.requestCount('Payment')).toBe(1);
      expect(s.simA.ledger.get(tx, AGENT_ID)).toBeUndefined();
      const history = await s.journal.history('e-lost');
      expect(history.at(-1)).toMatchObject({
        event: 'resolved',
        actor: { kind: 'operator', name: 'ops' },
        evidence: 'VectraFin support ticket 4417: no such transaction',
      });
      expect(JSON.stringify(history)).not.toContain(AGENT_PASSWORD);
      expect(JSON.stringify(missing)).not.toContain(AGENT_PASSWORD);
      expect(missing.message).not.toContain(AGENT_PASSWORD);
    },
    TIMEOUT,
  );
});
