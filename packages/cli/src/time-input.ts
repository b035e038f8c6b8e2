import { assertTimeZone, parseZonedDateTime, ValidationError, zonedParts } from '@tolem/core';
import { type Flags, type OptionDefs, optionalString } from './args.js';
import { usageError } from './cli-error.js';

/**
 * Times on the command line: an ISO 8601 instant with its offset (`2024-07-09T06:00:00Z`,
 * `2024-07-09T11:00:00+05:00`), or a wall-clock time without one (`2024-07-09 11:00:00`, or a day
 * `2024-07-09` meaning its midnight) read in the IANA zone `--time-zone` names. Never a guessed zone.
 */
export const TIME_ZONE_OPTION: OptionDefs = {
  'time-zone': {
    type: 'string',
    value: 'ZONE',
    description: 'IANA zone for times without an offset and for the times shown (default: UTC, ISO 8601)',
  },
};

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
const WALL_TIME = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$/;

export function readDisplayZone(flags: Flags): string | undefined {
  const zone = optionalString(flags, 'time-zone');
  if (zone === undefined) return undefined;
  try {
    return assertTimeZone(zone, '--time-zone');
  } catch {
    throw usageError(
      `--time-zone must be an IANA zone name such as Europe/Moscow or Asia/Almaty, got ${JSON.stringify(zone.slice(0, 60))}`,
    );
  }
}

/** The instant a `--since` / `--until` flag names, or undefined when it is absent. */
export function readInstant(flags: Flags, name: string, zone: string | undefined): Date | undefined {
  const value = optionalString(flags, name);
  if (value === undefined) return undefined;
  const shown = JSON.stringify(value.slice(0, 40));
  if (ISO_INSTANT.test(value)) {
    const instant = new Date(value);
    if (Number.isNaN(instant.getTime())) throw usageError(`--${name} is not a real time: ${shown}`);
    return instant;
  }
  if (WALL_TIME.test(value)) {
    if (zone === undefined) {
      throw usageError(
        `--${name} ${shown} has no offset: add Z or one (2024-07-09T00:00:00Z, …+05:00), or name its zone with --time-zone`,
      );
    }
    const text = value.length === 10 ? `${value} 00:00:00` : value.length === 16 ? `${value}:00` : value;
    try {
      return parseZonedDateTime(text, zone, `--${name}`);
    } catch (error) {
      if (ValidationError.is(error)) throw usageError(`--${name} ${error.rule}`);
      throw error;
    }
  }
  throw usageError(
    `--${name} must be an ISO 8601 time with an offset (2024-07-09T06:00:00Z) or "yyyy-MM-dd[ HH:mm:ss]" with --time-zone, got ${shown}`,
  );
}

/** A calendar day `yyyy-MM-dd` that exists. */
export function readDate(flags: Flags, name = 'date'): string {
  const value = optionalString(flags, name);
  if (value === undefined) throw usageError(`missing --${name} (the day, e.g. --${name} 2024-07-09)`);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const day = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (
    match === null ||
    day === null ||
    day.getUTCFullYear() !== Number(match[1]) ||
    day.getUTCMonth() !== Number(match[2]) - 1 ||
    day.getUTCDate() !== Number(match[3])
  ) {
    throw usageError(
      `--${name} must be a day "yyyy-MM-dd" such as 2024-07-09, got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return value;
}

/**
 * A stored ISO time for a person: in `zone` as "yyyy-MM-dd HH:mm:ss", else UTC as
 * "yyyy-MM-dd HH:mm:ssZ"; with `millis`, to the millisecond (a history's writes come close together).
 */
export function showTime(
  iso: string | null | undefined,
  zone: string | undefined,
  millis = false,
): string | null {
  if (iso === null || iso === undefined) return null;
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return iso;
  const fraction = millis ? `.${String(instant.getUTCMilliseconds()).padStart(3, '0')}` : '';
  if (zone !== undefined) return `${zonedParts(instant, zone).text}${fraction}`;
  return `${instant.toISOString().slice(0, 19).replace('T', ' ')}${fraction}Z`;
}

/** "times in UTC" / "times in Asia/Almaty": said once under a table. */
export function zoneNote(zone: string | undefined): string {
  return zone === undefined ? 'times in UTC' : `times in ${zone}`;
}
