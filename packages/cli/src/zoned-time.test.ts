import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { parseZonedTime } from './zoned-time.js';

describe('parseZonedTime', () => {
  it('reads a wall-clock time in the reconciliation zone (Moscow is UTC+3)', () => {
    expect(parseZonedTime('2024-07-09 12:05:36', 'Europe/Moscow', '--from').toISOString()).toBe(
      '2024-07-09T09:05:36.000Z',
    );
  });

  it('follows the zone history: Almaty moved from UTC+6 to UTC+5 in March 2024 (protocol §5)', () => {
    expect(parseZonedTime('2024-01-10 12:00:00', 'Asia/Almaty', '--from').toISOString()).toBe(
      '2024-01-10T06:00:00.000Z',
    );
    expect(parseZonedTime('2024-07-10 12:00:00', 'Asia/Almaty', '--from').toISOString()).toBe(
      '2024-07-10T07:00:00.000Z',
    );
  });

  it('handles a daylight-saving zone on both sides of the change', () => {
    expect(parseZonedTime('2024-03-30 12:00:00', 'Europe/Berlin', '--to').toISOString()).toBe(
      '2024-03-30T11:00:00.000Z',
    );
    expect(parseZonedTime('2024-04-01 12:00:00', 'Europe/Berlin', '--to').toISOString()).toBe(
      '2024-04-01T10:00:00.000Z',
    );
  });

  it.each([
    '2024-07-09',
    '2024-07-09 12:00',
    '09.07.2024 12:00:00',
    '2024-02-30 00:00:00',
    '2024-07-09 24:00:00',
  ])('refuses %s naming the flag (exit 2)', (value) => {
    let caught: unknown;
    try {
      parseZonedTime(value, 'Europe/Moscow', '--from');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect((caught as CliError).exitCode).toBe(2);
    expect((caught as CliError).message).toMatch(/^--from /);
  });
});
