import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertBuilt, cleanEnv, exited, stopProcess } from './run-tolem.js';

/**
 * The sandbox blocks of the root README and of this package's README, run as written: taken from the
 * Markdown itself, so a README whose commands stop working fails here. Each is the one `sh` block that
 * starts the simulator with `--detach`, run by bash from the repository root (where its
 * `node_modules/.bin/tolem` is) with `set -euo pipefail` and a shell that has no TOLEM_* variables.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TIMEOUT = 90_000;

/** The one ```sh block of `file` (from the repository root) that contains `marker`. */
function shellBlock(file: string, marker: string): string {
  const markdown = readFileSync(`${ROOT}${file}`, 'utf8');
  const blocks = [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
  const matching = blocks.filter((block) => block.includes(marker));
  if (matching.length !== 1) {
    throw new Error(
      `${file}: expected one sh block with ${JSON.stringify(marker)}, found ${matching.length}`,
    );
  }
  return matching[0] as string;
}

interface BlockRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The background simulator's process id, as the block's shell knew it. */
  pid: number;
}

/** Runs `block` with bash in the repository root; reports the simulator's pid whatever happens. */
function runBlock(block: string): Promise<BlockRun> {
  assertBuilt();
  const script = [
    'set -euo pipefail',
    // So the test can stop the simulator even when a line of the block fails.
    `trap 'echo "simulator-pid=\${TOLEM_SIMULATOR_PID:-}" >&2' EXIT`,
    block,
  ].join('\n');
  const child = spawn('bash', ['-c', script], {
    cwd: ROOT,
    env: cleanEnv(),
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
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const pid = Number(/simulator-pid=(\d*)/.exec(stderr)?.[1] ?? '');
      resolve({ code, stdout, stderr, pid });
    });
  });
}

/** The JSON documents a block printed (each `--json` command prints one, indented). */
function documents(stdout: string): Record<string, unknown>[] {
  return stdout
    .split(/\n(?=\{)/)
    .filter((part) => part.trim().startsWith('{'))
    .map((part) => JSON.parse(part) as Record<string, unknown>);
}

describe('README commands, run as written', () => {
  it(
    'the root README: the sandbox in the background, an account check, the sandbox stopped',
    async () => {
      const block = shellBlock('README.md', 'tolem simulator --detach');
      const result = await runBlock(block);
      try {
        expect(result.stderr).not.toMatch(/^tolem: /m);
        expect(result.code).toBe(0);
        const [check] = documents(result.stdout);
        expect(check).toMatchObject({ state: 'succeeded', final: true, kind: 'direct', account: 'galek10' });
        // The block's own `kill` stops it.
        expect(result.pid).toBeGreaterThan(0);
        expect(await exited(result.pid)).toBe(true);
      } finally {
        await stopProcess(result.pid);
      }
    },
    TIMEOUT,
  );

  it(
    'the CLI README quick start: check, pay, status on the sandbox, then the sandbox stopped',
    async () => {
      const block = shellBlock('packages/cli/README.md', 'tolem simulator --detach');
      expect(block).toMatch(/vectrafin pay /);
      const result = await runBlock(block);
      try {
        expect(result.stderr).not.toMatch(/^tolem: /m);
        expect(result.code).toBe(0);
        const [status] = documents(result.stdout);
        expect(status).toMatchObject({ state: 'succeeded', transactionId: '112', amount: '100.0' });
        expect(result.pid).toBeGreaterThan(0);
        expect(await exited(result.pid)).toBe(true);
      } finally {
        await stopProcess(result.pid);
      }
    },
    TIMEOUT,
  );
});
