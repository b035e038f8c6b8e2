import { ValidationError } from './errors.js';

/**
 * Wall-clock time in an IANA zone, the way payment providers write it ("yyyy-MM-dd HH:mm:ss", no
 * offset). Always a zone name, never a fixed offset: zones move (Almaty left UTC+6 in 2024, protocol §5).
 * Formatters are cached per zone: building an Intl.DateTimeFormat costs far more than using one.
 */
export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** yyyy-MM-dd */
  date: string;
  /** yyyy-MM-dd HH:mm:ss */
  text: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string, field: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      });
    } catch (error) {
      throw new ValidationError(field, `not an IANA time zone name: ${JSON.stringify(timeZone)}`, {
        cause: error,
      });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws ValidationError naming `field` unless `timeZone` is an IANA zone this runtime knows. */
export function assertTimeZone(timeZone: unknown, field = 'timeZone'): string {
  if (typeof timeZone !== 'string' || timeZone === '') {
    throw new ValidationError(field, 'an IANA time zone name like "Europe/Moscow" is required');
  }
  // Intl also takes "+06:00": an offset is exactly what must not be configured (zones move, protocol §5).
  if (/^[+-]?\d/.test(timeZone)) {
    throw new ValidationError(field, `an IANA zone name, not an offset: ${JSON.stringify(timeZone)}`);
  }
  formatterFor(timeZone, field);
  return timeZone;
}

/** Wall-clock parts of `instant` in `timeZone`. */
export function zonedParts(instant: Date, timeZone: string, field = 'date'): ZonedParts {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new ValidationError(field, 'a valid Date is required');
  }
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone, 'timeZone').formatToParts(instant)) parts[part.type] = part.value;
  const year = (parts.year ?? '').padStart(4, '0');
  const date = `${year}-${parts.month}-${parts.day}`;
  return {
    year: Number(year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    date,
    text: `${date} ${parts.hour}:${parts.minute}:${parts.second}`,
  };
}

/** "2024-07-09 12:05:36": `instant` as a clock in `timeZone` shows it. */
export function formatZonedDateTime(instant: Date, timeZone: string, field = 'date'): string {
  return zonedParts(instant, timeZone, field).text;
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/**
 * The instant a clock in `timeZone` shows as `text` ("yyyy-MM-dd HH:mm:ss" or with a "T"). A wall time
 * skipped by a daylight-saving jump resolves to the instant after the jump.
 */
export function parseZonedDateTime(text: unknown, timeZone: string, field = 'date'): Date {
  const match = typeof text === 'string' ? LOCAL_DATE_TIME.exec(text) : null;
  if (match === null) {
    throw new ValidationError(
      field,
      `must look like "2024-07-09 12:00:00" (yyyy-MM-dd HH:mm:ss), got ${JSON.stringify(String(text).slice(0, 40))}`,
    );
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new ValidationError(field, `is not a real date and time: ${JSON.stringify(text)}`);
  }
  // Two passes settle the offset, also next to a daylight-saving change.
  let instant = wall - offsetMs(wall, timeZone);
  instant = wall - offsetMs(instant, timeZone);
  return new Date(instant);
}

/** How far the zone's wall clock is ahead of UTC at `instant`. */
function offsetMs(instant: number, timeZone: string): number {
  const parts = zonedParts(new Date(instant), timeZone);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}
