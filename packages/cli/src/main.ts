import { processIo } from './io.js';
import { run } from './run.js';

/**
 * The `tolem` process: runs the command line, turns Ctrl-C / SIGTERM into an abort (a second one
 * exits at once), and sets the exit code.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await run(argv, processIo(), controller.signal);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.exitCode = code;
  // A lingering keep-alive socket must not keep a finished command alive.
  setTimeout(() => process.exit(code), 1000).unref();
}
