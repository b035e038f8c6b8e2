import { usageError } from './cli-error.js';

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/**
 * Reads a wall-clock time "yyyy-MM-dd HH:mm:ss" in an IANA zone (the provider's reconciliation zone)
 * and returns the instant. The provider formats the instant back in the same zone, so the window
 * the user typed is the window that is sent.
 */
export function parseZonedTime(value: string, timeZone: string, flag: string): Date {
  const match = LOCAL_TIME.exec(value);
  if (match === null) {
    throw usageError(
      `${flag} must look like "2024-07-09 12:00:00" (yyyy-MM-dd HH:mm:ss), got ${JSON.stringify(value.slice(0, 40))}`,
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
    throw usageError(`${flag} is not a real date and time: ${JSON.stringify(value)}`);
  }
  // Two passes settle the offset, also next to a daylight-saving change.
  let instant = wall - offsetMs(wall, timeZone);
  instant = wall - offsetMs(instant, timeZone);
  return new Date(instant);
}

/** How far the zone's wall clock is ahead of UTC at `instant`. */
function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string): number => Number(parts.find((part) => part.type === type)?.value ?? '0');
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}
