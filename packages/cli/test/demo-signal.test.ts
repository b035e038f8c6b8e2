import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, waitForOutput } from './run-tolem.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const PNPM = 'pnpm@10.34.9';
const TIMEOUT = 180_000;

/** The demo keeps its folder in TMPDIR: this file's own, deleted at the end. */
const scratch = mkdtempSync(join(tmpdir(), 'tolem-cli-signal-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * The folder holding the `pnpm` the README's `npx -y pnpm@10.34.9` runs (npx puts it first on the
 * PATH of what it runs). Running it directly shows pnpm's own exit code; under npx, npm's shell dies
 * on Ctrl-C before pnpm has finished, so npx's exit code says nothing about the demo.
 */
function pnpmFolder(env: Record<string, string>): string {
  const path = execFileSync(
    'npx',
    ['-y', PNPM, 'exec', 'node', '-e', 'process.stdout.write(process.env.PATH ?? "")'],
    { cwd: ROOT, env, encoding: 'utf8' },
  );
  const folder = path
    .split(delimiter)
    .find((entry) => existsSync(join(entry, 'pnpm')) && entry.includes('_npx'));
  if (folder === undefined) throw new Error(`no pnpm on the PATH npx gives: ${path}`);
  return folder;
}

describe('`pnpm run demo --serve` stopped from the terminal', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s to the whole process group: everything closes, one line says so, exit 0 and no ELIFECYCLE',
    async (signal) => {
      const env = cleanEnv({ TMPDIR: scratch });
      const folder = pnpmFolder(env);
      env.PATH = `${folder}${delimiter}${env.PATH ?? ''}`;
      // detached: pnpm leads a process group of its own, like the foreground job of a terminal.
      const child = spawn(join(folder, 'pnpm'), ['run', 'demo', '--serve'], {
        cwd: ROOT,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        child.once('close', (code, by) => resolve({ code, signal: by }));
      });
      try {
        await waitForOutput(child.stdout, /Serving until Ctrl-C[\s\S]*finalizer keeps running/);
        // A terminal's Ctrl-C goes to every process of the foreground group: pnpm, its shell, tolem.
        process.kill(-(child.pid as number), signal);
        const result = await exited;
        expect({ ...result, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
      } finally {
        // Whatever failed, leave no demo behind (ESRCH: the group is gone already).
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {}
      }
      expect(stdout).toContain('Every payment reached the state it should');
      const stopped = stdout.split('\n').filter((line) => line.startsWith('stopped'));
      expect(stopped).toEqual([
        `stopped on ${signal}: the simulator, router, finalizer, journal and /metrics are closed`,
      ]);
      expect(stdout).not.toContain('ELIFECYCLE');
      expect(stdout).not.toContain('Command failed');
    },
    TIMEOUT,
  );
});
