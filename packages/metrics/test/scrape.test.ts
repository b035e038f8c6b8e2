import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type InstrumentedScrape, instrumentedScrape, PASSWORDS } from './instrumented-scrape.js';
import { FAMILIES, HISTOGRAMS, PREFIX } from './metric-catalogue.js';
import { familyName, metricNames } from './promql.js';
import { promtool } from './promtool.js';
import { readRules } from './rules-file.js';
import { parseScrape, type Scrape, value } from './scrape-text.js';

let run: InstrumentedScrape;
let scrape: Scrape;

beforeAll(async () => {
  run = await instrumentedScrape();
  scrape = parseScrape(run.text);
}, 120_000);

/** Names of samples in the scrape, and of the families they belong to. */
function namesInScrape(): Set<string> {
  const names = new Set(scrape.samples.map((sample) => sample.name));
  for (const family of scrape.types.keys()) names.add(family);
  return names;
}

describe('a real scrape of an instrumented router after a shift against the simulator', () => {
  it('passes promtool check metrics', async () => {
    const result = await promtool(['check', 'metrics'], { stdin: run.text });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('recorded the shift', () => {
    const ok = { state: 'succeeded', reason: 'none' };
    expect(
      value(scrape, 'tolem_provider_requests_total', { provider: 'vf-a', operation: 'pay', ...ok }),
    ).toBeGreaterThan(0);
    expect(
      value(scrape, 'tolem_provider_requests_total', {
        provider: 'vf-a',
        operation: 'checkAccount',
        state: 'failed',
        reason: 'account_not_found',
      }),
    ).toBe(1);
    expect(
      value(scrape, 'tolem_provider_requests_total', {
        provider: 'vf-locked',
        operation: 'checkAccount',
        state: 'unknown',
        reason: 'auth_failed',
      }),
    ).toBe(1);
    expect(
      value(scrape, 'tolem_provider_requests_total', {
        provider: 'vf-locked',
        operation: 'getBalance',
        state: 'unknown',
        reason: 'auth_failed',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(scrape, 'tolem_payments_total', { provider: 'vf-a', service: 'steam', state: 'succeeded' }),
    ).toBe(3);
    expect(
      value(scrape, 'tolem_failovers_total', { from: 'vf-a', to: 'vf-b', reason: 'provider_technical' }),
    ).toBeGreaterThan(0);
    expect(value(scrape, 'tolem_callbacks_total', { provider: 'vf-a', result: 'unchanged' })).toBe(1);
    expect(value(scrape, 'tolem_callbacks_total', { provider: 'vf-a', result: 'rejected' })).toBe(1);
    expect(value(scrape, 'tolem_callbacks_total', { provider: 'vf-a', result: 'invalid' })).toBe(1);
    expect(value(scrape, 'tolem_circuit_breaker_state', { provider: 'vf-b' })).toBe(2);
    expect(
      value(scrape, 'tolem_circuit_breaker_transitions_total', { provider: 'vf-b', state: 'open' }),
    ).toBe(1);
    expect(
      value(scrape, 'tolem_provider_requests_total', {
        provider: 'vf-b',
        operation: 'checkAccount',
        state: 'rejected',
        reason: 'breaker_open',
      }),
    ).toBeGreaterThan(0);
    expect(value(scrape, 'tolem_provider_balance', { provider: 'vf-a', currency: 'KZT' })).toBeGreaterThan(0);
    expect(value(scrape, 'tolem_provider_overdraft', { provider: 'vf-a', currency: 'KZT' })).toBe(250000);
    // Every final payment is timed once: three succeeded and one declined at vf-a.
    expect(
      value(scrape, 'tolem_payments_total', { provider: 'vf-a', service: 'steam', state: 'failed' }),
    ).toBe(1);
    expect(value(scrape, 'tolem_payment_finalization_seconds_count', { provider: 'vf-a' })).toBe(4);
    expect(
      value(scrape, 'tolem_failovers_total', { from: 'vf-b', to: 'vf-a', reason: 'breaker_open' }),
    ).toBeGreaterThan(0);
    expect(value(scrape, 'tolem_payments_open', { provider: 'none', state: 'unknown' })).toBe(0);
  });

  it('has every metric the dashboard and the alert rules query', () => {
    const available = namesInScrape();
    const dashboard = readFileSync(new URL('../dashboards/tolem-overview.json', import.meta.url), 'utf8');
    const exprs = [...dashboard.matchAll(/"(?:expr|definition)": "((?:[^"\\]|\\.)*)"/g)].map(
      (match) => JSON.parse(`"${match[1]}"`) as string,
    );
    const rules = readRules(fileURLToPath(new URL('../alerts/tolem.rules.yml', import.meta.url)));
    exprs.push(...rules.map((rule) => rule.expr));
    const referenced = new Set(exprs.flatMap((expr) => metricNames(expr, PREFIX)));
    expect(referenced.size).toBeGreaterThan(10);
    for (const name of referenced) {
      expect(
        available.has(name) || available.has(familyName(name, HISTOGRAMS)),
        `${name} is not in the scrape`,
      ).toBe(true);
    }
    for (const family of FAMILIES) expect(scrape.types.has(family), family).toBe(true);
  });

  it('carries no account, transaction id, payment id, amount or password in any label', () => {
    expect(run.transactionIds.length).toBeGreaterThan(4);
    const forbidden = [...run.accounts, ...run.amounts, ...run.paymentIds, ...run.transactionIds];
    for (const sample of scrape.samples) {
      for (const [label, labelValue] of Object.entries(sample.labels)) {
        if (label === 'le') continue;
        const where = `${sample.name}{${label}="${labelValue}"}`;
        for (const secret of forbidden) expect(labelValue.includes(secret), where).toBe(false);
        // Nothing numeric at all: ids and amounts are numbers; every label here comes from a closed list.
        expect(labelValue, where).not.toMatch(/^-?\d+([.,]\d+)?$/);
      }
    }
    for (const password of PASSWORDS) expect(run.text).not.toContain(password);
  });
});
