import type { Reason } from '@tolem/core';
import { Dec, Money } from '@tolem/core';
import type { PaymentView, PayRequest, RoutedAccountCheck } from '@tolem/router';
import { AGENTS, type DemoService, type DemoStack, PRIMARY, SECONDARY } from './demo-stack.js';
import type { Narrator } from './narrator.js';

/** One payment of the shift and what it was expected to end as. */
export interface DemoPayment {
  title: string;
  paymentId: string;
  service: DemoService;
  amount: string;
  currency: string;
  expected: { state: 'succeeded' | 'failed'; provider?: string; reason?: Reason };
  view: PaymentView;
  ok: boolean;
}

export const SHIFT_STEPS = 9;
const CURRENCY = 'KZT';
const FINAL_WAIT_MS = 20_000;

interface Shift {
  stack: DemoStack;
  narrator: Narrator;
  signal: AbortSignal;
  payments: DemoPayment[];
  counters: { checkFailovers: number; callbacks: number };
  /** Whether callback events are narrated (only where they are the point: elsewhere they just agree). */
  showCallbacks: boolean;
}

function said(result: { providerStatus: string | null; message: string | null }): string {
  if (result.providerStatus === null && result.message === null) return '';
  return ` · provider says ${[result.providerStatus, result.message ? `«${result.message}»` : null].filter(Boolean).join(' ')}`;
}

function describeCheck(check: RoutedAccountCheck): string {
  return `${check.state}${check.reason ? ` (${check.reason})` : ''} via ${check.provider}${said(check)}`;
}

function describeView(view: PaymentView): string {
  const where = view.provider ? ` via ${view.provider}` : '';
  const transaction = view.transactionId ? `, transaction ${view.transactionId}` : '';
  return `${view.state}${view.reason ? ` (${view.reason})` : ''}${where}${transaction}${said(view)}`;
}

async function check(
  shift: Shift,
  service: DemoService,
  account: string,
  amount: string,
): Promise<RoutedAccountCheck> {
  const result = await shift.stack.router.checkAccount(
    { service, account, amount, currency: CURRENCY },
    { signal: shift.signal },
  );
  shift.narrator.detail(`check ${account}: ${describeCheck(result)}`);
  return result;
}

/** Pays, waits for a final state when the first answer is not final, and records the verdict. */
async function pay(
  shift: Shift,
  title: string,
  request: PayRequest & { service: DemoService },
  expected: DemoPayment['expected'],
): Promise<DemoPayment> {
  const { router } = shift.stack;
  let view = await router.pay(request, { signal: shift.signal });
  shift.narrator.detail(
    `pay ${request.amount} ${request.currency} as ${request.paymentId}: ${describeView(view)}`,
  );
  if (!view.final) {
    view = await shift.narrator.wait(
      "not final yet: a callback or the finalizer's next Status check will settle it",
      router.waitForFinal(request.paymentId, { timeoutMs: FINAL_WAIT_MS, signal: shift.signal }),
    );
    shift.narrator.detail(
      `now ${describeView(view)} after ${view.attempts.reduce((sum, attempt) => sum + attempt.sends, 0)} send(s)`,
    );
  }
  const ok =
    view.state === expected.state &&
    (expected.provider === undefined || view.provider === expected.provider) &&
    (expected.reason === undefined || view.reason === expected.reason);
  const want = `${expected.state}${expected.reason ? ` (${expected.reason})` : ''}${expected.provider ? ` via ${expected.provider}` : ''}`;
  if (ok) shift.narrator.ok(`${view.state}, as expected`);
  else
    shift.narrator.bad(
      `expected ${want}, got ${view.state}${view.reason ? ` (${view.reason})` : ''} via ${view.provider ?? 'none'}`,
    );
  const payment: DemoPayment = {
    title,
    paymentId: request.paymentId,
    service: request.service,
    amount: request.amount,
    currency: request.currency,
    expected,
    view,
    ok,
  };
  shift.payments.push(payment);
  return payment;
}

function cheapest<T extends { payAmount: string }>(items: readonly T[]): T | undefined {
  return [...items].sort((a, b) => new Dec(a.payAmount).comparedTo(new Dec(b.payAmount)))[0];
}

async function directTopUp(shift: Shift): Promise<void> {
  shift.narrator.step('Steam top-up (direct, service 7)');
  const result = await check(shift, 'steam', 'galek10', '100.00');
  if (result.exchangeRate)
    shift.narrator.detail(`1 ${CURRENCY} = ${result.exchangeRate} ${result.serviceCurrency ?? ''}`.trimEnd());
  await pay(
    shift,
    'Steam top-up',
    {
      paymentId: 'shift-01-steam',
      service: 'steam',
      account: 'galek10',
      amount: '100.00',
      currency: CURRENCY,
    },
    { state: 'succeeded', provider: PRIMARY },
  );
}

async function dynamicVoucher(shift: Shift): Promise<void> {
  shift.narrator.step(
    'PUBG Mobile UC voucher (dynamic voucher, service 1911): the offer comes from the check',
  );
  const account = 'kkazbek.smeken@gmail.com';
  const result = await check(shift, 'pubg-uc', account, '100.00');
  const offer = cheapest(result.offers ?? []);
  if (offer === undefined) throw new Error('the sandbox offered no PUBG Mobile UC denominations');
  shift.narrator.detail(
    `${result.offers?.length ?? 0} offers; the customer picks "${offer.name}": ${offer.orderAmount} rounded up to ${offer.payAmount}`,
  );
  await pay(
    shift,
    'PUBG Mobile UC voucher',
    {
      paymentId: 'shift-02-pubg',
      service: 'pubg-uc',
      account,
      amount: offer.payAmount,
      currency: CURRENCY,
      invoiceId: offer.invoiceId,
    },
    { state: 'succeeded', provider: PRIMARY },
  );
}

async function staticVoucher(shift: Shift): Promise<void> {
  shift.narrator.step('Steam Wallet code (static voucher, service 1549): the price comes from the check');
  const account = 'kkazbek.smeken@gmail.com';
  const result = await check(shift, 'steam-wallet-code', account, '100.00');
  if (result.payAmount === undefined) throw new Error('the sandbox gave no static voucher price');
  shift.narrator.detail(
    `price ${result.orderAmount ?? result.payAmount}, paid rounded up: ${result.payAmount} (rounding down would fail)`,
  );
  await pay(
    shift,
    'Steam Wallet code',
    {
      paymentId: 'shift-03-wallet-code',
      service: 'steam-wallet-code',
      account,
      amount: result.payAmount,
      currency: CURRENCY,
    },
    { state: 'succeeded', provider: PRIMARY },
  );
}

async function utilityInvoice(shift: Shift): Promise<void> {
  shift.narrator.step('Alseko utility invoice (service 815): the customer pays two lines of the bill');
  const account = '7898380';
  const result = await check(shift, 'alseko', account, '100.00');
  const lines = (result.invoice?.lines ?? []).filter(
    (line) => !line.payAll && new Dec(line.fixSum).greaterThan(0),
  );
  if (lines.length < 2) throw new Error('the sandbox invoice has fewer than two payable lines');
  shift.narrator.detail(`invoice ${result.invoice?.invoiceId}, ${result.invoice?.address ?? ''}`);
  const chosen = lines.slice(0, 2).map((line) => ({
    serviceId: line.serviceId,
    name: line.name,
    amount: Money.parse(line.fixSum, CURRENCY, 'fixSum').format(),
  }));
  for (const line of chosen) shift.narrator.detail(`  line ${line.serviceId} ${line.name}: ${line.amount}`);
  const total = Money.sum(
    chosen.map((line) => Money.parse(line.amount, CURRENCY)),
    CURRENCY,
  ).format();
  await pay(
    shift,
    'Alseko invoice',
    {
      paymentId: 'shift-04-alseko',
      service: 'alseko',
      account,
      amount: total,
      currency: CURRENCY,
      services: chosen.map(({ serviceId, amount }) => ({ serviceId, amount })),
    },
    { state: 'succeeded', provider: PRIMARY },
  );
}

async function declined(shift: Shift): Promise<void> {
  shift.narrator.step('A declined payment: the account does not exist');
  await check(shift, 'steam', 'no-such-user', '500.00');
  shift.narrator.detail(
    'a kiosk that ignores the check pays anyway: a final decline, no money moved, no failover',
  );
  await pay(
    shift,
    'Declined top-up',
    {
      paymentId: 'shift-05-declined',
      service: 'steam',
      account: 'no-such-user',
      amount: '500.00',
      currency: CURRENCY,
    },
    { state: 'failed', reason: 'account_not_found', provider: PRIMARY },
  );
}

async function timeoutResolved(shift: Shift): Promise<void> {
  shift.narrator.step('A timeout resolved by the finalizer: vf-a takes the payment but answers too late');
  shift.narrator.detail(
    'our callback endpoint is down for maintenance meanwhile: only the finalizer can settle it',
  );
  shift.stack.setCallbacksDown(true);
  const rule = shift.stack.simulator.faults.add({
    agentId: AGENTS[PRIMARY],
    requestType: 'Payment',
    account: 'iamkackbip',
    times: 1,
    fault: { kind: 'delay', ms: 3_000 },
  });
  try {
    await pay(
      shift,
      'Top-up after a timeout',
      {
        paymentId: 'shift-06-timeout',
        service: 'steam',
        account: 'iamkackbip',
        amount: '250.00',
        currency: CURRENCY,
      },
      { state: 'succeeded', provider: PRIMARY },
    );
  } finally {
    rule.remove();
    shift.stack.setCallbacksDown(false);
  }
  const payment = shift.payments.at(-1);
  if (payment?.view.transactionId) {
    const credits = shift.stack.simulator.ledger.creditCount(payment.view.transactionId, AGENTS[PRIMARY]);
    // Paying twice is the worst bug there is: the demo fails if the sandbox credited it more than once.
    if (credits > 1) {
      payment.ok = false;
      shift.narrator.bad(`the sandbox credited it ${credits} times`);
    } else {
      shift.narrator.detail(
        `the sandbox credited it ${credits} time(s): resends and re-checks never pay twice`,
      );
    }
  }
}

async function callback(shift: Shift): Promise<void> {
  shift.narrator.step('A callback: a slow payment turns final and VectraFin calls back');
  const before = shift.counters.callbacks;
  shift.showCallbacks = true;
  await pay(
    shift,
    'Slow top-up with a callback',
    {
      paymentId: 'shift-07-callback',
      service: 'steam',
      account: 'slow-user',
      amount: '150.00',
      currency: CURRENCY,
    },
    { state: 'succeeded', provider: PRIMARY },
  );
  await shift.narrator.wait(
    'waiting for the callback',
    waitUntil(() => shift.counters.callbacks > before, 5_000, shift.signal),
  );
  shift.showCallbacks = false;
  if (shift.counters.callbacks === before)
    shift.narrator.detail('no callback arrived in time (the finalizer settles it anyway)');
}

async function breakerAndFailover(shift: Shift): Promise<void> {
  shift.narrator.step('A breaker opens and a payment fails over to the second provider');
  const { router, simulator } = shift.stack;
  const rule = simulator.faults.add({
    agentId: AGENTS[PRIMARY],
    requestType: 'AccountCheck',
    fault: { kind: 'http-error', httpStatus: 502 },
  });
  try {
    shift.narrator.detail('vf-a starts answering 502 Bad Gateway; checks fall through to vf-b meanwhile');
    const failoversBefore = shift.counters.checkFailovers;
    for (let attempt = 0; attempt < 40 && router.breakerState(PRIMARY) !== 'open'; attempt += 1) {
      await router.checkAccount(
        { service: 'steam', account: 'galek10', amount: '300.00', currency: CURRENCY },
        { signal: shift.signal },
      );
    }
    shift.narrator.detail(
      `${shift.counters.checkFailovers - failoversBefore} check(s) answered by vf-b; breaker of vf-a: ${router.breakerState(PRIMARY)}`,
    );
    await pay(
      shift,
      'Top-up after failover',
      {
        paymentId: 'shift-08-failover',
        service: 'steam',
        account: 'galek10',
        amount: '300.00',
        currency: CURRENCY,
      },
      { state: 'succeeded', provider: SECONDARY },
    );
  } finally {
    rule.remove();
  }
  shift.narrator.detail('vf-a is healthy again: after the reset timeout its breaker lets a probe through');
}

async function balances(shift: Shift): Promise<void> {
  shift.narrator.step('Balance check');
  for (const [id, provider] of shift.stack.router.providers) {
    const result = await provider.getBalance?.({ signal: shift.signal });
    if (result === undefined) continue;
    const text = result.balances
      .map((line) => `${line.balance} ${line.currency} (overdraft ${line.overdraft})`)
      .join(', ');
    shift.narrator.detail(
      `${id} (agent ${AGENTS[id as keyof typeof AGENTS]}): ${result.state === 'succeeded' ? text : `${result.state} (${result.reason})`}`,
    );
  }
  await shift.stack.instrumentation.pollBalances();
  shift.narrator.detail('balances are also exported as tolem_provider_balance{provider,currency}');
}

function waitUntil(condition: () => boolean, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const started = Date.now();
    const poll = (): void => {
      if (condition() || signal.aborted || Date.now() - started >= timeoutMs) resolve();
      else setTimeout(poll, 50);
    };
    poll();
  });
}

/** The steps of the shift, in order. */
export const SHIFT: readonly ((shift: Shift) => Promise<void>)[] = [
  directTopUp,
  dynamicVoucher,
  staticVoucher,
  utilityInvoice,
  declined,
  timeoutResolved,
  callback,
  breakerAndFailover,
  balances,
];

export type { Shift };
