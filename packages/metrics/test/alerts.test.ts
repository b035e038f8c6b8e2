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
const runbooks = readFileSync(new URL('../../../docs/runbooks.md', import.meta.url), 'utf8');

describe('alerts/tolem.rules.yml', () => {
  it('passes promtool check rules (syntax, PromQL, lint)', async () => {
    const result = await promtool(['check', 'rules', rulesPath]);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('ships a Prometheus configuration that promtool accepts, loading these rules and scraping job tolem', async () => {
    const config = fileURLToPath(new URL('../prometheus/prometheus.yml', import.meta.url));
    const result = await promtool(['check', 'config', config]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toContain('SUCCESS: 1 rule files found');
    expect(result.stdout + result.stderr).toContain('tolem.rules.yml');
    expect(readFileSync(config, 'utf8')).toMatch(/job_name: tolem\n/);
  });

  it('passes its promtool unit tests (alerts/tolem.rules.test.yml)', async () => {
    const result = await promtool(['test', 'rules', 'tolem.rules.test.yml'], { cwd: alertsDir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
  });

  it('has the alerts operators need, each unit-tested', () => {
    const names = alerts.map((rule) => rule.alert);
    expect(names).toEqual([
      'TolemExporterDown',
      'TolemMetricsAbsent',
      'TolemCircuitBreakerStuckOpen',
      'TolemProviderTransportErrors',
      'TolemProviderRequestErrors',
      'TolemProviderAuthenticationFailed',
      'TolemProviderAnswerConflict',
      'TolemPaymentDeclinesSpike',
      'TolemProviderLatencyHigh',
      'TolemPaymentsStuck',
      'TolemFinalizerStalled',
      'TolemOpenPaymentsNotRechecked',
      'TolemProviderBalanceLow',
      'TolemProviderBalanceRunsOut',
      'TolemCallbacksRejected',
      'TolemJournalUnreadable',
    ]);
    const testText = readFileSync(`${alertsDir}tolem.rules.test.yml`, 'utf8');
    for (const name of names) {
      // Each alert is tested firing (exp_labels follow) and quiet (exp_alerts: []).
      expect(testText, `${name} never fires in a test`).toMatch(
        new RegExp(`alertname: ${name}\n\\s+exp_alerts:\n\\s+- exp_labels:`),
      );
      expect(testText, `${name} is never tested quiet`).toMatch(
        new RegExp(`alertname: ${name}\n\\s+exp_alerts: \\[\\]`),
      );
    }
    expect(alerts.find((rule) => rule.alert === 'TolemProviderAuthenticationFailed')?.expr).toContain(
      'reason="auth_failed"',
    );
  });

  it('gives every alert a for, a severity, a summary, a description and a runbook_url into docs/runbooks.md', () => {
    const headings = new Set(
      [...runbooks.matchAll(/^#{2,3} (.+)$/gm)].map((match) =>
        (match[1] ?? '')
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const rule of alerts) {
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels.severity);
      for (const key of ['summary', 'description']) {
        expect(rule.annotations[key]?.length, `${rule.alert}: ${key}`).toBeGreaterThan(20);
      }
      const url = rule.annotations.runbook_url ?? '';
      expect(url, rule.alert).toBe(`docs/runbooks.md#${rule.alert?.toLowerCase()}`);
      expect(headings, `${rule.alert}: no section ${url} in docs/runbooks.md`).toContain(url.split('#')[1]);
    }
  });

  it('has a runbook section for every alert saying what it means, how to confirm, what to do, which command helps', () => {
    for (const rule of alerts) {
      const start = runbooks.indexOf(`## ${rule.alert}\n`);
      expect(start, `${rule.alert} section`).toBeGreaterThanOrEqual(0);
      const next = runbooks.indexOf('\n## ', start + 3);
      const section = runbooks.slice(start, next === -1 ? undefined : next);
      for (const part of ['**Means**', '**Confirm**', '**Do**', '**Commands**']) {
        expect(section, `${rule.alert}: ${part}`).toContain(part);
      }
      expect(section, `${rule.alert}: a tolem command`).toMatch(/`tolem [a-z]/);
    }
  });

  it('reads the journal gauges once per journal: max by (…, journal, …), never summed across instances', () => {
    const journalGauges = /tolem_(payments_open|payments_stuck|payment_oldest_open_age_seconds)\b/g;
    let uses = 0;
    for (const rule of rules) {
      for (const match of rule.expr.matchAll(journalGauges)) {
        uses += 1;
        const before = rule.expr.slice(0, match.index);
        const aggregation = /max by \(([^)]*)\)\s*\(\s*$/.exec(before);
        expect(aggregation?.[1]?.split(/,\s*/), `${rule.alert ?? rule.record}: ${rule.expr}`).toContain(
          'journal',
        );
      }
    }
    expect(uses).toBeGreaterThanOrEqual(2);
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
