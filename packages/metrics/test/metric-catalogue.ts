import { METRIC_DEFINITIONS } from '../src/metric-set.js';

export const PREFIX = 'tolem_';
const definitions = Object.values(METRIC_DEFINITIONS);

/** Family names (with the default prefix) of every metric the bridge exports. */
export const FAMILIES: ReadonlySet<string> = new Set(definitions.map((d) => `${PREFIX}${d.name}`));
export const HISTOGRAMS: ReadonlySet<string> = new Set(
  definitions.filter((d) => d.type === 'histogram').map((d) => `${PREFIX}${d.name}`),
);
const COUNTERS: ReadonlySet<string> = new Set(
  definitions.filter((d) => d.type === 'counter').map((d) => `${PREFIX}${d.name}`),
);

/** Whether a sample name is a counter or one of a histogram's cumulative series. */
export function isCounterSeries(name: string): boolean {
  if (COUNTERS.has(name)) return true;
  return ['_bucket', '_sum', '_count'].some(
    (suffix) => name.endsWith(suffix) && HISTOGRAMS.has(name.slice(0, -suffix.length)),
  );
}
