import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig?: {
    defaults: { unit?: string; mappings?: { type: string; options: Record<string, { text: string }> }[] };
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

const dashboard = JSON.parse(
  readFileSync(new URL('../dashboards/tolem-overview.json', import.meta.url), 'utf8'),
) as {
  __inputs: { name: string; type: string; pluginId: string }[];
  __requires: { type: string; id: string; version: string }[];
  uid: string;
  title: string;
  schemaVersion: number;
  id: null;
  panels: Panel[];
  templating: { list: Variable[] };
};

/** Every query goes through the `datasource` variable. */
const DATASOURCE = { type: 'prometheus', uid: `\${datasource}` };

const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
const expressions = panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel, expr: target.expr })),
);

describe('dashboards/tolem-overview.json', () => {
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
  });

  it('works under file provisioning: a datasource variable every panel and query variable goes through', () => {
    const [datasource, ...others] = dashboard.templating.list;
    expect(datasource).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    const byName = new Map(others.map((variable) => [variable.name, variable]));
    for (const name of ['job', 'instance']) {
      const variable = byName.get(name);
      expect(variable?.type, name).toBe('query');
      expect(variable?.datasource).toEqual(DATASOURCE);
      const query = typeof variable?.query === 'string' ? variable.query : variable?.query.query;
      expect(query).toMatch(new RegExp(`^label_values\\(${PREFIX}[a-z_]+(\\{.*\\})?, ${name}\\)$`));
    }
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual(DATASOURCE);
      for (const target of panel.targets ?? []) expect(target.datasource).toEqual(panel.datasource);
    }
    // `${DS_PROMETHEUS}` may only appear as the variable's import-time default, never in a query.
    const text = JSON.stringify({ panels: dashboard.panels, others });
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
    expect(expressions.length).toBeGreaterThan(10);
    for (const { panel, expr } of expressions) {
      expect(bareCounters(expr, isCounterSeries), `${panel.title}: ${expr}`).toEqual([]);
    }
  });

  it('filters every query by the job and instance variables', () => {
    for (const { panel, expr } of expressions) {
      const selectors = expr.match(/tolem_[a-z_]+\{[^}]*\}/g) ?? [];
      expect(selectors.length, `${panel.title}: ${expr}`).toBe(metricOccurrences(expr));
      for (const selector of selectors) {
        expect(selector, panel.title).toContain('job=~"$job"');
        expect(selector, panel.title).toContain('instance=~"$instance"');
      }
    }
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
      expect(expr).toMatch(/sum by \(le[,)]/);
      const uses = seriesUses(expr, (name) => name.startsWith(PREFIX));
      expect(uses.every((use) => use.name.endsWith('_bucket') && use.enclosing === 'rate')).toBe(true);
    }
    const latency = panels.find((panel) =>
      panel.targets?.some((t) => t.expr.includes('tolem_provider_request_duration_seconds_bucket')),
    );
    expect(latency?.fieldConfig?.defaults.unit).toBe('s');
  });

  it('shows breaker state as a state timeline mapping 0, 1 and 2 to closed, half-open and open', () => {
    const timeline = panels.find((panel) => panel.type === 'state-timeline');
    expect(timeline?.targets?.[0]?.expr).toContain('tolem_circuit_breaker_state');
    const mapping = timeline?.fieldConfig?.defaults.mappings?.find((m) => m.type === 'value');
    expect(mapping?.options['0']?.text).toBe('closed');
    expect(mapping?.options['1']?.text).toBe('half-open');
    expect(mapping?.options['2']?.text).toBe('open');
  });
});

function metricOccurrences(expr: string): number {
  return seriesUses(expr, (name) => name.startsWith(PREFIX)).length;
}
