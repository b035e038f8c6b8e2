/**
 * A fake Acme backend on a loopback port, for the tests and the example (it lives in test/, so it is
 * never compiled into dist). It counts every request on arrival, keeps payments by transaction id (a
 * resend gets the earlier answer), and answers by account:
 *
 * | account            | check / payment                                                       |
 * |--------------------|-----------------------------------------------------------------------|
 * | anything else      | OK                                                                    |
 * | `missing`          | NO_ACCOUNT (a final decline)                                          |
 * | `slow`             | PENDING; Status says OK once `pendingMs` have passed                  |
 * | `code-<CODE>`      | that code, e.g. `code-REJECTED`, `code-SOMETHING_NEW`                 |
 * | `echo-wrong`       | OK, echoing another amount                                            |
 * | `reset`            | the connection dropped after the request arrived                      |
 * | `hang`             | no answer at all                                                      |
 * | `blank` / `html`   | an empty 200 / an HTML 502 page                                       |
 *
 * Service `gift-10` is a voucher at 4990.495 in the request's currency; paid with `deliver: "api"`
 * its code comes back in the answer. Canned bodies are raw strings: every value in them is a string.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dec } from '@tolem/core';

export interface AcmeServerOptions {
  apiKey?: string;
  /** How long a `slow` payment stays PENDING (default 300 ms). */
  pendingMs?: number;
  /**
   * Called with the callback body Acme would POST to the agent when a `slow` payment turns final
   * (`{"type":"payment.final",…}`): hand it to `router.handleCallback`, or POST it to your endpoint.
   */
  onCallback?: (body: string) => void;
}

export interface AcmeServer {
  url: string;
  apiKey: string;
  /** Requests received so far, counted on arrival. */
  requests(): number;
  /** Voucher codes handed out so far (for tests that prove a code shows up nowhere else). */
  voucherCodes(): string[];
  close(): Promise<void>;
}

interface StoredPayment {
  txn: string;
  ref: string;
  service: string;
  account: string;
  amount: string;
  currency: string;
  code: string;
  voucher: string | null;
  createdAt: Date;
  settleAt: number | null;
}

export const VOUCHER_SERVICE = 'gift-10';
export const VOUCHER_PRICE = '4990.495';

/** A JSON object of string values, written by hand as the real service would send it. */
function raw(fields: Record<string, string | null | undefined>): string {
  const parts = Object.entries(fields)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`);
  return `{${parts.join(',')}}`;
}

function codeFor(account: string): string {
  if (account === 'missing') return 'NO_ACCOUNT';
  if (account === 'slow') return 'PENDING';
  if (account.startsWith('code-')) return account.slice('code-'.length);
  return 'OK';
}

export async function startAcmeServer(options: AcmeServerOptions = {}): Promise<AcmeServer> {
  const apiKey = options.apiKey ?? 'acme-live-key-0f3c9';
  const pendingMs = options.pendingMs ?? 300;
  let requests = 0;
  let nextRef = 900719925474099300n; // above 2^53, so a lossy parse would show
  let nextVoucher = 1;
  let balance = new Dec('125000.50');
  const payments = new Map<string, StoredPayment>();
  const vouchers: string[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const send = (response: ServerResponse, status: number, body: string, type = 'application/json') => {
    response.writeHead(status, { 'content-type': `${type}; charset=utf-8` }).end(body);
  };

  const current = (payment: StoredPayment): StoredPayment => {
    if (payment.settleAt !== null && Date.now() >= payment.settleAt) {
      payment.code = 'OK';
      payment.settleAt = null;
    }
    return payment;
  };

  const paymentBody = (payment: StoredPayment, deliver: boolean) =>
    raw({
      code: payment.code,
      message: payment.code === 'OK' ? 'done' : 'see code',
      txn: payment.txn,
      ref: payment.ref,
      account: payment.account,
      amount: payment.account === 'echo-wrong' ? '1.00' : payment.amount,
      currency: payment.currency,
      voucher: deliver && payment.code === 'OK' ? payment.voucher : null,
    });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    requests += 1;
    let text = '';
    for await (const chunk of request) text += chunk;
    if (request.headers.authorization !== `Bearer ${apiKey}`) {
      return send(response, 401, raw({ code: 'UNAUTHORIZED', message: 'bad key' }));
    }
    const url = new URL(request.url ?? '/', 'http://acme.invalid');
    if (request.method === 'GET' && url.pathname === '/v1/balance') {
      return send(
        response,
        200,
        `{"code":"OK","balances":[{"currency":"KZT","amount":"${balance.toFixed(2)}"}]}`,
      );
    }
    if (request.method === 'GET' && url.pathname === '/v1/payments') {
      const from = Date.parse(url.searchParams.get('from') ?? '');
      const to = Date.parse(url.searchParams.get('to') ?? '');
      if (Number.isNaN(from) || Number.isNaN(to)) return send(response, 400, raw({ code: 'TRY_LATER' }));
      const rows = [...payments.values()]
        .map(current)
        .filter((payment) => payment.createdAt.getTime() >= from && payment.createdAt.getTime() < to)
        .map((payment) =>
          raw({
            txn: payment.txn,
            ref: payment.ref,
            account: payment.account,
            amount: payment.amount,
            service: payment.service,
            code: payment.code,
            createdAt: payment.createdAt.toISOString(),
            processedAt: payment.code === 'PENDING' ? null : payment.createdAt.toISOString(),
          }),
        );
      return send(response, 200, `{"code":"OK","payments":[${rows.join(',')}]}`);
    }
    const status = /^\/v1\/payments\/(\d+)$/.exec(url.pathname);
    if (request.method === 'GET' && status) {
      const known = payments.get(status[1] as string);
      if (known === undefined)
        return send(response, 404, raw({ code: 'NOT_FOUND', message: 'no such payment' }));
      return send(response, 200, paymentBody(current(known), true));
    }
    if (request.method !== 'POST') return send(response, 404, raw({ code: 'NO_ROUTE' }));
    const body = JSON.parse(text) as Record<string, string | undefined>;
    const account = body.account ?? '';
    if (account === 'reset') return void request.socket.destroy();
    if (account === 'hang') return; // never answers; the client gives up
    if (account === 'blank') return send(response, 200, '');
    if (account === 'html') return send(response, 502, '<html><body>Bad Gateway</body></html>', 'text/html');
    if (url.pathname === '/v1/accounts/check') {
      const code = codeFor(account) === 'PENDING' ? 'OK' : codeFor(account);
      return send(
        response,
        200,
        body.service === VOUCHER_SERVICE
          ? raw({ code, kind: 'voucher', price: VOUCHER_PRICE })
          : raw({ code, kind: 'topup' }),
      );
    }
    if (url.pathname === '/v1/payments' && body.txn) {
      const previous = payments.get(body.txn);
      if (previous) return send(response, 200, paymentBody(current(previous), body.deliver === 'api'));
      const code = codeFor(account);
      const payment: StoredPayment = {
        txn: body.txn,
        ref: String(nextRef++),
        service: body.service ?? '',
        account,
        amount: body.amount ?? '',
        currency: body.currency ?? '',
        code,
        voucher:
          body.service === VOUCHER_SERVICE ? `ACME-GIFT-${String(nextVoucher++).padStart(6, '0')}-X7Q` : null,
        createdAt: new Date(),
        settleAt: code === 'PENDING' ? Date.now() + pendingMs : null,
      };
      if (payment.voucher !== null) vouchers.push(payment.voucher);
      if (payment.settleAt !== null) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (payment.settleAt !== null) payment.settleAt = 0; // due now, whatever the clock's granularity
          current(payment);
          const callback = { type: 'payment.final', txn: payment.txn, ref: payment.ref, code: payment.code };
          options.onCallback?.(raw({ ...callback, message: 'done' }));
        }, pendingMs);
        timers.add(timer);
      }
      if ((code === 'OK' || code === 'PENDING') && body.currency === 'KZT')
        balance = balance.minus(new Dec(body.amount ?? '0'));
      payments.set(body.txn, payment);
      return send(response, 200, paymentBody(payment, body.deliver === 'api'));
    }
    send(response, 404, raw({ code: 'NO_ROUTE' }));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests: () => requests,
    voucherCodes: () => [...vouchers],
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
