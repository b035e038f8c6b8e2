import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAILURE_CODES, FINAL_CODES, PENDING_CODES, STATUS_MESSAGES, SUCCESS } from './status-codes.js';

/**
 * The simulator's status codes against protocol §4 (docs/protocol.md), the provider's list as tolem
 * reads it — never against the client's status table, which this list is kept apart from on purpose.
 */

const protocol = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

/** The rows of the first table after the heading of protocol §4, keyed by lower-cased header. */
function statusRows(): Record<string, string>[] {
  const lines = protocol.split('\n');
  const heading = lines.findIndex((line) => /^## 4\. .*<a id="4"><\/a>/.test(line));
  const first = lines.findIndex((line, index) => index > heading && line.startsWith('|'));
  const table: string[] = [];
  for (let index = first; lines[index]?.startsWith('|'); index++) table.push(lines[index] ?? '');
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((cell) => cell.trim().replace(/`/g, ''));
  const [header = '', , ...body] = table;
  const names = cells(header).map((name) => name.toLowerCase());
  return body
    .map((line) => Object.fromEntries(cells(line).map((cell, index) => [names[index] ?? '', cell])))
    .filter((row) => row.code !== 'any other');
}

describe('the simulator’s status codes equal protocol §4', () => {
  const rows = statusRows();

  it('lists the same codes, each with the provider’s message', () => {
    expect(rows.length).toBeGreaterThan(20);
    expect(Object.fromEntries(rows.map((row) => [row.code, row["provider's message"]]))).toEqual(
      Object.fromEntries(Object.entries(STATUS_MESSAGES).map(([code, message]) => [code, message])),
    );
  });

  it('final codes are the provider’s final ones; pending codes its other payment codes', () => {
    const final = rows.filter((row) => row['provider: final'] === 'yes').map((row) => Number(row.code));
    expect([...FINAL_CODES].sort()).toEqual(final.sort());
    const pending = rows
      .filter((row) => row['provider: final'] === 'no' && row.kind === 'payment')
      .map((row) => Number(row.code));
    expect([...PENDING_CODES].sort()).toEqual(pending.sort());
    expect([...FAILURE_CODES].sort()).toEqual(final.filter((code) => code !== SUCCESS).sort());
  });
});
