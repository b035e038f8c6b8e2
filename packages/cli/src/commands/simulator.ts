import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@tolem/core';
import {
  DEMO_PASSWORD,
  SETUP_FILE_KEYS,
  type SimulatorCommandInput,
  type SimulatorSetup,
  simulatorSetup,
  startSimulator,
} from '@tolem/vectrafin-simulator';
import { optionalString, optionalStrings } from '../args.js';
import { CliError, usageError } from '../cli-error.js';
import type { Command, CommandContext } from '../command.js';
import { ENV } from '../connection.js';
import { EXIT } from '../exit-codes.js';
import { writeLine } from '../io.js';
import type { DaemonAnswer, DaemonRequest } from '../simulator-daemon.js';

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

/** The variable `--detach` sets to the background simulator's process id. */
export const PID_VARIABLE = 'TOLEM_SIMULATOR_PID';

/** What each setting of the simulator's own check is called on this command line. */
const SETTING_NAMES: Readonly<Record<string, string>> = {
  port: '--port',
  seed: '--seed',
  host: '--host',
  callbackUrl: '--callback-url',
  agent: '--agent',
  progression: '--progression',
  stepMs: '--step-ms',
  progressionShare: '--progression-share',
  fault: '--fault',
  agentId: ENV.agentId,
  password: ENV.password,
};

/** The setup file's content: JSON, read exactly as written (its numbers are small settings). */
function readSetupFile(path: string | undefined, cwd: string): unknown {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw usageError(`--setup: cannot read ${path}${typeof code === 'string' ? ` (${code})` : ''}`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw usageError(`--setup ${path}: not JSON (${(error as Error).message})`, { cause: error });
  }
}

/** The simulator's options from the flags, a setup file and the environment, checked by the simulator package. */
function readSettings(context: CommandContext): SimulatorSetup {
  const { flags, io } = context;
  const setupPath = optionalString(flags, 'setup');
  const input: SimulatorCommandInput = {
    port: flags.port === undefined ? undefined : readPort(optionalString(flags, 'port')),
    seed: optionalString(flags, 'seed'),
    host: optionalString(flags, 'host'),
    callbackUrl: optionalString(flags, 'callback-url'),
    agents: optionalStrings(flags, 'agent'),
    progression: optionalString(flags, 'progression'),
    stepMs: optionalString(flags, 'step-ms'),
    progressionShare: optionalString(flags, 'progression-share'),
    faults: optionalStrings(flags, 'fault'),
    setup: readSetupFile(setupPath, io.cwd),
    agentId: io.env[ENV.agentId],
    password: io.env[ENV.password],
  };
  try {
    return simulatorSetup(input);
  } catch (error) {
    if (!ValidationError.is(error)) throw error;
    const where = error.field.startsWith('setup.')
      ? `--setup ${setupPath}: ${error.field.slice('setup.'.length)}`
      : error.field === 'setup'
        ? `--setup ${setupPath}`
        : (SETTING_NAMES[error.field] ?? error.field);
    throw usageError(`${where}: ${error.rule}`, { cause: error });
  }
}

/** A value as one shell word: bare when it is plainly safe, else in single quotes. */
function shellWord(value: string): string {
  return /^[\w./:@%+,=-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

function portInUse(port: number, cause: unknown): CliError {
  return new CliError(
    `port ${port} is in use: pick another with --port, or --port 0 for a free one`,
    EXIT.other,
    'port_in_use',
    { cause },
  );
}

/** The daemon beside this module: dist/simulator-daemon.js, from the build (src/ too resolves there). */
const DAEMON = fileURLToPath(new URL('../../dist/simulator-daemon.js', import.meta.url));

/** Starts the simulator in a process of its own and resolves once it listens, with its URL and pid. */
function startDetached(
  context: CommandContext,
  setup: SimulatorSetup,
): Promise<{ url: string; pid: number }> {
  const port = setup.options.port ?? 0;
  return new Promise((resolvePromise, reject) => {
    const child = fork(DAEMON, [], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      // The options carry the password: the daemon needs no copy of it in its environment.
      env: { ...context.io.env, [ENV.password]: undefined },
      cwd: context.io.cwd,
      execArgv: [],
    });
    const done = (): void => {
      child.removeAllListeners();
      child.unref();
      child.channel?.unref();
    };
    child.once('message', (message: DaemonAnswer) => {
      done();
      if ('ready' in message && child.pid !== undefined) {
        resolvePromise({ url: message.ready.url, pid: child.pid });
        return;
      }
      const failed = 'failed' in message ? message.failed : { code: null, message: 'no answer' };
      reject(
        failed.code === 'EADDRINUSE'
          ? portInUse(port, failed)
          : new CliError(`the simulator did not start: ${failed.message}`, EXIT.other, 'simulator_failed'),
      );
    });
    child.once('error', (error) => {
      done();
      reject(new CliError(`the simulator did not start: ${error.message}`, EXIT.other, 'simulator_failed'));
    });
    child.once('exit', (code) => {
      done();
      reject(
        new CliError(
          `the simulator stopped before it was ready (exit code ${code})`,
          EXIT.other,
          'simulator_failed',
        ),
      );
    });
    const request: DaemonRequest = { options: setup.options };
    child.send(request);
  });
}

/** What the person needs to use the simulator: `export` lines and `#` comments, valid shell throughout. */
function settingsLines(url: string, setup: SimulatorSetup, pid: number | null): string[] {
  const lines = [
    `export ${ENV.url}=${shellWord(url)}`,
    `export ${ENV.agentId}=${shellWord(setup.agentId)}`,
    setup.demoPassword ? `export ${ENV.password}=${DEMO_PASSWORD}` : `# ${ENV.password}: the one you set`,
  ];
  if (pid !== null) lines.push(`export ${PID_VARIABLE}=${pid}`);
  if (setup.agents.length > 1) {
    const agents = setup.agents.map(
      ({ agentId, balances }) =>
        `${agentId} (${Object.entries(balances)
          .map(([currency, amount]) => `${currency} ${amount}`)
          .join(', ')})`,
    );
    lines.push(`# agents: ${agents.join(', ')}; all with that password (another one: --agent-id ID)`);
  }
  lines.push(`# try: tolem vectrafin check --service 7 --account galek10 --amount 100.00`);
  if (pid !== null) lines.push(`# stop it: kill ${pid}`);
  return lines;
}

const SETUP_HELP = `JSON file with a whole setup: ${SETUP_FILE_KEYS.join(', ')} (the simulator README's options)`;

export const simulatorCommand: Command = {
  name: 'simulator',
  summary:
    'Run the VectraFin sandbox on loopback, in the foreground or (--detach) the background; prints the settings to export.',
  usage:
    'tolem simulator [--port N] [--host H] [--seed S] [--callback-url URL] [--agent ID[:CUR=AMOUNT,…]]… ' +
    '[--progression CODES] [--step-ms MS] [--progression-share P] [--fault SPEC]… [--setup FILE] [--detach]',
  options: {
    port: { type: 'string', value: 'N', description: 'port to listen on (default: a free one)' },
    host: {
      type: 'string',
      value: 'H',
      description: 'address to listen on (default 127.0.0.1; the demo password is public)',
    },
    seed: { type: 'string', value: 'S', description: 'seed for deterministic ids, offers and fault draws' },
    'callback-url': {
      type: 'string',
      value: 'URL',
      description: 'where to POST the CallBack when a payment turns final (default: none)',
    },
    agent: {
      type: 'string',
      multiple: true,
      value: 'ID[:CUR=AMOUNT,…]',
      description: `an agent and its opening balances (default KZT=10000000.00); repeat for several; all take ${ENV.password} or the demo password`,
    },
    progression: {
      type: 'string',
      value: 'CODES',
      description:
        'pending codes each payment answers before its final status, e.g. 1,3,9 (default: final at once)',
    },
    'step-ms': {
      type: 'string',
      value: 'MS',
      description: 'how long each pending step lasts (default 1000; alone, it means --progression 1,3,9)',
    },
    'progression-share': {
      type: 'string',
      value: 'P',
      description: 'share of payments (0 to 1) that go through the pending steps (default 1)',
    },
    fault: {
      type: 'string',
      multiple: true,
      value: 'SPEC',
      description:
        'a fault rule KIND[=VALUE][,KEY=VALUE…] (below); repeat for several, the first match applies',
    },
    setup: { type: 'string', value: 'FILE', description: SETUP_HELP },
    detach: {
      type: 'boolean',
      description: `run in the background: print export lines (with ${PID_VARIABLE}) once it listens, then exit; use as eval "$(tolem simulator --detach)"`,
    },
  },
  details: `Agents: without --agent (or a setup file's agents) the simulator accepts one agent, ${ENV.agentId} and
${ENV.password} when set, else the public demo agent 144 / ${DEMO_PASSWORD}. Listed agents all take
${ENV.password}, or the demo password when it is unset; a password is never a flag nor in a file.

Faults, --fault KIND[=VALUE][,KEY=VALUE…]:
  kinds  delay=MS (answer late, past 60 s if you like), drop-before (close, nothing done),
         drop-after (do it, then close), empty, html[=HTTP_STATUS], http-error=HTTP_STATUS,
         malformed-json, cp1251[=utf-8|windows-1251], status-as-string, status=CODE (answer that code)
  keys   on=REQUEST (AccountCheck, Payment, Status, CheckBalance, GetPaymentsByDate, GetSettingServices,
         CalculatedSum, PostPayments, PostTotalAmount; default all), account=A, service=S,
         transaction=T, agent=ID, times=N (then it stops), probability=P (0 to 1, drawn from --seed),
         process=yes|no (whether the request is still carried out; default yes, no for status)

Examples:
  eval "$(tolem simulator --detach)"                 # in the background; then tolem vectrafin …; kill "$${PID_VARIABLE}"
  tolem simulator --agent 901:KZT=500000.00 --agent 902:KZT=100.00,USD=50
  tolem simulator --progression 1,3,9 --step-ms 2000 --progression-share 0.5
  tolem simulator --fault drop-after,on=Payment,times=1 --fault delay=65000,on=Status,probability=0.2
  tolem simulator --fault status=-2,on=Payment,account=galek10 --callback-url http://127.0.0.1:8080/cb
  tolem simulator --setup sandbox.json               # overdrafts, callbacks (duplicates, late), time zones
`,
  async run(context) {
    const setup = readSettings(context);
    const port = setup.options.port ?? 0;
    // A password the user chose is theirs: never printed. The demo one is public by design.
    const password = setup.options.agents?.[0]?.password;
    if (password !== undefined && !setup.demoPassword) context.addSecret(password);
    const agents = setup.agents;
    const summary = { agentId: setup.agentId, passwordFromEnvironment: !setup.demoPassword, agents };

    if (context.flags.detach === true) {
      const { url, pid } = await startDetached(context, setup);
      if (context.json) writeLine(context.io.stdout, JSON.stringify({ url, ...summary, pid }));
      else for (const line of settingsLines(url, setup, pid)) writeLine(context.io.stdout, line);
      writeLine(
        context.io.stderr,
        `simulator listening on ${url} in the background (pid ${pid}); kill ${pid} stops it`,
      );
      return EXIT.ok;
    }

    const simulator = await startSimulator(setup.options).catch((error: unknown) => {
      if ((error as { code?: unknown }).code !== 'EADDRINUSE') throw error;
      throw portInUse(port, error);
    });
    const url = simulator.url;
    if (context.json) {
      writeLine(context.io.stdout, JSON.stringify({ url, ...summary }));
    } else {
      writeLine(context.io.stdout, url);
      for (const line of settingsLines(url, setup, null)) writeLine(context.io.stdout, line);
    }
    writeLine(context.io.stderr, `simulator listening on ${url}; Ctrl-C stops it`);
    await untilAborted(context.signal);
    await simulator.close();
    writeLine(context.io.stderr, 'simulator stopped');
    return EXIT.ok;
  },
};
