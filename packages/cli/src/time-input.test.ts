import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { readDate, readDisplayZone, readInstant, showTime } from './time-input.js';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof CliError && error.exitCode === 2) return error.message;
    throw error;
  }
  throw new Error('accepted');
}

describe('readInstant: ISO 8601 with its offset, or a wall-clock time in --time-zone', () => {
  it.each([
    ['2024-07-09T06:00:00Z', undefined, '2024-07-09T06:00:00.000Z'],
    ['2024-07-09T11:00:00+05:00', undefined, '2024-07-09T06:00:00.000Z'],
    ['2024-07-09T09:00:00.250+03:00', 'Asia/Almaty', '2024-07-09T06:00:00.250Z'],
    ['2024-07-09 11:00:00', 'Asia/Almaty', '2024-07-09T06:00:00.000Z'],
    ['2024-07-09T09:00', 'Europe/Moscow', '2024-07-09T06:00:00.000Z'],
    ['2024-07-09', 'Europe/Moscow', '2024-07-08T21:00:00.000Z'],
  ])('%s in %s → %s', (value, zone, iso) => {
    expect(readInstant({ since: value }, 'since', zone)?.toISOString()).toBe(iso);
  });

  it('absent → undefined', () => {
    expect(readInstant({}, 'since', undefined)).toBeUndefined();
  });

  it('a wall-clock time without --time-zone is refused: the zone is never guessed', () => {
    expect(refusal(() => readInstant({ until: '2024-07-09 00:00:00' }, 'until', undefined))).toMatch(
      /^--until "2024-07-09 00:00:00" has no offset: add Z or one/,
    );
  });

  it.each(['yesterday', '09.07.2024', '2024-07-09T25:00:00Z', '2024-02-30 10:00:00', '1720500000'])(
    'refuses %j',
    (value) => {
      expect(refusal(() => readInstant({ since: value }, 'since', 'Asia/Almaty'))).toMatch(/^--since /);
    },
  );
});

describe('readDisplayZone, readDate, showTime', () => {
  it('a zone is an IANA name, never an offset', () => {
    expect(readDisplayZone({ 'time-zone': 'Asia/Almaty' })).toBe('Asia/Almaty');
    expect(readDisplayZone({})).toBeUndefined();
    for (const zone of ['+05:00', 'UTC+5', 'Mars/Olympus'])
      expect(refusal(() => readDisplayZone({ 'time-zone': zone }))).toMatch(
        /^--time-zone must be an IANA zone/,
      );
  });

  it('a day exists', () => {
    expect(readDate({ date: '2024-02-29' })).toBe('2024-02-29');
    expect(refusal(() => readDate({}))).toBe('missing --date (the day, e.g. --date 2024-07-09)');
    for (const day of ['2023-02-29', '2024-7-9', '09.07.2024', '2024-13-01'])
      expect(refusal(() => readDate({ date: day }))).toMatch(/^--date must be a day "yyyy-MM-dd"/);
  });

  it('times for people: UTC with a Z, or the clock of a zone; milliseconds on request', () => {
    expect(showTime('2024-07-09T06:00:00.250Z', undefined)).toBe('2024-07-09 06:00:00Z');
    expect(showTime('2024-07-09T06:00:00.250Z', 'Asia/Almaty')).toBe('2024-07-09 11:00:00');
    expect(showTime('2024-07-09T06:00:00.250Z', undefined, true)).toBe('2024-07-09 06:00:00.250Z');
    expect(showTime('2024-07-09T06:00:00.250Z', 'Asia/Almaty', true)).toBe('2024-07-09 11:00:00.250');
    expect(showTime(null, undefined)).toBeNull();
  });
});
