import { isLosslessNumber, parse } from 'lossless-json';
import { afterEach, describe, expect, it } from 'vitest';
import { type Simulator, type SimulatorOptions, startSimulator } from './index.js';
import { DEMO_AGENT_ID, DEMO_PASSWORD } from './options.js';
import { createRawClient, type RawClient } from './raw-client.js';

/** The ledger: idempotent payments, one credit per TransactionID, balances, the payment list. */

function field(answer: unknown, path: string): unknown {
  let value = answer;
  for (const part of path.split('.')) value = (value as Record<string, unknown> | null)?.[part];
  return isLosslessNumber(value) ? value.value : value;
}

const SMALL_AGENT = { agentId: '2001', password: 'small-agent-secret', balances: { KZT: '250.00' } };
const OTHER_AGENT = { agentId: '2002', password: 'other-agent-secret', balances: { KZT: '100000.00' } };

describe('the ledger', () => {
  let simulator: Simulator;
  let client: RawClient;

  async function start(options: SimulatorOptions = {}) {
    simulator = await startSimulator({ agents: [SMALL_AGENT, OTHER_AGENT], ...options });
    client = createRawClient(simulator.url);
  }
  afterEach(async () => {
    await client.close();
    await simulator.close();
  });

  const as = (agent: { agentId: string; password: string }) => ({
    AgentID: agent.agentId,
    AgentPassword: agent.password,
  });
  const demo = { agentId: DEMO_AGENT_ID, password: DEMO_PASSWORD };
  const call = async (agent: { agentId: string; password: string }, fields: Record<string, string>) =>
    (await client.form({ ...as(agent), ...fields })).text;
  const payment = (transactionId: string, amount = '100.00', account = 'galek10') => ({
    RequestType: 'Payment',
    Service: '7',
    Account: account,
    Amount: amount,
    Currency: 'KZT',
    TransactionID: transactionId,
    RequestDate: '2024-07-09 09:05:15',
  });

  it('a repeated Payment returns the earlier answer byte for byte and credits once', async () => {
    await start();
    expect(simulator.ledger.balance(DEMO_AGENT_ID, 'KZT')).toBe('10000000');
    const first = await call(demo, payment('901'));
    const second = await call(demo, payment('901'));
    expect(second).toBe(first);
    expect(simulator.ledger.creditCount('901')).toBe(1);
    expect(simulator.ledger.payments()).toHaveLength(1);
    expect(simulator.ledger.balance(DEMO_AGENT_ID, 'KZT')).toBe('9999900');
  });

  it('a resend with other fields still answers the earlier payment, whose echo shows the difference', async () => {
    await start();
    await call(demo, payment('902', '100.00'));
    const resent = parse(await call(demo, payment('902', '500.00', 'someone-else')));
    expect(field(resent, 'TransactionContent.Amount')).toBe('100.0');
    expect(field(resent, 'TransactionContent.account')).toBe('galek10');
    expect(simulator.ledger.creditCount('902')).toBe(1);
    expect(simulator.ledger.credits().map((credit) => credit.amount)).toEqual(['100']);
  });

  it('twenty identical Payments at once make one payment and one credit', async () => {
    await start();
    const answers = await Promise.all(Array.from({ length: 20 }, () => call(demo, payment('903'))));
    expect(new Set(answers).size).toBe(1);
    expect(simulator.ledger.creditCount('903')).toBe(1);
    expect(simulator.ledger.requestCount('Payment')).toBe(20);
  });

  it('TransactionIDs are per agent: two agents may use the same one, and each sees only its own', async () => {
    await start();
    await call(demo, payment('904', '100.00'));
    await call(OTHER_AGENT, payment('904', '200.00'));
    expect(simulator.ledger.payments()).toHaveLength(2);
    expect(simulator.ledger.get('904', OTHER_AGENT.agentId)?.amount).toBe('200');
    const status = parse(await call(OTHER_AGENT, { RequestType: 'Status', TransactionID: '904' }));
    expect(field(status, 'TransactionContent.Amount')).toBe('200.0');
    const missing = parse(await call(SMALL_AGENT, { RequestType: 'Status', TransactionID: '904' }));
    expect(field(missing, 'ResponseStatus')).toBe('-4');
  });

  it('insufficient funds answer -2 and record nothing; the same Payment goes through after a top-up', async () => {
    await start();
    expect(field(parse(await call(SMALL_AGENT, payment('905', '200.00'))), 'ResponseStatus')).toBe('10');
    const refused = parse(await call(SMALL_AGENT, payment('906', '100.00')));
    expect(field(refused, 'ResponseStatus')).toBe('-2');
    expect(field(refused, 'Message')).toBe('Недостаточно средств для транзакции');
    expect(simulator.ledger.get('906')).toBeUndefined();
    expect(
      field(
        parse(await call(SMALL_AGENT, { RequestType: 'Status', TransactionID: '906' })),
        'ResponseStatus',
      ),
    ).toBe('-4');
    expect(simulator.ledger.balance(SMALL_AGENT.agentId, 'KZT')).toBe('50');

    simulator.ledger.setBalance(SMALL_AGENT.agentId, 'KZT', '1000.00');
    expect(field(parse(await call(SMALL_AGENT, payment('906', '100.00'))), 'ResponseStatus')).toBe('10');
    expect(simulator.ledger.creditCount('906')).toBe(1);
    expect(simulator.ledger.balance(SMALL_AGENT.agentId, 'KZT')).toBe('900');
  });

  it('an overdraft lets the balance go below zero, and CheckBalance shows both (protocol §3.11)', async () => {
    await start({
      includeDemoAgent: false,
      agents: [
        {
          agentId: '3001',
          password: 'overdraft-secret',
          balances: { KZT: '100.00' },
          overdraft: { KZT: '500' },
        },
      ],
    });
    const agent = { agentId: '3001', password: 'overdraft-secret' };
    expect(field(parse(await call(agent, payment('907', '550.00'))), 'ResponseStatus')).toBe('10');
    expect(field(parse(await call(agent, payment('908', '100.00'))), 'ResponseStatus')).toBe('-2');
    const text = await call(agent, { RequestType: 'CheckBalance' });
    expect(text).toBe(
      '{"AgentID":3001,"ResponseType":"CheckBalance","Balances":[{"Balance":-450.0,"Overbalance":500.0,"Currency":"KZT"}]}',
    );
  });

  it('the demo agent is left out when includeDemoAgent is false', async () => {
    await start({ includeDemoAgent: false });
    expect(field(parse(await call(demo, { RequestType: 'CheckBalance' })), 'ResponseStatus')).toBe('-1');
  });

  describe('GetPaymentsByDate', () => {
    let now = new Date('2024-07-09T05:00:00Z');
    const at = async (iso: string, fields: Record<string, string>, agent = demo) => {
      now = new Date(iso);
      return call(agent, fields);
    };
    const list = async (from: string, to: string, agent = demo) =>
      (parse(await call(agent, { RequestType: 'GetPaymentsByDate', From: from, To: to })) as unknown[]).map(
        (entry) => field(entry, 'TransactionId'),
      );

    it('lists the agent successful payments registered in [From, To) of the agent zone', async () => {
      await start({ clock: { now: () => now }, agentTimeZone: 'Asia/Almaty', timeZone: 'Europe/Moscow' });
      // Almaty is UTC+5 since March 2024 (protocol §5).
      await at('2024-07-08T18:59:59Z', payment('911')); // 23:59:59 on the 8th in Almaty
      await at('2024-07-08T19:00:00Z', payment('912')); // 00:00:00 on the 9th
      await at('2024-07-09T12:00:00Z', payment('913', '100.00', 'no-such-user')); // declined: not listed
      await at('2024-07-09T18:59:59Z', payment('914')); // 23:59:59 on the 9th
      await at('2024-07-09T19:00:00Z', payment('915')); // the 10th
      await at('2024-07-09T12:00:00Z', payment('916'), OTHER_AGENT); // another agent's
      expect(await list('2024-07-09 00:00:00', '2024-07-10 00:00:00')).toEqual(['912', '914']);
      expect(await list('2024-07-08 00:00:00', '2024-07-11 00:00:00')).toEqual(['911', '912', '914', '915']);
      expect(await list('2024-07-09 00:00:00', '2024-07-10 00:00:00', OTHER_AGENT)).toEqual(['916']);
    });

    it('writes CreatedOn and ProcessedOn in the provider zone with 7 fractional digits', async () => {
      await start({ clock: { now: () => now }, agentTimeZone: 'Asia/Almaty', timeZone: 'Europe/Moscow' });
      await at('2024-07-09T09:05:36.218Z', { ...payment('917'), RequestDate: '2024-07-09 14:05:15' });
      const [entry] = parse(
        await call(demo, {
          RequestType: 'GetPaymentsByDate',
          From: '2024-07-09 00:00:00',
          To: '2024-07-10 00:00:00',
        }),
      ) as unknown[];
      expect(field(entry, 'CreatedOn')).toMatch(/^2024-07-09T12:05:36\.218\d{4}$/);
      expect(field(entry, 'ProcessedOn')).toMatch(/^2024-07-09T12:05:36\.218\d{4}$/);
      expect(field(entry, 'AgentRequestCreatedOn')).toBe('2024-07-09T14:05:15');
      expect(field(entry, 'Service')).toBe('Steam');
      expect(field(entry, 'StatusId')).toBe('10');
    });

    it('answers -500 for a window it cannot read', async () => {
      await start();
      const answer = parse(
        await call(demo, { RequestType: 'GetPaymentsByDate', From: 'yesterday', To: '2024-07-10 00:00:00' }),
      );
      expect(field(answer, 'ResponseStatus')).toBe('-500');
    });
  });

  it('counts requests per RequestType', async () => {
    await start();
    await call(demo, { RequestType: 'CheckBalance' });
    await call(demo, { RequestType: 'CheckBalance' });
    await call(demo, { RequestType: 'Status', TransactionID: '1' });
    expect(simulator.ledger.requestCount('CheckBalance')).toBe(2);
    expect(simulator.ledger.requestCount('Status')).toBe(1);
    expect(simulator.ledger.requestCount('Payment')).toBe(0);
    expect(simulator.ledger.requestCount()).toBe(3);
    expect(simulator.ledger.requests().map((entry) => entry.requestType)).toEqual([
      'CheckBalance',
      'CheckBalance',
      'Status',
    ]);
  });
});
