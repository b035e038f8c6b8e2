import { ConfigError } from '@tolem/core';

/**
 * Wall-clock times in an IANA zone, written the way the provider writes them: zone-less local
 * times ("2024-07-09T12:05:36.2186685", protocol §3.12).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, found);
  }
  return found;
}

/** Throws ConfigError naming `option` unless `timeZone` is an IANA zone this runtime knows. */
export function assertTimeZone(timeZone: string, option: string): void {
  try {
    formatter(timeZone);
  } catch (error) {
    throw new ConfigError(option, `unknown IANA time zone ${JSON.stringify(timeZone)}`, { cause: error });
  }
}

/** "yyyy-MM-ddTHH:mm:ss" in `timeZone`. */
export function localDateTime(date: Date, timeZone: string): string {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(date)) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
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
