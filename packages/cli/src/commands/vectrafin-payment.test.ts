import { PassThrough } from 'node:stream';
import type { PaymentProvider, PaymentRequest, PaymentResult, Reason, StatusRef } from '@tolem/core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../run.js';

type Answer = Pick<PaymentResult, 'state' | 'reason' | 'providerStatus'>;

/** What the scripted provider answers, and what it was asked. */
const script: {
  pay: Answer[];
  status: Answer[];
  payRequests: PaymentRequest[];
  statusRefs: StatusRef[];
  interruptStatus?: AbortController;
} = {
  pay: [],
  status: [],
  payRequests: [],
  statusRefs: [],
};

function result(answer: Answer, transactionId: string): PaymentResult {
  return {
    ...answer,
    final: answer.state === 'succeeded' || answer.state === 'failed',
    message: null,
    transactionId,
    providerRequestId: null,
    amount: '100.00',
    currency: 'KZT',
    account: 'galek10',
    amountOnClient: null,
    exchangeRate: null,
    serviceCurrency: null,
  };
}

vi.mock('../provider.js', () => ({
  openProvider: (): Partial<PaymentProvider> => ({
    id: 'vectrafin',
    pay: async (request) => {
      script.payRequests.push(request);
      const answer = script.pay.shift();
      if (answer === undefined) throw new Error('no Payment answer scripted');
      return result(answer, request.transactionId);
    },
    getStatus: async (ref) => {
      script.statusRefs.push(ref);
      // The user interrupts while this check's connection is being made: the port throws the reason.
      if (script.interruptStatus !== undefined) {
        script.interruptStatus.abort(new Error('interrupted'));
        throw script.interruptStatus.signal.reason;
      }
      const answer = script.status.shift() ?? script.status.at(-1);
      if (answer === undefined) throw new Error('no Status answer scripted');
      if (script.status.length === 0) script.status.push(answer);
      return result(answer, ref.transactionId);
    },
    close: async () => {},
  }),
}));

const unknown = (reason: Reason, providerStatus: string | null = null): Answer => ({
  state: 'unknown',
  reason,
  providerStatus,
});
const succeeded: Answer = { state: 'succeeded', reason: null, providerStatus: '10' };

async function pay(
  wait: string,
  signal?: AbortSignal,
): Promise<{ code: number; document: Record<string, unknown>; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const code = await run(
    [
      'vectrafin',
      'pay',
      '--service',
      '7',
      '--account',
      'galek10',
      '--amount',
      '100.00',
      '--transaction-id',
      '700123',
      '--wait',
      wait,
      '--json',
    ],
    {
      stdout,
      stderr,
      env: {
        TOLEM_VECTRAFIN_URL: 'http://127.0.0.1:9/',
        TOLEM_VECTRAFIN_AGENT_ID: '4242',
        TOLEM_VECTRAFIN_PASSWORD: 'not-a-real-password',
      },
      cwd: process.cwd(),
    },
    signal,
  );
  return { code, document: JSON.parse(out) as Record<string, unknown>, stderr: err };
}

beforeEach(() => {
  script.pay = [];
  script.status = [];
  script.payRequests = [];
  script.statusRefs = [];
  script.interruptStatus = undefined;
});

describe('tolem vectrafin pay --wait after a Payment whose outcome is unknown', () => {
  it('keeps polling when a Status check cannot connect: the check says nothing about the payment (protocol §4.4)', async () => {
    script.pay = [unknown('timeout')];
    script.status = [unknown('connection_refused'), succeeded];
    const outcome = await pay('30');
    expect(outcome.document).toMatchObject({ state: 'succeeded', final: true });
    expect(outcome.code).toBe(0);
    expect(script.payRequests).toHaveLength(1);
  }, 30_000);

  it('an interrupt before a Status check was written still reports the Payment (exit 4), not a bare "interrupted"', async () => {
    script.pay = [unknown('timeout')];
    const controller = new AbortController();
    script.interruptStatus = controller;
    const outcome = await pay('30', controller.signal);
    expect(script.statusRefs).toHaveLength(1);
    expect(outcome.code).toBe(4);
    expect(outcome.document).toMatchObject({ state: 'unknown', final: false, reason: 'timeout' });
  }, 30_000);

  it('never reports "cannot connect" (exit 1) for a Payment that may have gone through', async () => {
    script.pay = [unknown('timeout')];
    script.status = [unknown('connection_refused')];
    const outcome = await pay('1');
    // Exit 1 with "cannot connect" reads as "nothing was sent": a user would pay again under a new id.
    expect(outcome.code).toBe(4);
    expect(outcome.document).toMatchObject({ state: 'unknown', final: false, reason: 'timeout' });
    expect(outcome.stderr).toContain('never refund');
    expect(outcome.stderr).not.toContain('cannot connect');
  }, 30_000);

  it('resends the very same Payment after "not found": same transaction id, fields and RequestDate (protocol §4.4)', async () => {
    script.pay = [unknown('connection_lost'), succeeded];
    script.status = [unknown('not_found', '-4')];
    const outcome = await pay('30');
    expect(outcome.document).toMatchObject({ state: 'succeeded' });
    expect(script.payRequests).toHaveLength(2);
    const [first, resend] = script.payRequests;
    expect(first?.requestedAt).toBeInstanceOf(Date);
    expect(resend).toEqual(first);
  }, 30_000);
});
