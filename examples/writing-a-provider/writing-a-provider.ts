/**
 * The provider of docs/writing-a-provider.md at work: templates/provider-acme (a complete provider for
 * the made-up Acme API, the template `pnpm run new:provider NAME` copies) routed by a router, against
 * its fake backend on a loopback port. An account check, a payment, a decline, a pending payment that
 * Acme's callback settles (confirmed with Status), a voucher, the balance — each printed as it happens.
 *
 *   cd examples && npx tsx --conditions=@tolem/source writing-a-provider/writing-a-provider.ts
 *
 * Swap createAcmeProvider for yours (and the fake backend for your provider's sandbox) to watch a new
 * provider work end to end.
 */
import { pathToFileURL } from 'node:url';
import { createMemoryJournal } from '@tolem/core';
import { createAcmeProvider } from '@tolem/provider-acme';
import { createRouter, type PaymentView } from '@tolem/router';
// The fake Acme lives with the template's tests (never in its dist); an example may borrow it.
import { startAcmeServer } from '../../templates/provider-acme/test/acme-server.js';

export interface ShiftSummary {
  check: string;
  paid: PaymentView;
  declined: PaymentView;
  settledByCallback: PaymentView;
  callback: string;
  voucher: PaymentView;
  voucherDelivered: boolean;
  balance: string;
}

/** What a user writes: one provider, two routes, a journal, and the calls. */
export async function acmeShift(
  baseUrl: string,
  apiKey: string,
  callbacks: { next(): Promise<string> },
  print: (line: string) => void = console.log,
): Promise<ShiftSummary> {
  const acme = createAcmeProvider({ id: 'acme-kzt', baseUrl, apiKey, timeoutMs: 5_000 });
  const router = createRouter({
    providers: [acme],
    routes: {
      steam: [{ provider: 'acme-kzt', serviceId: 'steam' }],
      'gift-card': [{ provider: 'acme-kzt', serviceId: 'gift-10' }],
    },
    journal: createMemoryJournal(),
    // The callback settles the pending payment here; the finalizer would re-check it after a minute.
    finalizer: { firstDelayMs: 60_000 },
    // Without keys, a voucher code goes to the pay() that received it and is never written down.
    vouchers: false,
  });
  await router.start();
  try {
    const check = await router.checkAccount({
      service: 'steam',
      account: 'galek10',
      amount: '100.00',
      currency: 'KZT',
    });
    print(`check     galek10 on steam: ${check.state} (${check.kind}) at ${check.provider}`);

    const paid = await router.pay({
      paymentId: 'order-1',
      service: 'steam',
      account: 'galek10',
      amount: '100.00',
      currency: 'KZT',
    });
    print(`pay       order-1: ${paid.state} at ${paid.provider}, transaction ${paid.transactionId}`);

    const declined = await router.pay({
      paymentId: 'order-2',
      service: 'steam',
      account: 'missing',
      amount: '100.00',
      currency: 'KZT',
    });
    print(
      `pay       order-2: ${declined.state} (${declined.reason}), Acme said ${declined.providerStatus}: no money moved`,
    );

    const pending = await router.pay({
      paymentId: 'order-3',
      service: 'steam',
      account: 'slow',
      amount: '250.00',
      currency: 'KZT',
    });
    print(`pay       order-3: ${pending.state}, Acme is still working on it`);
    const body = await callbacks.next();
    const handled = await router.handleCallback('acme-kzt', body);
    const settledByCallback = await router.waitForFinal('order-3', { timeoutMs: 10_000 });
    print(`callback  order-3: ${handled.result} by Status, now ${settledByCallback.state}`);

    const price = await router.checkAccount({
      service: 'gift-card',
      account: 'buyer@example.com',
      amount: '5000.00',
      currency: 'KZT',
    });
    print(`check     gift-card: ${price.kind}, costs ${price.orderAmount}, pay ${price.payAmount}`);
    const voucher = await router.pay({
      paymentId: 'order-4',
      service: 'gift-card',
      account: 'buyer@example.com',
      amount: price.payAmount ?? '',
      currency: 'KZT',
      sendType: 'api',
    });
    const code = voucher.voucherCode?.reveal() ?? '';
    // The code is the customer's money: print it on their receipt, never in a log.
    print(
      `pay       order-4: ${voucher.state}, voucher ${voucher.voucherStatus}: a ${code.length}-character code for the receipt`,
    );

    const balance = await acme.getBalance();
    const kzt = balance.balances.find((line) => line.currency === 'KZT')?.balance ?? '?';
    print(`balance   ${balance.state}: ${kzt} KZT at Acme`);

    return {
      check: check.state,
      paid,
      declined,
      settledByCallback,
      callback: handled.result,
      voucher,
      voucherDelivered: code !== '',
      balance: kzt,
    };
  } finally {
    await router.stop(); // closes the provider and the journal
  }
}

/** Runs the shift against a fake Acme started here. */
export async function main(print: (line: string) => void = console.log): Promise<ShiftSummary> {
  const bodies: string[] = [];
  let wake: () => void = () => {};
  const server = await startAcmeServer({
    pendingMs: 200,
    onCallback: (body) => {
      bodies.push(body);
      wake();
    },
  });
  const callbacks = {
    next: () =>
      new Promise<string>((resolve) => {
        const take = () => {
          const body = bodies.shift();
          if (body !== undefined) resolve(body);
          else wake = take;
        };
        take();
      }),
  };
  try {
    return await acmeShift(server.url, server.apiKey, callbacks, print);
  } finally {
    await server.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const summary = await main();
  const states = [summary.paid, summary.declined, summary.settledByCallback, summary.voucher].map(
    (view) => `${view.paymentId} ${view.state}`,
  );
  console.log(JSON.stringify({ check: summary.check, payments: states, callback: summary.callback }));
  const expected = ['succeeded', 'failed', 'succeeded', 'succeeded'];
  const ok = [summary.paid, summary.declined, summary.settledByCallback, summary.voucher].every(
    (view, index) => view.state === expected[index],
  );
  process.exitCode = ok && summary.voucherDelivered ? 0 : 1;
}
