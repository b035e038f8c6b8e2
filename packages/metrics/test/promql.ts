/**
 * Just enough PromQL reading for the dashboard and alert checks: which metric names an expression
 * uses, and whether each counter sample is read through rate()/increase() over a range.
 */

const RANGE_FUNCTIONS = new Set(['rate', 'increase', 'irate']);
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/** The expression with every quoted string emptied, so label values cannot look like names. */
function withoutStrings(expr: string): string {
  return expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
}

/** Identifiers that start with `prefix` (metric names; recording rules use `prefix:` and are skipped). */
export function metricNames(expr: string, prefix: string): string[] {
  const names = new Set<string>();
  for (const match of withoutStrings(expr).matchAll(/(?<![\w:$])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    if (match[0].startsWith(prefix)) names.add(match[0]);
  }
  return [...names];
}

/** `x_bucket` / `x_sum` / `x_count` → `x` when `x` is a histogram family; other names unchanged. */
export function familyName(name: string, histograms: ReadonlySet<string>): string {
  for (const suffix of HISTOGRAM_SUFFIXES) {
    if (name.endsWith(suffix) && histograms.has(name.slice(0, -suffix.length)))
      return name.slice(0, -suffix.length);
  }
  return name;
}

export interface SeriesUse {
  name: string;
  /** The innermost function the selector is an argument of ('' at top level). */
  enclosing: string;
  /** Whether a range `[...]` follows the selector. */
  ranged: boolean;
}

/** Every occurrence of a metric selector whose name satisfies `wanted`, with what encloses it. */
export function seriesUses(expr: string, wanted: (name: string) => boolean): SeriesUse[] {
  const text = withoutStrings(expr);
  const uses: SeriesUse[] = [];
  const stack: string[] = [];
  let pendingFunction = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i] ?? '';
    if (char === '(') {
      stack.push(pendingFunction);
      pendingFunction = '';
      i += 1;
    } else if (char === ')') {
      stack.pop();
      i += 1;
    } else if (char === '{' || char === '[') {
      i = text.indexOf(char === '{' ? '}' : ']', i) + 1;
      if (i === 0) throw new Error(`unbalanced ${char} in ${expr}`);
    } else if (/[a-zA-Z_:]/.test(char) && !/[\w:$]/.test(text[i - 1] ?? ' ')) {
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(text.slice(i))?.[0] ?? '';
      let j = i + name.length;
      while (text[j] === ' ' || text[j] === '\n') j += 1;
      if (text[j] === '(') {
        pendingFunction = name;
      } else {
        pendingFunction = '';
        if (wanted(name)) {
          if (text[j] === '{') {
            j = text.indexOf('}', j) + 1;
            while (text[j] === ' ' || text[j] === '\n') j += 1;
          }
          uses.push({ name, enclosing: stack[stack.length - 1] ?? '', ranged: text[j] === '[' });
        }
      }
      i += name.length;
    } else {
      i += 1;
    }
  }
  return uses;
}

/** Counter samples (counters and histogram series) not read through rate()/increase()/irate() over a range. */
export function bareCounters(expr: string, isCounterSeries: (name: string) => boolean): SeriesUse[] {
  return seriesUses(expr, isCounterSeries).filter(
    (use) => !(use.ranged && RANGE_FUNCTIONS.has(use.enclosing)),
  );
}
