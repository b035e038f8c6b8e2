import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Simulator, startSimulator } from '@tolem/vectrafin-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, json, type Result, tolem, transcript } from './run-tolem.js';

// A password with characters that need escaping in a form body: it must come out nowhere.
const AGENT_ID = '4242';
const PASSWORD = 'Pw-Секрет&9f3a+1c';
const TIMEOUT = 60_000;

let simulator: Simulator;
let env: Record<string, string>;
let folder: string;
let nextTransaction = 700_000;

function transactionId(): string {
  nextTransaction += 1;
  return String(nextTransaction);
}

function vf(...args: string[]): Promise<Result> {
  return tolem(['vectrafin', ...args], env, folder);
}

/** Wall-clock time in Moscow, the default reconciliation zone (protocol §5). */
function moscow(date: Date): string {
  const parts = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Moscow',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(date);
  return parts.replace('T', ' ');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  simulator = await startSimulator({
    seed: 'cli-tests',
    agents: [{ agentId: AGENT_ID, password: PASSWORD, balances: { KZT: '10000000.00' } }],
  });
  env = cleanEnv({
    TOLEM_VECTRAFIN_URL: simulator.url,
    TOLEM_VECTRAFIN_AGENT_ID: AGENT_ID,
    TOLEM_VECTRAFIN_PASSWORD: PASSWORD,
  });
  folder = mkdtempSync(join(tmpdir(), 'tolem-cli-test-'));
});

afterAll(async () => {
  await simulator?.close();
});

describe('tolem vectrafin check', () => {
  it('prints a table with the Russian message untouched next to the canonical state (exit 0)', async () => {
    const result = await vf('check', '--service', '7', '--account', 'galek10', '--amount', '100.00');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/state\s+succeeded \(final\)/);
    expect(result.stdout).toMatch(/provider says\s+10 Транзакция успешна/);
    expect(result.stdout).toMatch(/exchange rate\s+0\.0021598272/);
    expect(result.stderr).toBe('');
  });

  it('--json prints one document with the architecture §7 fields, amounts as strings', async () => {
    const result = await vf(
      'check',
      '--service',
      '7',
      '--account',
      'galek10',
      '--amount',
      '100.00',
      '--transaction-id',
      transactionId(),
      '--json',
    );
    expect(result.code).toBe(0);
    const doc = json(result);
    expect(doc).toMatchObject({
      state: 'succeeded',
      final: true,
      reason: null,
      providerStatus: '10',
      message: 'Транзакция успешна',
      currency: 'KZT',
      exchangeRate: '0.0021598272',
      serviceCurrency: 'USD',
    });
    for (const key of ['transactionId', 'providerRequestId', 'amount'])
      expect(typeof doc[key]).toBe('string');
  });

  it('dynamic vouchers list offers with the exact order amount and the amount rounded up (protocol §3.6, §3.8)', async () => {
    const result = await vf(
      'check',
      '--service',
      '1911',
      '--account',
      'kkazbek.smeken@gmail.com',
      '--amount',
      '100.00',
      '--json',
    );
    expect(result.code).toBe(0);
    const offers = json(result).offers as Record<string, string>[];
    expect(offers).toContainEqual({
      invoiceId: '4063',
      name: '30.000 + 10.500 UC',
      orderAmount: '238345.4409',
      payAmount: '238345.45',
    });
    const human = await vf(
      'check',
      '--service',
      '1911',
      '--account',
      'kkazbek.smeken@gmail.com',
      '--amount',
      '100.00',
    );
    expect(human.stdout).toMatch(/4063\s+30\.000 \+ 10\.500 UC\s+238345\.4409\s+238345\.45/);
  });

  it('static vouchers give payAmount; Alseko invoices give their lines (protocol §3.7, §3.9)', async () => {
    const voucher = json(
      await vf(
        'check',
        '--service',
        '1549',
        '--account',
        'kkazbek.smeken@gmail.com',
        '--amount',
        '100.00',
        '--json',
      ),
    );
    expect(voucher.payAmount).toBe('5333.45');
    const alseko = await vf(
      'check',
      '--service',
      '815',
      '--account',
      '7898380',
      '--amount',
      '100.00',
      '--json',
    );
    expect(alseko.code).toBe(0);
    const invoice = json(alseko).invoice as { invoiceId: string; lines: Record<string, unknown>[] };
    expect(invoice.invoiceId).toBe('240710296539');
    expect(invoice.lines).toContainEqual(
      expect.objectContaining({ serviceId: '13', name: 'Электр қуаты | Электр. энергия', fixSum: '3475.96' }),
    );
    expect(invoice.lines.some((line) => line.serviceId === '999')).toBe(true);
  });

  it('an account that does not exist is a final failure (exit 3)', async () => {
    const result = await vf(
      'check',
      '--service',
      '7',
      '--account',
      'no-such-user',
      '--amount',
      '100.00',
      '--json',
    );
    expect(result.code).toBe(3);
    expect(json(result)).toMatchObject({
      state: 'failed',
      final: true,
      reason: 'account_not_found',
      providerStatus: '-105',
      message: 'Аккаунт не найден',
    });
  });
});

describe('tolem vectrafin pay and status', () => {
  it('pays once, and a resend with the same transaction id never pays twice', async () => {
    const id = transactionId();
    const args = [
      'pay',
      '--service',
      '7',
      '--account',
      'galek10',
      '--amount',
      '100.00',
      '--transaction-id',
      id,
    ];
    const first = await vf(...args);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/state\s+succeeded \(final\)/);
    expect(first.stdout).toMatch(new RegExp(`transaction id\\s+${id}`));
    const again = await vf(...args, '--json');
    expect(again.code).toBe(0);
    expect(json(again)).toMatchObject({
      state: 'succeeded',
      transactionId: id,
      amount: '100.0',
      account: 'galek10',
      amountOnClient: '0.21598272',
    });
    expect(simulator.ledger.creditCount(id, AGENT_ID)).toBe(1);

    const status = await vf('status', '--transaction-id', id, '--json');
    expect(status.code).toBe(0);
    expect(json(status)).toMatchObject({
      state: 'succeeded',
      final: true,
      transactionId: id,
      providerStatus: '10',
    });
    const human = await vf('status', '--transaction-id', id);
    expect(human.stdout).toMatch(/state\s+succeeded \(final\)/);
  });

  it('a declined payment exits 3 and moves no money', async () => {
    const id = transactionId();
    const result = await vf(
      'pay',
      '--service',
      '7',
      '--account',
      'no-such-user',
      '--amount',
      '100.00',
      '--transaction-id',
      id,
      '--json',
    );
    expect(result.code).toBe(3);
    expect(json(result)).toMatchObject({
      state: 'failed',
      final: true,
      reason: 'account_not_found',
      message: 'Аккаунт не найден',
    });
    expect(simulator.ledger.creditCount(id, AGENT_ID)).toBe(0);
  });

  it(
    'a pending payment exits 4; --wait polls Status until it is final (exit 0)',
    async () => {
      const pending = await vf(
        'pay',
        '--service',
        '7',
        '--account',
        'slow-user',
        '--amount',
        '150.00',
        '--transaction-id',
        transactionId(),
        '--json',
      );
      expect(pending.code).toBe(4);
      expect(json(pending)).toMatchObject({
        state: 'pending',
        final: false,
        reason: null,
        providerStatus: '1',
      });
      expect(pending.stderr).toContain('tolem vectrafin status --transaction-id');

      const waited = await vf(
        'pay',
        '--service',
        '7',
        '--account',
        'slow-user',
        '--amount',
        '150.00',
        '--transaction-id',
        transactionId(),
        '--wait',
        '20',
      );
      expect(waited.code).toBe(0);
      expect(waited.stdout).toMatch(/state\s+succeeded \(final\)/);
      expect(waited.stderr).toContain('waiting for a final status: pending');
    },
    TIMEOUT,
  );

  it(
    'a timeout is not final (exit 4): the payment may exist, so the user is told to ask Status',
    async () => {
      const id = transactionId();
      const fault = simulator.faults.add({
        requestType: 'Payment',
        transactionId: id,
        times: 1,
        fault: { kind: 'delay', ms: 4_000 },
      });
      try {
        const result = await vf(
          'pay',
          '--service',
          '7',
          '--account',
          'galek10',
          '--amount',
          '100.00',
          '--transaction-id',
          id,
          '--timeout',
          '1',
          '--json',
        );
        expect(result.code).toBe(4);
        expect(json(result)).toMatchObject({ state: 'unknown', final: false, reason: 'timeout' });
        expect(result.stderr).toContain(`status --transaction-id ${id}`);
      } finally {
        fault.remove();
      }
      // The sandbox processed it although the answer came too late: Status settles it.
      const status = await vf('status', '--transaction-id', id, '--json');
      expect(json(status)).toMatchObject({ state: 'succeeded', transactionId: id });
    },
    TIMEOUT,
  );

  it('an unknown transaction is not final (exit 4, not_found)', async () => {
    const result = await vf('status', '--transaction-id', '999999999999999', '--json');
    expect(result.code).toBe(4);
    expect(json(result)).toMatchObject({ state: 'unknown', reason: 'not_found', providerStatus: '-4' });
  });

  it('pays a dynamic voucher offer, an invoice with lines, and shows a voucher code to the user only', async () => {
    const offer = transactionId();
    const dynamic = await vf(
      'pay',
      '--service',
      '1911',
      '--account',
      'kkazbek.smeken@gmail.com',
      '--amount',
      '471.94',
      '--invoice-id',
      '2621',
      '--transaction-id',
      offer,
      '--json',
    );
    expect(dynamic.code).toBe(0);
    expect(simulator.ledger.get(offer, AGENT_ID)?.invoiceId).toBe('2621');

    const bill = transactionId();
    const invoice = await vf(
      'pay',
      '--service',
      '815',
      '--account',
      '7898380',
      '--amount',
      '5450.96',
      '--services',
      '[{"id":13,"amount":"3475.96"},{"id":"14","amount":1975.00}]',
      '--transaction-id',
      bill,
      '--json',
    );
    expect(invoice.code).toBe(0);
    expect(simulator.ledger.get(bill, AGENT_ID)?.services).toContain('"3475.96"');

    const code = transactionId();
    const voucher = await vf(
      'pay',
      '--service',
      '1549',
      '--account',
      'kkazbek.smeken@gmail.com',
      '--amount',
      '5333.45',
      '--send-type',
      'api',
      '--transaction-id',
      code,
      '--json',
    );
    expect(voucher.code).toBe(0);
    const issued = simulator.ledger.get(code, AGENT_ID)?.voucherCode?.reveal();
    expect(issued).toBeTruthy();
    expect(json(voucher).voucherCode).toBe(issued);
    expect(voucher.stderr).not.toContain(issued);
  });
});

describe('tolem vectrafin balance, services, quote, payments', () => {
  it('balance: a table, or balances[] with decimal strings', async () => {
    const human = await vf('balance');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/KZT\s+\d+\.\d+/);
    const doc = json(await vf('balance', '--json'));
    const balances = doc.balances as Record<string, unknown>[];
    expect(balances[0]).toMatchObject({ currency: 'KZT' });
    expect(typeof balances[0]?.balance).toBe('string');
    expect(typeof balances[0]?.overdraft).toBe('string');
  });

  it('services: every field of architecture §7', async () => {
    const human = await vf('services');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/1911\s+PUBG Mobile UC/);
    const services = json(await vf('services', '--json')).services as Record<string, unknown>[];
    const steam = services.find((service) => service.id === '7');
    expect(steam).toMatchObject({ name: 'Steam', testAccount: 'iamkackbip' });
    for (const key of ['rate', 'topCommission', 'minAmount', 'maxAmount'])
      expect(typeof steam?.[key]).toBe('string');
  });

  it('quote: the exact amount and the amount rounded up to cents (protocol §3.14)', async () => {
    const result = await vf(
      'quote',
      '--service',
      '7',
      '--account',
      'galek10',
      '--amount',
      '100.00',
      '--json',
    );
    expect(result.code).toBe(0);
    const doc = json(result);
    expect(doc).toMatchObject({ exchangeRate: '0.0021598272', expectedCurrency: 'USD' });
    expect(doc.payAmount).toMatch(/^\d+\.\d{2}$/);
    expect(typeof doc.amount).toBe('string');
    const human = await vf('quote', '--service', '7', '--account', 'galek10', '--amount', '100.00');
    expect(human.stdout).toMatch(/pay amount\s+\d+\.\d{2} KZT/);
  });

  it('payments: what the provider has in a window given in Moscow time', async () => {
    const id = transactionId();
    expect(
      (
        await vf(
          'pay',
          '--service',
          '7',
          '--account',
          'iamkackbip',
          '--amount',
          '200.00',
          '--transaction-id',
          id,
        )
      ).code,
    ).toBe(0);
    const now = Date.now();
    const from = moscow(new Date(now - 3_600_000));
    const to = moscow(new Date(now + 3_600_000));
    const result = await vf('payments', '--from', from, '--to', to, '--json');
    expect(result.code).toBe(0);
    const payments = json(result).payments as Record<string, unknown>[];
    expect(payments).toContainEqual(
      expect.objectContaining({
        transactionId: id,
        account: 'iamkackbip',
        amount: '200.0',
        serviceId: '7',
        state: 'succeeded',
      }),
    );
    const human = await vf('payments', '--from', from, '--to', to);
    expect(human.stdout).toMatch(new RegExp(`${id}\\s+\\d+\\s+iamkackbip`));
  });
});

describe('tolem vectrafin payments when GetPaymentsByDate is answered without the list', () => {
  // Architecture §7 exit codes, from the list request's outcome; never 0 and never an empty list printed as
  // if the provider had no payments.
  it.each([
    [-300, 'failed', 'operator_error', 3],
    [-105, 'failed', 'account_not_found', 3],
    [1, 'pending', null, 4],
    [10, 'unknown', 'unknown_status', 4],
    [-4, 'unknown', 'not_found', 4],
    [-500, 'unknown', 'request_failed', 4],
    [-1, 'unknown', 'auth_failed', 1],
  ] as const)('ResponseStatus %s: %s / %s, exit %s, no list', async (code, state, reason, exitCode) => {
    const from = '2024-07-09 00:00:00';
    const to = '2024-07-10 00:00:00';
    simulator.faults.add({ requestType: 'GetPaymentsByDate', times: 1, fault: { kind: 'status', code } });
    const result = await vf('payments', '--from', from, '--to', to, '--json');
    expect(result.code).toBe(exitCode);
    expect(json(result)).toMatchObject({ state, reason, providerStatus: String(code), payments: [] });
    simulator.faults.add({ requestType: 'GetPaymentsByDate', times: 1, fault: { kind: 'status', code } });
    const human = await vf('payments', '--from', from, '--to', to);
    expect(human.code).toBe(exitCode);
    expect(human.stdout).not.toMatch(/payment\(s\)/);
    // One line on stderr says what this answer means for the operator.
    expect(human.stderr).toMatch(/^tolem: /);
    if (exitCode === 1) {
      // A setup problem: only the line saying what to fix.
      expect(human.stderr).toMatch(/refused the credentials/);
      return;
    }
    expect(human.stdout).toMatch(new RegExp(`provider says\\s+${code} `));
    expect(human.stderr).toMatch(
      new RegExp(`answered ${code} \\(${reason ?? state}\\), not the list of payments: .*says nothing`),
    );
  });
});

describe('tolem vectrafin registry and totals', () => {
  it(
    'sends a registry 1000 a request, with progress per chunk on stderr',
    async () => {
      const entries = Array.from(
        { length: 1001 },
        (_, index) =>
          // 18-digit RequestIds are above 2^53: JSON.parse would change their last digits (protocol §3.3).
          `{"TransactionId": ${800000 + index}, "RequestId": 6384050639932${String(index).padStart(5, '0')}, "AgentRequestCreatedOn": "2024-07-09T09:05:15", "Account": "7081982000", "Amount": 4714.25, "ServiceId": 7, "Year": 2024, "Month": 7}`,
      );
      writeFileSync(join(folder, 'payments.json'), `[\n${entries.join(',\n')}\n]`);
      const result = await vf('registry', '--file', 'payments.json', '--json');
      expect(result.code).toBe(0);
      const chunks = json(result).chunks as Record<string, unknown>[];
      expect(chunks.map((chunk) => chunk.size)).toEqual([1000, 1]);
      expect(chunks.every((chunk) => chunk.status === 'success')).toBe(true);
      expect(result.stderr).toContain('registry chunk 1/2');
      expect(result.stderr).toContain('registry chunk 2/2');
      const sent = simulator.ledger.registries().filter((registry) => registry.agentId === AGENT_ID);
      const transactions = sent.flatMap((registry) => registry.transactions);
      expect(transactions).toHaveLength(1001);
      expect(transactions[1000]).toMatchObject({
        TransactionId: '801000',
        RequestId: '638405063993201000',
        Amount: '4714.25',
      });
    },
    TIMEOUT,
  );

  it('sends daily totals, and refuses totals that do not add up before sending (exit 2)', async () => {
    writeFileSync(
      join(folder, 'totals.json'),
      '{"Date":"2024-07-09","TotalAmount":500254.67,"TotalCount":250,"Services":[{"ServiceId":7,"Amount":250000.00,"Count":100},{"ServiceId":1911,"Amount":200000.00,"Count":100},{"ServiceId":815,"Amount":50254.67,"Count":50}]}',
    );
    const ok = await vf('totals', '--file', 'totals.json', '--json');
    expect(ok.code).toBe(0);
    expect((json(ok).chunks as Record<string, unknown>[])[0]).toMatchObject({ status: 'success' });
    const human = await vf('totals', '--file', 'totals.json');
    expect(human.stdout).toContain('every chunk accepted');

    writeFileSync(
      join(folder, 'bad-totals.json'),
      '{"Date":"2024-07-09","TotalAmount":500254.68,"TotalCount":250,"Services":[{"ServiceId":7,"Amount":250000.00,"Count":100},{"ServiceId":1911,"Amount":200000.00,"Count":100},{"ServiceId":815,"Amount":50254.67,"Count":50}]}',
    );
    const before = simulator.ledger.requestCount('PostTotalAmount');
    const bad = await vf('totals', '--file', 'bad-totals.json');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--file');
    expect(simulator.ledger.requestCount('PostTotalAmount')).toBe(before);
  });
});

describe('bad input, unreachable URL, wrong password', () => {
  it.each([
    [['vectrafin', 'frobnicate'], 'unknown command'],
    [['launch'], 'unknown command'],
    [
      ['vectrafin', 'check', '--service', '7', '--account', 'galek10', '--amount', '1', '--colour'],
      'unknown flag --colour',
    ],
    [['vectrafin', 'check', '--service', '7', '--account', 'galek10'], 'missing --amount'],
    [['vectrafin', 'check', '--service', '7', '--account', 'galek10', '--amount', '100,50'], '--amount'],
    [['vectrafin', 'check', '--service', '7', '--account', 'galek10', '--amount', '1.005'], '--amount'],
    [
      [
        'vectrafin',
        'pay',
        '--service',
        '7',
        '--account',
        'galek10',
        '--amount',
        '1',
        '--transaction-id',
        '12345678901234567',
      ],
      '--transaction-id',
    ],
    [['vectrafin', 'status', '--transaction-id', 'abc'], '--transaction-id'],
    [
      [
        'vectrafin',
        'pay',
        '--service',
        '7',
        '--account',
        'galek10',
        '--amount',
        '1',
        '--transaction-id',
        '5',
        '--password',
        'hunter2',
      ],
      'TOLEM_VECTRAFIN_PASSWORD',
    ],
    [['vectrafin', 'balance', '--url', 'http://vectrafin.example.com'], 'https://'],
    // A *.localhost name may be resolved by DNS: the password would go in clear text to its answer.
    [['vectrafin', 'balance', '--url', 'http://sim.localhost:1'], '--url: plain http is accepted only'],
    [['vectrafin', 'payments', '--from', '2024-07-09', '--to', '2024-07-10 00:00:00'], '--from'],
  ])('tolem %j exits 2 with one line naming what to fix, and sends nothing', async (args, expected) => {
    const before = simulator.ledger.requestCount();
    const result = await tolem(args, env, folder);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tolem: /);
    expect(lines[0]).toContain(expected);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(simulator.ledger.requestCount()).toBe(before);
  });

  it('with --json a bad input still prints exactly one JSON document', async () => {
    const result = await vf('check', '--service', '7', '--account', 'galek10', '--amount', 'ten', '--json');
    expect(result.code).toBe(2);
    expect(json(result)).toMatchObject({ error: { code: 'bad_input', exitCode: 2 } });
  });

  it('a missing password says where to put it (exit 2)', async () => {
    const result = await tolem(['vectrafin', 'balance'], { ...env, TOLEM_VECTRAFIN_PASSWORD: '' }, folder);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--password-file');
  });

  it('reads the password from --password-file', async () => {
    writeFileSync(join(folder, 'agent.pw'), `${PASSWORD}\n`);
    const result = await tolem(
      ['vectrafin', 'balance', '--password-file', 'agent.pw', '--json'],
      { ...env, TOLEM_VECTRAFIN_PASSWORD: '' },
      folder,
    );
    expect(result.code).toBe(0);
    expect(json(result).state).toBe('succeeded');
  });

  it('an unreachable URL exits 1 with one line saying what to check', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await vf(
      'check',
      '--service',
      '7',
      '--account',
      'galek10',
      '--amount',
      '100.00',
      '--url',
      url,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(`cannot connect to ${url}`)]);
    const doc = await vf(
      'pay',
      '--service',
      '7',
      '--account',
      'galek10',
      '--amount',
      '100.00',
      '--transaction-id',
      transactionId(),
      '--url',
      url,
      '--json',
    );
    expect(doc.code).toBe(1);
    expect(json(doc)).toMatchObject({ state: 'unknown', reason: 'connection_refused' });
  });

  it('a wrong password exits 1 with one line naming the settings to check', async () => {
    const result = await tolem(
      ['vectrafin', 'balance'],
      { ...env, TOLEM_VECTRAFIN_PASSWORD: 'not-the-password' },
      folder,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('TOLEM_VECTRAFIN_PASSWORD')]);
    const doc = await tolem(
      ['vectrafin', 'check', '--service', '7', '--account', 'galek10', '--amount', '1', '--json'],
      { ...env, TOLEM_VECTRAFIN_PASSWORD: 'nope' },
      folder,
    );
    expect(json(doc)).toMatchObject({ state: 'unknown', reason: 'auth_failed', providerStatus: '-1' });
  });

  it('--debug adds the stack trace that is otherwise left out', async () => {
    const args = ['payments', '--from', 'yesterday', '--to', '2024-07-10 00:00:00'];
    const plain = await vf(...args);
    expect(plain.code).toBe(2);
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    const debug = await vf(...args, '--debug');
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(/^tolem: --from must look like/);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('--help and --version exit 0', async () => {
    const help = await tolem(['vectrafin', 'pay', '--help'], env, folder);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--transaction-id N');
    const version = await tolem(['--version'], env, folder);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('secrets', () => {
  it('the agent password never appears in any output of this file', () => {
    expect(transcript.length).toBeGreaterThan(40);
    const encoded = [
      PASSWORD,
      encodeURIComponent(PASSWORD),
      new URLSearchParams({ p: PASSWORD }).toString().slice(2),
    ];
    for (const result of transcript) {
      for (const form of encoded) {
        expect(result.stdout).not.toContain(form);
        expect(result.stderr).not.toContain(form);
      }
    }
  });
});
