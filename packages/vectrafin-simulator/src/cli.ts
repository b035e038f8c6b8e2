import { ConfigError, ValidationError } from '@tolem/core';
import { DEMO_AGENT_ID, DEMO_BALANCES, DEMO_PASSWORD, type SimulatorOptions } from './options.js';
import { startSimulator } from './server.js';

/**
 * `tolem simulator [--port N] [--seed S] [--host H] [--callback-url URL]` (architecture §7), as functions
 * the CLI package calls: the agent comes from the variables the client reads, demo defaults
 * otherwise; the first line of stdout is the base URL.
 */

export const AGENT_ID_VARIABLE = 'TOLEM_VECTRAFIN_AGENT_ID';
export const PASSWORD_VARIABLE = 'TOLEM_VECTRAFIN_PASSWORD';

export const SIMULATOR_USAGE = `Usage: tolem simulator [--port N] [--seed S] [--host H] [--callback-url URL]

Starts the VectraFin sandbox and prints its base URL on the first line.
The agent is ${AGENT_ID_VARIABLE} / ${PASSWORD_VARIABLE} when set, else the demo agent
${DEMO_AGENT_ID} with password ${DEMO_PASSWORD}. Stops on Ctrl-C.`;

export interface SimulatorCliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Stops the simulator when aborted (default: SIGINT or SIGTERM). */
  signal?: AbortSignal;
}

export interface SimulatorCliCommand {
  options: SimulatorOptions;
  /** Whether the password is the public demo one (and may be printed). */
  demoPassword: boolean;
  help: boolean;
}

const FLAGS = new Set(['--port', '--seed', '--host', '--callback-url']);

/** Reads the flags and environment; throws ValidationError naming the flag or variable. */
export function parseSimulatorArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): SimulatorCliCommand {
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] ?? '';
    if (argument === '--help' || argument === '-h') return { options: {}, demoPassword: true, help: true };
    const [flag = '', inline] = argument.split(/=(.*)/s, 2);
    if (!FLAGS.has(flag)) throw new ValidationError(argument, 'unknown flag (see tolem simulator --help)');
    const value = inline ?? argv[++index];
    if (value === undefined || value === '') throw new ValidationError(flag, 'needs a value');
    values.set(flag, value);
  }
  const options: SimulatorOptions = {};
  const port = values.get('--port');
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65_535)
      throw new ValidationError('--port', 'a port 0–65535');
    options.port = Number(port);
  }
  const seed = values.get('--seed');
  if (seed !== undefined) options.seed = seed;
  const host = values.get('--host');
  if (host !== undefined) options.host = host;
  const callbackUrl = values.get('--callback-url');
  if (callbackUrl !== undefined) options.callbackUrl = callbackUrl;

  const agentId = env[AGENT_ID_VARIABLE] || undefined;
  const password = env[PASSWORD_VARIABLE] || undefined;
  if (agentId !== undefined && !/^\d{1,18}$/.test(agentId))
    throw new ValidationError(AGENT_ID_VARIABLE, 'digits only');
  if (agentId !== undefined || password !== undefined) {
    options.includeDemoAgent = false;
    options.agents = [
      {
        agentId: agentId ?? DEMO_AGENT_ID,
        password: password ?? DEMO_PASSWORD,
        balances: { ...DEMO_BALANCES },
      },
    ];
  }
  return { options, demoPassword: password === undefined, help: false };
}

/**
 * Runs the simulator until stopped. Resolves with the exit code: 0 after a clean stop, 2 for bad
 * input, 1 when it cannot start (e.g. the port is taken).
 */
export async function runSimulatorCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: SimulatorCliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let command: SimulatorCliCommand;
  try {
    command = parseSimulatorArgs(argv, env);
  } catch (error) {
    if (!ValidationError.is(error)) throw error;
    io.stderr.write(`tolem simulator: ${error.message}\n`);
    return 2;
  }
  if (command.help) {
    io.stdout.write(`${SIMULATOR_USAGE}\n`);
    return 0;
  }
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  try {
    simulator = await startSimulator(command.options);
  } catch (error) {
    const bad = ConfigError.is(error);
    io.stderr.write(`tolem simulator: ${(error as Error).message}\n`);
    return bad ? 2 : 1;
  }
  const agent = command.options.agents?.[0] ?? { agentId: DEMO_AGENT_ID, password: DEMO_PASSWORD };
  io.stdout.write(`${simulator.url}\n`);
  io.stdout.write(`agent id: ${agent.agentId}\n`);
  io.stdout.write(
    command.demoPassword ? `password: ${DEMO_PASSWORD} (demo)\n` : `password: from ${PASSWORD_VARIABLE}\n`,
  );
  io.stdout.write('Press Ctrl-C to stop.\n');
  await stopped(io.signal);
  await simulator.close();
  return 0;
}

function stopped(signal: AbortSignal | undefined): Promise<void> {
  if (signal) {
    return signal.aborted
      ? Promise.resolve()
      : new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
