import { ValidationError } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { checkWireDate, formatWireDateTime, toRegistryDateTime } from './wire-format.js';

describe('RequestDate: "yyyy-MM-dd HH:mm:ss" in an IANA zone (protocol §2, §5)', () => {
  const instant = new Date('2024-07-09T09:05:36.789Z');

  it.each([
    ['Europe/Moscow', '2024-07-09 12:05:36'],
    ['UTC', '2024-07-09 09:05:36'],
    ['Asia/Almaty', '2024-07-09 14:05:36'],
    ['America/New_York', '2024-07-09 05:05:36'],
  ])('%s → %s', (zone, text) => {
    expect(formatWireDateTime(instant, zone)).toBe(text);
  });

  it('follows the zone’s history: Almaty was UTC+6 before 1 March 2024 and UTC+5 after (why never a fixed offset)', () => {
    expect(formatWireDateTime(new Date('2024-02-01T00:00:00Z'), 'Asia/Almaty')).toBe('2024-02-01 06:00:00');
    expect(formatWireDateTime(new Date('2024-04-01T00:00:00Z'), 'Asia/Almaty')).toBe('2024-04-01 05:00:00');
  });

  it('uses 00 for midnight, not 24, and pads every part', () => {
    expect(formatWireDateTime(new Date('2025-01-02T21:03:04Z'), 'Europe/Moscow')).toBe('2025-01-03 00:03:04');
  });

  it('follows daylight saving where the zone has it', () => {
    expect(formatWireDateTime(new Date('2024-01-15T12:00:00Z'), 'Europe/Berlin')).toBe('2024-01-15 13:00:00');
    expect(formatWireDateTime(new Date('2024-07-15T12:00:00Z'), 'Europe/Berlin')).toBe('2024-07-15 14:00:00');
  });

  it('refuses an invalid Date, naming the field', () => {
    expect(() => formatWireDateTime(new Date('nope'), 'UTC', 'requestedAt')).toThrow(
      expect.objectContaining({ field: 'requestedAt' }),
    );
  });
});

describe('registry dates (protocol §6)', () => {
  it.each([
    ['2024-07-09 09:05:15', '2024-07-09T09:05:15'],
    ['2024-07-09T09:05:15', '2024-07-09T09:05:15'],
  ])('%s is written as the sample writes it: %s', (input, output) => {
    expect(toRegistryDateTime(input, 'agentCreatedAt')).toBe(output);
  });

  it.each(['2024-07-09', '2024-02-30 10:00:00', '2024-07-09 24:00:00', '09.07.2024 10:00:00', 20240709])(
    '%j is refused',
    (input) => {
      expect(() => toRegistryDateTime(input, 'entries.0.agentCreatedAt')).toThrow(ValidationError);
    },
  );

  it('checks the totals date', () => {
    expect(checkWireDate('2025-03-01', 'date')).toBe('2025-03-01');
    expect(() => checkWireDate('2025-13-01', 'date')).toThrow(expect.objectContaining({ field: 'date' }));
    expect(() => checkWireDate('01.03.2025', 'date')).toThrow(ValidationError);
  });
});
