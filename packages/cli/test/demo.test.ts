import { describe, expect, it } from 'vitest';
import { cleanEnv, collect, json, start, tolem, waitForOutput } from './run-tolem.js';

const TIMEOUT = 120_000;

describe('tolem demo', () => {
  it(
    'walks through the shift and exits 0 with a summary and the /metrics URL',
    async () => {
      const result = await tolem(['demo'], cleanEnv());
      expect(result.code, result.stderr).toBe(0);
      for (const step of [
        '[1/9] Steam top-up',
        'dynamic voucher',
        'static voucher',
        'Alseko',
        'declined',
        'timeout',
        'callback',
        'breaker',
        'Balance',
      ]) {
        expect(result.stdout).toContain(step);
      }
      expect(result.stdout).toContain('breaker of vf-a: closed → open');
      expect(result.stdout).toContain('pay moved from vf-a to vf-b (breaker_open)');
      expect(result.stdout).toMatch(/callback from vf-a for shift-07-callback/);
      expect(result.stdout).toContain('Summary');
      expect(result.stdout).toMatch(/Metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/);
      expect(result.stdout).toContain('Every payment reached the state it should');
      expect(result.stdout).not.toContain('✗');
    },
    TIMEOUT,
  );

  it(
    '--serve --json: one JSON document, /metrics served until Ctrl-C, then exit 0',
    async () => {
      const child = start(['demo', '--serve', '--json'], cleanEnv());
      const done = collect(child);
      const narration = await waitForOutput(
        child.stderr as NodeJS.ReadableStream,
        /Serving until Ctrl-C[\s\S]*finalizer keeps running/,
      );
      const metricsUrl = /metrics\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(narration)?.[1];
      expect(metricsUrl).toBeDefined();
      const response = await fetch(metricsUrl as string);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toMatch(/tolem_payments_total\{provider="vf-b",service="steam",state="succeeded"\} 1/);
      expect(text).toMatch(/tolem_failovers_total\{from="vf-a",to="vf-b",reason="breaker_open"\} 1/);
      expect(text).toContain('tolem_provider_balance{');

      child.kill('SIGINT');
      const result = await done;
      expect(result.code).toBe(0);
      const doc = json(result);
      expect(doc.ok).toBe(true);
      const payments = doc.payments as Record<string, unknown>[];
      expect(payments).toHaveLength(8);
      expect(payments.filter((payment) => payment.state === 'failed')).toEqual([
        expect.objectContaining({ paymentId: 'shift-05-declined', reason: 'account_not_found', ok: true }),
      ]);
      expect(payments.find((payment) => payment.paymentId === 'shift-08-failover')).toMatchObject({
        provider: 'vf-b',
        state: 'succeeded',
      });
      expect(payments.every((payment) => payment.ok === true && payment.final === true)).toBe(true);
    },
    TIMEOUT,
  );
});
