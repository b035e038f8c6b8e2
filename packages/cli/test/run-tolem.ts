import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built command, exactly as `node_modules/.bin/tolem` runs it. */
export const BIN = fileURLToPath(new URL('../bin/tolem.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every output of every run, for the test that proves no secret ever appears in one. */
export const transcript: Result[] = [];

/** The environment a user's shell would give: PATH and HOME, no TOLEM_* leaking in from ours. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

export function assertBuilt(): void {
  if (!existsSync(BUILT))
    throw new Error('packages/cli/dist is missing: run `npx tsc -b packages/cli` first');
}

export function start(args: readonly string[], env: Record<string, string>, cwd?: string): ChildProcess {
  assertBuilt();
  return spawn(process.execPath, [BIN, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `tolem args…` to completion. */
export function tolem(args: readonly string[], env: Record<string, string>, cwd?: string): Promise<Result> {
  const child = start(args, env, cwd);
  return collect(child);
}

export function collect(child: ChildProcess): Promise<Result> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const result = { code, stdout, stderr };
      transcript.push(result);
      resolve(result);
    });
  });
}

/** Resolves with the output so far once `stream` has printed something matching `pattern`. */
export function waitForOutput(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (chunk: Buffer | string): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        stream.off('data', onData);
        resolve(seen);
      }
    };
    stream.on('data', onData);
  });
}

/** Parses stdout as exactly one JSON document (anything else around it fails the test). */
export function json(result: Result): Record<string, unknown> {
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** Whether a process with this id is running. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends SIGTERM to a process the test started in the background (`tolem simulator --detach`) and waits
 * until it is gone: true when it was still running and stopped.
 */
export async function stopProcess(pid: number, waitMs = 10_000): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return false;
  process.kill(pid, 'SIGTERM');
  for (const started = Date.now(); Date.now() - started < waitMs; ) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  process.kill(pid, 'SIGKILL');
  return false;
}

/** Waits until the process is gone: true when it ended within `waitMs`. */
export async function exited(pid: number, waitMs = 10_000): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < waitMs; ) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !alive(pid);
}
