import { ValidationError } from '@tolem/core';
import {
  DEMO_PASSWORD,
  type SimulatorCommandInput,
  type SimulatorSetup,
  simulatorSetup,
  startSimulator,
} from '@tolem/vectrafin-simulator';
import { optionalString } from '../args.js';
import { CliError, usageError } from '../cli-error.js';
import type { Command, CommandContext } from '../command.js';
import { ENV } from '../connection.js';
import { EXIT } from '../exit-codes.js';
import { writeLine } from '../io.js';

/** A port flag's value (`--port`, `--metrics-port`): 0 to 65535, 0 (the default) picks a free one. */
export function readPort(value: string | undefined, flag = 'port'): number {
  if (value === undefined) return 0;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw usageError(
      `--${flag} must be a port number 0 to 65535 (0 picks a free one), got ${JSON.stringify(value.slice(0, 20))}`,
    );
  }
  return Number(value);
}

/** Resolves when `signal` aborts (Ctrl-C, SIGTERM). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** What each setting of the simulator's own check is called on this command line. */
const SETTING_NAMES: Readonly<Record<string, string>> = {
  port: '--port',
  seed: '--seed',
  host: '--host',
  callbackUrl: '--callback-url',
  agentId: ENV.agentId,
  password: ENV.password,
};

/** The simulator's options from the flags and environment, checked by the simulator package. */
function readSettings(context: CommandContext): SimulatorSetup {
  const input: SimulatorCommandInput = {
    port: readPort(optionalString(context.flags, 'port')),
    seed: optionalString(context.flags, 'seed'),
    host: optionalString(context.flags, 'host'),
    callbackUrl: optionalString(context.flags, 'callback-url'),
    agentId: context.io.env[ENV.agentId],
    password: context.io.env[ENV.password],
  };
  try {
    return simulatorSetup(input);
  } catch (error) {
    if (!ValidationError.is(error)) throw error;
    throw usageError(`${SETTING_NAMES[error.field] ?? error.field}: ${error.rule}`, { cause: error });
  }
}

export const simulatorCommand: Command = {
  name: 'simulator',
  summary: 'Run the VectraFin sandbox on loopback; prints its URL first, then the credentials.',
  usage: 'tolem simulator [--port N] [--seed S] [--host H] [--callback-url URL]',
  options: {
    port: { type: 'string', value: 'N', description: 'port to listen on (default: a free one)' },
    seed: { type: 'string', value: 'S', description: 'seed for deterministic ids and timings' },
    host: {
      type: 'string',
      value: 'H',
      description: 'address to listen on (default 127.0.0.1; the demo password is public)',
    },
    'callback-url': {
      type: 'string',
      value: 'URL',
      description: 'where to POST the CallBack when a payment turns final (default: none)',
    },
  },
  async run(context) {
    const { options, agentId, demoPassword } = readSettings(context);
    const port = options.port ?? 0;
    // A password the user chose is theirs: never printed. The demo one is public by design.
    const password = options.agents?.[0]?.password;
    if (password !== undefined && !demoPassword) context.addSecret(password);
    const simulator = await startSimulator(options).catch((error: unknown) => {
      if ((error as { code?: unknown }).code !== 'EADDRINUSE') throw error;
      throw new CliError(
        `port ${port} is in use: pick another with --port, or --port 0 for a free one`,
        EXIT.other,
        'port_in_use',
        { cause: error },
      );
    });
    const url = simulator.url;
    const passwordLine = demoPassword
      ? `export ${ENV.password}=${DEMO_PASSWORD}`
      : `# ${ENV.password}: the one you set`;
    if (context.json) {
      writeLine(context.io.stdout, JSON.stringify({ url, agentId, passwordFromEnvironment: !demoPassword }));
    } else {
      writeLine(context.io.stdout, url);
      writeLine(context.io.stdout, `export ${ENV.url}=${url}`);
      writeLine(context.io.stdout, `export ${ENV.agentId}=${agentId}`);
      writeLine(context.io.stdout, passwordLine);
      writeLine(
        context.io.stdout,
        `# try: tolem vectrafin check --service 7 --account galek10 --amount 100.00`,
      );
    }
    writeLine(context.io.stderr, `simulator listening on ${url}; Ctrl-C stops it`);
    await untilAborted(context.signal);
    await simulator.close();
    writeLine(context.io.stderr, 'simulator stopped');
    return EXIT.ok;
  },
};
