import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDashboard } from './dashboard-source.js';
import { FAMILIES, HISTOGRAMS, isCounterSeries, PREFIX } from './metric-catalogue.js';
import { bareCounters, familyName, metricNames, seriesUses } from './promql.js';

interface Target {
  expr: string;
  refId: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  repeat?: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig?: {
    defaults: {
      unit?: string;
      noValue?: string;
      links?: { url: string }[];
      thresholds?: { steps: { value: number | null; color: string }[] };
      mappings?: {
        type: string;
        options: Record<string, { text: string; color?: string }> & {
          match?: string;
          result?: { text: string; color?: string };
        };
      }[];
    };
  };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  definition?: string;
  datasource?: { type: string; uid: string };
  current?: { value?: string };
}
interface Annotation {
  name: string;
  expr?: string;
  datasource: { type: string; uid: string };
}

const jsonText = readFileSync(new URL('../dashboards/tolem-overview.json', import.meta.url), 'utf8');
const dashboard = JSON.parse(jsonText) as {
  __inputs: { name: string; type: string; pluginId: string }[];
  __requires: { type: string; id: string; version: string }[];
  uid: string;
  title: string;
  schemaVersion: number;
  id: null;
  panels: Panel[];
  templating: { list: Variable[] };
  annotations: { list: Annotation[] };
};

/** Every query goes through the `datasource` variable. */
const DATASOURCE = { type: 'prometheus', uid: `\${datasource}` };

const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
const expressions = panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel, expr: target.expr })),
);
const byTitle = (title: string): Panel => {
  const panel = panels.find((p) => p.title === title);
  if (!panel) throw new Error(`no panel ${title}`);
  return panel;
};
/** Every `tolem_…{…}` selector in an expression, with its name and matchers. */
const selectors = (expr: string) =>
  [...expr.matchAll(/(tolem_[a-z_]+)\{([^}]*)\}/g)].map((m) => ({ name: m[1] ?? '', matchers: m[2] ?? '' }));

const WITH_PROVIDER = new Set(
  [
    'provider_requests_total',
    'provider_request_duration_seconds_bucket',
    'payments_total',
    'payments_open',
    'payment_oldest_open_age_seconds',
    'payments_stuck',
    'payment_finalization_seconds_bucket',
    'circuit_breaker_state',
    'circuit_breaker_transitions_total',
    'provider_balance',
    'provider_overdraft',
    'callbacks_total',
    'routing_decisions_total',
  ].map((name) => `${PREFIX}${name}`),
);

describe('dashboards/tolem-overview.json', () => {
  it('is exactly what the typed source builds (checked against @grafana/schema by tsc)', async () => {
    // After editing test/dashboard-source.ts: `npx vitest run packages/metrics/test/dashboard.test.ts -u`.
    await expect(`${JSON.stringify(buildDashboard(), null, 2)}\n`).toMatchFileSnapshot(
      '../dashboards/tolem-overview.json',
    );
  });

  it('is importable: a stable uid, no numeric id, Grafana 10 requirements and a Prometheus input', () => {
    expect(dashboard.uid).toBe('tolem-overview');
    expect(dashboard.id).toBeNull();
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.__inputs).toContainEqual(
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    );
    const grafana = dashboard.__requires.find((r) => r.type === 'grafana');
    expect(Number(grafana?.version.split('.')[0])).toBeGreaterThanOrEqual(10);
    const requiredPanels = new Set(dashboard.__requires.filter((r) => r.type === 'panel').map((r) => r.id));
    for (const panel of panels) expect(requiredPanels, panel.title).toContain(panel.type);
    expect([...requiredPanels].sort()).toEqual(['stat', 'state-timeline', 'timeseries']);
  });

  it('works under file provisioning: a datasource variable every panel, annotation and variable goes through', () => {
    const [datasource, ...others] = dashboard.templating.list;
    expect(datasource).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    const byName = new Map(others.map((variable) => [variable.name, variable]));
    expect([...byName.keys()]).toEqual(['job', 'instance', 'provider', 'service', 'currency']);
    for (const [name, variable] of byName) {
      expect(variable.type, name).toBe('query');
      expect(variable.datasource).toEqual(DATASOURCE);
      const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
      const label = name === 'service' ? 'service' : name;
      expect(query).toMatch(new RegExp(`^label_values\\(${PREFIX}[a-z_]+(\\{.*\\})?, ${label}\\)$`));
    }
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual(DATASOURCE);
      for (const target of panel.targets ?? []) expect(target.datasource).toEqual(panel.datasource);
    }
    for (const annotation of dashboard.annotations.list.filter((a) => a.expr !== undefined))
      expect(annotation.datasource, annotation.name).toEqual(DATASOURCE);
    // `${DS_PROMETHEUS}` may only appear as the variable's import-time default, never in a query.
    const text = JSON.stringify({ panels: dashboard.panels, others, annotations: dashboard.annotations });
    expect(text).not.toContain('DS_PROMETHEUS');
  });

  it('gives every panel a unit, a description, queries and a place of its own on the grid', () => {
    const ids = new Set<number>();
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      expect(ids.has(panel.id), `duplicate id ${panel.id}`).toBe(false);
      ids.add(panel.id);
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let dx = 0; dx < w; dx += 1) {
        for (let dy = 0; dy < h; dy += 1) {
          const cell = `${x + dx},${y + dy}`;
          expect(cells.has(cell), `${panel.title} overlaps at ${cell}`).toBe(false);
          cells.add(cell);
        }
      }
    }
    for (const panel of panels) {
      expect(panel.description?.length, `${panel.title}: description`).toBeGreaterThan(20);
      expect(panel.fieldConfig?.defaults.unit, `${panel.title}: unit`).toMatch(/\S/);
      expect(panel.targets?.length, `${panel.title}: targets`).toBeGreaterThan(0);
    }
  });

  it('reads every counter and histogram series through rate() or increase() over a range', () => {
    expect(expressions.length).toBeGreaterThan(20);
    const annotationExprs = dashboard.annotations.list.flatMap((a) => (a.expr ? [a.expr] : []));
    for (const { panel, expr } of expressions) {
      expect(bareCounters(expr, isCounterSeries), `${panel.title}: ${expr}`).toEqual([]);
    }
    for (const expr of annotationExprs) expect(bareCounters(expr, isCounterSeries), expr).toEqual([]);
  });

  it('filters every query by job and instance, by $provider wherever the metric has a provider, by $service where it has a route', () => {
    for (const { panel, expr } of expressions) {
      const found = selectors(expr);
      expect(found.length, `${panel.title}: ${expr}`).toBe(metricOccurrences(expr));
      for (const { name, matchers } of found) {
        expect(matchers, panel.title).toContain('job=~"$job"');
        expect(matchers, panel.title).toContain('instance=~"$instance"');
        if (WITH_PROVIDER.has(name))
          expect(matchers, `${panel.title}: ${name}`).toContain('provider=~"$provider"');
        if (name === `${PREFIX}failovers_total`)
          expect(matchers, panel.title).toMatch(/(from|to)=~"\$provider"/);
        if (name === `${PREFIX}failovers_total`)
          expect(matchers, panel.title).toContain('service=~"$service"');
        // Its route label is the route name the $service variable lists.
        if (name === `${PREFIX}routing_decisions_total`)
          expect(matchers, panel.title).toContain('route=~"$service"');
      }
    }
    // Failovers honour $provider on either side: one selector for `from`, one for `to`.
    const failovers = expressions.find(({ expr }) => expr.includes('tolem_failovers_total'))?.expr ?? '';
    expect(failovers).toContain('from=~"$provider"');
    expect(failovers).toContain('to=~"$provider"');
  });

  it('counts journal gauges once per journal (max by journal), never summed across instances', () => {
    const journalGauges = ['payments_open', 'payments_stuck', 'payment_oldest_open_age_seconds'];
    let uses = 0;
    for (const { panel, expr } of expressions) {
      for (const match of expr.matchAll(
        /tolem_(payments_open|payments_stuck|payment_oldest_open_age_seconds)\{/g,
      )) {
        uses += 1;
        const before = expr.slice(0, match.index);
        const labels = /max by \(([^)]*)\)\s*\(\s*$/.exec(before)?.[1]?.split(/,\s*/) ?? [];
        expect(labels, `${panel.title}: ${expr}`).toContain('journal');
      }
    }
    expect(uses).toBeGreaterThanOrEqual(journalGauges.length);
  });

  it('uses only metrics the bridge exports, and shows every one of them', () => {
    const used = new Set(
      expressions.flatMap(({ expr }) => metricNames(expr, PREFIX)).map((n) => familyName(n, HISTOGRAMS)),
    );
    for (const name of used) expect(FAMILIES, name).toContain(name);
    for (const name of FAMILIES) expect(used, name).toContain(name);
  });

  it('computes latency quantiles with histogram_quantile over the rate of _bucket, by le', () => {
    const quantiles = expressions.filter(({ expr }) => expr.includes('histogram_quantile'));
    const quantileValues = quantiles.map(({ expr }) => /histogram_quantile\((0\.\d+)/.exec(expr)?.[1]);
    for (const q of ['0.5', '0.95', '0.99']) expect(quantileValues).toContain(q);
    for (const { expr } of quantiles) {
      expect(expr).toMatch(/sum by \((provider, )?le[,)]/);
      const uses = seriesUses(expr, (name) => name.startsWith(PREFIX));
      expect(uses.every((use) => use.name.endsWith('_bucket') && use.enclosing === 'rate')).toBe(true);
    }
    expect(byTitle('Latency p50 / p95 / p99').fieldConfig?.defaults.unit).toBe('s');
  });

  it('shows breaker state as a state timeline mapping 0, 1 and 2 to closed, half-open and open', () => {
    const timeline = panels.find((panel) => panel.type === 'state-timeline');
    expect(timeline?.targets?.[0]?.expr).toContain('tolem_circuit_breaker_state');
    const mapping = timeline?.fieldConfig?.defaults.mappings?.find((m) => m.type === 'value');
    expect(mapping?.options['0']?.text).toBe('closed');
    expect(mapping?.options['1']?.text).toBe('half-open');
    expect(mapping?.options['2']?.text).toBe('open');
  });

  it('never shows a red NaN for payment success with no traffic: 0/0 is no value, shown as "no payments" in blue', () => {
    const success = byTitle('Payment success');
    const expr = success.targets?.[0]?.expr ?? '';
    // The denominator only exists when something finished: no traffic gives no sample, not 0/0 = NaN.
    expect(expr).toMatch(/\/ \(sum\(increase\(tolem_payments_total\{[^}]*\}\[\$__range\]\)\) > 0\)$/);
    const defaults = success.fieldConfig?.defaults;
    expect(defaults?.noValue).toBe('no payments');
    const special = defaults?.mappings?.find((m) => m.type === 'special');
    expect(special?.options.match).toBe('null+nan');
    expect(special?.options.result).toEqual(expect.objectContaining({ text: 'no payments', color: 'blue' }));
  });

  it('splits errors by reason class, with conflicts, refused callbacks, finalizer heartbeat and balances of their own', () => {
    expect(byTitle('Error ratio by class').targets?.[0]?.expr).toContain('sum by (provider, reason_kind)');
    for (const title of ['Transport errors by reason', 'Request errors by reason', 'Declines by reason']) {
      expect(byTitle(title).targets?.[0]?.expr, title).toMatch(/reason_kind="(transport|request|decline)"/);
    }
    expect(byTitle('Conflicting answers').targets?.[0]?.expr).toContain('reason="conflict"');
    expect(byTitle('Callbacks by result').description).toMatch(/rejected.*forged/);
    expect(byTitle('Finalizer: seconds since last pass').targets?.[0]?.expr).toContain(
      'tolem_finalizer_last_pass_timestamp_seconds',
    );
    const funds = byTitle('Available funds ($currency)');
    expect(funds.repeat).toBe('currency');
    expect(funds.targets?.map((t) => t.expr).join('\n')).toContain(
      'tolem:provider_balance_alert_threshold{currency=~"$currency"}',
    );
    const runsOut = byTitle('Runs out in');
    expect(runsOut.targets?.[0]?.expr).toMatch(/\/ -\(deriv\(.*\[1h:1m\]\) < 0\)$/);
    expect(runsOut.fieldConfig?.defaults.unit).toBe('s');
  });

  it('drills down per route: a service variable and links from route series to the dashboard narrowed to it', () => {
    for (const title of ['Final payments by route', 'Success ratio by route']) {
      const link = byTitle(title).fieldConfig?.defaults.links?.[0]?.url ?? '';
      expect(link, title).toContain('/d/tolem-overview/');
      expect(link, title).toContain(`var-service=\${__field.labels.service}`);
    }
  });

  it('annotates tolem alerts and breaker transitions', () => {
    const names = dashboard.annotations.list.map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(['tolem alerts', 'Breaker transitions']));
    const alerts = dashboard.annotations.list.find((a) => a.name === 'tolem alerts');
    expect(alerts?.expr).toMatch(/^ALERTS\{alertname=~"Tolem\.\*",alertstate="firing"/);
    const breakers = dashboard.annotations.list.find((a) => a.name === 'Breaker transitions');
    expect(breakers?.expr).toContain('increase(tolem_circuit_breaker_transitions_total{');
  });
});

function metricOccurrences(expr: string): number {
  return seriesUses(expr, (name) => name.startsWith(PREFIX)).length;
}
