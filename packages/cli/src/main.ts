import { Interrupted } from './interrupted.js';
import { processIo } from './io.js';
import { run } from './run.js';

/**
 * A repeat within this time is the same stop request: a terminal's Ctrl-C reaches the whole process
 * group, and pnpm and npm pass it on to their child as well, so one key press arrives two or three
 * times (SIGINT, SIGINT, SIGTERM).
 */
const SAME_REQUEST_MS = 1_000;

/**
 * The `tolem` process: runs the command line, turns Ctrl-C / SIGTERM into an abort (a second one,
 * pressed later, exits at once), and sets the exit code.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  let firstAt: number | null = null;
  let finished: number | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    // Done already (a late copy of the stop request): leave with the command's own code.
    if (finished !== null) process.exit(finished);
    if (firstAt === null) {
      firstAt = performance.now();
      controller.abort(new Interrupted(signal));
      return;
    }
    if (performance.now() - firstAt >= SAME_REQUEST_MS) process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await run(argv, processIo(), controller.signal);
  finished = code;
  process.exitCode = code;
  // A lingering keep-alive socket must not keep a finished command alive.
  setTimeout(() => process.exit(code), 1000).unref();
}
