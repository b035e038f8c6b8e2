import { ValidationError } from '@tolem/core';

export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  /** yyyy-MM-dd */
  date: string;
  /** yyyy-MM-dd HH:mm:ss, the provider registries' format. */
  text: string;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-CA', {
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
      throw new ValidationError('timeZone', `not an IANA time zone name: ${JSON.stringify(timeZone)}`, {
        cause: error,
      });
    }
    formats.set(timeZone, format);
  }
  return format;
}

/** Wall-clock parts of `instant` in an IANA zone (never a fixed offset: zones move, notes §5). */
export function zonedParts(instant: Date, timeZone: string): ZonedParts {
  const parts: Record<string, string> = {};
  for (const part of formatFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    date,
    text: `${date} ${parts.hour}:${parts.minute}:${parts.second}`,
  };
}
