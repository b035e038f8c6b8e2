import { inspect } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { type MockSetup, mockVectrafin, PASSWORD, socketError } from '../test/mock-vectrafin.js';

/**
 * Active Merchant's scrubbing test, for this adapter: a transcript in which the provider (and the
 * network) throw the agent password back at us in every way it can; nothing we return or throw may
 * carry it, in any encoding.
 */

let mock: MockSetup;
afterEach(async () => {
  await mock.close();
});

const FORMS_OF_THE_PASSWORD = [
  PASSWORD,
  encodeURIComponent(PASSWORD),
  new URLSearchParams({ p: PASSWORD }).toString().slice(2),
  JSON.stringify(PASSWORD).slice(1, -1),
];

function printed(value: unknown): string[] {
  const texts = [inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }), String(value)];
  try {
    texts.push(JSON.stringify(value) ?? '');
  } catch {
    texts.push('');
  }
  if (value instanceof Error) texts.push(value.stack ?? '', String(value.cause));
  return texts;
}

it('a transcript with the password goes in, none comes out', async () => {
  mock = mockVectrafin();
  const echo = JSON.stringify(PASSWORD).slice(1, -1);
  mock.reply(
    // pay: the provider quotes the password in its message.
    `{"TransactinID":112,"ResponseStatus":-1,"Message":"Неверный пароль ${echo}"}`,
    // getStatus: an HTML error page that prints the request.
    {
      body: `<html><pre>AgentPassword=${encodeURIComponent(PASSWORD)}</pre></html>`,
      headers: { 'content-type': 'text/html' },
    },
    // getBalance: a status-only answer quoting it.
    `{"ResponseStatus":-1,"Message":"password ${echo} rejected"}`,
    // quote: a 500 that dumps the form.
    { status: 500, body: `AgentID=144&AgentPassword=${encodeURIComponent(PASSWORD)}` },
    // listServices: broken JSON around it.
    `[{"Id":7,"Name":"${echo}"`,
    // listPayments: a request-level error quoting it.
    `{"ResponseStatus":-500,"Message":"${echo}"}`,
    // submitRegistry: the registry refusal quotes it.
    `{"status":"error","details":{"message":"bad password ${echo}"}}`,
  );
  const outputs: unknown[] = [];
  const keep = async (run: () => Promise<unknown>) =>
    outputs.push(await run().catch((error: unknown) => error));
  const payment = {
    serviceId: '7',
    account: 'galek10',
    amount: '100.00',
    currency: 'KZT',
    transactionId: '112',
  };

  await keep(() => mock.provider.pay(payment));
  await keep(() => mock.provider.getStatus({ transactionId: '112' }));
  await keep(() => mock.provider.getBalance());
  await keep(() => mock.provider.quote(payment));
  await keep(() => mock.provider.listServices());
  await keep(() => mock.provider.listPayments({ from: new Date('2024-07-09'), to: new Date('2024-07-10') }));
  await keep(() =>
    mock.provider.submitRegistry([
      {
        transactionId: '1',
        providerRequestId: '2',
        agentCreatedAt: '2024-07-09 09:05:15',
        account: 'a',
        amount: '1.00',
        serviceId: '48',
        year: 2024,
        month: 7,
      },
    ]),
  );
  // The network itself: errors whose text carries the password, raw and encoded.
  mock.replyWithError(
    socketError('ECONNRESET', `reset while sending AgentPassword=${PASSWORD}`),
    'after-write',
  );
  await keep(() => mock.provider.checkAccount(payment));
  mock.replyWithError(socketError('ECONNREFUSED', `refused ${encodeURIComponent(PASSWORD)}`), 'before-write');
  await keep(() =>
    mock.provider.submitDailyTotals({ date: '2025-03-01', totalAmount: '0', totalCount: 0, services: [] }),
  );
  // Callbacks: one quoting it, one broken around it.
  outputs.push(
    mock.provider.parseCallback(
      `{"ResponseType":"CallBack","TransactinID":112,"ResponseStatus":10,"Message":"${echo}"}`,
    ),
  );
  try {
    mock.provider.parseCallback(`{"ResponseType":"CallBack","Message":"${echo}`);
  } catch (error) {
    outputs.push(error);
  }

  expect(mock.sent.length).toBe(9);
  // The password did go out (it must, in every body) — and only there.
  expect(
    mock.sent.every((sent) => sent.body.includes(FORMS_OF_THE_PASSWORD[2]!) || sent.body.includes(echo)),
  ).toBe(true);
  expect(outputs).toHaveLength(11);
  for (const output of outputs) {
    for (const text of printed(output)) {
      for (const form of FORMS_OF_THE_PASSWORD) expect(text).not.toContain(form);
    }
  }
  // And the outcomes still say what happened.
  expect(outputs.slice(0, 3)).toMatchObject([
    { reason: 'auth_failed', message: 'Неверный пароль [redacted]' },
    { reason: 'malformed_response' },
    { reason: 'auth_failed', message: 'password [redacted] rejected' },
  ]);
});
