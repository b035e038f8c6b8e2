import { existsSync, readFileSync } from 'node:fs';
import { DEMO_AGENT_ID, DEMO_PASSWORD } from '@tolem/vectrafin-simulator';
import { describe, expect, it } from 'vitest';
import { alive, cleanEnv, collect, json, start, stopProcess, tolem, waitForOutput } from './run-tolem.js';

const TIMEOUT = 60_000;

/** `export NAME=value` lines of the simulator's output, as an environment. */
function exports(stdout: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of stdout.matchAll(/^export (\w+)=(.*)$/gm)) env[match[1] as string] = match[2] as string;
  return env;
}

describe('tolem simulator', () => {
  it(
    'prints its URL as the first line, then the demo credentials; serves them; stops on SIGINT',
    async () => {
      const child = start(['simulator', '--port', '0', '--seed', '42'], cleanEnv());
      const done = collect(child);
      const shown = await waitForOutput(
        child.stdout as NodeJS.ReadableStream,
        /TOLEM_VECTRAFIN_PASSWORD.*\n/,
      );
      const [first] = shown.split('\n');
      expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const env = exports(shown);
      expect(env).toEqual({
        TOLEM_VECTRAFIN_URL: first,
        TOLEM_VECTRAFIN_AGENT_ID: DEMO_AGENT_ID,
        TOLEM_VECTRAFIN_PASSWORD: DEMO_PASSWORD,
      });

      const balance = await tolem(['vectrafin', 'balance', '--json'], cleanEnv(env));
      expect(balance.code).toBe(0);
      expect(json(balance).state).toBe('succeeded');

      child.kill('SIGINT');
      const result = await done;
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('simulator stopped');
    },
    TIMEOUT,
  );

  it(
    'takes the agent from the environment and never prints a password the user chose',
    async () => {
      const password = 'my-own-sandbox-pw-83c1';
      const child = start(
        ['simulator'],
        cleanEnv({ TOLEM_VECTRAFIN_AGENT_ID: '555', TOLEM_VECTRAFIN_PASSWORD: password }),
      );
      const done = collect(child);
      const shown = await waitForOutput(
        child.stdout as NodeJS.ReadableStream,
        /TOLEM_VECTRAFIN_PASSWORD.*\n/,
      );
      const url = shown.split('\n')[0] as string;
      const env = cleanEnv({
        TOLEM_VECTRAFIN_URL: url,
        TOLEM_VECTRAFIN_AGENT_ID: '555',
        TOLEM_VECTRAFIN_PASSWORD: password,
      });
      const check = await tolem(
        ['vectrafin', 'check', '--service', '7', '--account', 'galek10', '--amount', '100.00'],
        env,
      );
      expect(check.code).toBe(0);
      const demo = await tolem(['vectrafin', 'balance'], {
        ...env,
        TOLEM_VECTRAFIN_AGENT_ID: DEMO_AGENT_ID,
        TOLEM_VECTRAFIN_PASSWORD: DEMO_PASSWORD,
      });
      expect(demo.code).toBe(1);

      child.kill('SIGTERM');
      const result = await done;
      expect(result.code).toBe(0);
      expect(result.stdout + result.stderr).not.toContain(password);
    },
    TIMEOUT,
  );

  it('refuses a bad port (exit 2) without starting', async () => {
    const result = await tolem(['simulator', '--port', '70000'], cleanEnv());
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^tolem: --port must be a port number/);
  });

  it(
    'exits 1 with one line when the port is taken',
    async () => {
      const child = start(['simulator'], cleanEnv());
      const done = collect(child);
      const shown = await waitForOutput(child.stdout as NodeJS.ReadableStream, /\n/);
      const port = new URL(shown.split('\n')[0] as string).port;
      const clash = await tolem(['simulator', '--port', port], cleanEnv());
      expect(clash.code).toBe(1);
      expect(clash.stderr.trim().split('\n')).toHaveLength(1);
      expect(clash.stderr).toContain(`port ${port} is in use`);
      child.kill('SIGINT');
      expect((await done).code).toBe(0);
    },
    TIMEOUT,
  );
});

describe('tolem simulator --detach', () => {
  it(
    'prints only shell (export lines and comments) once it listens, exits 0, serves on, and stops on SIGTERM',
    async () => {
      const result = await tolem(['simulator', '--detach', '--seed', 'detach'], cleanEnv());
      const env = exports(result.stdout);
      const pid = Number(env.TOLEM_SIMULATOR_PID);
      try {
        expect(result.code).toBe(0);
        for (const line of result.stdout.trimEnd().split('\n'))
          expect(line).toMatch(/^(export \w+=\S+|# .+)$/);
        expect(env).toEqual({
          TOLEM_VECTRAFIN_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
          TOLEM_VECTRAFIN_AGENT_ID: DEMO_AGENT_ID,
          TOLEM_VECTRAFIN_PASSWORD: DEMO_PASSWORD,
          TOLEM_SIMULATOR_PID: String(pid),
        });
        expect(result.stderr).toContain(`in the background (pid ${pid}); kill ${pid} stops it`);
        // The command is gone; the simulator is not.
        expect(alive(pid)).toBe(true);
        const balance = await tolem(['vectrafin', 'balance', '--json'], cleanEnv(env));
        expect(balance.code).toBe(0);
        expect(json(balance).state).toBe('succeeded');
      } finally {
        expect(await stopProcess(pid)).toBe(true);
      }
    },
    TIMEOUT,
  );

  it(
    'with --json prints one document with the pid; a password the user chose is in no output and not in its environment',
    async () => {
      const password = 'detached-own-pw-7731';
      const result = await tolem(
        ['simulator', '--detach', '--json', '--agent', '931', '--agent', '932:USD=10.00'],
        cleanEnv({ TOLEM_VECTRAFIN_PASSWORD: password }),
      );
      const document = json(result);
      const pid = document.pid as number;
      try {
        expect(result.code).toBe(0);
        expect(document).toMatchObject({
          url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
          agentId: '931',
          passwordFromEnvironment: true,
          agents: [
            { agentId: '931', balances: { KZT: '10000000.00' } },
            { agentId: '932', balances: { USD: '10.00' } },
          ],
        });
        const env = cleanEnv({
          TOLEM_VECTRAFIN_URL: document.url as string,
          TOLEM_VECTRAFIN_AGENT_ID: '932',
          TOLEM_VECTRAFIN_PASSWORD: password,
        });
        const balance = await tolem(['vectrafin', 'balance', '--json'], env);
        expect(json(balance).balances).toEqual([{ currency: 'USD', balance: '10.0', overdraft: '0.0' }]);
        expect(result.stdout + result.stderr).not.toContain(password);
        const environ = `/proc/${pid}/environ`;
        if (existsSync(environ)) expect(readFileSync(environ, 'utf8')).not.toContain(password);
      } finally {
        expect(await stopProcess(pid)).toBe(true);
      }
    },
    TIMEOUT,
  );

  it(
    'exits 1 with one line when the port is taken',
    async () => {
      const first = await tolem(['simulator', '--detach', '--json'], cleanEnv());
      const { url, pid } = json(first) as { url: string; pid: number };
      try {
        const port = new URL(url).port;
        const clash = await tolem(['simulator', '--detach', '--port', port], cleanEnv());
        expect(clash.code).toBe(1);
        expect(clash.stdout).toBe('');
        expect(clash.stderr.trim().split('\n')).toEqual([
          `tolem: port ${port} is in use: pick another with --port, or --port 0 for a free one`,
        ]);
      } finally {
        expect(await stopProcess(pid)).toBe(true);
      }
    },
    TIMEOUT,
  );
});
