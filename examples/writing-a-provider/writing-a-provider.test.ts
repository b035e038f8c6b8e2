import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from './writing-a-provider.js';

describe('examples/writing-a-provider', () => {
  it('drives the template provider through the router: check, pay, decline, callback, voucher, balance', async () => {
    const lines: string[] = [];
    const summary = await main((line) => lines.push(line));
    expect(summary.check).toBe('succeeded');
    expect(summary.paid).toMatchObject({
      paymentId: 'order-1',
      state: 'succeeded',
      final: true,
      provider: 'acme-kzt',
    });
    expect(summary.declined).toMatchObject({
      state: 'failed',
      reason: 'account_not_found',
      providerStatus: 'NO_ACCOUNT',
    });
    expect(summary.callback).toBe('confirmed');
    expect(summary.settledByCallback).toMatchObject({
      paymentId: 'order-3',
      state: 'succeeded',
      final: true,
    });
    expect(summary.voucher).toMatchObject({
      paymentId: 'order-4',
      state: 'succeeded',
      voucherStatus: 'available',
    });
    expect(summary.voucherDelivered).toBe(true);
    // 125 000.50 less the three payments Acme took: 100.00, 250.00 and the voucher's 4990.50.
    expect(summary.balance).toBe('119660.00');
    expect(lines).toHaveLength(8);
    // The voucher's code is on the result for the receipt, and nowhere in what the example prints.
    const code = summary.voucher.voucherCode?.reveal() ?? '';
    expect(code).toMatch(/^ACME-GIFT-/);
    expect(lines.join('\n')).not.toContain(code);
    expect(JSON.stringify(summary)).not.toContain(code);
  }, 60_000);

  it('runs as a program, as examples/README.md says, and prints what happened', async () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const script = fileURLToPath(new URL('./writing-a-provider.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', tsx, '--conditions=@tolem/source', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^pay {7}order-1: succeeded at acme-kzt, transaction [1-9]\d{0,14}$/m);
    expect(stdout).toMatch(/^callback {2}order-3: confirmed by Status, now succeeded$/m);
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({
      check: 'succeeded',
      payments: ['order-1 succeeded', 'order-2 failed', 'order-3 succeeded', 'order-4 succeeded'],
      callback: 'confirmed',
    });
  }, 60_000);
});
