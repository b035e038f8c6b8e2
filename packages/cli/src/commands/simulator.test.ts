import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createVectrafinProvider } from '@tolem/provider-vectrafin';
import {
  DEMO_AGENT_ID,
  DEMO_PASSWORD,
  FAULT_REQUEST_TYPES,
  type FaultKind,
} from '@tolem/vectrafin-simulator';
import { describe, expect, it } from 'vitest';
import type { Io } from '../io.js';
import { run } from '../run.js';

/**
 * `tolem simulator` in this process: the flags the simulator package checks, and what bad input does.
 * test/simulator.test.ts runs the built command (signals, the environment's agent, a port in use).
 */

/** Every fault kind, so that the type checker notices a kind the help does not name. */
const FAULT_KIND_NAMES: Record<FaultKind, true> = {
  delay: true,
  'drop-before': true,
  'drop-after': true,
  empty: true,
  html: true,
  'http-error': true,
  'malformed-json': true,
  cp1251: true,
  'status-as-string': true,
  status: true,
};

function memoryIo(env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  let onFirstLine: (line: string) => void = () => {};
  const firstLine = new Promise<string>((resolve) => {
    onFirstLine = resolve;
  });
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.includes('\n')) onFirstLine(out.split('\n')[0] ?? '');
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const io: Io = { stdout, stderr, env, cwd: process.cwd() };
  return { io, firstLine, out: () => out, err: () => err };
}

describe('tolem simulator', () => {
  it.each([
    [['--colour', 'red'], /^tolem: unknown flag --colour for `tolem simulator`/],
    [['--port'], /^tolem: --port needs a value/],
    [['--port', '99999'], /^tolem: --port must be a port number 0 to 65535/],
    [['--seed', 'two words'], /^tolem: --seed: must be a word or a number/],
    [['--host='], /^tolem: --host needs a value/],
    [['--callback-url', 'ftp://x'], /^tolem: --callback-url: an http\(s\) URL/],
    [['--agent', '90x'], /^tolem: --agent: "90x": the agent id must be 1 to 18 digits/],
    [['--agent', '901', '--agent', '901'], /^tolem: --agent: agent 901 is listed twice/],
    [['--agent=901:KZT=-5'], /^tolem: --agent: "901:KZT=-5": each balance is CUR=AMOUNT/],
    [['--progression', '1,10'], /^tolem: --progression: pending codes only/],
    [['--step-ms', 'soon'], /^tolem: --step-ms: "soon": a whole number of milliseconds/],
    [['--progression-share', '2'], /^tolem: --progression-share: "2": a share from 0 to 1/],
    [['--fault', 'drop-afterr'], /^tolem: --fault: "drop-afterr": the kind comes first/],
    [['--fault', 'empty', '--fault', 'delay,on=Status'], /^tolem: --fault: "delay,on=Status": delay needs/],
    [['--fault', 'empty,on=Paymnt'], /^tolem: --fault: "empty,on=Paymnt": on is one of AccountCheck/],
    [['--setup', 'no-such-file.json'], /^tolem: --setup: cannot read no-such-file.json \(ENOENT\)/],
    [['--detach', '--port', 'x'], /^tolem: --port must be a port number/],
    [['--detach=yes'], /^tolem: --detach takes no value/],
  ])('%o is bad input: one line on stderr, exit code 2, nothing started', async (argv, message) => {
    const { io, out, err } = memoryIo();
    expect(await run(['simulator', ...argv], io)).toBe(2);
    expect(err()).toMatch(message);
    expect(err().trim().split('\n')).toHaveLength(1);
    expect(out()).toBe('');
  });

  it('names the variable when the agent id from the environment is not digits', async () => {
    const { io, err } = memoryIo({ TOLEM_VECTRAFIN_AGENT_ID: 'abc', TOLEM_VECTRAFIN_PASSWORD: 'secret-x9' });
    expect(await run(['simulator'], io)).toBe(2);
    expect(err()).toMatch(/^tolem: TOLEM_VECTRAFIN_AGENT_ID: must be digits only/);
    expect(err()).not.toContain('secret-x9');
  });

  it('--help prints the usage with every flag, the fault syntax and examples, exit 0', async () => {
    const { io, out } = memoryIo();
    expect(await run(['simulator', '--help'], io)).toBe(0);
    expect(out()).toContain(
      'Usage: tolem simulator [--port N] [--host H] [--seed S] [--callback-url URL] [--agent ID[:CUR=AMOUNT,…]]… ' +
        '[--progression CODES] [--step-ms MS] [--progression-share P] [--fault SPEC]… [--setup FILE] [--detach]',
    );
    for (const flag of [
      '--port N',
      '--seed S',
      '--host H',
      '--callback-url URL',
      '--agent ID[:CUR=AMOUNT,…]',
      '--progression CODES',
      '--step-ms MS',
      '--progression-share P',
      '--fault SPEC',
      '--setup FILE',
      '--detach',
    ])
      expect(out()).toContain(`  ${flag}  `);
    // Every fault kind and request type the simulator knows is spelt out.
    for (const kind of Object.keys({ ...FAULT_KIND_NAMES })) expect(out()).toContain(kind);
    for (const requestType of FAULT_REQUEST_TYPES) expect(out()).toContain(requestType);
    expect(out()).toContain('eval "$(tolem simulator --detach)"');
  });

  it('tolem --help tells a newcomer how to try the sandbox', async () => {
    const { io, out } = memoryIo();
    expect(await run(['--help'], io)).toBe(0);
    expect(out()).toContain(
      'Try it on the sandbox: eval "$(tolem simulator --detach)" sets TOLEM_VECTRAFIN_URL',
    );
    expect(out()).toMatch(
      /simulator +Run the VectraFin sandbox on loopback, in the foreground or \(--detach\) the background/,
    );
  });

  it('a setup file that is not JSON, or names an unknown setting, is bad input naming the file and the key', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'tolem-setup-'));
    try {
      writeFileSync(join(folder, 'broken.json'), '{ "seed": ');
      writeFileSync(join(folder, 'typo.json'), '{ "agnets": [] }');
      writeFileSync(join(folder, 'twice.json'), '{ "seed": "a" }');
      const cases: [string[], RegExp][] = [
        [['--setup', 'broken.json'], /^tolem: --setup broken\.json: not JSON/],
        [['--setup', 'typo.json'], /^tolem: --setup typo\.json: agnets: unknown setting \(misspelt\?\)/],
        [['--setup', 'twice.json', '--seed', 'b'], /^tolem: --seed: also given in the setup file \(seed\)/],
      ];
      for (const [argv, message] of cases) {
        const { io, out, err } = memoryIo();
        expect(await run(['simulator', ...argv], { ...io, cwd: folder })).toBe(2);
        expect(err()).toMatch(message);
        expect(out()).toBe('');
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('listens on --host, posts the CallBack of a final payment to --callback-url, and stops with exit 0', async () => {
    const bodies: string[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        bodies.push(body);
        response.end('OK');
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callbacks`;
    const { io, firstLine, out } = memoryIo();
    const controller = new AbortController();
    const running = run(
      ['simulator', '--host=127.0.0.1', '--seed', 'cli', `--callback-url=${callbackUrl}`],
      io,
      controller.signal,
    );
    try {
      const url = await firstLine;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const provider = createVectrafinProvider({
        id: 'vf',
        baseUrl: url,
        agentId: DEMO_AGENT_ID,
        password: DEMO_PASSWORD,
      });
      const paid = await provider.pay({
        serviceId: '7',
        account: 'galek10',
        amount: '100.00',
        currency: 'KZT',
        transactionId: '7301',
      });
      await provider.close();
      expect(paid.state).toBe('succeeded');
      await expect.poll(() => bodies.length).toBeGreaterThan(0);
      expect(bodies[0]).toContain('"TransactinID":7301');
      expect(out()).toContain(`export TOLEM_VECTRAFIN_PASSWORD=${DEMO_PASSWORD}`);
    } finally {
      controller.abort();
      expect(await running).toBe(0);
      receiver.close();
    }
  });

  it('serves the --agent list with the environment password, --progression and --fault, and prints no password', async () => {
    const password = 'sandbox-env-pw-4412';
    const { io, firstLine, out, err } = memoryIo({ TOLEM_VECTRAFIN_PASSWORD: password });
    const controller = new AbortController();
    const running = run(
      [
        'simulator',
        '--seed=agents',
        '--agent',
        '901:KZT=1000.00',
        '--agent',
        '902',
        '--progression',
        '1',
        '--step-ms',
        '200',
        '--fault',
        'drop-after,on=Payment,times=1',
      ],
      io,
      controller.signal,
    );
    const providers: ReturnType<typeof createVectrafinProvider>[] = [];
    try {
      const url = await firstLine;
      const connect = (agentId: string) => {
        const provider = createVectrafinProvider({ id: `vf-${agentId}`, baseUrl: url, agentId, password });
        providers.push(provider);
        return provider;
      };
      const vf901 = connect('901');
      const request = {
        serviceId: '7',
        account: 'galek10',
        amount: '100.00',
        currency: 'KZT',
        transactionId: '8801',
      };
      // The fault: processed, then the connection dropped.
      expect((await vf901.pay(request)).reason).toBe('connection_lost');
      // The progression: pending 1 for a step, then final.
      expect((await vf901.getStatus({ transactionId: '8801' })).state).toBe('pending');
      await expect
        .poll(async () => (await vf901.getStatus({ transactionId: '8801' })).state, { timeout: 5_000 })
        .toBe('succeeded');
      // The fault was used up; the same payment again is answered, and the money moved once.
      expect((await vf901.pay(request)).state).toBe('succeeded');
      expect((await vf901.getBalance()).balances).toEqual([
        { currency: 'KZT', balance: '900.0', overdraft: '0.0' },
      ]);
      expect((await connect('902').getBalance()).state).toBe('succeeded');
      expect((await connect(DEMO_AGENT_ID).getBalance()).reason).toBe('auth_failed');
      expect(out()).toContain('export TOLEM_VECTRAFIN_AGENT_ID=901\n');
      expect(out()).toContain('# agents: 901 (KZT 1000.00), 902 (KZT 10000000.00); all with that password');
      expect(out()).toContain('# TOLEM_VECTRAFIN_PASSWORD: the one you set');
    } finally {
      await Promise.all(providers.map((provider) => provider.close()));
      controller.abort();
      expect(await running).toBe(0);
    }
    expect(out() + err()).not.toContain(password);
  });

  it('takes a whole setup from --setup FILE: overdraft, duplicate callbacks, a fault rule with a body', async () => {
    const bodies: string[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        bodies.push(body);
        response.end('OK');
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const folder = mkdtempSync(join(tmpdir(), 'tolem-setup-'));
    const setup = {
      seed: 'setup-file',
      callbackUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/cb`,
      callbacks: { duplicates: 1 },
      agents: [{ agentId: '903', balances: { KZT: '50.00' }, overdraft: { KZT: '100.00' } }],
      faults: [
        {
          requestType: 'CheckBalance',
          times: 1,
          fault: { kind: 'http-error', httpStatus: 503, body: 'busy' },
        },
      ],
    };
    writeFileSync(join(folder, 'sandbox.json'), JSON.stringify(setup));
    const { io, firstLine, out } = memoryIo();
    const controller = new AbortController();
    const running = run(
      ['simulator', '--setup', 'sandbox.json', '--json'],
      { ...io, cwd: folder },
      controller.signal,
    );
    try {
      const document = JSON.parse(await firstLine) as Record<string, unknown>;
      expect(document).toMatchObject({
        agentId: '903',
        passwordFromEnvironment: false,
        agents: [{ agentId: '903', balances: { KZT: '50.00' } }],
      });
      const provider = createVectrafinProvider({
        id: 'vf',
        baseUrl: document.url as string,
        agentId: '903',
        password: DEMO_PASSWORD,
      });
      try {
        expect((await provider.getBalance()).reason).toBe('http_error');
        expect((await provider.getBalance()).balances).toEqual([
          { currency: 'KZT', balance: '50.0', overdraft: '100.0' },
        ]);
        // 100.00 is above the balance but within the overdraft.
        const paid = await provider.pay({
          serviceId: '7',
          account: 'galek10',
          amount: '100.00',
          currency: 'KZT',
          transactionId: '8901',
        });
        expect(paid.state).toBe('succeeded');
      } finally {
        await provider.close();
      }
      await expect.poll(() => bodies.length).toBe(2);
      expect(out().trim().split('\n')).toHaveLength(1);
    } finally {
      controller.abort();
      expect(await running).toBe(0);
      receiver.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
