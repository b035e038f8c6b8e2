import type { AccountSpec, InvoiceSpec, OfferSpec, ServiceSpec } from './catalogue.js';

/**
 * The catalogue a fresh simulator holds: the four services of the spec's samples, their sample
 * accounts, and named test accounts that trigger each documented failure (the README lists them).
 */

/** Exchange rate of the spec's Payment, Status and CalculatedSum samples (KZT → USD). */
export const KZT_USD_RATE = '0.0021598272';

const LOGIN = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
const UTILITY_ACCOUNT = /^\d{6,12}$/;

/** The denominations of the "AccountCheck Dynamic" sample. */
export const SAMPLE_OFFERS: readonly OfferSpec[] = [
  { invoiceId: '4063', orderAmount: '238345.4409', name: '30.000 + 10.500 UC' },
  { invoiceId: '4062', orderAmount: '190675.3994', name: '24.000 + 8.400 UC' },
  { invoiceId: '4061', orderAmount: '143005.3578', name: '18.000 + 6.300 UC' },
  { invoiceId: '4060', orderAmount: '95335.3163', name: '12.000 + 4.200 UC' },
  { invoiceId: '4059', orderAmount: '47665.2747', name: '6.000 + 2.100 UC' },
  { invoiceId: '4058', orderAmount: '23830.2539', name: '3.000 + 850 UC' },
  { invoiceId: '2618', orderAmount: '11912.7435', name: '1.500 + 300 UC' },
  { invoiceId: '2619', orderAmount: '4762.2373', name: '600 + 60 UC' },
  { invoiceId: '2620', orderAmount: '2378.7352', name: '300 + 25 UC' },
  { invoiceId: '2621', orderAmount: '471.9336', name: '60 UC' },
];

/** The invoice of the "AccountCheck Алсеко" sample (account 7898380). */
export const SAMPLE_INVOICE: InvoiceSpec = {
  invoiceId: '240710296539',
  address: 'Алматы қ.|г.Алматы, ықш.ауд.|м-он Мамыр-7 үй|д.5 27 пәтер/кв.',
  accountName: '-',
  lines: [
    meter(13, 'Электр қуаты | Электр. энергия', '3475.96', '18754', '18888'),
    meter(14, 'Ыстық су, Есептеуіш | Гор. вода, Счётчик', '10517.64', '924', '952'),
    meter(12, 'Суық су,Есептеуіш | Хол.вода,Счетчик', '1974.64', '931.032', '966'),
    meter(25, 'Суық су к-ясы,Есеп-іш | К-ция хол.воды,Сч-к', '1144.85', '931.032', '966'),
    meter(114, 'Канализация | Канализация', '618.72', null, null),
    meter(36, 'Газ | Газ', '2345.65', null, null),
    meter(11, 'ҚТҚ шығару | Вывоз ТБО', '4311', null, null),
    meter(
      133,
      'Мүлік салығы | Налог на имущество ЖСН/ИИН: 000819501142; 27.06.2024 ж. дейінгі төлемдер ескерілді/ Учтены платежи до 27.06.2024 г.',
      '3405.76',
      null,
      null,
    ),
  ],
  payAllLine: true,
};

function meter(
  serviceId: number,
  name: string,
  fixSum: string,
  prevCount: string | null,
  lastCount: string | null,
) {
  return { serviceId, name, fixSum, debtSum: '0', prevCount, lastCount };
}

/** Accounts every top-up and voucher service knows by these names. */
function failingLogins(domain: string): Record<string, AccountSpec> {
  return {
    [`no-such-user${domain}`]: { status: -105 },
    [`inactive-user${domain}`]: { status: -120 },
    [`forbidden-user${domain}`]: { status: -110 },
    [`technical-failure${domain}`]: { status: -115 },
    [`operator-error${domain}`]: { status: -300 },
    [`slow-user${domain}`]: { progression: { steps: [1, 3, 9], stepMs: 500 } },
    [`late-failure${domain}`]: { finalStatus: -300, progression: { steps: [1, 3], stepMs: 500 } },
  };
}

export function defaultServices(): ServiceSpec[] {
  return [
    {
      id: '7',
      name: 'Steam',
      kind: 'direct',
      testAccount: 'iamkackbip',
      serviceCurrency: 'USD',
      rates: { KZT: KZT_USD_RATE, USD: '1' },
      rate: '0',
      topCommission: '0',
      // The settings sample says 300, but the AccountCheck and Payment samples pay 100.
      limits: { min: '100', max: '90000' },
      accountPattern: LOGIN,
      accounts: {
        galek10: {},
        iamkackbip: {},
        'anonymous-wallet': { status: -111 },
        ...failingLogins(''),
      },
      flipAccountCheckSign: true,
    },
    {
      id: '1911',
      name: 'PUBG Mobile UC',
      kind: 'dynamic_voucher',
      testAccount: 'kkazbek.smeken@gmail.com',
      serviceCurrency: 'KZT',
      rates: { KZT: '1' },
      rate: '0',
      topCommission: '0',
      limits: { min: '100', max: '500000' },
      accountPattern: EMAIL,
      accounts: { 'kkazbek.smeken@gmail.com': {}, ...failingLogins('@example.com') },
      offers: SAMPLE_OFFERS.map((offer) => ({ ...offer })),
    },
    {
      id: '1549',
      name: 'Steam Wallet Code 10 USD',
      kind: 'static_voucher',
      testAccount: 'kkazbek.smeken@gmail.com',
      serviceCurrency: 'USD',
      rates: { KZT: KZT_USD_RATE },
      rate: '0',
      topCommission: '0',
      limits: { min: '100', max: '500000' },
      accountPattern: EMAIL,
      accounts: { 'kkazbek.smeken@gmail.com': {}, ...failingLogins('@example.com') },
      orderAmount: '5333.4471',
    },
    {
      id: '815',
      name: 'Алсеко | Alseko',
      kind: 'invoice',
      testAccount: '7898380',
      serviceCurrency: 'KZT',
      rates: { KZT: '1' },
      rate: '0',
      topCommission: '0',
      limits: { min: '1', max: '1000000' },
      accountPattern: UTILITY_ACCOUNT,
      openAccounts: false,
      accounts: {
        '7898380': { invoice: SAMPLE_INVOICE },
        '1111111': { status: -120 },
        '2222222': { status: -203 },
      },
    },
  ];
}
