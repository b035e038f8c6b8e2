import { ConfigError, ValidationError } from '@tolem/core';
import {
  type AgentFlag,
  parseAgentFlag,
  parseFaultFlag,
  parseMillisecondsFlag,
  parseShareFlag,
  parseStepsFlag,
} from './command-specs.js';
import type { FaultRule } from './faults.js';
import {
  DEMO_AGENT_ID,
  DEMO_BALANCES,
  DEMO_PASSWORD,
  resolveOptions,
  type SimulatorOptions,
} from './options.js';
import type { ProgressionOptions } from './progression.js';

/**
 * `tolem simulator`'s settings as a person gives them (architecture §7). The command itself — its flags,
 * its output and exit codes — is the CLI package's; what each setting may be is decided here, beside
 * the options it becomes, so that the command and `startSimulator` never disagree.
 */
export interface SimulatorCommandInput {
  /** Where to listen (default 0: a free port). */
  port?: number | undefined;
  /** A word or a number (letters, digits, "-", "_", "."). */
  seed?: string | undefined;
  host?: string | undefined;
  callbackUrl?: string | undefined;
  /** Agents to accept instead of the default one, each `ID` or `ID:CUR=AMOUNT[,CUR=AMOUNT…]`. */
  agents?: readonly string[] | undefined;
  /** Pending codes a payment goes through before its final status: `1,3,9`. */
  progression?: string | undefined;
  /** How long each pending step lasts, in ms. */
  stepMs?: string | undefined;
  /** Share of payments (0 to 1) that go through the pending steps. */
  progressionShare?: string | undefined;
  /** Fault rules, each `KIND[=VALUE][,KEY=VALUE…]` (see `parseFaultFlag`). */
  faults?: readonly string[] | undefined;
  /**
   * A whole setup at once, as read from a JSON file: any of SETUP_FILE_KEYS, in the shapes of
   * `startSimulator`'s options. Agents carry no password. A setting comes from here or from its own
   * input above, never both.
   */
  setup?: unknown;
  /**
   * The one agent to accept instead of the demo agent (the CLI reads these from the variables the
   * client reads). Empty means unset; with only one of the two set, the other is the demo agent's.
   * With `agents` (or the setup's agents) the id is not read, and the password is every agent's.
   */
  agentId?: string | undefined;
  password?: string | undefined;
}

/** An agent the simulator accepts, as the person is told about it (never with its password). */
export interface SimulatorAgentSummary {
  agentId: string;
  balances: Record<string, string>;
}

export interface SimulatorSetup {
  /** For `startSimulator`, already checked. */
  options: SimulatorOptions;
  /** The agent the simulator accepts (the first one, when it accepts several). */
  agentId: string;
  /** Whether the agents' password is the public demo one, and so may be printed. */
  demoPassword: boolean;
  /** Every agent it accepts, in order, with its opening balances. */
  agents: SimulatorAgentSummary[];
}

/** What a setup file may hold: `startSimulator`'s options that a file can carry. */
export const SETUP_FILE_KEYS = [
  'port',
  'host',
  'seed',
  'callbackUrl',
  'agents',
  'progression',
  'callbacks',
  'faults',
  'timeZone',
  'agentTimeZone',
  'paymentRequestIds',
] as const;
type SetupKey = (typeof SETUP_FILE_KEYS)[number];

const SEED = /^[\w.-]{1,64}$/;

/** Which input of SimulatorCommandInput gives each setting, besides the file. */
const FLAG_INPUTS = {
  port: ['port'],
  host: ['host'],
  seed: ['seed'],
  callbackUrl: ['callbackUrl'],
  agents: ['agents'],
  progression: ['progression', 'stepMs', 'progressionShare'],
  faults: ['faults'],
} as const satisfies Partial<Record<SetupKey, readonly (keyof SimulatorCommandInput)[]>>;

/** The setting an option path came from: the error names that flag, or `setup.<path>` in the file. */
function settingOf(option: string, fromFile: ReadonlySet<string>): string {
  const root = option.split('.')[0] ?? option;
  if (fromFile.has(root)) return `setup.${option}`;
  if (root === 'agents') return 'agent';
  if (root === 'faults') return 'fault';
  if (option.startsWith('progression.stepMs')) return 'stepMs';
  if (option.startsWith('progression.probability')) return 'progressionShare';
  if (root === 'progression') return 'progression';
  return option;
}

function readSetupFile(setup: unknown): Record<string, unknown> {
  if (setup === undefined) return {};
  if (typeof setup !== 'object' || setup === null || Array.isArray(setup)) {
    throw new ValidationError('setup', `a JSON object with any of ${SETUP_FILE_KEYS.join(', ')}`);
  }
  for (const key of Object.keys(setup)) {
    if (!(SETUP_FILE_KEYS as readonly string[]).includes(key)) {
      throw new ValidationError(
        `setup.${key}`,
        `unknown setting (misspelt?); a setup file takes ${SETUP_FILE_KEYS.join(', ')}`,
      );
    }
  }
  return setup as Record<string, unknown>;
}

function present(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : value !== undefined;
}

/** Agents from `--agent` or the file (without passwords), or null for the default agent. */
function listedAgents(input: SimulatorCommandInput, file: Record<string, unknown>): AgentFlag[] | null {
  if (present(input.agents)) {
    return (input.agents ?? []).map((value) => parseAgentFlag(value, DEMO_BALANCES));
  }
  if (file.agents === undefined) return null;
  if (!Array.isArray(file.agents) || file.agents.length === 0) {
    throw new ValidationError(
      'setup.agents',
      'a non-empty list of { agentId, balances?, overdraft?, callbackUrl? }',
    );
  }
  return file.agents.map((agent: unknown, index) => {
    if (typeof agent !== 'object' || agent === null || Array.isArray(agent)) {
      throw new ValidationError(
        `setup.agents.${index}`,
        'an object { agentId, balances?, overdraft?, callbackUrl? }',
      );
    }
    if (Object.hasOwn(agent, 'password')) {
      throw new ValidationError(
        `setup.agents.${index}.password`,
        'never in a file: every agent takes the password from TOLEM_VECTRAFIN_PASSWORD, or the public demo password when it is unset',
      );
    }
    const spec = agent as AgentFlag;
    return { ...spec, balances: spec.balances ?? { ...DEMO_BALANCES } };
  });
}

function progressionFromFlags(input: SimulatorCommandInput): ProgressionOptions | undefined {
  const { progression, stepMs, progressionShare } = input;
  if (progression === undefined && stepMs === undefined && progressionShare === undefined) return undefined;
  return {
    ...(progression === undefined ? {} : { steps: parseStepsFlag(progression) }),
    ...(stepMs === undefined ? {} : { stepMs: parseMillisecondsFlag(stepMs, 'stepMs') }),
    ...(progressionShare === undefined
      ? {}
      : { probability: parseShareFlag(progressionShare, 'progressionShare') }),
  };
}

/**
 * Checks the settings before anything starts: a ValidationError names the setting (`port`, `seed`,
 * `host`, `callbackUrl`, `agent`, `progression`, `stepMs`, `progressionShare`, `fault`, `agentId`, or
 * `setup.<path>` inside the setup file). Without listed agents, an agent from the settings replaces the
 * demo agent, with the demo agent's opening balance; listed agents all take `password` (else the demo
 * one).
 */
export function simulatorSetup(input: SimulatorCommandInput): SimulatorSetup {
  const file = readSetupFile(input.setup);
  const fromFile = new Set(Object.keys(file));
  for (const [key, inputs] of Object.entries(FLAG_INPUTS)) {
    const flag = inputs.find((name) => present(input[name]));
    if (flag !== undefined && fromFile.has(key)) {
      const setting = flag === 'agents' ? 'agent' : flag === 'faults' ? 'fault' : flag;
      throw new ValidationError(setting, `also given in the setup file (${key}): give each setting once`);
    }
  }
  const { port, seed, host, callbackUrl } = input;
  if (seed !== undefined && !SEED.test(seed)) {
    throw new ValidationError('seed', 'must be a word or a number (letters, digits, "-", "_", "."), e.g. 42');
  }
  const password = input.password || undefined;
  const listed = listedAgents(input, file);
  let agents: SimulatorAgentSummary[];
  let agentOptions: Pick<SimulatorOptions, 'agents' | 'includeDemoAgent'>;
  let agentPassword: string;
  if (listed === null) {
    const agentId = input.agentId || undefined;
    if (agentId !== undefined && !/^\d{1,18}$/.test(agentId)) {
      throw new ValidationError('agentId', 'must be digits only, e.g. 1');
    }
    const agent = { agentId: agentId ?? DEMO_AGENT_ID, password: password ?? DEMO_PASSWORD };
    const custom = agent.agentId !== DEMO_AGENT_ID || agent.password !== DEMO_PASSWORD;
    agentPassword = agent.password;
    agents = [{ agentId: agent.agentId, balances: { ...DEMO_BALANCES } }];
    agentOptions = custom
      ? { includeDemoAgent: false, agents: [{ ...agent, balances: { ...DEMO_BALANCES } }] }
      : {};
  } else {
    agentPassword = password ?? DEMO_PASSWORD;
    const seen = new Set<string>();
    listed.forEach((agent, index) => {
      if (seen.has(agent.agentId)) {
        const field = fromFile.has('agents') ? `setup.agents.${index}.agentId` : 'agent';
        throw new ValidationError(field, `agent ${agent.agentId} is listed twice`);
      }
      seen.add(agent.agentId);
    });
    agents = listed.map(({ agentId, balances }) => ({ agentId, balances: { ...balances } }));
    agentOptions = {
      includeDemoAgent: false,
      agents: listed.map((agent) => ({ ...agent, password: agentPassword })),
    };
  }
  const progression = progressionFromFlags(input);
  const faults: FaultRule[] | undefined = present(input.faults)
    ? (input.faults ?? []).map(parseFaultFlag)
    : undefined;
  const options = {
    ...file,
    ...(port === undefined ? {} : { port }),
    ...(seed === undefined ? {} : { seed }),
    ...(host === undefined ? {} : { host }),
    ...(callbackUrl === undefined ? {} : { callbackUrl }),
    ...(progression === undefined ? {} : { progression }),
    ...(faults === undefined ? {} : { faults }),
    ...agentOptions,
  } as SimulatorOptions;
  try {
    resolveOptions(options);
  } catch (error) {
    if (!ConfigError.is(error)) throw error;
    throw new ValidationError(settingOf(error.option, fromFile), error.rule, { cause: error });
  }
  return {
    options,
    agentId: agents[0]?.agentId ?? DEMO_AGENT_ID,
    demoPassword: agentPassword === DEMO_PASSWORD,
    agents,
  };
}
