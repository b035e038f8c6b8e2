import { ConfigError } from '@tolem/core';
import { isLosslessNumber, parse } from 'lossless-json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENT_ID, DEMO_PASSWORD, type Simulator, startSimulator } from './index.js';
import { createRawClient, type RawClient } from './raw-client.js';

/** Changing the catalogue while the simulator runs: services, accounts, offers, prices. */

function value(document: unknown, path: string): unknown {
  let current = document;
  for (const part of path.split('.')) current = (current as Record<string, unknown> | null)?.[part];
  return isLosslessNumber(current) ? current.value : current;
}

describe('the catalogue', () => {
  let simulator: Simulator;
  let client: RawClient;
  let nextId = 7000;

  beforeAll(async () => {
    simulator = await startSimulator({ seed: 'catalogue' });
    client = createRawClient(simulator.url);
  });
  afterAll(async () => {
    await client.close();
    await simulator.close();
  });

  const call = async (fields: Record<string, string>) =>
    parse((await client.form({ AgentID: DEMO_AGENT_ID, AgentPassword: DEMO_PASSWORD, ...fields })).text);
  const request = (
    type: string,
    service: string,
    account: string,
    amount: string,
    extra: Record<string, string> = {},
  ) =>
    call({
      RequestType: type,
      Service: service,
      Account: account,
      Amount: amount,
      Currency: 'KZT',
      TransactionID: String(nextId++),
      ...extra,
    });

  it('a new direct service answers AccountCheck, Payment, GetSettingServices and CalculatedSum', async () => {
    simulator.catalogue.addService({
      id: '48',
      name: 'QIWI Wallet | KZT',
      kind: 'direct',
      testAccount: '7081982000',
      serviceCurrency: 'KZT',
      rates: { KZT: '1' },
      rate: '1.5',
      limits: { min: '10', max: '1000' },
      accountPattern: /^7\d{9}$/,
      accounts: { '7000000000': { status: -111 } },
    });
    expect(value(await request('AccountCheck', '48', '7081982000', '20'), 'ResponseStatus')).toBe('10');
    expect(value(await request('AccountCheck', '48', '8081982000', '20'), 'ResponseStatus')).toBe('-100');
    expect(value(await request('Payment', '48', '7000000000', '20'), 'ResponseStatus')).toBe('-111');
    expect(value(await request('Payment', '48', '7081982000', '1000.01'), 'ResponseStatus')).toBe('-202');
    const paid = await request('Payment', '48', '7081982000', '999.99');
    expect(value(paid, 'TransactionContent.AmountOnClient')).toBe('999.99');

    const settings = (await call({ RequestType: 'GetSettingServices' })) as unknown[];
    expect(settings.map((entry) => value(entry, 'Id'))).toEqual(['7', '1911', '1549', '815', '48']);
    expect(value(settings[4], 'Rate')).toBe('1.5');
    expect(value((settings[4] as { limits: unknown[] }).limits[0], 'MaxAmountKZT')).toBe('1000.0');

    const sum = await call({ RequestType: 'CalculatedSum', Service: '48', Amount: '10', Currency: 'KZT' });
    expect(value(sum, 'Amount')).toBe('10.0');
    expect(value(sum, 'ExpectedCurrency')).toBe('KZT');
  });

  it('setAccount adds an Alseko account with its own invoice, the pay-everything line summed for it', async () => {
    simulator.catalogue.setAccount('815', '5550001', {
      invoice: {
        invoiceId: '250101000001',
        address: 'г.Алматы, ул. Абая 1',
        lines: [
          { serviceId: 13, name: 'Электр. энергия', fixSum: '1000.10', debtSum: '-50.00' },
          { serviceId: 36, name: 'Газ', fixSum: '200.20', debtSum: '0', prevCount: '10.5', lastCount: '12' },
        ],
      },
    });
    const answer = await request('AccountCheck', '815', '5550001', '100');
    const extras = value(answer, 'TransactionContent.Extras') as { FieldName: string; FieldValue: string }[];
    expect(extras[0]?.FieldName).toBe('Invoice');
    const invoice = parse(extras[0]?.FieldValue ?? '') as unknown;
    const lines = value(invoice, 'Account.Invoices.Invoice.Services.Service') as unknown[];
    expect(lines.map((line) => value(line, 'ServiceId'))).toEqual(['13', '36', '999']);
    expect(value(lines[2], 'FixSum')).toBe('1200.3');
    expect(value(lines[0], 'DebtSum')).toBe('-50.0');
    expect(value(lines[1], 'lastCount')).toBe('12.0');
    expect(value(invoice, 'Account.Invoices.Invoice.InvoiceId')).toBe('250101000001');
    const services = '{"services":[{"id":999,"amount":"1200.30"}]}';
    expect(
      value(await request('Payment', '815', '5550001', '1200.30', { Services: services }), 'ResponseStatus'),
    ).toBe('10');
  });

  it('setOffers replaces the denominations: an InvoiceId from the old list now answers -203 (protocol §3.6)', async () => {
    simulator.catalogue.setOffers('1911', [{ invoiceId: '5001', orderAmount: '1000.005', name: '100 UC' }]);
    const answer = await request('AccountCheck', '1911', 'kkazbek.smeken@gmail.com', '100');
    expect(value(answer, 'TransactionContent.Extras')).toEqual([
      {
        FieldName: 'Invoice-1',
        FieldValue: '{"InvoiceId":5001,"OrderAmount":"1000.005","InvoiceName":"100 UC"}',
      },
    ]);
    const stale = await request('Payment', '1911', 'kkazbek.smeken@gmail.com', '471.94', {
      InvoiceId: '2621',
    });
    expect(value(stale, 'ResponseStatus')).toBe('-203');
    const fresh = await request('Payment', '1911', 'kkazbek.smeken@gmail.com', '1000.01', {
      InvoiceId: '5001',
    });
    expect(value(fresh, 'ResponseStatus')).toBe('10');
  });

  it('rotateOffers reprices every offer within 2 % and gives it a new InvoiceId', () => {
    const before = simulator.catalogue.offers('1911');
    const after = simulator.catalogue.rotateOffers('1911');
    expect(after).toHaveLength(before.length);
    for (const [index, offer] of after.entries()) {
      const old = before[index];
      expect(offer.name).toBe(old?.name);
      expect(offer.invoiceId).not.toBe(old?.invoiceId);
      const ratio = Number(offer.orderAmount) / Number(old?.orderAmount);
      expect(ratio).toBeGreaterThanOrEqual(0.98);
      expect(ratio).toBeLessThanOrEqual(1.02);
    }
    expect(simulator.catalogue.offers('1911')).toEqual(after);
  });

  it('setOrderAmount changes the static voucher price', async () => {
    simulator.catalogue.setOrderAmount('1549', '6000.001');
    const check = await request('AccountCheck', '1549', 'kkazbek.smeken@gmail.com', '100');
    expect(value(check, 'TransactionContent.Extras')).toEqual([
      { FieldName: 'OrderAmount', FieldValue: '6000.001' },
    ]);
    expect(
      value(await request('Payment', '1549', 'kkazbek.smeken@gmail.com', '6000.01'), 'ResponseStatus'),
    ).toBe('10');
  });

  it('get() and list() hand out copies', () => {
    const copy = simulator.catalogue.get('7');
    if (copy) copy.name = 'changed';
    expect(simulator.catalogue.get('7')?.name).toBe('Steam');
  });

  it('refuses bad specs with a ConfigError naming the field', () => {
    expect(() =>
      simulator.catalogue.addService({
        id: '0x1',
        name: 'x',
        kind: 'direct',
        testAccount: 'x',
        serviceCurrency: 'KZT',
        rates: { KZT: '1' },
        accountPattern: /.*/,
      }),
    ).toThrow(/service 0x1\.id/);
    expect(() => simulator.catalogue.setOffers('7', [])).toThrow(ConfigError);
    expect(() =>
      simulator.catalogue.setOffers('1911', [{ invoiceId: '1', orderAmount: '-1', name: 'x' }]),
    ).toThrow(/offers\.0\.orderAmount/);
    expect(() => simulator.catalogue.setAccount('7', 'x', { status: 10 })).toThrow(/status/);
    expect(() => simulator.catalogue.setAccount('404', 'x', {})).toThrow(ConfigError);
  });
});
