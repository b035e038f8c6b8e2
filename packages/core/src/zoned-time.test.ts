import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { assertTimeZone, formatZonedDateTime, parseZonedDateTime, zonedParts } from './zoned-time.js';

describe('zoned time', () => {
  const instant = new Date('2024-07-09T09:05:36.900Z');

  it('formats wall-clock time in an IANA zone (protocol §5: Moscow by default, Almaty moved to UTC+5)', () => {
    expect(formatZonedDateTime(instant, 'Europe/Moscow')).toBe('2024-07-09 12:05:36');
    expect(formatZonedDateTime(instant, 'Asia/Almaty')).toBe('2024-07-09 14:05:36');
    expect(formatZonedDateTime(new Date('2023-07-09T09:05:36Z'), 'Asia/Almaty')).toBe('2023-07-09 15:05:36');
    expect(zonedParts(new Date('2024-12-31T21:30:00Z'), 'Europe/Moscow')).toMatchObject({
      year: 2025,
      month: 1,
      day: 1,
      hour: 0,
      date: '2025-01-01',
      text: '2025-01-01 00:30:00',
    });
  });

  it('parses wall-clock time back to the same instant, also around daylight-saving changes', () => {
    expect(parseZonedDateTime('2024-07-09 12:05:36', 'Europe/Moscow').toISOString()).toBe(
      '2024-07-09T09:05:36.000Z',
    );
    expect(parseZonedDateTime('2024-07-09T14:05:36', 'Asia/Almaty').toISOString()).toBe(
      '2024-07-09T09:05:36.000Z',
    );
    // Berlin: 02:30 on 2024-03-31 does not exist (clocks jump 02:00 → 03:00); 01:59:59 and 03:00:00 do.
    expect(parseZonedDateTime('2024-03-31 01:59:59', 'Europe/Berlin').toISOString()).toBe(
      '2024-03-31T00:59:59.000Z',
    );
    expect(parseZonedDateTime('2024-03-31 03:00:00', 'Europe/Berlin').toISOString()).toBe(
      '2024-03-31T01:00:00.000Z',
    );
    for (const text of ['2024-01-15 00:00:00', '2024-10-27 04:00:00', '2024-12-31 23:59:59']) {
      expect(formatZonedDateTime(parseZonedDateTime(text, 'Europe/Berlin'), 'Europe/Berlin')).toBe(text);
    }
  });

  it('names the field for a bad zone, a bad date or an invalid Date', () => {
    const cases: [() => unknown, string][] = [
      [() => assertTimeZone('GMT+6 Almaty'), 'timeZone'],
      [() => assertTimeZone(''), 'timeZone'],
      [() => assertTimeZone('+06:00'), 'timeZone'],
      [() => formatZonedDateTime(instant, 'Mars/Olympus'), 'timeZone'],
      [() => formatZonedDateTime(new Date(Number.NaN), 'Europe/Moscow', 'from'), 'from'],
      [() => parseZonedDateTime('2024-02-30 10:00:00', 'Europe/Moscow', 'to'), 'to'],
      [() => parseZonedDateTime('2024-07-09 24:00:00', 'Europe/Moscow', 'to'), 'to'],
      [() => parseZonedDateTime('9 July 2024', 'Europe/Moscow', 'from'), 'from'],
      [() => parseZonedDateTime(20240709, 'Europe/Moscow', 'from'), 'from'],
    ];
    for (const [call, field] of cases) {
      try {
        call();
        expect.unreachable(`expected a ValidationError on ${field}`);
      } catch (error) {
        expect(ValidationError.is(error)).toBe(true);
        expect((error as ValidationError).field).toBe(field);
      }
    }
    expect(assertTimeZone('Asia/Almaty')).toBe('Asia/Almaty');
  });
});
