import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { createVectrafinProvider } from '@tolem/provider-vectrafin';
import { DEMO_AGENT_ID, DEMO_PASSWORD } from '@tolem/vectrafin-simulator';
import { describe, expect, it } from 'vitest';
import type { Io } from '../io.js';
import { run } from '../run.js';

/**
 * `tolem simulator` in this process: the flags the simulator package checks, and what bad input does.
 * test/simulator.test.ts runs the built command (signals, the environment's agent, a port in use).
 */

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

  it('--help prints the usage with every flag, exit 0', async () => {
    const { io, out } = memoryIo();
    expect(await run(['simulator', '--help'], io)).toBe(0);
    expect(out()).toContain('Usage: tolem simulator [--port N] [--seed S] [--host H] [--callback-url URL]');
    for (const flag of ['--port N', '--seed S', '--host H', '--callback-url URL'])
      expect(out()).toContain(flag);
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
});
