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
    const demoAgent = [{ agentId: DEMO_AGENT_ID, balances: { ...DEMO_BALANCES } }];
    expect(simulatorSetup({ port: 0, seed: '7', host: '127.0.0.1' })).toEqual({
      options: { port: 0, seed: '7', host: '127.0.0.1' },
      agentId: DEMO_AGENT_ID,
      demoPassword: true,
      agents: demoAgent,
    });
    expect(simulatorSetup({ callbackUrl: 'http://127.0.0.1:9/cb', agentId: '', password: '' })).toEqual({
      options: { callbackUrl: 'http://127.0.0.1:9/cb' },
      agentId: DEMO_AGENT_ID,
      demoPassword: true,
      agents: demoAgent,
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

async function balances(url: string, agentId: string, password: string): Promise<string> {
  const client = createRawClient(url);
  try {
    return (await client.form({ AgentID: agentId, AgentPassword: password, RequestType: 'CheckBalance' }))
      .text;
  } finally {
    await client.close();
  }
}

describe('simulatorSetup: agents', () => {
  it('serves every --agent with its balances and the one password, instead of the demo agent', async () => {
    const command = simulatorSetup({
      agents: ['901:KZT=500000.00,USD=120.5', '902'],
      agentId: '555', // not read: the listed agents are the ones
      password: 'env-secret-9',
    });
    expect(command).toMatchObject({
      agentId: '901',
      demoPassword: false,
      agents: [
        { agentId: '901', balances: { KZT: '500000.00', USD: '120.5' } },
        { agentId: '902', balances: { ...DEMO_BALANCES } },
      ],
    });
    const simulator = await startSimulator(command.options);
    try {
      const first = await balances(simulator.url, '901', 'env-secret-9');
      expect(first).toContain('"Balance":500000.0');
      expect(first).toContain('"Balance":120.5');
      expect(await balances(simulator.url, '902', 'env-secret-9')).toContain('"Balance":10000000.0');
      expect(await balanceStatus(simulator.url, '555', 'env-secret-9')).toBe('-1');
      expect(await balanceStatus(simulator.url, DEMO_AGENT_ID, DEMO_PASSWORD)).toBe('-1');
    } finally {
      await simulator.close();
    }
  });

  it('gives listed agents the public demo password when none is set, and says it may be printed', () => {
    const command = simulatorSetup({ agents: ['901'] });
    expect(command.demoPassword).toBe(true);
    expect(command.options.agents).toEqual([
      { agentId: '901', password: DEMO_PASSWORD, balances: { ...DEMO_BALANCES } },
    ]);
  });

  it.each([
    ['90a', /"90a": the agent id must be 1 to 18 digits/],
    ['901:KZT', /each balance is CUR=AMOUNT/],
    ['901:kzt=5', /each balance is CUR=AMOUNT/],
    ['901:KZT=1e3', /each balance is CUR=AMOUNT/],
    ['901:KZT=5,KZT=6', /KZT is given twice/],
  ])('--agent %s is refused naming agent', (value, rule) => {
    const error = refused({ agents: [value] });
    expect(error.field).toBe('agent');
    expect(error.rule).toMatch(rule);
  });

  it('refuses an agent listed twice', () => {
    expect(refused({ agents: ['901', '901:KZT=5'] })).toMatchObject({ field: 'agent' });
  });
});

describe('simulatorSetup: progression', () => {
  it('reads the pending codes, the step and the share', () => {
    expect(
      simulatorSetup({ progression: '1,3,9', stepMs: '250', progressionShare: '0.5' }).options.progression,
    ).toEqual({ steps: [1, 3, 9], stepMs: 250, probability: 0.5 });
    expect(simulatorSetup({ stepMs: '2000' }).options.progression).toEqual({ stepMs: 2000 });
  });

  it.each([
    [{ progression: '1,10' }, 'progression', /pending codes only/],
    [{ progression: '1 3' }, 'progression', /separated by commas/],
    [{ stepMs: '1.5' }, 'stepMs', /whole number of milliseconds/],
    [{ stepMs: '99999999' }, 'stepMs', /86400000/],
    [{ progressionShare: '1.5' }, 'progressionShare', /from 0 to 1/],
    [{ progressionShare: 'half' }, 'progressionShare', /from 0 to 1/],
  ] as const)('%o is refused naming %s', (input, field, rule) => {
    const error = refused(input);
    expect(error.field).toBe(field);
    expect(error.rule).toMatch(rule);
  });

  it('makes payments pending, then final, one step at a time', async () => {
    const command = simulatorSetup({ progression: '1,3', stepMs: '100' });
    const simulator = await startSimulator(command.options);
    const client = createRawClient(simulator.url);
    try {
      const answer = await client.form({
        AgentID: DEMO_AGENT_ID,
        AgentPassword: DEMO_PASSWORD,
        RequestType: 'Payment',
        Service: '7',
        Account: 'galek10',
        Amount: '100.00',
        Currency: 'KZT',
        TransactionID: '51',
      });
      expect(answer.text).toContain('"ResponseStatus":1');
      await expect.poll(() => simulator.ledger.get('51')?.status, { timeout: 5_000 }).toBe(10);
      expect(simulator.ledger.get('51')?.history.map((step) => step.status)).toEqual([1, 3, 10]);
    } finally {
      await client.close();
      await simulator.close();
    }
  });
});

describe('simulatorSetup: faults', () => {
  it('reads each --fault into a rule, in order', () => {
    expect(
      simulatorSetup({
        faults: [
          'drop-after,on=Payment,times=1',
          'delay=65000,on=Status,account=slow-user',
          'status=-2,on=Payment,process=no,probability=0.25',
          'http-error=502,on=CheckBalance,agent=144',
          'html,transaction=77,service=7',
          'cp1251=utf-8',
          'empty',
        ],
      }).options.faults,
    ).toEqual([
      { requestType: 'Payment', times: 1, fault: { kind: 'drop-after' } },
      { requestType: 'Status', account: 'slow-user', fault: { kind: 'delay', ms: 65000 } },
      { requestType: 'Payment', probability: 0.25, fault: { kind: 'status', code: -2, process: false } },
      { requestType: 'CheckBalance', agentId: '144', fault: { kind: 'http-error', httpStatus: 502 } },
      { transactionId: '77', serviceId: '7', fault: { kind: 'html' } },
      { fault: { kind: 'cp1251', declaredCharset: 'utf-8' } },
      { fault: { kind: 'empty' } },
    ]);
  });

  it.each([
    ['drop-afterr', /the kind comes first, one of delay, drop-before/],
    ['on=Payment,drop-after', /the kind comes first/],
    ['delay', /delay needs a whole number of milliseconds: delay=MS/],
    ['delay=soon', /delay needs a whole number/],
    ['drop-after=5', /drop-after takes no value/],
    ['drop-after,on=Paymnt', /on is one of AccountCheck, Payment/],
    ['drop-after,times=0', /times is a whole number from 1/],
    ['drop-after,process=no', /process does not apply to drop-after/],
    ['empty,process=maybe', /process is yes or no/],
    ['empty,colour=red', /unknown key "colour"/],
    ['empty,on', /"on" is not KEY=VALUE/],
    ['empty,times=1,times=2', /times is given twice/],
    ['http-error=200', /httpStatus/],
    ['delay=99999999', /ms/],
    ['empty,probability=2', /from 0 to 1/],
  ])('--fault %s is refused naming fault', (value, rule) => {
    const error = refused({ faults: [value] });
    expect(error.field).toBe('fault');
    expect(error.rule).toMatch(rule);
  });
});

describe('simulatorSetup: a setup file', () => {
  const file = {
    seed: 'file',
    agents: [
      { agentId: '901', balances: { KZT: '1000.00' }, overdraft: { KZT: '500.00' } },
      { agentId: '902', callbackUrl: 'http://127.0.0.1:9/cb-902' },
    ],
    progression: { steps: [1], stepMs: 50 },
    callbacks: { duplicates: 1 },
    faults: [{ requestType: 'Payment', times: 1, fault: { kind: 'drop-after' } }],
    timeZone: 'Asia/Almaty',
    paymentRequestIds: 'large',
  };

  it('becomes the options, agents with the one password and the demo balance when they have none', () => {
    const command = simulatorSetup({ setup: file, port: 0, password: 'env-pw' });
    expect(command.options).toEqual({
      ...file,
      port: 0,
      includeDemoAgent: false,
      agents: [
        { agentId: '901', password: 'env-pw', balances: { KZT: '1000.00' }, overdraft: { KZT: '500.00' } },
        {
          agentId: '902',
          password: 'env-pw',
          callbackUrl: 'http://127.0.0.1:9/cb-902',
          balances: { ...DEMO_BALANCES },
        },
      ],
    });
    expect(command.agents.map((agent) => agent.agentId)).toEqual(['901', '902']);
    expect(command.demoPassword).toBe(false);
  });

  it.each([
    [[1, 2], 'setup', /a JSON object/],
    [{ colour: 'red' }, 'setup.colour', /unknown setting \(misspelt\?\)/],
    [{ agents: [{ agentId: '901', password: 'in-a-file' }] }, 'setup.agents.0.password', /never in a file/],
    [{ agents: [] }, 'setup.agents', /non-empty list/],
    [{ agents: [{ agentId: '9a' }] }, 'setup.agents.0.agentId', /digits only/],
    [{ agents: [{ agentId: '1' }, { agentId: '1' }] }, 'setup.agents.1.agentId', /listed twice/],
    [{ progression: { steps: [10] } }, 'setup.progression.steps.0', /pending codes only/],
    [{ faults: [{ fault: { kind: 'drop-later' } }] }, 'setup.faults.0.fault.kind', /.+/],
    [{ callbacks: { duplicates: -1 } }, 'setup.callbacks.duplicates', /.+/],
    [{ timeZone: '+05:00' }, 'setup.timeZone', /.+/],
    [{ paymentRequestIds: 'huge' }, 'setup.paymentRequestIds', /.+/],
  ] as const)('%o is refused naming %s', (setup, field, rule) => {
    const error = refused({ setup });
    expect(error.field).toBe(field);
    expect(error.rule).toMatch(rule);
  });

  it('never prints a password given in the file back', () => {
    const error = refused({ setup: { agents: [{ agentId: '1', password: 'file-secret-77' }] } });
    expect(`${error.message} ${error.rule}`).not.toContain('file-secret-77');
  });

  it.each([
    [{ seed: 'flag' }, 'seed'],
    [{ agents: ['901'] }, 'agent'],
    [{ stepMs: '10' }, 'stepMs'],
    [{ faults: ['empty'] }, 'fault'],
  ] as const)('refuses %o given in the file too, naming the flag', (input, field) => {
    const error = refused({ ...input, setup: file });
    expect(error.field).toBe(field);
    expect(error.rule).toMatch(/also given in the setup file/);
  });
});
