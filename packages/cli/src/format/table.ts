/** Plain-text tables: aligned columns that read well in a terminal and in a log file alike. */

export type Cell = string | number | boolean | null | undefined;

function text(cell: Cell): string {
  if (cell === null || cell === undefined || cell === '') return '—';
  return String(cell);
}

/** Display width: one column per code point (Cyrillic and Kazakh letters are single-width). */
function width(value: string): number {
  return [...value].length;
}

function pad(value: string, size: number, alignRight = false): string {
  const fill = ' '.repeat(Math.max(0, size - width(value)));
  return alignRight ? fill + value : value + fill;
}

/** Label/value rows; rows whose value is undefined are left out, null prints as a dash. */
export function keyValueTable(rows: readonly (readonly [string, Cell])[]): string {
  const shown = rows.filter(([, value]) => value !== undefined);
  const labelWidth = Math.max(0, ...shown.map(([label]) => width(label)));
  return shown.map(([label, value]) => `${pad(label, labelWidth)}  ${text(value)}`.trimEnd()).join('\n');
}

/** A table with a header row; columns listed in `rightAligned` (amounts) align right. */
export function columnTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  rightAligned: readonly number[] = [],
): string {
  const cells = rows.map((row) => headers.map((_, index) => text(row[index])));
  const widths = headers.map((header, index) =>
    Math.max(width(header), ...cells.map((row) => width(row[index] ?? ''))),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((cell, index) => pad(cell, widths[index] ?? 0, rightAligned.includes(index)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((size) => '-'.repeat(size)).join('  ');
  return [line(headers), rule, ...cells.map(line)].join('\n');
}
