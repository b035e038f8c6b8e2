import { ValidationError } from '@tolem/core';
import { isLosslessNumber, parse } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { DEMO_AGENT_ID, DEMO_PASSWORD, parseSimulatorArgs, runSimulatorCli } from './index.js';
import { createRawClient } from './raw-client.js';

/** `tolem simulator` as the CLI package will run it. */

function capture() {
  let text = '';
  let onLine: ((line: string) => void) | undefined;
  const firstLine = new Promise<string>((resolve) => {
    onLine = resolve;
  });
  const writer = {
    write(chunk: string) {
      text += chunk;
      if (text.includes('\n')) onLine?.(text.split('\n')[0] ?? '');
      return true;
    },
  };
  return { writer, firstLine, text: () => text };
}

async function status(url: string, agentId: string, password: string): Promise<string | undefined> {
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

describe('runSimulatorCli', () => {
  it('prints the URL first, serves the demo agent, and stops cleanly with exit code 0', async () => {
    const stdout = capture();
    const stderr = capture();
    const controller = new AbortController();
    const running = runSimulatorCli(
      ['--seed', 'cli'],
      {},
      { stdout: stdout.writer, stderr: stderr.writer, signal: controller.signal },
    );
    const url = await stdout.firstLine;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await status(url, DEMO_AGENT_ID, DEMO_PASSWORD)).toBeUndefined();
    expect(stdout.text()).toContain(`password: ${DEMO_PASSWORD} (demo)`);
    controller.abort();
    expect(await running).toBe(0);
    expect(stderr.text()).toBe('');
  });

  it('takes the agent from TOLEM_VECTRAFIN_AGENT_ID / _PASSWORD and never prints that password', async () => {
    const stdout = capture();
    const controller = new AbortController();
    const env = { TOLEM_VECTRAFIN_AGENT_ID: '5005', TOLEM_VECTRAFIN_PASSWORD: 'env-secret-5005' };
    const running = runSimulatorCli([], env, {
      stdout: stdout.writer,
      stderr: capture().writer,
      signal: controller.signal,
    });
    const url = await stdout.firstLine;
    expect(await status(url, '5005', 'env-secret-5005')).toBeUndefined();
    expect(await status(url, DEMO_AGENT_ID, DEMO_PASSWORD)).toBe('-1');
    controller.abort();
    expect(await running).toBe(0);
    expect(stdout.text()).toContain('agent id: 5005');
    expect(stdout.text()).not.toContain('env-secret-5005');
  });

  it.each([
    [['--colour', 'red'], /--colour: unknown flag/],
    [['--port'], /--port: needs a value/],
    [['--port', '99999'], /--port: a port 0–65535/],
    [['--callback-url', 'ftp://x'], /callbackUrl/],
  ])('%o is bad input: one line on stderr, exit code 2', async (argv, message) => {
    const stderr = capture();
    expect(await runSimulatorCli(argv, {}, { stdout: capture().writer, stderr: stderr.writer })).toBe(2);
    expect(stderr.text()).toMatch(message);
    expect(stderr.text().trim().split('\n')).toHaveLength(1);
  });

  it('parseSimulatorArgs reads --flag=value and names a bad agent id variable', () => {
    expect(parseSimulatorArgs(['--port=0', '--seed=7', '--host', '127.0.0.1'], {}).options).toEqual({
      port: 0,
      seed: '7',
      host: '127.0.0.1',
    });
    expect(() => parseSimulatorArgs([], { TOLEM_VECTRAFIN_AGENT_ID: 'abc' })).toThrow(ValidationError);
    expect(() => parseSimulatorArgs([], { TOLEM_VECTRAFIN_AGENT_ID: 'abc' })).toThrow(
      /TOLEM_VECTRAFIN_AGENT_ID/,
    );
  });

  it('--help prints the usage and exits 0', async () => {
    const stdout = capture();
    expect(await runSimulatorCli(['--help'], {}, { stdout: stdout.writer, stderr: capture().writer })).toBe(
      0,
    );
    expect(stdout.text()).toMatch(/^Usage: tolem simulator/);
  });
});
