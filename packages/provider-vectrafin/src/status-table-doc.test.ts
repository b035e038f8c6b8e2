import { readFileSync } from 'node:fs';
import { isReason, REASONS } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { mapStatusCode, VECTRAFIN_STATUS_TABLE } from './status-table.js';

/**
 * The status table is written down three times for readers — protocol §4 in docs/protocol.md (the
 * full table), this package's README and core's README (the VectraFin code behind each reason) — and once
 * for the machine, in status-table.ts. These tests keep the three readers' copies equal to the code.
 */

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** A code that is not in the provider's list, for the "any other" rows. */
const UNLISTED = 12345;

type Row = Record<string, string>;

/** The first markdown table after the line that matches `start`, as rows keyed by lower-cased header. */
function tableAfter(markdown: string, start: RegExp): Row[] {
  const lines = markdown.split('\n');
  const from = lines.findIndex((line) => start.test(line));
  if (from < 0) throw new Error(`no line matches ${start}`);
  const first = lines.findIndex((line, index) => index > from && line.startsWith('|'));
  const table: string[] = [];
  for (let index = first; index < lines.length && lines[index]?.startsWith('|'); index++) {
    table.push(lines[index] ?? '');
  }
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((cell) => cell.trim().replace(/[`*]/g, ''));
  const [header = '', , ...body] = table;
  const names = cells(header).map((name) => name.toLowerCase());
  return body.map((line) => Object.fromEntries(cells(line).map((cell, index) => [names[index] ?? '', cell])));
}

const yesNo = (cell: string | undefined) => {
  if (cell === 'yes') return true;
  if (cell === 'no') return false;
  throw new Error(`not yes or no: ${JSON.stringify(cell)}`);
};
const reasonOf = (cell: string | undefined) => (cell === '—' || cell === '-' ? null : (cell ?? ''));

describe('the table of protocol §4 (docs/protocol.md) equals the code’s status table', () => {
  const rows = tableAfter(read('docs/protocol.md'), /^## 4\. .*<a id="4"><\/a>/);
  const listed = rows.filter((row) => row.code !== 'any other');

  it('lists every code of the code’s table once, and no other', () => {
    expect(listed.map((row) => row.code).sort()).toEqual(Object.keys(VECTRAFIN_STATUS_TABLE).sort());
  });

  it.each(listed.map((row) => [row.code, row] as const))(
    'code %s: state, final, reason, kind',
    (code, row) => {
      expect({
        state: row.state,
        final: yesNo(row.final),
        reason: reasonOf(row.reason),
        kind: row.kind,
      }).toEqual(mapStatusCode(Number(code)));
    },
  );

  it('the provider’s own final flag is the canonical one for every listed code', () => {
    for (const row of listed) expect(yesNo(row['provider: final']), row.code).toBe(yesNo(row.final));
  });

  it('"any other" is what an unlisted code maps to', () => {
    const other = rows.find((row) => row.code === 'any other');
    expect(other).toBeDefined();
    expect({
      state: other?.state,
      final: yesNo(other?.final),
      reason: reasonOf(other?.reason),
      kind: other?.kind,
    }).toEqual(mapStatusCode(UNLISTED));
  });
});

describe('the provider README’s status table equals the code’s', () => {
  const rows = tableAfter(read('packages/provider-vectrafin/README.md'), /^## The status table/);

  it('covers every code exactly once', () => {
    const codes = rows.flatMap((row) => (row.code === 'any other' ? [] : (row.code ?? '').split(/,\s*/)));
    expect(codes.sort()).toEqual(Object.keys(VECTRAFIN_STATUS_TABLE).sort());
  });

  it('gives each code the state, finality and reason the code does', () => {
    for (const row of rows) {
      const codes = row.code === 'any other' ? [String(UNLISTED)] : (row.code ?? '').split(/,\s*/);
      for (const code of codes) {
        const mapping = mapStatusCode(Number(code));
        expect({ state: row.state, final: yesNo(row.final), reason: reasonOf(row.reason) }, code).toEqual({
          state: mapping.state,
          final: mapping.final,
          reason: mapping.reason,
        });
      }
    }
  });
});

describe('core README’s reasons table names the VectraFin code behind each reason as the code does', () => {
  const rows = tableAfter(read('packages/core/README.md'), /^### Reasons/);

  it('lists every reason of core with its kind', () => {
    expect(rows.map((row) => row.reason).sort()).toEqual(Object.keys(REASONS).sort());
    for (const row of rows) {
      expect(isReason(row.reason)).toBe(true);
      expect(row.kind, row.reason).toBe(REASONS[row.reason as keyof typeof REASONS]);
    }
  });

  it('each VectraFin code maps onto the reason and state in its row', () => {
    const vectrafinRows = rows.filter((row) => row.vectrafin !== '—');
    const withReason = Object.entries(VECTRAFIN_STATUS_TABLE).filter(
      ([, mapping]) => mapping.reason !== null,
    );
    expect(
      vectrafinRows
        .map((row) => row.vectrafin)
        .filter((code) => code !== 'any other')
        .sort(),
    ).toEqual(withReason.map(([code]) => code).sort());
    for (const row of vectrafinRows) {
      const code = row.vectrafin === 'any other' ? UNLISTED : Number(row.vectrafin);
      expect({ reason: mapStatusCode(code).reason, state: mapStatusCode(code).state }, row.reason).toEqual({
        reason: row.reason,
        state: row.state,
      });
    }
  });
});
