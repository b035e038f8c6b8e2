import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAMILIES, HISTOGRAMS, isCounterSeries, PREFIX } from './metric-catalogue.js';
import { bareCounters, familyName, metricNames } from './promql.js';
import { promtool } from './promtool.js';
import { readRules } from './rules-file.js';

const alertsDir = fileURLToPath(new URL('../alerts/', import.meta.url));
const rulesPath = `${alertsDir}tolem.rules.yml`;
const rules = readRules(rulesPath);
const alerts = rules.filter((rule) => rule.alert !== undefined);

describe('alerts/tolem.rules.yml', () => {
  it('passes promtool check rules (syntax, PromQL, lint)', async () => {
    const result = await promtool(['check', 'rules', rulesPath]);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('passes its promtool unit tests (alerts/tolem.rules.test.yml)', async () => {
    const result = await promtool(['test', 'rules', 'tolem.rules.test.yml'], { cwd: alertsDir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
  });

  it('has the alerts operators need, each unit-tested', () => {
    const names = alerts.map((rule) => rule.alert);
    expect(names).toEqual([
      'TolemCircuitBreakerOpen',
      'TolemProviderErrorRatioHigh',
      'TolemPaymentsStuck',
      'TolemProviderBalanceLow',
      'TolemProviderAuthenticationFailed',
      'TolemNoProviderRequestsWhilePaymentsOpen',
      'TolemJournalUnreadable',
    ]);
    const testText = readFileSync(`${alertsDir}tolem.rules.test.yml`, 'utf8');
    for (const name of names)
      expect(testText, `${name} has no promtool test`).toContain(`alertname: ${name}`);
    expect(alerts.find((rule) => rule.alert === 'TolemProviderAuthenticationFailed')?.expr).toContain(
      'reason="auth_failed"',
    );
  });

  it('gives every alert a for, a severity, a summary, a description and a runbook', () => {
    for (const rule of alerts) {
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels.severity);
      for (const key of ['summary', 'description', 'runbook']) {
        expect(rule.annotations[key]?.length, `${rule.alert}: ${key}`).toBeGreaterThan(20);
      }
    }
  });

  it('reads counters only through rate() or increase(), and uses only metrics the bridge exports', () => {
    expect(rules.length).toBeGreaterThan(alerts.length);
    for (const rule of rules) {
      expect(bareCounters(rule.expr, isCounterSeries), `${rule.alert ?? rule.record}: ${rule.expr}`).toEqual(
        [],
      );
      for (const name of metricNames(rule.expr, PREFIX))
        expect(FAMILIES).toContain(familyName(name, HISTOGRAMS));
    }
  });
});
