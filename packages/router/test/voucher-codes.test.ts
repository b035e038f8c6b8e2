/**
 * Issue 10 item 7 end to end: sendType 'api' vouchers against the simulator whose first answer is not
 * final — pending (the simulator's slow account) or lost (the connection cut after processing) — end
 * with their code available from waitForFinal and getPayment, also after a restart on the same SQLite
 * journal with the key, and plainly not without it. The simulator's ledger holds the code it issued.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RouterOptions } from '../src/options.js';
import type { PayRequest } from '../src/types.js';
import { AGENT_ID, type Stack, stack } from './stack.js';

const TIMEOUT = 60_000;
const KEYS = { keys: { k1: `${'3f'.repeat(31)}40` }, current: 'k1' };
const ROUTES: RouterOptions['routes'] = {
  steam: [{ provider: 'vf-a', serviceId: '7' }],
  code: [{ provider: 'vf-a', serviceId: '1549' }],
};

let current: Stack | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

/** A static voucher (1549), its code sent back in the answer. */
const voucher = (paymentId: string, account = 'kkazbek.smeken@gmail.com'): PayRequest => ({
  paymentId,
  service: 'code',
  account,
  amount: '5333.45',
  currency: 'KZT',
  sendType: 'api',
});

/** Every way a code could be written down. */
function formsOf(code: string): string[] {
  return [
    code,
    encodeURIComponent(code),
    JSON.stringify(code).slice(1, -1),
    Buffer.from(code).toString('base64'),
  ];
}

/** Pays one voucher whose first answer is pending and one whose answer is lost; neither is final. */
async function payLateVouchers(s: Stack): Promise<Record<string, string>> {
  const pending = await s.router.pay(voucher('late-pending', 'slow-user@example.com'));
  expect(pending).toMatchObject({ state: 'pending', final: false, voucherStatus: 'pending' });
  expect(pending.voucherCode).toBeUndefined();
  s.simA.faults.add({ requestType: 'Payment', times: 1, fault: { kind: 'drop-after' } });
  const lost = await s.router.pay(voucher('late-lost'));
  expect(lost).toMatchObject({ state: 'unknown', final: false, voucherStatus: 'pending' });
  expect(lost.voucherCode).toBeUndefined();
  // The codes the simulator issued (it has both payments).
  const issued: Record<string, string> = {};
  await s.router.start();
  for (const view of [pending, lost]) {
    const done = await s.router.waitForFinal(view.paymentId, { timeoutMs: 30_000 });
    expect(done, view.paymentId).toMatchObject({
      state: 'succeeded',
      final: true,
      voucherStatus: 'available',
    });
    const code = s.simA.ledger.get(view.transactionId ?? '', AGENT_ID)?.voucherCode?.reveal() ?? '';
    expect(code, view.paymentId).toMatch(/\S{4,}/);
    expect(done.voucherCode?.reveal(), view.paymentId).toBe(code);
    issued[view.paymentId] = code;
  }
  expect(s.simA.ledger.requestCount('Payment')).toBe(2);
  return issued;
}

describe('voucher codes whose first answer is not final', () => {
  it(
    'with a key: from waitForFinal, getPayment and a repeat pay(); after a restart with the key too; not without it',
    async () => {
      current = await stack({ router: { routes: ROUTES, vouchers: KEYS } });
      const s = current;
      const issued = await payLateVouchers(s);
      for (const [paymentId, code] of Object.entries(issued)) {
        expect((await s.router.getPayment(paymentId))?.voucherCode?.reveal()).toBe(code);
        const account = paymentId === 'late-pending' ? 'slow-user@example.com' : undefined;
        expect((await s.router.pay(voucher(paymentId, account))).voucherCode?.reveal()).toBe(code);
      }
      await s.router.stop();

      // A restart on the same SQLite file, with the key.
      const restarted = s.openRouter({ routes: ROUTES, vouchers: KEYS });
      for (const [paymentId, code] of Object.entries(issued)) {
        const view = await restarted.waitForFinal(paymentId, { timeoutMs: 1_000 });
        expect(view.voucherStatus, paymentId).toBe('available');
        expect(view.voucherCode?.reveal(), paymentId).toBe(code);
      }
      // ... and without it: a plain, typed answer that the code cannot be given.
      const keyless = s.openRouter({ routes: ROUTES, vouchers: false });
      for (const paymentId of Object.keys(issued)) {
        const view = await keyless.getPayment(paymentId);
        expect(view, paymentId).toMatchObject({ state: 'succeeded', voucherStatus: 'key_missing' });
        expect(view, paymentId).not.toHaveProperty('voucherCode');
      }

      // The journal holds the codes only sealed: not in the SQLite file's bytes, in any form.
      const folder = dirname(s.dbPath);
      const bytes = readdirSync(folder)
        .map((name) => readFileSync(`${folder}/${name}`))
        .flatMap((buffer) => [buffer.toString('latin1'), buffer.toString('utf8')])
        .join('\n');
      for (const paymentId of Object.keys(issued)) {
        expect((await keyless.journal.get(paymentId))?.voucher?.keyId, paymentId).toBe('k1');
      }
      for (const code of Object.values(issued)) {
        for (const form of formsOf(code)) expect(bytes.includes(form), form).toBe(false);
      }
      // Nor in any event the router emitted, printed as JSON.
      const events = JSON.stringify(s.events);
      for (const code of Object.values(issued))
        for (const form of formsOf(code)) expect(events).not.toContain(form);
    },
    TIMEOUT,
  );

  it(
    'without a key: this process’s waiters still get the codes; after a restart the answer is not_kept',
    async () => {
      current = await stack({ router: { routes: ROUTES, vouchers: false } });
      const s = current;
      const issued = await payLateVouchers(s);
      await s.router.stop();
      const restarted = s.openRouter({ routes: ROUTES, vouchers: false });
      for (const paymentId of Object.keys(issued)) {
        expect((await restarted.journal.get(paymentId))?.voucher, paymentId).toBeNull();
      }
      for (const paymentId of Object.keys(issued)) {
        const view = await restarted.getPayment(paymentId);
        expect(view, paymentId).toMatchObject({ state: 'succeeded', voucherStatus: 'not_kept' });
        expect(view, paymentId).not.toHaveProperty('voucherCode');
      }
    },
    TIMEOUT,
  );
});
