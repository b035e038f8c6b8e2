/**
 * Should parseWireJson use `JSON.parse` with the reviver's source text (Node 21+: `context.source`)
 * instead of lossless-json? Both keep every number's exact text; this measures them on the bodies the
 * provider really sends: a Payment answer (the hot path, 0.5 KB), the Alseko invoice AccountCheck
 * (2.9 KB, a JSON document nested in a string) and a payment list of 100 entries (46 KB).
 *
 * The candidate is the one that would be correct: JSON.parse keeps the last of two equal keys where
 * lossless-json refuses conflicting ones (an ambiguous Status must stay a shape error), so it counts
 * the keys it saw against the key separators in the text and hands a body with a duplicate to
 * lossless-json. On Node 20 the candidate does not exist and only lossless-json is measured.
 *
 *   pnpm --filter @tolem/provider-vectrafin bench          (on each Node: node scripts/node-matrix.mjs node 24)
 *
 * Measured on a shared 2-core machine, source-text parse speed ÷ lossless-json speed, Node 22.23 / 24.22:
 * Payment answer 0.80× / 0.67×, invoice 1.6× / 2.0×, payment list 0.88× / 0.63× (this bench; a
 * separate run of 400 alternating rounds gave 0.85–0.9×, 2.0× and 1.0×). Faster only on a body that
 * is mostly one long string; slower on the Payment and Status answers every payment waits for. So
 * parseWireJson stays on lossless-json on every Node; rerun this when a Node makes revivers cheaper.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'lossless-json';
import { afterAll, type BenchTask, bench, describe } from 'vitest';
import { WireNumber } from '../src/json-value.js';

const sample = (name: string) =>
  readFileSync(new URL(`../test/fixtures/ru/${name}`, import.meta.url), 'utf8');
const PAYMENT = sample('payment-alseko.response.json');
const INVOICE = sample('account-check-alseko.response.json');
const ONE_PAYMENT = sample('get-payments-by-date.response.json').trim().slice(1, -1);
const LIST = `[${Array.from({ length: 100 }, () => ONE_PAYMENT).join(',')}]`;

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

/** Node 21+ hands the reviver the source text of each primitive. */
const HAS_SOURCE_TEXT = (() => {
  let seen: unknown;
  (JSON.parse as (text: string, reviver: Reviver) => unknown)('1', (_key, value, context) => {
    seen = context?.source;
    return value;
  });
  return seen === '1';
})();

const toWireNumber = (text: string) => new WireNumber(text);
const lossless = (text: string) => parse(text, null, toWireNumber);

function colons(text: string): number {
  let count = 0;
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) count += 1;
  return count;
}

/** JSON.parse keeping each number's text; a body with a duplicate key goes to lossless-json. */
function sourceText(text: string): unknown {
  let keys = 0;
  let colonsInStrings = 0;
  const value = (JSON.parse as (text: string, reviver: Reviver) => unknown)(
    text,
    function (this: unknown, key, value, context) {
      if (!Array.isArray(this)) {
        keys += 1;
        if (key.includes(':')) colonsInStrings += colons(key);
      }
      if (typeof value === 'number') return new WireNumber(context?.source as string);
      if (typeof value === 'string' && value.includes(':')) colonsInStrings += colons(value);
      return value;
    },
  );
  // Every key is followed by one ':' outside strings; the root call has no key of its own.
  return keys - 1 === colons(text) - colonsInStrings ? value : lossless(text);
}

const BODIES = [
  ['Payment answer (0.5 KB)', PAYMENT],
  ['Alseko invoice AccountCheck (2.9 KB, nested JSON)', INVOICE],
  ['payment list, 100 entries (46 KB)', LIST],
] as const;

const tasks = new Map<string, BenchTask>();
const track = (name: string) => ({
  setup: (task: BenchTask) => {
    tasks.set(name, task);
  },
});

for (const [label, body] of BODIES) {
  if (HAS_SOURCE_TEXT && JSON.stringify(sourceText(body)) !== JSON.stringify(lossless(body))) {
    throw new Error(`the source-text parse differs from lossless-json on ${label}`);
  }
  describe(label, () => {
    bench(
      'lossless-json',
      () => {
        lossless(body);
      },
      track(`${label}/lossless`),
    );
    if (HAS_SOURCE_TEXT) {
      bench(
        'JSON.parse + source text (duplicate keys → lossless-json)',
        () => {
          sourceText(body);
        },
        track(`${label}/source`),
      );
    }
  });
}

afterAll(() => {
  const hz = (name: string) => tasks.get(name)?.result?.hz ?? Number.NaN;
  const lines = BODIES.map(([label]) =>
    HAS_SOURCE_TEXT
      ? `${label}: source-text parse runs at ${(hz(`${label}/source`) / hz(`${label}/lossless`)).toPrecision(2)}× the speed of lossless-json`
      : `${label}: lossless-json ${Math.round(hz(`${label}/lossless`)).toLocaleString('en-US')} ops/s`,
  );
  process.stdout.write(
    `\nNode.js ${process.version}${HAS_SOURCE_TEXT ? '' : ' (no reviver source text before Node 21)'}\n${lines.join('\n')}\n`,
  );
});
