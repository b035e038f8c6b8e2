export type { BalanceExportOptions } from './balance-gauges.js';
export {
  type InstrumentableRouter,
  type InstrumentRouterOptions,
  instrumentRouter,
  type RouterInstrumentation,
} from './instrument-router.js';
export {
  FINALIZATION_BUCKETS,
  METRIC_DEFINITIONS,
  type MetricDefinition,
  type MetricType,
  REQUEST_DURATION_BUCKETS,
} from './metric-set.js';
export {
  createMetricsHandler,
  type MetricsHandlerOptions,
  type MetricsRequestListener,
  type MetricsSource,
} from './metrics-handler.js';
