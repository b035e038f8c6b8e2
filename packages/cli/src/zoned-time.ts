import { parseZonedDateTime, ValidationError } from '@tolem/core';
import { usageError } from './cli-error.js';

/**
 * Reads a wall-clock time "yyyy-MM-dd HH:mm:ss" in an IANA zone (the provider's reconciliation zone)
 * and returns the instant. The provider formats the instant back in the same zone, so the window
 * the user typed is the window that is sent.
 */
export function parseZonedTime(value: string, timeZone: string, flag: string): Date {
  try {
    return parseZonedDateTime(value, timeZone, flag);
  } catch (error) {
    if (ValidationError.is(error)) throw usageError(`${flag} ${error.rule}`);
    throw error;
  }
}
