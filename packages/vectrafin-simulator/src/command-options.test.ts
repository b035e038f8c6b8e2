import { ValidationError } from '@tolem/core';
import { isLosslessNumber, parse } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import {
  DEMO_AGENT_ID,
  DEMO_BALANCES,
  DEMO_PASSWORD,
  type SimulatorCommandInput,
  simulatorSetup,
  startSimulator,
} from './index.js';
import { createRawClient } from './raw-client.js';

/** `tolem simulator`'s settings, as the CLI package hands them over. */

async function balanceStatus(url: string, agentId: string, password: string): Promise<string | undefined> {
  const client = createRawClient(url);
  try {
    const text = (
      await client.form({ AgentID: agentId, AgentPassword: password, RequestType: 'CheckBalance' })
    ).text;
    const value = (parse(text) as Record<string, unknown>).ResponseStatus;
    return isLosslessNumber(value) ? value.value : undefined;
  } finally {
    await client.close();
  }
}

function refused(input: SimulatorCommandInput): ValidationError {
  try {
    simulatorSetup(input);
  } catch (error) {
    if (ValidationError.is(error)) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('simulatorSetup', () => {
  it('passes port, seed, host and callback URL through, and keeps the demo agent when none is given', () => {
    expect(simulatorSetup({ port: 0, seed: '7', host: '127.0.0.1' })).toEqual({
      options: { port: 0, seed: '7', host: '127.0.0.1' },
      agentId: DEMO_AGENT_ID,
      demoPassword: true,
    });
    expect(simulatorSetup({ callbackUrl: 'http://127.0.0.1:9/cb', agentId: '', password: '' })).toEqual({
      options: { callbackUrl: 'http://127.0.0.1:9/cb' },
      agentId: DEMO_AGENT_ID,
      demoPassword: true,
    });
  });

  it('serves the agent it is given instead of the demo agent, with the demo balance', async () => {
    const command = simulatorSetup({ agentId: '5005', password: 'env-secret-5005' });
    expect(command.agentId).toBe('5005');
    expect(command.demoPassword).toBe(false);
    expect(command.options.agents).toEqual([
      { agentId: '5005', password: 'env-secret-5005', balances: { ...DEMO_BALANCES } },
    ]);
    const simulator = await startSimulator(command.options);
    try {
      expect(await balanceStatus(simulator.url, '5005', 'env-secret-5005')).toBeUndefined();
      expect(await balanceStatus(simulator.url, DEMO_AGENT_ID, DEMO_PASSWORD)).toBe('-1');
    } finally {
      await simulator.close();
    }
  });

  it('with only a password, keeps the demo agent id under that password', () => {
    const command = simulatorSetup({ password: 'mine' });
    expect(command).toMatchObject({ agentId: DEMO_AGENT_ID, demoPassword: false });
    expect(command.options).toMatchObject({
      includeDemoAgent: false,
      agents: [{ agentId: DEMO_AGENT_ID, password: 'mine' }],
    });
  });

  it.each([
    [{ agentId: 'abc' }, 'agentId', /digits only/],
    [{ seed: 'two words' }, 'seed', /a word or a number/],
    [{ port: 99_999 }, 'port', /65535/],
    [{ host: '' }, 'host', /.+/],
    [{ callbackUrl: 'ftp://x' }, 'callbackUrl', /http\(s\) URL/],
  ] as const)('%o is refused naming %s, before anything starts', (input, field, rule) => {
    const error = refused(input);
    expect(error.field).toBe(field);
    expect(error.rule).toMatch(rule);
  });

  it('never puts the password in an error', () => {
    const error = refused({ agentId: 'x1', password: 'env-secret-5005' });
    expect(JSON.stringify({ message: error.message, field: error.field, rule: error.rule })).not.toContain(
      'env-secret',
    );
  });
});
