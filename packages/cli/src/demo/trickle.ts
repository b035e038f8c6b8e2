import { Dec } from '@tolem/core';
import type { PayRequest } from '@tolem/router';
import { AGENTS, type DemoService, type DemoStack, HELD_ACCOUNT, PRIMARY } from './demo-stack.js';

/** Time between two actions of the trickle: a check or a payment every so often, like a quiet kiosk. */
export const TRICKLE_INTERVAL_MS = 1_500;
const CURRENCY = 'KZT';

export interface TrickleCounts {
  checks: number;
  payments: number;
  /** Actions that threw (nothing was sent: both breakers open, or the demo is stopping). */
  refused: number;
}

export interface Trickle {
  readonly counts: TrickleCounts;
  /** Stops after the action in flight; resolves when it is done. */
  stop(): Promise<void>;
}

type Action = (stack: DemoStack, next: () => string) => Promise<'check' | 'payment'>;

const check =
  (service: DemoService, account: string, amount = '100.00'): Action =>
  async (stack) => {
    await stack.router.checkAccount({ service, account, amount, currency: CURRENCY });
    return 'check';
  };

const pay =
  (account: string, amount: string, service: DemoService = 'steam'): Action =>
  async (stack, next) => {
    await stack.router.pay({ paymentId: next(), service, account, amount, currency: CURRENCY });
    return 'payment';
  };

/** A static voucher: the price comes from the check, paid rounded up. */
const voucher: Action = async (stack, next) => {
  const request = { service: 'steam-wallet-code' as const, account: 'kkazbek.smeken@gmail.com' };
  const quote = await stack.router.checkAccount({ ...request, amount: '100.00', currency: CURRENCY });
  if (quote.payAmount === undefined) return 'check';
  await stack.router.pay({ ...request, paymentId: next(), amount: quote.payAmount, currency: CURRENCY });
  return 'payment';
};

/** A dynamic voucher: the customer picks the cheapest offer of the check. */
const offer: Action = async (stack, next) => {
  const request = { service: 'pubg-uc' as const, account: 'kkazbek.smeken@gmail.com' };
  const result = await stack.router.checkAccount({ ...request, amount: '100.00', currency: CURRENCY });
  const cheapest = [...(result.offers ?? [])].sort((a, b) =>
    new Dec(a.payAmount).comparedTo(new Dec(b.payAmount)),
  )[0];
  if (cheapest === undefined) return 'check';
  const payment: PayRequest = {
    ...request,
    paymentId: next(),
    amount: cheapest.payAmount,
    currency: CURRENCY,
    invoiceId: cheapest.invoiceId,
  };
  await stack.router.pay(payment);
  return 'payment';
};

/** vf-a answers too late once: unknown now, the finalizer's Status check settles it seconds later. */
const timeout: Action = async (stack, next) => {
  stack.simulator.faults.add({
    agentId: AGENTS[PRIMARY],
    requestType: 'Payment',
    account: 'iamkackbip',
    times: 1,
    fault: { kind: 'delay', ms: 3_000 },
  });
  return pay('iamkackbip', '250.00')(stack, next);
};

/** vf-a declines once with a technical failure (a listed reason): the payment fails over to vf-b. */
const failover: Action = async (stack, next) => {
  stack.simulator.faults.add({
    agentId: AGENTS[PRIMARY],
    requestType: 'Payment',
    account: 'galek10',
    times: 1,
    fault: { kind: 'status', code: -115 },
  });
  return pay('galek10', '300.00')(stack, next);
};

/**
 * One cycle (about 30 s): mostly checks and payments that succeed at once, a declined account, a
 * check that finds no account, a slow payment settled by its callback, a timeout settled by the
 * finalizer, a failover to the second provider, and a payment the provider holds pending for 40 s.
 */
const CYCLE: readonly Action[] = [
  check('steam', 'galek10'),
  pay('galek10', '100.00'),
  offer,
  pay('iamkackbip', '150.00'),
  check('steam', 'no-such-user'),
  pay('slow-user', '120.00'),
  voucher,
  check('alseko', '7898380'),
  pay('galek10', '200.00'),
  pay('no-such-user', '500.00'),
  timeout,
  check('steam', 'iamkackbip'),
  pay(HELD_ACCOUNT, '180.00'),
  failover,
  check('steam', 'galek10', '250.00'),
  pay('iamkackbip', '110.00'),
  check('pubg-uc', 'kkazbek.smeken@gmail.com'),
  pay('slow-user', '130.00'),
  check('steam', 'galek10'),
  pay('galek10', '140.00'),
];

/**
 * `tolem demo --serve` keeps a light, realistic trickle of traffic through the router after the shift,
 * so that every panel of the dashboard has data within a minute and rates do not drop to nothing. One
 * action at a time; what does not finish at once is left to callbacks and the finalizer, as in life.
 */
export function startTrickle(
  stack: DemoStack,
  options: { intervalMs?: number; firstDelayMs?: number } = {},
): Trickle {
  const intervalMs = options.intervalMs ?? TRICKLE_INTERVAL_MS;
  const counts: TrickleCounts = { checks: 0, payments: 0, refused: 0 };
  const run = `${Date.now().toString(36)}`;
  let sequence = 0;
  let step = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();

  const tick = (): void => {
    timer = null;
    if (stopped) return;
    const action = CYCLE[step % CYCLE.length] as Action;
    step += 1;
    inFlight = action(stack, () => `trickle-${run}-${String(++sequence).padStart(5, '0')}`)
      .then((kind) => {
        if (kind === 'check') counts.checks += 1;
        else counts.payments += 1;
      })
      .catch(() => {
        // Thrown means nothing was sent (no provider admitted it) or the router is stopping.
        counts.refused += 1;
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, options.firstDelayMs ?? intervalMs);

  return {
    counts,
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await inFlight;
    },
  };
}
