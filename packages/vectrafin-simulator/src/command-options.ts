import { ConfigError, ValidationError } from '@tolem/core';
import {
  DEMO_AGENT_ID,
  DEMO_BALANCES,
  DEMO_PASSWORD,
  resolveOptions,
  type SimulatorOptions,
} from './options.js';

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
  /**
   * The one agent to accept instead of the demo agent (the CLI reads these from the variables the
   * client reads). Empty means unset; with only one of the two set, the other is the demo agent's.
   */
  agentId?: string | undefined;
  password?: string | undefined;
}

export interface SimulatorSetup {
  /** For `startSimulator`, already checked. */
  options: SimulatorOptions;
  /** The agent the simulator accepts. */
  agentId: string;
  /** Whether that agent's password is the public demo one, and so may be printed. */
  demoPassword: boolean;
}

const SEED = /^[\w.-]{1,64}$/;

/**
 * Checks the settings before anything starts: a ValidationError names the setting (`port`, `seed`,
 * `host`, `callbackUrl`, `agentId`). An agent from the settings replaces the demo agent, with the demo
 * agent's opening balance.
 */
export function simulatorSetup(input: SimulatorCommandInput): SimulatorSetup {
  const { port, seed, host, callbackUrl } = input;
  if (seed !== undefined && !SEED.test(seed)) {
    throw new ValidationError('seed', 'must be a word or a number (letters, digits, "-", "_", "."), e.g. 42');
  }
  const agentId = input.agentId || undefined;
  const password = input.password || undefined;
  if (agentId !== undefined && !/^\d{1,18}$/.test(agentId)) {
    throw new ValidationError('agentId', 'must be digits only, e.g. 1');
  }
  const agent = { agentId: agentId ?? DEMO_AGENT_ID, password: password ?? DEMO_PASSWORD };
  const custom = agent.agentId !== DEMO_AGENT_ID || agent.password !== DEMO_PASSWORD;
  const options: SimulatorOptions = {
    ...(port === undefined ? {} : { port }),
    ...(seed === undefined ? {} : { seed }),
    ...(host === undefined ? {} : { host }),
    ...(callbackUrl === undefined ? {} : { callbackUrl }),
    ...(custom ? { includeDemoAgent: false, agents: [{ ...agent, balances: { ...DEMO_BALANCES } }] } : {}),
  };
  try {
    resolveOptions(options);
  } catch (error) {
    if (!ConfigError.is(error)) throw error;
    throw new ValidationError(error.option, error.rule, { cause: error });
  }
  return { options, agentId: agent.agentId, demoPassword: agent.password === DEMO_PASSWORD };
}
