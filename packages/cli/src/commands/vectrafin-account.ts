import type { BalanceResult, PaymentListResult, QuoteResult, ServicesResult } from '@tolem/core';
import { requireString } from '../args.js';
import { usageError } from '../cli-error.js';
import type { Command, CommandOutput } from '../command.js';
import { CONNECTION_OPTIONS, type Connection } from '../connection.js';
import { EXIT, exitCodeFor } from '../exit-codes.js';
import { moneyCell, outcomeFields, outcomeRows } from '../format/outcome.js';
import { columnTable, keyValueTable } from '../format/table.js';
import { readAccount, readAmount, readCurrency, readService } from '../inputs.js';
import { noticeFor } from '../notices.js';
import { parseZonedTime } from '../zoned-time.js';
import { requireOperation, withProvider } from './vectrafin-shared.js';

/** Lists succeed as "done" (exit 0); anything else is reported like an outcome. */
function listOutput(
  result: BalanceResult | ServicesResult | QuoteResult | PaymentListResult,
  connection: Connection,
  document: Record<string, unknown>,
  table: string,
): CommandOutput {
  const ok = result.state === 'succeeded';
  return {
    document: { ...outcomeFields(result), ...document },
    human: ok ? table : keyValueTable(outcomeRows(result)),
    exitCode: ok ? EXIT.ok : exitCodeFor(result),
    notice: ok ? undefined : noticeFor(result, { ...connection, transactionId: null }),
  };
}

export const balanceCommand: Command = {
  name: 'vectrafin balance',
  summary: "The agent's balance and overdraft per currency (CheckBalance).",
  usage: 'tolem vectrafin balance',
  options: { ...CONNECTION_OPTIONS },
  run: (context) =>
    withProvider(
      context,
      () => undefined,
      async ({ provider, connection, call }) => {
        const result = await requireOperation(provider, 'getBalance')(call);
        const balances = result.balances.map((line) => ({
          currency: line.currency,
          balance: line.balance,
          overdraft: line.overdraft,
        }));
        const table = columnTable(
          ['currency', 'balance', 'overdraft'],
          balances.map((line) => [line.currency, line.balance, line.overdraft]),
          [1, 2],
        );
        return listOutput(result, connection, { balances }, table);
      },
    ),
};

export const servicesCommand: Command = {
  name: 'vectrafin services',
  summary: 'Services this agent may pay, with fees and limits (GetSettingServices).',
  usage: 'tolem vectrafin services',
  options: { ...CONNECTION_OPTIONS },
  run: (context) =>
    withProvider(
      context,
      () => undefined,
      async ({ provider, connection, call }) => {
        const result = await requireOperation(provider, 'listServices')(call);
        const services = result.services.map((service) => ({
          id: service.id,
          name: service.name,
          testAccount: service.testAccount,
          rate: service.rate,
          topCommission: service.topCommission,
          minAmount: service.limits[0]?.minAmount ?? null,
          maxAmount: service.limits[0]?.maxAmount ?? null,
          limits: service.limits,
        }));
        const table = columnTable(
          ['id', 'name', 'test account', 'rate', 'top commission', 'min amount', 'max amount'],
          services.map((s) => [
            s.id,
            s.name,
            s.testAccount,
            s.rate,
            s.topCommission,
            s.minAmount,
            s.maxAmount,
          ]),
          [3, 4, 5, 6],
        );
        return listOutput(result, connection, { services }, table);
      },
    ),
};

export const quoteCommand: Command = {
  name: 'vectrafin quote',
  summary: 'What a payment will cost and credit (CalculatedSum).',
  usage: 'tolem vectrafin quote --service S --account A --amount X [--currency C]',
  options: {
    service: { type: 'string', value: 'S', description: 'VectraFin service id' },
    account: { type: 'string', value: 'A', description: 'subscriber account' },
    amount: { type: 'string', value: 'X', description: 'amount, e.g. 100.00' },
    currency: { type: 'string', value: 'C', description: 'contract currency: KZT (default), USD or RUB' },
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
      }),
      async ({ provider, connection, call }, request) => {
        const result = await requireOperation(provider, 'quote')(request, call);
        const document = {
          amount: result.amount,
          payAmount: result.payAmount,
          exchangeRate: result.exchangeRate,
          expectedAmount: result.expectedAmount,
          expectedCurrency: result.expectedCurrency,
        };
        const table = keyValueTable([
          ['amount (exact)', moneyCell(result.amount, request.currency)],
          ['pay amount', moneyCell(result.payAmount, request.currency)],
          ['exchange rate', result.exchangeRate],
          ['expected amount', moneyCell(result.expectedAmount, result.expectedCurrency)],
        ]);
        return listOutput(result, connection, document, table);
      },
    ),
};

/**
 * GetPaymentsByDate answered with something else than its list (a status-only code, no usable answer):
 * an empty `payments` then says nothing about what the provider has, and reconciling on it would be wrong.
 */
function noListNotice(result: PaymentListResult): string {
  const why = result.reason ?? result.state;
  const answer =
    result.providerStatus !== null
      ? `answered ${result.providerStatus} (${why})`
      : `gave no usable answer (${why})`;
  return `the provider ${answer}, not the list of payments: this says nothing about which payments it has; try again later`;
}

export const paymentsCommand: Command = {
  name: 'vectrafin payments',
  summary: 'Payments the provider has in a time window (GetPaymentsByDate), for reconciliation.',
  usage: 'tolem vectrafin payments --from "yyyy-MM-dd HH:mm:ss" --to "yyyy-MM-dd HH:mm:ss"',
  options: {
    from: {
      type: 'string',
      value: 'TIME',
      description: 'window start, "yyyy-MM-dd HH:mm:ss" in --time-zone',
    },
    to: { type: 'string', value: 'TIME', description: 'window end, "yyyy-MM-dd HH:mm:ss" in --time-zone' },
    ...CONNECTION_OPTIONS,
  },
  run: (context) =>
    withProvider(
      context,
      () => ({
        from: requireString(context.flags, 'from', '"2024-07-09 00:00:00"'),
        to: requireString(context.flags, 'to', '"2024-07-10 00:00:00"'),
      }),
      async ({ provider, connection, call }, window) => {
        const from = parseZonedTime(window.from, connection.timeZone, '--from');
        const to = parseZonedTime(window.to, connection.timeZone, '--to');
        if (to.getTime() <= from.getTime()) throw usageError('--to must be later than --from');
        const result = await requireOperation(provider, 'listPayments')({ from, to }, call);
        const payments = result.payments.map((payment) => ({
          transactionId: payment.transactionId,
          providerRequestId: payment.providerRequestId,
          account: payment.account,
          amount: payment.amount,
          serviceId: payment.serviceId,
          agentCreatedAt: payment.agentCreatedAt,
          createdAt: payment.createdAt,
          processedAt: payment.processedAt,
          state: payment.state,
          providerStatus: payment.providerStatus,
        }));
        const table = `${columnTable(
          ['transaction id', 'request id', 'account', 'amount', 'service', 'created', 'processed', 'state'],
          payments.map((p) => [
            p.transactionId,
            p.providerRequestId,
            p.account,
            p.amount,
            p.serviceId,
            p.createdAt,
            p.processedAt,
            p.state,
          ]),
          [3],
        )}\n${payments.length} payment(s)`;
        const output = listOutput(result, connection, { payments }, table);
        if (result.state === 'succeeded' || output.exitCode === EXIT.other) return output;
        return { ...output, notice: noListNotice(result) };
      },
    ),
};
