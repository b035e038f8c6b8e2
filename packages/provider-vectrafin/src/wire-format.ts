import { ValidationError } from '@tolem/core';

/**
 * Dates on the wire: "yyyy-MM-dd HH:mm:ss" wall-clock time in a configured IANA zone (protocol §2, §5),
 * formatted by core's zoned-time helpers.
 */
export { formatZonedDateTime as formatWireDateTime } from '@tolem/core';

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Checks a zone-less local time ("2024-07-09 09:05:15" or "2024-07-09T09:05:15") and returns it in the
 * registry's wire form, with a "T" as the spec's PostPayments sample writes it (protocol §6).
 */
export function toRegistryDateTime(value: unknown, field: string): string {
  const match = typeof value === 'string' ? LOCAL_DATE_TIME.exec(value) : null;
  if (!match) throw new ValidationError(field, 'a local time "yyyy-MM-dd HH:mm:ss" is required');
  const [, y, mo, d, h, mi, s] = match as unknown as [string, string, string, string, string, string, string];
  assertCalendar(field, Number(y), Number(mo), Number(d));
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    throw new ValidationError(field, 'not a valid time');
  return `${y}-${mo}-${d}T${h}:${mi}:${s}`;
}

/** Checks "yyyy-MM-dd" (PostTotalAmount's Date). */
export function checkWireDate(value: unknown, field: string): string {
  const match = typeof value === 'string' ? LOCAL_DATE.exec(value) : null;
  if (!match) throw new ValidationError(field, 'a date "yyyy-MM-dd" is required');
  assertCalendar(field, Number(match[1]), Number(match[2]), Number(match[3]));
  return value as string;
}

function assertCalendar(field: string, year: number, month: number, day: number): void {
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (year < 2000 || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw new ValidationError(field, 'not a valid calendar date');
  }
}
