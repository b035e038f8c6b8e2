/**
 * The source of dashboards/tolem-overview.json, typed against @grafana/schema for every panel type it
 * uses (stat, timeseries, state-timeline): a misspelt option or a wrong enum value fails `tsc`. The
 * dashboard test compares the JSON file with `buildDashboard()`; after a change here, write the file with
 * `npx vitest run packages/metrics/test/dashboard.test.ts -u` and commit both.
 */

import type { AnnotationQuery } from '@grafana/schema';
import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  type Dashboard,
  type DataSourceRef,
  FieldColorModeId,
  type FieldConfigSource,
  GraphDrawStyle,
  GraphGradientMode,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LineInterpolation,
  MappingType,
  type Panel,
  PercentChangeColorMode,
  type RowPanel,
  SortOrder,
  SpecialValueMatch,
  StackingMode,
  type ThresholdsConfig,
  ThresholdsMode,
  TooltipDisplayMode,
  type ValueMapping,
  VariableHide,
  type VariableModel,
  VariableRefresh,
  VariableSort,
  VisibilityMode,
  VizOrientation,
} from '@grafana/schema';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type {
  FieldConfig as StateTimelineFieldConfig,
  Options as StateTimelineOptions,
} from '@grafana/schema/dist/esm/raw/composable/statetimeline/panelcfg/x/StateTimelinePanelCfg_types.gen';
import type {
  FieldConfig as TimeSeriesFieldConfig,
  Options as TimeSeriesOptions,
} from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

/** Every query goes through the `datasource` variable, so any Prometheus works (import or provisioning). */
const DS: DataSourceRef = { type: 'prometheus', uid: `\${datasource}` };

type Target = {
  refId: string;
  datasource: DataSourceRef;
  expr: string;
  legendFormat: string;
  range?: boolean;
  instant?: boolean;
};

/**
 * A panel whose options and custom field config are the plugin's own schema types. Both are built as
 * strictly typed values first (so a misspelt key fails), then spread into the panel.
 */
type TypedPanel<Type extends string, Options, Custom> = Panel<Options, Custom & Record<string, unknown>> & {
  type: Type;
  title: string;
  description: string;
  datasource: DataSourceRef;
  targets: Target[];
  options: Options & Record<string, unknown>;
  fieldConfig: FieldConfigSource<Custom & Record<string, unknown>>;
};
export type StatPanel = TypedPanel<'stat', StatOptions, Record<string, unknown>>;
export type TimeSeriesPanel = TypedPanel<'timeseries', TimeSeriesOptions, TimeSeriesFieldConfig>;
export type StateTimelinePanel = TypedPanel<'state-timeline', StateTimelineOptions, StateTimelineFieldConfig>;
export type TolemPanel = StatPanel | TimeSeriesPanel | StateTimelinePanel;

/** A Prometheus annotation: the schema's fields plus the Prometheus query fields Grafana reads. */
type PrometheusAnnotation = AnnotationQuery & {
  expr: string;
  step: string;
  titleFormat: string;
  textFormat: string;
  tagKeys: string;
  useValueForTime: boolean;
};

// Selectors: every query is scoped by job and instance, and by provider/service where the metric has them.
const SCOPE = 'job=~"$job",instance=~"$instance"';
const P = `${SCOPE},provider=~"$provider"`;
const RATE = '[$__rate_interval]';

/** Funds available at a provider per currency: balance + overdraft (0 when none is reported), min over instances. */
function availableFunds(currency: string): string {
  const sel = `${P},currency=~"${currency}"`;
  return `min by (provider, currency) (tolem_provider_balance{${sel}} + (tolem_provider_overdraft{${sel}} or tolem_provider_balance{${sel}} * 0))`;
}

const target = (expr: string, legendFormat: string, refId = 'A', instant = false): Target => ({
  refId,
  datasource: DS,
  expr,
  legendFormat,
  ...(instant ? { instant: true, range: false } : { range: true }),
});

function thresholds(steps: [number | null, string][]): ThresholdsConfig {
  return {
    mode: ThresholdsMode.Absolute,
    steps: steps.map(([value, color]) => ({ value, color })),
  };
}
const GREEN_ONLY = thresholds([[null, 'green']]);

interface Common {
  title: string;
  description: string;
  unit: string;
  targets: Target[];
  thresholds?: ThresholdsConfig;
  mappings?: ValueMapping[];
  noValue?: string;
  min?: number;
  max?: number;
  decimals?: number;
  links?: { title: string; url: string }[];
  repeat?: string;
}

function defaults(common: Common) {
  return {
    unit: common.unit,
    thresholds: common.thresholds ?? GREEN_ONLY,
    mappings: common.mappings ?? [],
    color: { mode: common.thresholds ? FieldColorModeId.Thresholds : FieldColorModeId.PaletteClassic },
    ...(common.noValue === undefined ? {} : { noValue: common.noValue }),
    ...(common.min === undefined ? {} : { min: common.min }),
    ...(common.max === undefined ? {} : { max: common.max }),
    ...(common.decimals === undefined ? {} : { decimals: common.decimals }),
    ...(common.links === undefined ? {} : { links: common.links }),
  };
}

function stat(common: Common): StatPanel {
  const options: StatOptions = {
    colorMode: BigValueColorMode.Value,
    graphMode: BigValueGraphMode.Area,
    justifyMode: BigValueJustifyMode.Auto,
    textMode: BigValueTextMode.ValueAndName,
    orientation: VizOrientation.Auto,
    percentChangeColorMode: PercentChangeColorMode.Standard,
    showPercentChange: false,
    wideLayout: true,
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
  };
  return {
    type: 'stat',
    title: common.title,
    description: common.description,
    datasource: DS,
    targets: common.targets,
    fieldConfig: {
      defaults: { ...defaults(common), color: { mode: FieldColorModeId.Thresholds } },
      overrides: [],
    },
    options: { ...options },
  };
}

function timeseries(
  common: Common & { stack?: boolean; bars?: boolean; thresholdLine?: boolean },
): TimeSeriesPanel {
  const custom: TimeSeriesFieldConfig = {
    drawStyle: common.bars ? GraphDrawStyle.Bars : GraphDrawStyle.Line,
    lineInterpolation: LineInterpolation.Smooth,
    lineWidth: 1,
    fillOpacity: common.stack ? 25 : 10,
    gradientMode: GraphGradientMode.None,
    showPoints: VisibilityMode.Never,
    spanNulls: false,
    stacking: { mode: common.stack ? StackingMode.Normal : StackingMode.None, group: 'A' },
    thresholdsStyle: {
      mode: common.thresholdLine ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off,
    },
  };
  const options: TimeSeriesOptions = {
    legend: { displayMode: LegendDisplayMode.List, placement: 'bottom', showLegend: true, calcs: [] },
    tooltip: { mode: TooltipDisplayMode.Multi, sort: SortOrder.Descending },
  };
  return {
    type: 'timeseries',
    title: common.title,
    description: common.description,
    datasource: DS,
    targets: common.targets,
    fieldConfig: { defaults: { ...defaults(common), custom: { ...custom } }, overrides: [] },
    options: { ...options },
    ...(common.repeat === undefined
      ? {}
      : { repeat: common.repeat, repeatDirection: 'h' as const, maxPerRow: 3 }),
  };
}

function stateTimeline(common: Common): StateTimelinePanel {
  const custom: StateTimelineFieldConfig = { fillOpacity: 80, lineWidth: 0 };
  const options: StateTimelineOptions = {
    mergeValues: true,
    rowHeight: 0.8,
    showValue: VisibilityMode.Auto,
    legend: { displayMode: LegendDisplayMode.List, placement: 'bottom', showLegend: true, calcs: [] },
    tooltip: { mode: TooltipDisplayMode.Single, sort: SortOrder.None },
  };
  return {
    type: 'state-timeline',
    title: common.title,
    description: common.description,
    datasource: DS,
    targets: common.targets,
    fieldConfig: {
      defaults: { ...defaults(common), color: { mode: FieldColorModeId.Thresholds }, custom: { ...custom } },
      overrides: [],
    },
    options: { ...options },
  };
}

const noTraffic = (text: string): ValueMapping[] => [
  {
    type: MappingType.SpecialValue,
    options: { match: SpecialValueMatch.NullAndNan, result: { text, color: 'blue', index: 0 } },
  },
];

/** A link from a series to the same dashboard narrowed to its route (`service`). */
const ROUTE_LINK = {
  title: `Drill down to route \${__field.labels.service}`,
  url: `/d/tolem-overview/tolem-overview?\${__url_time_range}&\${datasource:queryparam}&\${job:queryparam}&\${instance:queryparam}&\${provider:queryparam}&var-service=\${__field.labels.service}`,
};

// ---- panels, by row ----

const atAGlance: TolemPanel[] = [
  stat({
    title: 'Open payments',
    description:
      'Payments not final yet (pending or unknown), read from the journal at scrape time. Counted once per journal however many router instances share it (max by journal, then summed over journals).',
    unit: 'short',
    targets: [target(`sum(max by (journal, provider, state) (tolem_payments_open{${P}}))`, 'open')],
  }),
  stat({
    title: 'Stuck payments',
    description:
      "Open payments past the finalizer's escalation age (1 h by default), once per journal. Any is an alert: escalate them to the provider, never refund them (docs/runbooks.md#tolempaymentsstuck).",
    unit: 'short',
    thresholds: thresholds([
      [null, 'green'],
      [1, 'red'],
    ]),
    targets: [target(`sum(max by (journal, provider) (tolem_payments_stuck{${P}}))`, 'stuck')],
  }),
  stat({
    title: 'Oldest open payment',
    description: 'Age of the oldest payment that is not final yet, across journals; 0 when none is open.',
    unit: 's',
    thresholds: thresholds([
      [null, 'green'],
      [600, 'yellow'],
      [3600, 'red'],
    ]),
    targets: [
      target(`max(max by (journal, provider) (tolem_payment_oldest_open_age_seconds{${P}}))`, 'oldest'),
    ],
  }),
  stat({
    title: 'Breakers not closed',
    description:
      'Provider breakers, on any instance, that are open or half-open now. A half-open breaker with no traffic is harmless; the alert fires only when one stays open across reset cycles.',
    unit: 'short',
    thresholds: thresholds([
      [null, 'green'],
      [1, 'yellow'],
    ]),
    targets: [target(`count(tolem_circuit_breaker_state{${P}} > 0) or vector(0)`, 'not closed')],
  }),
  stat({
    title: 'Payment success',
    description:
      'Share of payments that reached a final state in the selected time range and succeeded (declines are the rest). Shows "no payments" rather than a red NaN when none finished (0/0).',
    unit: 'percentunit',
    decimals: 1,
    noValue: 'no payments',
    mappings: noTraffic('no payments'),
    thresholds: thresholds([
      [null, 'red'],
      [0.8, 'yellow'],
      [0.95, 'green'],
    ]),
    targets: [
      target(
        `sum(increase(tolem_payments_total{${P},service=~"$service",state="succeeded"}[$__range])) / (sum(increase(tolem_payments_total{${P},service=~"$service"}[$__range])) > 0)`,
        'succeeded',
        'A',
        true,
      ),
    ],
  }),
  stat({
    title: 'Errors by class',
    description:
      'Share of calls sent to providers in the time range by class of answer: transport (no usable answer), request (the provider refused the request: insufficient_funds, auth_failed …; not_found on Status is an ordinary answer and left out), integrity (the answer contradicts the request), decline (final, no money moved). "no calls" when nothing was sent.',
    unit: 'percentunit',
    decimals: 1,
    noValue: 'no calls',
    mappings: noTraffic('no calls'),
    thresholds: thresholds([
      [null, 'green'],
      [0.05, 'yellow'],
      [0.2, 'red'],
    ]),
    targets: [
      target(
        `sum by (reason_kind) (increase(tolem_provider_requests_total{${P},reason_kind=~"transport|request|integrity|decline",reason!~"aborted|not_found"}[$__range])) / on () group_left () (sum(increase(tolem_provider_requests_total{${P},state!="rejected"}[$__range])) > 0)`,
        '{{reason_kind}}',
        'A',
        true,
      ),
    ],
  }),
];

const providers: TolemPanel[] = [
  timeseries({
    title: 'Calls by provider and operation',
    description:
      'Calls sent to each provider per second, by operation (breaker refusals excluded: nothing was sent).',
    unit: 'reqps',
    targets: [
      target(
        `sum by (provider, operation) (rate(tolem_provider_requests_total{${P},state!="rejected"}${RATE}))`,
        '{{provider}} {{operation}}',
      ),
    ],
  }),
  timeseries({
    title: 'Error ratio by class',
    description:
      'Per provider, the share of sent calls that ended in a transport fault, a request-level refusal (not_found on Status excluded) or a conflicting answer. A low balance shows as request errors, not as an outage. Caller aborts are left out.',
    unit: 'percentunit',
    max: 1,
    min: 0,
    targets: [
      target(
        `sum by (provider, reason_kind) (rate(tolem_provider_requests_total{${P},reason_kind=~"transport|request|integrity",reason!~"aborted|not_found"}${RATE})) / on (provider) group_left () (sum by (provider) (rate(tolem_provider_requests_total{${P},state!="rejected"}${RATE})) > 0)`,
        '{{provider}} {{reason_kind}}',
      ),
    ],
  }),
  timeseries({
    title: 'Transport errors by reason',
    description:
      'Calls that got no usable answer, per second: timeout, connection refused or lost, empty or malformed page, HTTP error (aborted: the caller gave up). The network or the provider is failing.',
    unit: 'reqps',
    stack: true,
    targets: [
      target(
        `sum by (provider, reason) (rate(tolem_provider_requests_total{${P},reason_kind="transport"}${RATE}))`,
        '{{provider}} {{reason}}',
      ),
    ],
  }),
  timeseries({
    title: 'Request errors by reason',
    description:
      'Calls the provider answered with a request-level error, per second: auth_failed (credentials), insufficient_funds (deposit spent), not_found (Status of a payment it never got: the finalizer resends), route_not_found … The provider is up.',
    unit: 'reqps',
    stack: true,
    targets: [
      target(
        `sum by (provider, reason) (rate(tolem_provider_requests_total{${P},reason_kind="request"}${RATE}))`,
        '{{provider}} {{reason}}',
      ),
    ],
  }),
  timeseries({
    title: 'Declines by reason',
    description:
      'Final declines per second (no money moved): account_not_found, provider_technical (fails over by default), amount_out_of_range … A jump against the usual share raises TolemPaymentDeclinesSpike.',
    unit: 'reqps',
    stack: true,
    targets: [
      target(
        `sum by (provider, reason) (rate(tolem_provider_requests_total{${P},reason_kind="decline"}${RATE}))`,
        '{{provider}} {{reason}}',
      ),
    ],
  }),
  timeseries({
    title: 'Conflicting answers',
    description:
      'Answers that contradict the request (reason conflict: another amount, account or transaction id echoed back), per interval. Any is critical: those payments stay unknown until a person checks them with the provider.',
    unit: 'short',
    bars: true,
    thresholdLine: true,
    thresholds: thresholds([
      [null, 'green'],
      [1, 'red'],
    ]),
    targets: [
      target(
        `sum by (provider, operation) (increase(tolem_provider_requests_total{${P},reason="conflict"}${RATE}))`,
        '{{provider}} {{operation}}',
      ),
    ],
  }),
  timeseries({
    title: 'Latency p50 / p95 / p99',
    description:
      'Round trip of calls that reached the provider, per provider (all operations). A plateau at the provider timeout means timeouts; TolemProviderLatencyHigh fires above 5 s at p95.',
    unit: 's',
    thresholdLine: true,
    thresholds: thresholds([
      [null, 'green'],
      [5, 'red'],
    ]),
    targets: ['0.5', '0.95', '0.99'].map((q, i) =>
      target(
        `histogram_quantile(${q}, sum by (provider, le) (rate(tolem_provider_request_duration_seconds_bucket{${P}}${RATE})))`,
        `{{provider}} p${Number(q) * 100}`,
        String.fromCharCode(65 + i),
      ),
    ),
  }),
  stateTimeline({
    title: 'Breaker state',
    description:
      'Circuit breaker of each provider on each instance: closed (calls flow), half-open (the next call is a probe), open (calls refused and failed over). Half-open with no traffic stays so until the next call.',
    unit: 'none',
    thresholds: thresholds([
      [null, 'green'],
      [1, 'yellow'],
      [2, 'red'],
    ]),
    mappings: [
      {
        type: MappingType.ValueToText,
        options: {
          '0': { text: 'closed', color: 'green', index: 0 },
          '1': { text: 'half-open', color: 'yellow', index: 1 },
          '2': { text: 'open', color: 'red', index: 2 },
        },
      },
    ],
    targets: [
      target(
        `max by (instance, provider) (tolem_circuit_breaker_state{${P}})`,
        '{{provider}} on {{instance}}',
      ),
    ],
  }),
  timeseries({
    title: 'Breaker transitions and refusals',
    description:
      'Breaker state changes per interval, by the state entered, and calls the breaker refused per interval (nothing sent; they fail over to the next provider of the route).',
    unit: 'short',
    bars: true,
    targets: [
      target(
        `sum by (provider, state) (increase(tolem_circuit_breaker_transitions_total{${P}}${RATE}))`,
        '{{provider}} → {{state}}',
      ),
      target(
        `sum by (provider) (increase(tolem_provider_requests_total{${P},state="rejected"}${RATE}))`,
        '{{provider}} refused',
        'B',
      ),
    ],
  }),
  timeseries({
    title: 'Failovers',
    description:
      'Calls moved to the next provider of a route, per second, by from → to and why the first was left (breaker_open, unavailable, or a decline reason the failover policy lists). Only ever before anything that may have arrived was sent.',
    unit: 'reqps',
    targets: [
      target(
        `sum by (from, to, reason) (rate(tolem_failovers_total{${SCOPE},from=~"$provider",service=~"$service"}${RATE}) or rate(tolem_failovers_total{${SCOPE},to=~"$provider",service=~"$service"}${RATE}))`,
        '{{from}} → {{to}} ({{reason}})',
      ),
    ],
  }),
];

const payments: TolemPanel[] = [
  timeseries({
    title: 'Open payments by state',
    description:
      'Payments not final yet, by provider of the latest attempt and state (pending: the provider has it; unknown: we cannot know yet; provider none: nothing sent). Once per journal.',
    unit: 'short',
    stack: true,
    targets: [
      target(
        `sum by (provider, state) (max by (journal, provider, state) (tolem_payments_open{${P}}))`,
        '{{provider}} {{state}}',
      ),
    ],
  }),
  timeseries({
    title: 'Stuck payments and oldest open',
    description:
      'Left axis: payments past the escalation age, once per journal. The oldest open payment age is its own panel; both come from the journal at scrape time.',
    unit: 'short',
    thresholdLine: true,
    thresholds: thresholds([
      [null, 'green'],
      [1, 'red'],
    ]),
    targets: [
      target(
        `sum by (provider) (max by (journal, provider) (tolem_payments_stuck{${P}}))`,
        '{{provider}} stuck',
      ),
    ],
  }),
  timeseries({
    title: 'Oldest open payment by provider',
    description:
      'Age of the oldest payment that is not final yet, by provider of its latest attempt. It grows while the provider keeps a payment pending; it is never a reason to refund.',
    unit: 's',
    targets: [
      target(
        `max by (provider) (max by (journal, provider) (tolem_payment_oldest_open_age_seconds{${P}}))`,
        '{{provider}}',
      ),
    ],
  }),
  timeseries({
    title: 'Final payments by route',
    description:
      'Payments that reached a final state per second, by route (service) and state. Click a series to drill down to that route (the service variable).',
    unit: 'ops',
    stack: true,
    links: [ROUTE_LINK],
    targets: [
      target(
        `sum by (service, state) (rate(tolem_payments_total{${P},service=~"$service"}${RATE}))`,
        '{{service}} {{state}}',
      ),
    ],
  }),
  timeseries({
    title: 'Success ratio by route',
    description:
      'Per route, the share of final payments that succeeded; a gap (not a red zero) when a route had no final payment in the interval. Click a series to drill down.',
    unit: 'percentunit',
    min: 0,
    max: 1,
    links: [ROUTE_LINK],
    targets: [
      target(
        `sum by (service) (rate(tolem_payments_total{${P},service=~"$service",state="succeeded"}${RATE})) / (sum by (service) (rate(tolem_payments_total{${P},service=~"$service"}${RATE})) > 0)`,
        '{{service}}',
      ),
    ],
  }),
  timeseries({
    title: 'Final payments by provider',
    description:
      'Which provider finished the payments of the selected routes, per second: after a failover the second provider takes the share of the first.',
    unit: 'ops',
    stack: true,
    targets: [
      target(
        `sum by (provider, state) (rate(tolem_payments_total{${P},service=~"$service"}${RATE}))`,
        '{{provider}} {{state}}',
      ),
    ],
  }),
  timeseries({
    title: 'Finalization time p50 / p95 / p99',
    description:
      'From creating a payment to its final state, by the provider of the last attempt: instant answers, callbacks, and re-checks by the finalizer after a timeout.',
    unit: 's',
    targets: ['0.5', '0.95', '0.99'].map((q, i) =>
      target(
        `histogram_quantile(${q}, sum by (provider, le) (rate(tolem_payment_finalization_seconds_bucket{${P}}${RATE})))`,
        `{{provider}} p${Number(q) * 100}`,
        String.fromCharCode(65 + i),
      ),
    ),
  }),
  timeseries({
    title: 'Manual resolutions',
    description:
      'Payments a person made final by hand (router.resolve, tolem payments resolve), per interval, by state and what confirmed it: provider (its Status answers agreed), journal (nothing can have moved), evidence (the provider could not confirm it: the evidence is in the payment history). Resolutions on evidence deserve a look.',
    unit: 'short',
    bars: true,
    targets: [
      target(
        `sum by (provider, state, confirmation) (increase(tolem_payments_resolved_total{${P}}${RATE}))`,
        '{{provider}} {{state}} ({{confirmation}})',
      ),
    ],
  }),
  timeseries({
    title: 'Callbacks by result',
    description:
      'Provider callbacks per second: confirmed (Status agreed, the journal moved), unchanged (nothing new), throttled (the payment was checked for a callback moments ago: answered from the journal; a burst is a callback flood), rejected (no payment of ours: forged or misrouted), invalid (not a callback). Rejected and invalid raise TolemCallbacksRejected.',
    unit: 'reqps',
    stack: true,
    targets: [
      target(
        `sum by (provider, result) (rate(tolem_callbacks_total{${P}}${RATE}))`,
        '{{provider}} {{result}}',
      ),
    ],
  }),
];

const finalizer: TolemPanel[] = [
  timeseries({
    title: 'Finalizer: seconds since last pass',
    description:
      'Per instance, time since its finalizer last finished a pass over the journal (normally about a second). Above 60 s for 5 minutes raises TolemFinalizerStalled, whatever the balance poller does. No line: the finalizer never ran on that instance.',
    unit: 's',
    thresholdLine: true,
    thresholds: thresholds([
      [null, 'green'],
      [60, 'red'],
    ]),
    targets: [
      target(
        `time() - max by (instance) (tolem_finalizer_last_pass_timestamp_seconds{${SCOPE}} > 0)`,
        '{{instance}}',
      ),
    ],
  }),
  timeseries({
    title: 'Re-checks claimed',
    description:
      'Open payments each instance claimed for a re-check (Status, a resend, or a failover the rules allow), per second. Open payments with no claims for 30 minutes raise TolemOpenPaymentsNotRechecked.',
    unit: 'ops',
    targets: [
      target(`sum by (instance) (rate(tolem_finalizer_claimed_total{${SCOPE}}${RATE}))`, '{{instance}}'),
    ],
  }),
  timeseries({
    title: 'Journal read errors',
    description:
      'Scrapes whose journal read failed, per interval, by instance: the open/stuck/oldest numbers are missing from that instance meanwhile.',
    unit: 'short',
    bars: true,
    targets: [
      target(
        `sum by (instance) (increase(tolem_journal_read_errors_total{${SCOPE}}${RATE}))`,
        '{{instance}}',
      ),
    ],
  }),
];

const balance: TolemPanel[] = [
  timeseries({
    title: 'Available funds ($currency)',
    description:
      "The agent's available funds (balance + overdraft) at each provider in this currency, one panel per currency (their scales differ), from the balance poller. The dashed line is the alert threshold (tolem:provider_balance_alert_threshold, present when the rules are loaded).",
    unit: 'short',
    repeat: 'currency',
    targets: [
      target(availableFunds('$currency'), '{{provider}} {{currency}}'),
      target('tolem:provider_balance_alert_threshold{currency=~"$currency"}', 'alert threshold', 'B'),
    ],
  }),
  stat({
    title: 'Runs out in',
    description:
      'At the last hour\'s pace of spending (a linear fit), how long until each provider\'s available funds reach zero, per currency. "not falling" while funds are steady or growing.',
    unit: 's',
    noValue: 'not falling',
    mappings: noTraffic('not falling'),
    thresholds: thresholds([
      [null, 'red'],
      [14400, 'yellow'],
      [86400, 'green'],
    ]),
    targets: [
      target(
        `${availableFunds('.*')} / -(deriv((${availableFunds('.*')})[1h:1m]) < 0)`,
        '{{provider}} {{currency}}',
      ),
    ],
  }),
  timeseries({
    title: 'Balance polls',
    description:
      'Balance polls per second by provider and outcome (the poller calls providers directly, bypassing the breaker); failures keep the last known balance.',
    unit: 'reqps',
    targets: [
      target(
        `sum by (provider, state, reason) (rate(tolem_provider_requests_total{${P},operation="getBalance"}${RATE}))`,
        '{{provider}} {{state}} {{reason}}',
      ),
    ],
  }),
];

// ---- layout ----

interface RowSpec {
  title: string;
  panels: { panel: TolemPanel; w: number; h: number }[];
}

const ROWS: RowSpec[] = [
  { title: 'At a glance', panels: atAGlance.map((panel) => ({ panel, w: 4, h: 5 })) },
  {
    title: 'Providers',
    panels: providers.map((panel) => ({ panel, w: panel.type === 'state-timeline' ? 12 : 12, h: 8 })),
  },
  { title: 'Payments', panels: payments.map((panel) => ({ panel, w: 12, h: 8 })) },
  { title: 'Finalizer and journal', panels: finalizer.map((panel) => ({ panel, w: 8, h: 7 })) },
  {
    title: 'Balance',
    panels: balance.map((panel) => ({ panel, w: panel.type === 'stat' ? 6 : panel.repeat ? 12 : 6, h: 8 })),
  },
];

function layout(): (TolemPanel | RowPanel)[] {
  const out: (TolemPanel | RowPanel)[] = [];
  let id = 1;
  let y = 0;
  for (const row of ROWS) {
    out.push({
      type: 'row',
      id: id++,
      title: row.title,
      collapsed: false,
      gridPos: { x: 0, y, w: 24, h: 1 },
      panels: [],
    });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const { panel, w, h } of row.panels) {
      if (x + w > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      out.push({ ...panel, id: id++, gridPos: { x, y, w, h } });
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return out;
}

function queryVariable(
  name: string,
  label: string,
  query: string,
  options: { multi?: boolean; includeAll?: boolean; allValue?: string; description: string },
): VariableModel & { definition: string } {
  return {
    name,
    label,
    type: 'query',
    description: options.description,
    datasource: DS,
    definition: query,
    query: { query, refId: `${name}-variable` },
    refresh: VariableRefresh.onTimeRangeChanged,
    sort: VariableSort.alphabeticalAsc,
    multi: options.multi ?? true,
    includeAll: options.includeAll ?? true,
    ...(options.allValue === undefined ? {} : { allValue: options.allValue }),
    current: { text: 'All', value: '$__all' },
    hide: VariableHide.dontHide,
    options: [],
  };
}

const ANNOTATIONS: (AnnotationQuery | PrometheusAnnotation)[] = [
  {
    builtIn: 1,
    datasource: { type: 'grafana', uid: '-- Grafana --' },
    enable: true,
    hide: true,
    iconColor: 'rgba(0, 211, 255, 1)',
    name: 'Annotations & Alerts',
    type: 'dashboard',
  },
  {
    datasource: DS,
    enable: true,
    iconColor: 'red',
    name: 'tolem alerts',
    expr: 'ALERTS{alertname=~"Tolem.*",alertstate="firing",job=~"$job"}',
    step: '60s',
    titleFormat: '{{alertname}}',
    textFormat: '{{severity}} {{provider}} {{instance}} {{journal}}',
    tagKeys: 'severity,provider',
    useValueForTime: false,
  },
  {
    datasource: DS,
    enable: true,
    iconColor: 'orange',
    name: 'Breaker transitions',
    expr: `sum by (instance, provider, state) (increase(tolem_circuit_breaker_transitions_total{${P}}${RATE})) > 0`,
    step: '30s',
    titleFormat: 'breaker {{provider}} → {{state}}',
    textFormat: 'on {{instance}}',
    tagKeys: 'provider,state',
    useValueForTime: false,
  },
];

/** The dashboard, as written to dashboards/tolem-overview.json. */
export function buildDashboard(): Dashboard & Record<string, unknown> {
  const dashboard: Dashboard = {
    id: null,
    uid: 'tolem-overview',
    title: 'tolem overview',
    description:
      'tolem payment router: providers, breakers, payments, finalizer, balances. Journal numbers count once per journal however many router instances share it. Runbooks: docs/runbooks.md.',
    tags: ['tolem', 'payments'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    fiscalYearStartMonth: 0,
    liveNow: false,
    links: [],
    annotations: { list: ANNOTATIONS },
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: { text: 'default', value: `\${DS_PROMETHEUS}` },
          hide: VariableHide.dontHide,
          refresh: VariableRefresh.onDashboardLoad,
          options: [],
        },
        queryVariable('job', 'Job', 'label_values(tolem_circuit_breaker_state, job)', {
          allValue: '.+',
          description: 'Prometheus jobs scraping tolem routers.',
        }),
        queryVariable(
          'instance',
          'Instance',
          'label_values(tolem_circuit_breaker_state{job=~"$job"}, instance)',
          {
            allValue: '.+',
            description: 'Router instances (several may share one journal).',
          },
        ),
        queryVariable(
          'provider',
          'Provider',
          'label_values(tolem_circuit_breaker_state{job=~"$job",instance=~"$instance"}, provider)',
          {
            allValue: '.*',
            description: 'Provider instances; every panel honours it (failovers: from or to).',
          },
        ),
        queryVariable(
          'service',
          'Route',
          'label_values(tolem_payments_total{job=~"$job",instance=~"$instance"}, service)',
          { allValue: '.*', description: 'Routes (canonical service keys), for the per-route panels.' },
        ),
        queryVariable(
          'currency',
          'Currency',
          'label_values(tolem_provider_balance{job=~"$job",instance=~"$instance"}, currency)',
          { description: 'Currencies of the polled balances: one funds panel each.' },
        ),
      ],
    },
    panels: layout(),
  };
  return {
    __inputs: [
      {
        name: 'DS_PROMETHEUS',
        label: 'Prometheus',
        description: 'The Prometheus that scrapes your tolem routers',
        type: 'datasource',
        pluginId: 'prometheus',
        pluginName: 'Prometheus',
      },
    ],
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: '10.0.0' },
      { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
      { type: 'panel', id: 'stat', name: 'Stat', version: '' },
      { type: 'panel', id: 'timeseries', name: 'Time series', version: '' },
      { type: 'panel', id: 'state-timeline', name: 'State timeline', version: '' },
    ],
    ...dashboard,
  };
}
