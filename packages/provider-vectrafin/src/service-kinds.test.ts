import { Money, ValidationError } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { parseWireJson } from './json-value.js';
import { readExtras } from './response-parser.js';
import {
  encodeInvoiceServices,
  kindFromExtras,
  paymentExtraFields,
  readCheckDetails,
  readInvoice,
  readVoucherCode,
  roundUpToCents,
} from './service-kinds.js';

const kzt = (amount: string) => Money.parse(amount, 'KZT');

function validationField(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (ValidationError.is(error)) return error.field;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('protocol §3.8 vouchers are paid with OrderAmount rounded UP to cents', () => {
  it.each([
    ['238345.4409', '238345.45'],
    ['5333.4471', '5333.45'],
    ['4630.000029632', '4630.01'],
    ['471.9336', '471.94'],
    ['100', '100.00'],
    ['100.1', '100.10'],
    ['100.10', '100.10'],
    ['0.001', '0.01'],
  ])('%s → %s', (orderAmount, payAmount) => {
    expect(roundUpToCents(orderAmount, 'KZT')).toBe(payAmount);
  });
});

describe('AccountCheck details per kind', () => {
  it('protocol §3.6 kind inferred from the Extras when the service is not configured', () => {
    expect(kindFromExtras(readExtras(parseWireJson('[{"FieldName":"Invoice-1","FieldValue":"{}"}]')))).toBe(
      'dynamic_voucher',
    );
    expect(kindFromExtras(readExtras(parseWireJson('[{"FieldName":"OrderAmount","FieldValue":"1"}]')))).toBe(
      'static_voucher',
    );
    expect(kindFromExtras(readExtras(parseWireJson('[{"FieldName":"Invoice","FieldValue":"{}"}]')))).toBe(
      'invoice',
    );
    expect(kindFromExtras([])).toBeNull();
  });

  it('protocol §3.6 offer ids given as strings or numbers are strings', () => {
    const extras = readExtras(
      parseWireJson(
        '[{"FieldName":"Invoice-1","FieldValue":"{\\"InvoiceId\\":\\"77\\",\\"OrderAmount\\":10.005,\\"InvoiceName\\":\\"x\\"}"}]',
      ),
    );
    expect(readCheckDetails('dynamic_voucher', extras, 'KZT').offers).toEqual([
      { invoiceId: '77', name: 'x', orderAmount: '10.005', payAmount: '10.01' },
    ]);
  });

  it('protocol §3.9 a single Service object (XML turned JSON) is one line; the invoice id stays a string', () => {
    const invoice = readInvoice(
      '{"Account":{"Address":"a","Invoices":{"Invoice":{"InvoiceId":"000123","Services":{"Service":{"ServiceId":13,"ServiceName":"n","FixSum":1.5,"DebtSum":-2.25}}}}}}',
    );
    expect(invoice).toEqual({
      invoiceId: '000123',
      address: 'a',
      lines: [
        {
          serviceId: '13',
          name: 'n',
          fixSum: '1.5',
          debtSum: '-2.25',
          payAll: false,
          measure: null,
          tariff: null,
          previousCount: null,
          lastCount: null,
          debtInfo: null,
        },
      ],
    });
  });

  it('reads the voucher code from Extras in either shape', () => {
    expect(readVoucherCode(readExtras(parseWireJson('{"Code":"ABCD-1111"}')))).toBe('ABCD-1111');
    expect(readVoucherCode(readExtras(parseWireJson('[{"fieldName":"code","fieldValue":"Y"}]')))).toBe('Y');
    expect(readVoucherCode(readExtras(parseWireJson('{"InvoiceId":"1"}')))).toBeNull();
  });
});

describe('Payment fields per kind', () => {
  it('direct and static vouchers add nothing', () => {
    expect(paymentExtraFields({ kind: 'direct', amount: kzt('100') })).toEqual([]);
    expect(paymentExtraFields({ kind: 'static_voucher', amount: kzt('5333.45') })).toEqual([]);
  });

  it('protocol §3.6 dynamic vouchers send InvoiceId and require it', () => {
    expect(paymentExtraFields({ kind: 'dynamic_voucher', amount: kzt('1'), invoiceId: '4063' })).toEqual([
      ['InvoiceId', '4063'],
    ]);
    expect(validationField(() => paymentExtraFields({ kind: 'dynamic_voucher', amount: kzt('1') }))).toBe(
      'invoiceId',
    );
    expect(
      validationField(() =>
        paymentExtraFields({ kind: 'dynamic_voucher', amount: kzt('1'), invoiceId: '40a' }),
      ),
    ).toBe('invoiceId');
  });

  it('fields a kind does not take are refused, not silently dropped', () => {
    expect(
      validationField(() => paymentExtraFields({ kind: 'direct', amount: kzt('1'), invoiceId: '1' })),
    ).toBe('invoiceId');
    expect(
      validationField(() =>
        paymentExtraFields({
          kind: 'static_voucher',
          amount: kzt('1'),
          services: [{ serviceId: '1', amount: '1' }],
        }),
      ),
    ).toBe('services');
  });

  it('protocol §3.9 Alseko sends Services as the spec writes it and checks the sum', () => {
    expect(
      encodeInvoiceServices(kzt('5610.18'), [
        { serviceId: '13', amount: '5110.18' },
        { serviceId: '12', amount: '500' },
      ]),
    ).toBe('{"services":[{"id":13,"amount":"5110.18"},{"id":12,"amount":"500.00"}]}');
    expect(
      paymentExtraFields({
        kind: 'invoice',
        amount: kzt('1'),
        services: [{ serviceId: '999', amount: '1' }],
      }),
    ).toEqual([['Services', '{"services":[{"id":999,"amount":"1.00"}]}']]);
  });

  it.each<[string, string, { serviceId: string; amount: string }[] | undefined, string]>([
    [
      'a sum one cent short',
      '5610.18',
      [
        { serviceId: '13', amount: '5110.18' },
        { serviceId: '12', amount: '499.99' },
      ],
      'services',
    ],
    [
      'a sum one cent over',
      '5610.18',
      [
        { serviceId: '13', amount: '5110.19' },
        { serviceId: '12', amount: '500' },
      ],
      'services',
    ],
    ['no lines', '1', [], 'services'],
    ['lines missing', '1', undefined, 'services'],
    ['a line id with letters', '1', [{ serviceId: 'x', amount: '1' }], 'services.0.serviceId'],
    ['a line amount with three decimals', '1', [{ serviceId: '1', amount: '1.001' }], 'services.0.amount'],
    ['a negative line', '1', [{ serviceId: '1', amount: '-1' }], 'services.0.amount'],
    [
      'a line twice',
      '2',
      [
        { serviceId: '1', amount: '1' },
        { serviceId: '1', amount: '1' },
      ],
      'services.1.serviceId',
    ],
    [
      '999 with other lines (would pay them twice)',
      '2',
      [
        { serviceId: '999', amount: '1' },
        { serviceId: '13', amount: '1' },
      ],
      'services',
    ],
  ])('%s → ValidationError on %s', (_label, amount, services, field) => {
    expect(
      validationField(() => paymentExtraFields({ kind: 'invoice', amount: kzt(amount), services })),
    ).toBe(field);
  });
});
