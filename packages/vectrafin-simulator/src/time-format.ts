import { assertTimeZone as assertZone, ConfigError, ValidationError, zonedParts } from '@tolem/core';

/**
 * Wall-clock times in an IANA zone, written the way the provider writes them: zone-less local
 * times ("2024-07-09T12:05:36.2186685", protocol §3.12). The zone arithmetic is core's zoned time.
 */

/** Throws ConfigError naming `option` unless `timeZone` is an IANA zone name this runtime knows. */
export function assertTimeZone(timeZone: string, option: string): void {
  try {
    assertZone(timeZone, option);
  } catch (error) {
    if (!ValidationError.is(error)) throw error;
    throw new ConfigError(option, error.rule, { cause: error });
  }
}

/** "yyyy-MM-ddTHH:mm:ss" in `timeZone`. */
export function localDateTime(date: Date, timeZone: string): string {
  const parts = zonedParts(date, timeZone);
  return `${parts.date}T${parts.text.slice(parts.date.length + 1)}`;
}

/** "yyyy-MM-ddTHH:mm:ss.fffffff": milliseconds plus four sub-millisecond digits (.NET ticks). */
export function localDateTimeTicks(date: Date, timeZone: string, subMillisecond: string): string {
  const millis = String(date.getTime() % 1000).padStart(3, '0');
  return `${localDateTime(date, timeZone)}.${millis}${subMillisecond.padStart(4, '0').slice(0, 4)}`;
}

const WIRE_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Reads a request time as the agent sends it ("yyyy-MM-dd HH:mm:ss", "yyyy-mm-dd hh:mm" or ISO,
 * protocol §2) and returns it normalised to "yyyy-MM-ddTHH:mm:ss", or null when it is none of those.
 */
export function normaliseWireDateTime(text: string | undefined): string | null {
  if (text === undefined) return null;
  const match = WIRE_DATE_TIME.exec(text.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '00'] = match;
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > 31) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  return `${year}-${month}-${day}T${hour}:${minute}:${second}`;
}
