import { inspect } from 'node:util';
import { ConfigError, createMemoryJournal, Secret } from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { describe, expect, it } from 'vitest';
import { harness, order } from '../test/harness.js';
import { ManualClock } from '../test/manual-clock.js';
import type { RouterEvents } from './events.js';
import { type RouterOptions, resolveOptions } from './options.js';
import { VoucherHold } from './voucher-hold.js';
import { RouterWarning } from './warnings.js';

const K1 = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const K2 = Buffer.from('a voucher key of 32 bytes: k2 !!').toString('base64');
const CODE = 'K7QD-3M9X-PA2Z-8HRT';
const keys = { keys: { k1: K1 }, current: 'k1' } as const;

const voucher = (paymentId: string) => order(paymentId, { sendType: 'api' });
const callback = (transactionId: string) =>
  `{"RequestID":1,"ResponseType":"CallBack","TransactinID":${transactionId},"ResponseStatus":10,"Message":"ok"}`;

/** A voucher whose Payment answers pending; the provider then has it succeed with CODE. */
async function pendingVoucher(options: Parameters<typeof harness>[0] = {}, paymentId = 'v-1') {
  const a = new FakeProvider('vf-a', { pay: () => ({ state: 'pending', providerStatus: '3' }) });
  const h = harness({ a, ...options });
  const first = await h.router.pay(voucher(paymentId));
  expect(first).toMatchObject({ state: 'pending', voucherStatus: 'pending' });
  expect(first.voucherCode).toBeUndefined();
  const transactionId = first.transactionId ?? '';
  h.a.settleLedger(transactionId, { state: 'succeeded', providerStatus: '10', voucherCode: CODE });
  return { h, transactionId, first };
}

describe('voucher codes that arrive after the first answer (issue 10 item 7)', () => {
  it('confirmed by the finalizer: sealed into the journal, handed out by getPayment, waitForFinal and a repeat pay()', async () => {
    const { h } = await pendingVoucher({ vouchers: keys });
    h.clock.advance(1_000);
    await h.router.finalizeDue();
    const view = await h.router.getPayment('v-1');
    expect(view).toMatchObject({ state: 'succeeded', voucherStatus: 'available' });
    expect(view?.voucherCode?.reveal()).toBe(CODE);
    expect((await h.router.waitForFinal('v-1'))?.voucherCode?.reveal()).toBe(CODE);
    expect((await h.router.pay(voucher('v-1'))).voucherCode?.reveal()).toBe(CODE);
    // Read as often as asked: it is in the journal, sealed.
    expect((await h.router.getPayment('v-1'))?.voucherCode?.reveal()).toBe(CODE);
    const record = await h.journal.get('v-1');
    expect(record?.voucher).toMatchObject({ keyId: 'k1' });
    expect(JSON.stringify(record)).not.toContain(CODE);
    expect(JSON.stringify(record)).not.toContain(Buffer.from(CODE).toString('base64'));
  });

  it('confirmed by a callback’s Status: the same', async () => {
    const { h, transactionId } = await pendingVoucher({ vouchers: keys });
    expect((await h.router.handleCallback('vf-a', callback(transactionId))).result).toBe('confirmed');
    const view = await h.router.getPayment('v-1');
    expect(view?.voucherStatus).toBe('available');
    expect(view?.voucherCode?.reveal()).toBe(CODE);
  });

  it('lost first answer, resent after Status says "not found": the resend’s code is kept', async () => {
    let calls = 0;
    const a = new FakeProvider('vf-a', {
      payRaw: async (request) => {
        calls += 1;
        // The first send never arrives; the resend succeeds with the code.
        if (calls === 1)
          return {
            ...unknownTimeout(request.transactionId),
          };
        a.accept(request.transactionId, { state: 'succeeded', providerStatus: '10', voucherCode: CODE });
        return {
          state: 'succeeded',
          final: true,
          reason: null,
          providerStatus: '10',
          message: null,
          transactionId: request.transactionId,
          providerRequestId: '9',
          amount: request.amount,
          currency: request.currency,
          account: request.account,
          amountOnClient: null,
          exchangeRate: null,
          serviceCurrency: null,
          voucherCode: new Secret(CODE),
        };
      },
    });
    const h = harness({ a, vouchers: keys });
    expect((await h.router.pay(voucher('v-lost'))).state).toBe('unknown');
    h.clock.advance(1_000);
    await h.router.finalizeDue();
    expect(h.a.calledWith('pay')).toHaveLength(2);
    const view = await h.router.getPayment('v-lost');
    expect(view).toMatchObject({ state: 'succeeded', voucherStatus: 'available' });
    expect(view?.voucherCode?.reveal()).toBe(CODE);
  });

  it('the first answer’s code goes to that pay() and is kept for a repeat pay() too', async () => {
    const a = new FakeProvider('vf-a', {
      pay: () => ({ state: 'succeeded', providerStatus: '10', voucherCode: CODE }),
    });
    const h = harness({ a, vouchers: keys });
    const paid = await h.router.pay(voucher('v-first'));
    expect(paid).toMatchObject({ state: 'succeeded', voucherStatus: 'available' });
    expect(paid.voucherCode?.reveal()).toBe(CODE);
    expect((await h.router.pay(voucher('v-first'))).voucherCode?.reveal()).toBe(CODE);
  });

  it('a restart with the key reads it; with the key rotated (old one kept) too; new codes go under the new key', async () => {
    const journal = createMemoryJournal();
    const { h } = await pendingVoucher({ vouchers: keys, journal });
    h.clock.advance(1_000);
    await h.router.finalizeDue();
    const again = harness({ journal, vouchers: keys });
    expect((await again.router.getPayment('v-1'))?.voucherCode?.reveal()).toBe(CODE);
    const rotated = { keys: { k2: K2, k1: K1 }, current: 'k2' };
    const later = await pendingVoucher({ vouchers: rotated, journal }, 'v-2');
    later.h.clock.advance(1_000);
    await later.h.router.finalizeDue();
    expect((await journal.get('v-2'))?.voucher?.keyId).toBe('k2');
    for (const id of ['v-1', 'v-2'])
      expect((await later.h.router.getPayment(id))?.voucherCode?.reveal(), id).toBe(CODE);
    // Only k2 left: v-1's key is gone.
    const onlyK2 = harness({ journal, vouchers: { keys: { k2: K2 }, current: 'k2' } });
    expect(await onlyK2.router.getPayment('v-1')).toMatchObject({ voucherStatus: 'key_missing' });
    expect((await onlyK2.router.getPayment('v-2'))?.voucherCode?.reveal()).toBe(CODE);
  });

  it('without the key after a restart: voucherStatus key_missing, no code; a wrong key under the id: unreadable', async () => {
    const journal = createMemoryJournal();
    const { h } = await pendingVoucher({ vouchers: keys, journal });
    h.clock.advance(1_000);
    await h.router.finalizeDue();
    const keyless = await harness({ journal, vouchers: false }).router.getPayment('v-1');
    expect(keyless).toMatchObject({ state: 'succeeded', voucherStatus: 'key_missing' });
    expect(keyless).not.toHaveProperty('voucherCode');
    const wrong = harness({ journal, vouchers: { keys: { k1: K2 }, current: 'k1' } });
    expect(await wrong.router.getPayment('v-1')).toMatchObject({ voucherStatus: 'unreadable' });
  });

  it('a sealed code copied onto another payment does not open there (bound to its payment id)', async () => {
    const journal = createMemoryJournal();
    const { h } = await pendingVoucher({ vouchers: keys, journal });
    h.clock.advance(1_000);
    await h.router.finalizeDue();
    const sealed = (await journal.get('v-1'))?.voucher;
    const other = await pendingVoucher({ vouchers: keys, journal }, 'v-other');
    const record = (await journal.get('v-other'))!;
    await journal.transition('v-other', record.version, {
      attempt: { no: 1, update: { state: 'succeeded', providerStatus: '10' } },
      payment: { state: 'succeeded', final: true, reason: null, providerStatus: '10', message: null },
      voucher: sealed!,
    });
    expect(await other.h.router.getPayment('v-other')).toMatchObject({ voucherStatus: 'unreadable' });
  });

  it('without a key: held in memory and handed out once, to the waiter; nothing in the journal', async () => {
    const { h } = await pendingVoucher({ vouchers: false });
    const waiting = h.router.waitForFinal('v-1', { timeoutMs: 30_000 });
    h.clock.advance(1_000);
    await h.router.finalizeDue();
    const done = await waiting;
    expect(done).toMatchObject({ state: 'succeeded', voucherStatus: 'available' });
    expect(done.voucherCode?.reveal()).toBe(CODE);
    expect((await h.journal.get('v-1'))?.voucher).toBeNull();
    // Handed out once: a later reader is told plainly that it was not kept.
    const later = await h.router.getPayment('v-1');
    expect(later).toMatchObject({ voucherStatus: 'not_kept' });
    expect(later).not.toHaveProperty('voucherCode');
  });

  it('without a key, a code the first answer carried goes to that pay() only', async () => {
    const a = new FakeProvider('vf-a', {
      pay: () => ({ state: 'succeeded', providerStatus: '10', voucherCode: CODE }),
    });
    const h = harness({ a, vouchers: false });
    expect((await h.router.pay(voucher('v-first'))).voucherCode?.reveal()).toBe(CODE);
    expect(await h.router.getPayment('v-first')).toMatchObject({ voucherStatus: 'not_kept' });
  });

  it('voucherStatus for an open, a failed and a non-voucher payment', async () => {
    const a = new FakeProvider('vf-a', {
      pay: (request) =>
        request.account === 'declined'
          ? { state: 'failed', reason: 'account_not_found', providerStatus: '-105' }
          : { state: 'pending', providerStatus: '3' },
    });
    const h = harness({ a, vouchers: keys });
    expect((await h.router.pay(voucher('open'))).voucherStatus).toBe('pending');
    expect((await h.router.pay({ ...voucher('failed'), account: 'declined' })).voucherStatus).toBe(
      'not_issued',
    );
    const plain = await h.router.pay(order('plain'));
    expect(plain).not.toHaveProperty('voucherStatus');
    expect(plain).not.toHaveProperty('voucherCode');
  });

  it('the voucher event carries the code only as a Secret, once per payment', async () => {
    const { h, transactionId } = await pendingVoucher({ vouchers: keys });
    const events: RouterEvents['voucher'][] = [];
    h.router.events.on('voucher', (event) => events.push(event));
    h.clock.advance(1_000);
    await h.router.finalizeDue();
    await h.router.handleCallback('vf-a', callback(transactionId));
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({ paymentId: 'v-1', service: 'steam', provider: 'vf-a', kept: true });
    expect(Secret.is(event?.code)).toBe(true);
    expect(event?.code.reveal()).toBe(CODE);
    expect(JSON.stringify(events)).not.toContain(CODE);
    expect(inspect(events, { depth: Number.POSITIVE_INFINITY, showHidden: true })).not.toContain(CODE);
    const views = await Promise.all([h.router.getPayment('v-1'), h.router.pay(voucher('v-1'))]);
    expect(JSON.stringify(views)).not.toContain(CODE);
    expect(inspect(views, { depth: Number.POSITIVE_INFINITY })).not.toContain(CODE);
    expect(JSON.stringify(h.events)).not.toContain(CODE);
  });

  it('without a key the voucher event says kept: false', async () => {
    const { h } = await pendingVoucher({ vouchers: false });
    const events: RouterEvents['voucher'][] = [];
    h.router.events.on('voucher', (event) => events.push(event));
    h.clock.advance(1_000);
    await h.router.finalizeDue();
    expect(events.map((event) => event.kept)).toEqual([false]);
  });
});

describe('start-up warning without a voucher key', () => {
  function started(vouchers: RouterOptions['vouchers'] | 'absent') {
    const warnings: { error: unknown; context: unknown }[] = [];
    const h = harness({
      ...(vouchers === 'absent' ? {} : { vouchers }),
      onError: (error, context) => warnings.push({ error, context }),
    });
    return { h, warnings };
  }

  it('says once, through onError, that codes confirmed later cannot be kept', async () => {
    const { h, warnings } = started('absent');
    await h.router.start();
    await h.router.start();
    await h.router.stop();
    expect(warnings).toHaveLength(1);
    const { error, context } = warnings[0]!;
    expect(error).toBeInstanceOf(RouterWarning);
    expect(error).toMatchObject({ code: 'TOLEM_VOUCHER_CODES_NOT_KEPT' });
    expect((error as Error).message).toMatch(/vouchers: \{ keys, current \}.*vouchers: false/);
    expect(context).toEqual({ source: 'startup', paymentId: null });
  });

  it.each([
    ['a key', keys],
    ['vouchers: false', false],
  ] as const)('says nothing with %s', async (_name, vouchers) => {
    const { h, warnings } = started(vouchers);
    await h.router.start();
    await h.router.stop();
    expect(warnings).toEqual([]);
  });
});

describe('the vouchers option', () => {
  const base = (): RouterOptions => ({
    providers: [new FakeProvider('vf-a')],
    routes: { steam: [{ provider: 'vf-a', serviceId: '7' }] },
    journal: createMemoryJournal(),
  });
  const SECRET_FORMS = [K1, 'ab'.repeat(31), K2];

  function refused(vouchers: unknown): ConfigError {
    try {
      resolveOptions({ ...base(), vouchers } as RouterOptions);
    } catch (error) {
      if (!ConfigError.is(error)) throw error;
      const printed = [
        inspect(error, { showHidden: true, depth: 8 }),
        error.stack ?? '',
        JSON.stringify(error),
      ];
      for (const secret of SECRET_FORMS) expect(printed.join('\n')).not.toContain(secret);
      return error;
    }
    throw new Error('expected a ConfigError');
  }

  it('accepts hex, base64, base64url, bytes and Secrets, and a keyring that prints no key', () => {
    const bytes = Buffer.from(K1, 'hex');
    const resolved = resolveOptions({
      ...base(),
      vouchers: {
        keys: {
          hex: K1,
          b64: K2,
          url: bytes.toString('base64url'),
          raw: new Uint8Array(bytes),
          secret: new Secret(K1),
        },
        current: 'b64',
      },
    });
    const keyring = resolved.vouchers.keyring;
    expect(keyring?.current).toBe('b64');
    expect(keyring?.ids).toEqual(['hex', 'b64', 'url', 'raw', 'secret']);
    expect(resolved.vouchers.silent).toBe(true);
    const printed = `${inspect(resolved, { depth: 8, showHidden: true })}${JSON.stringify({ ...resolved, journal: null, providers: null })}`;
    for (const secret of [K1, K2, bytes.toString('base64url')]) expect(printed).not.toContain(secret);
    expect(resolveOptions(base()).vouchers).toEqual({ keyring: null, silent: false });
    expect(resolveOptions({ ...base(), vouchers: false }).vouchers).toEqual({ keyring: null, silent: true });
  });

  it.each([
    ['not an object', 'yes', 'vouchers'],
    ['true', true, 'vouchers'],
    ['no keys', { current: 'k1' }, 'vouchers.keys'],
    ['empty keys', { keys: {}, current: 'k1' }, 'vouchers.keys'],
    ['a short hex key', { keys: { k1: 'ab'.repeat(31) }, current: 'k1' }, 'vouchers.keys.k1'],
    ['a 16-byte key', { keys: { k1: Buffer.alloc(16, 7) }, current: 'k1' }, 'vouchers.keys.k1'],
    [
      'a key that is not hex or base64',
      { keys: { k1: `${K1.slice(0, 63)}g` }, current: 'k1' },
      'vouchers.keys.k1',
    ],
    ['a placeholder key', { keys: { k1: '0'.repeat(64) }, current: 'k1' }, 'vouchers.keys.k1'],
    ['a number', { keys: { k1: 42 }, current: 'k1' }, 'vouchers.keys.k1'],
    ['a bad key id', { keys: { 'k 1': K1 }, current: 'k 1' }, 'vouchers.keys.k 1'],
    ['no current', { keys: { k1: K1 } }, 'vouchers.current'],
    ['a current that names no key', { keys: { k1: K1 }, current: 'k2' }, 'vouchers.current'],
    ['an unknown option', { keys: { k1: K1 }, current: 'k1', key: K1 }, 'vouchers.key'],
  ])('refuses %s, naming the field and never the key', (_name, vouchers, field) => {
    expect(refused(vouchers).option).toBe(field);
  });
});

describe('VoucherHold', () => {
  it('hands a code out once, forgets it after its time, and holds at most maxCodes', () => {
    const clock = new ManualClock();
    const hold = new VoucherHold(clock, { maxCodes: 3, ttlMs: 1_000 });
    hold.put('a', new Secret('A'));
    expect(hold.take('a')?.reveal()).toBe('A');
    expect(hold.take('a')).toBeUndefined();
    hold.put('b', new Secret('B'));
    clock.advance(1_000);
    expect(hold.take('b')).toBeUndefined();
    for (const id of ['c', 'd', 'e', 'f']) hold.put(id, new Secret(id));
    expect(hold.size).toBe(3);
    expect(hold.take('c')).toBeUndefined();
    expect(hold.take('f')?.reveal()).toBe('f');
  });
});

function unknownTimeout(transactionId: string) {
  return {
    state: 'unknown' as const,
    final: false,
    reason: 'timeout' as const,
    providerStatus: null,
    message: null,
    transactionId,
    providerRequestId: null,
    amount: null,
    currency: null,
    account: null,
    amountOnClient: null,
    exchangeRate: null,
    serviceCurrency: null,
  };
}
