/**
 * The process `tolem simulator --detach` leaves running. The command forks it in a session of its own
 * (so the terminal's Ctrl-C and hang-up do not reach it) with no stdout or stderr — nothing it could
 * print would have a reader — and hands it the options it already checked over the IPC channel, never
 * on the command line (they carry the agents' password). It starts the simulator, answers
 * `{ ready: { url } }` or `{ failed: { code, message } }`, lets the channel go, and serves until
 * SIGTERM or SIGINT (`kill $TOLEM_SIMULATOR_PID`), then closes the simulator and exits 0.
 */
import { type SimulatorOptions, startSimulator } from '@tolem/vectrafin-simulator';

export interface DaemonRequest {
  options: SimulatorOptions;
}

export type DaemonAnswer = { ready: { url: string } } | { failed: { code: string | null; message: string } };

function answer(message: DaemonAnswer, then: () => void): void {
  if (process.send) process.send(message, () => then());
  else then();
}

process.once('message', (message: DaemonRequest) => {
  startSimulator(message.options).then(
    (simulator) => {
      const stop = (): void => {
        void simulator.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      answer({ ready: { url: simulator.url } }, () => process.disconnect?.());
    },
    (error: unknown) => {
      const code = (error as { code?: unknown }).code;
      answer(
        {
          failed: {
            code: typeof code === 'string' ? code : null,
            message: error instanceof Error ? error.message : String(error),
          },
        },
        () => process.exit(1),
      );
    },
  );
});
