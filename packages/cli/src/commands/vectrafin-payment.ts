import type { AccountCheckResult, PaymentRequest, PaymentResult } from '@tolem/core';
import type { OptionDefs } from '../args.js';
import type { Command, CommandContext, CommandOutput } from '../command.js';
import { CONNECTION_OPTIONS } from '../connection.js';
import { exitCodeFor } from '../exit-codes.js';
import { moneyCell, outcomeFields, outcomeRows } from '../format/outcome.js';
import { type Cell, columnTable, keyValueTable } from '../format/table.js';
import {
  readAccount,
  readAmount,
  readCurrency,
  readInvoiceId,
  readSendType,
  readService,
  readServiceLines,
  readTransactionId,
  readWait,
} from '../inputs.js';
import { writeLine } from '../io.js';
import { noticeFor } from '../notices.js';
import { type Session, withProvider } from './vectrafin-shared.js';

const PAYMENT_FIELDS: OptionDefs = {
  service: { type: 'string', value: 'S', description: 'VectraFin service id (7 Steam, 1911, 1549, 815 …)' },
  account: { type: 'string', value: 'A', description: 'subscriber account (login, phone, card, e-mail)' },
  amount: { type: 'string', value: 'X', description: 'amount in the contract currency, e.g. 100.00' },
  currency: { type: 'string', value: 'C', description: 'contract currency: KZT (default), USD or RUB' },
};

// ---------------------------------------------------------------------------------------------- check

export function checkDocument(result: AccountCheckResult): Record<string, unknown> {
  return {
    ...outcomeFields(result),
    transactionId: result.transactionId,
    providerRequestId: result.providerRequestId,
    serviceId: result.serviceId,
    account: result.account,
    amount: result.amount,
    currency: result.currency,
    kind: result.kind,
    exchangeRate: result.exchangeRate,
    serviceCurrency: result.serviceCurrency,
    ...(result.offers === undefined
      ? {}
      : {
          offers: result.offers.map((offer) => ({
            invoiceId: offer.invoiceId,
            name: offer.name,
            orderAmount: offer.orderAmount,
            payAmount: offer.payAmount,
          })),
        }),
    ...(result.payAmount === undefined ? {} : { payAmount: result.payAmount }),
    ...(result.orderAmount === undefined ? {} : { orderAmount: result.orderAmount }),
    ...(result.invoice === undefined
      ? {}
      : {
          invoice: {
            invoiceId: result.invoice.invoiceId,
            address: result.invoice.address,
            lines: result.invoice.lines.map((line) => ({
              serviceId: line.serviceId,
              name: line.name,
              fixSum: line.fixSum,
              debtSum: line.debtSum,
              payAll: line.payAll,
            })),
          },
        }),
  };
}

export function checkHuman(result: AccountCheckResult): string {
  const rows: [string, Cell][] = [
    ...outcomeRows(result),
    ['transaction id', result.transactionId],
    ['request id', result.providerRequestId],
    ['service', `${result.serviceId} (${result.kind.replace('_', ' ')})`],
    ['account', result.account],
    ['amount', moneyCell(result.amount, result.currency)],
    ['exchange rate', result.exchangeRate],
    ['service currency', result.serviceCurrency],
    ['order amount', result.orderAmount],
    ['pay amount', result.payAmount],
  ];
  const parts = [keyValueTable(rows)];
  if (result.offers !== undefined) {
    parts.push(
      `\nOffers (pay one with --invoice-id ID --amount PAY_AMOUNT):\n${columnTable(
        ['invoice id', 'name', 'order amount', 'pay amount'],
        result.offers.map((offer) => [offer.invoiceId, offer.name, offer.orderAmount, offer.payAmount]),
        [2, 3],
      )}`,
    );
  }
  if (result.invoice !== undefined) {
    const invoice = result.invoice;
    parts.push(
      `\nInvoice ${invoice.invoiceId}${invoice.address ? `, ${invoice.address}` : ''} (pay lines with --services '[{"id":ID,"amount":"X"}]'):\n${columnTable(
        ['id', 'name', 'fix sum', 'debt sum'],
        invoice.lines.map((line) => [line.serviceId, line.name, line.fixSum, line.debtSum]),
        [2, 3],
      )}`,
    );
  }
  return parts.join('\n');
}

export const checkCommand: Command = {
  name: 'vectrafin check',
  summary:
    'Check an account before paying (AccountCheck): offers, voucher price or invoice per service kind.',
  usage: 'tolem vectrafin check --service S --account A --amount X [--currency C] [--transaction-id N]',
  options: {
    ...PAYMENT_FIELDS,
    'transaction-id': {
      type: 'string',
      value: 'N',
      description: 'transaction id to check with (generated when absent)',
    },
    ...CONNECTION_OPTIONS,
  },
  run: (context) =>
    withProvider(
      context,
      () => ({
        serviceId: readService(context.flags),
        account: readAccount(context.flags),
        amount: readAmount(context.flags),
        currency: readCurrency(context.flags),
        transactionId: readTransactionId(context.flags, false),
      }),
      async ({ provider, connection, call }, input) => {
        const { transactionId, ...rest } = input;
        const result = await provider.checkAccount(
          transactionId === undefined ? rest : { ...rest, transactionId },
          call,
        );
        return {
          document: checkDocument(result),
          human: checkHuman(result),
          exitCode: exitCodeFor(result),
          notice:
            result.state === 'failed' ? undefined : noticeFor(result, { ...connection, transactionId: null }),
        };
      },
    ),
};

// ------------------------------------------------------------------------------------------ pay, status

export function paymentDocument(result: PaymentResult): Record<string, unknown> {
  return {
    ...outcomeFields(result),
    transactionId: result.transactionId,
    providerRequestId: result.providerRequestId,
    amount: result.amount,
    currency: result.currency,
    account: result.account,
    amountOnClient: result.amountOnClient,
    exchangeRate: result.exchangeRate,
    serviceCurrency: result.serviceCurrency,
    // The voucher code is what `--send-type api` is for: shown to the user here, and nowhere else.
    ...(result.voucherCode === undefined ? {} : { voucherCode: result.voucherCode.reveal() }),
  };
}

export function paymentHuman(result: PaymentResult): string {
  return keyValueTable([
    ...outcomeRows(result),
    ['transaction id', result.transactionId],
    ['request id', result.providerRequestId],
    ['account', result.account],
    ['amount', moneyCell(result.amount, result.currency)],
    ['amount on client', moneyCell(result.amountOnClient, result.serviceCurrency)],
    ['exchange rate', result.exchangeRate],
    ['voucher code', result.voucherCode?.reveal()],
  ]);
}

function paymentOutput(
  result: PaymentResult,
  session: Session,
  extra: Record<string, unknown> = {},
): CommandOutput {
  return {
    document: { ...paymentDocument(result), ...extra },
    human: paymentHuman(result),
    exitCode: exitCodeFor(result),
    notice: noticeFor(result, { ...session.connection, transactionId: result.transactionId }),
  };
}

const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 5_000;

/**
 * Polls Status with a growing interval until the payment is final or `seconds` ran out. A Status that
 * says "not found" after an unknown Payment means the request never arrived: the same Payment (same
 * transaction id, same fields) is sent again, which VectraFin answers idempotently (protocol §4.4).
 */
async function waitForFinal(
  context: CommandContext,
  session: Session,
  request: PaymentRequest,
  first: PaymentResult,
  seconds: number,
): Promise<{ result: PaymentResult; checks: number }> {
  const deadline = Date.now() + seconds * 1000;
  let result = first;
  let delay = FIRST_POLL_MS;
  let checks = 0;
  const voucherCode = first.voucherCode;
  while (!result.final && result.reason !== 'connection_refused' && result.reason !== 'auth_failed') {
    const left = deadline - Date.now();
    if (left <= 0 || context.signal.aborted) break;
    writeLine(
      context.io.stderr,
      `waiting for a final status: ${result.state}${result.reason ? ` (${result.reason})` : ''}, next check in ${Math.round(Math.min(delay, left) / 100) / 10} s`,
    );
    await sleep(Math.min(delay, left), context.signal);
    if (context.signal.aborted) break;
    delay = Math.min(delay * 2, MAX_POLL_MS);
    checks += 1;
    let answer: PaymentResult;
    try {
      const status = await session.provider.getStatus(
        {
          transactionId: request.transactionId,
          serviceId: request.serviceId,
          expected: { amount: request.amount, account: request.account },
        },
        session.call,
      );
      answer =
        status.reason === 'not_found' && first.state === 'unknown'
          ? await session.provider.pay(request, session.call)
          : status;
    } catch (error) {
      // Interrupted before this check (or resend) was written: nothing of it was sent, but the Payment
      // was. Report what is known about it rather than a bare "interrupted".
      if (context.signal.aborted) break;
      throw error;
    }
    // A check that never reached the provider (or was refused our credentials) says nothing about the
    // payment: reporting it would read as "nothing was sent" (exit 1) for a Payment that may have gone through.
    if (answer.reason !== 'connection_refused' && answer.reason !== 'auth_failed') result = answer;
  }
  if (result.voucherCode === undefined && voucherCode !== undefined) result = { ...result, voucherCode };
  return { result, checks };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export const payCommand: Command = {
  name: 'vectrafin pay',
  summary: 'Send a payment (Payment). Resending the same --transaction-id never pays twice.',
  usage:
    'tolem vectrafin pay --service S --account A --amount X --transaction-id N [--currency C] [--invoice-id I] [--services JSON] [--send-type api] [--wait SECONDS]',
  options: {
    ...PAYMENT_FIELDS,
    'transaction-id': {
      type: 'string',
      value: 'N',
      description: 'your payment id at VectraFin: 1 to 15 digits, unique',
    },
    'invoice-id': {
      type: 'string',
      value: 'I',
      description: 'dynamic vouchers: the offer chosen from `check`',
    },
    services: {
      type: 'string',
      value: 'JSON',
      description: `invoices: lines to pay, '[{"id":13,"amount":"5110.18"}]'`,
    },
    'send-type': { type: 'string', value: 'api', description: 'vouchers: return the voucher code here' },
    wait: { type: 'string', value: 'SECONDS', description: 'poll Status until final, at most this long' },
    ...CONNECTION_OPTIONS,
  },
  run: (context) =>
    withProvider(
      context,
      () => {
        const request: PaymentRequest = {
          serviceId: readService(context.flags),
          account: readAccount(context.flags),
          amount: readAmount(context.flags),
          currency: readCurrency(context.flags),
          transactionId: readTransactionId(context.flags, true),
          // Fixed now, so that a resend after "not found" carries the very same RequestDate (protocol §4.4).
          requestedAt: new Date(),
        };
        const invoiceId = readInvoiceId(context.flags);
        const services = readServiceLines(context.flags);
        const sendType = readSendType(context.flags);
        if (invoiceId !== undefined) request.invoiceId = invoiceId;
        if (services !== undefined) request.services = services;
        if (sendType !== undefined) request.sendType = sendType;
        return { request, wait: readWait(context.flags) };
      },
      async (session, { request, wait }) => {
        const first = await session.provider.pay(request, session.call);
        if (wait === 0 || first.final) return paymentOutput(first, session);
        const { result, checks } = await waitForFinal(context, session, request, first, wait);
        return paymentOutput(result, session, { statusChecks: checks });
      },
    ),
};

export const statusCommand: Command = {
  name: 'vectrafin status',
  summary: 'What happened to a payment (Status).',
  usage: 'tolem vectrafin status --transaction-id N',
  options: {
    'transaction-id': { type: 'string', value: 'N', description: 'the payment id you sent with `pay`' },
    ...CONNECTION_OPTIONS,
  },
  run: (context) =>
    withProvider(
      context,
      () => readTransactionId(context.flags, true),
      async (session, transactionId) =>
        paymentOutput(await session.provider.getStatus({ transactionId }, session.call), session),
    ),
};
