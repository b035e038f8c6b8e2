import { DEMO_AGENT_ID, DEMO_BALANCES, DEMO_PASSWORD, startSimulator } from '@tolem/vectrafin-simulator';
import { optionalString } from '../args.js';
import { CliError, usageError } from '../cli-error.js';
import type { Command } from '../command.js';
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

export function readSeed(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[\w.-]{1,64}$/.test(value)) {
    throw usageError(`--seed must be a word or a number (letters, digits, "-", "_", "."), e.g. --seed 42`);
  }
  return value;
}

/** Resolves when `signal` aborts (Ctrl-C, SIGTERM). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

export const simulatorCommand: Command = {
  name: 'simulator',
  summary: 'Run the VectraFin sandbox on loopback; prints its URL first, then the credentials.',
  usage: 'tolem simulator [--port N] [--seed S]',
  options: {
    port: { type: 'string', value: 'N', description: 'port on 127.0.0.1 (default: a free one)' },
    seed: { type: 'string', value: 'S', description: 'seed for deterministic ids and timings' },
  },
  async run(context) {
    const port = readPort(optionalString(context.flags, 'port'));
    const seed = readSeed(optionalString(context.flags, 'seed'));
    const envAgent = context.io.env[ENV.agentId];
    const envPassword = context.io.env[ENV.password];
    const agentId = envAgent !== undefined && envAgent !== '' ? envAgent : DEMO_AGENT_ID;
    const password = envPassword !== undefined && envPassword !== '' ? envPassword : DEMO_PASSWORD;
    if (!/^\d{1,18}$/.test(agentId)) throw usageError(`${ENV.agentId} must be digits only, e.g. 1`);
    context.addSecret(password === DEMO_PASSWORD ? '' : password);
    const custom = agentId !== DEMO_AGENT_ID || password !== DEMO_PASSWORD;
    const simulator = await startSimulator({
      port,
      ...(seed === undefined ? {} : { seed }),
      // Credentials from the environment replace the demo agent, with the same opening balance.
      ...(custom
        ? { includeDemoAgent: false, agents: [{ agentId, password, balances: { ...DEMO_BALANCES } }] }
        : {}),
    }).catch((error: unknown) => {
      if ((error as { code?: unknown }).code !== 'EADDRINUSE') throw error;
      throw new CliError(
        `port ${port} is in use: pick another with --port, or --port 0 for a free one`,
        EXIT.other,
        'port_in_use',
        { cause: error },
      );
    });
    const url = simulator.url;
    // A password the user chose is theirs: never printed. The demo one is public by design.
    const passwordLine =
      password === DEMO_PASSWORD
        ? `export ${ENV.password}=${DEMO_PASSWORD}`
        : `# ${ENV.password}: the one you set`;
    if (context.json) {
      writeLine(
        context.io.stdout,
        JSON.stringify({ url, agentId, passwordFromEnvironment: password !== DEMO_PASSWORD }),
      );
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
