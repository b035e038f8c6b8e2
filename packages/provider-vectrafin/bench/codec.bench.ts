/**
 * Codec cost next to the JSON.parse of the same body: decoding the largest sample (the Alseko
 * invoice AccountCheck, with its nested JSON document) and encoding a Payment (the Alseko one, with
 * its Services line check), as operations per second and as a ratio printed at the end.
 *
 *   pnpm --filter @tolem/provider-vectrafin bench
 */
import { readFileSync } from 'node:fs';
import { Secret } from '@tolem/core';
import { afterAll, type BenchTask, bench, describe } from 'vitest';
import { encodeForm, paymentFields } from '../src/form-codec.js';
import { parseWireJson } from '../src/json-value.js';
import { checkPayment } from '../src/request-validation.js';
import { readTransactionResponse } from '../src/response-parser.js';
import { paymentExtraFields, readCheckDetails } from '../src/service-kinds.js';
import { formatWireDateTime } from '../src/wire-format.js';

const sample = (name: string) =>
  readFileSync(new URL(`../test/fixtures/ru/${name}`, import.meta.url), 'utf8');
const INVOICE_ANSWER = sample('account-check-alseko.response.json');
const PAYMENT_ANSWER = sample('payment-alseko.response.json');
const CREDENTIALS = { agentId: '144', password: new Secret('bench-password') };
const NO_PATTERNS = new Map<string, RegExp>();
const NOW = new Date('2024-07-09T09:05:36Z');
const PAYMENT = {
  serviceId: '815',
  account: '7898380',
  amount: '5610.18',
  currency: 'KZT',
  transactionId: '115',
  services: [
    { serviceId: '13', amount: '5110.18' },
    { serviceId: '12', amount: '500.00' },
  ],
};

function decodeInvoice(): unknown {
  const response = readTransactionResponse(parseWireJson(INVOICE_ANSWER));
  return readCheckDetails('invoice', response.content?.extras ?? [], 'KZT');
}

function encodePayment(): string {
  const checked = checkPayment(PAYMENT, NO_PATTERNS);
  const extra = paymentExtraFields({ kind: 'invoice', amount: checked.amount, services: checked.services });
  return encodeForm(
    paymentFields(CREDENTIALS, {
      serviceId: checked.serviceId,
      amount: checked.amount.format(),
      currency: checked.currency,
      requestDate: formatWireDateTime(NOW, 'Europe/Moscow'),
      transactionId: checked.transactionId,
      account: checked.account,
      extra,
    }),
  );
}

// tinybench hands each benchmark's Task to `setup`; its result is complete once every group ran.
const tasks = new Map<string, BenchTask>();
const track = (name: string) => ({
  setup: (task: BenchTask) => {
    tasks.set(name, task);
  },
});

describe('decode: Alseko invoice AccountCheck answer (2.9 KB, nested JSON)', () => {
  bench(
    'codec: lossless parse + nested invoice + lines',
    () => {
      decodeInvoice();
    },
    track('decode'),
  );
  bench(
    'JSON.parse of the same body',
    () => {
      JSON.parse(INVOICE_ANSWER);
    },
    track('decode-baseline'),
  );
});

describe('encode: Alseko Payment request', () => {
  bench(
    'codec: validate + Services sum + form body',
    () => {
      encodePayment();
    },
    track('encode'),
  );
  bench(
    'JSON.parse of the Payment answer body',
    () => {
      JSON.parse(PAYMENT_ANSWER);
    },
    track('encode-baseline'),
  );
});

afterAll(() => {
  const hz = (name: string) => tasks.get(name)?.result?.hz ?? Number.NaN;
  const line = (label: string, codec: string, baseline: string) => {
    const ratio = hz(baseline) / hz(codec);
    const micros = 1e6 / hz(codec);
    return `${label}: codec ${Math.round(hz(codec)).toLocaleString('en-US')} ops/s (${micros.toPrecision(3)} µs), JSON.parse ${Math.round(hz(baseline)).toLocaleString('en-US')} ops/s → JSON.parse is ${ratio.toPrecision(3)}× faster`;
  };
  process.stdout.write(
    `\n${line('decode Alseko invoice', 'decode', 'decode-baseline')}\n${line('encode Payment', 'encode', 'encode-baseline')}\n` +
      '(a request waits milliseconds on the network; the codec costs microseconds)\n',
  );
});
