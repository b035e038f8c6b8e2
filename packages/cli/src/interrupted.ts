/** Why the command's AbortSignal fired: Ctrl-C (SIGINT) or SIGTERM, named so a command can say so. */
export class Interrupted extends Error {
  readonly signal: NodeJS.Signals;

  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = 'Interrupted';
    this.signal = signal;
  }
}

/** The signal that stopped the command, or null when it was not stopped by one. */
export function stopSignal(signal: AbortSignal): NodeJS.Signals | null {
  return signal.aborted && signal.reason instanceof Interrupted ? signal.reason.signal : null;
}
