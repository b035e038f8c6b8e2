import { spawn } from 'node:child_process';

export interface PromtoolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const MISSING =
  'promtool is required by the @tolem/metrics checks and was not found. Install it with ' +
  '`apt-get install prometheus` (Debian/Ubuntu; .ci/run does this in CI) or set PROMTOOL=/path/to/promtool.';

/** Runs promtool with `args`, feeding `stdin`; rejects with install instructions when promtool is missing. */
export function promtool(
  args: readonly string[],
  options: { stdin?: string; cwd?: string } = {},
): Promise<PromtoolResult> {
  const command = process.env.PROMTOOL || 'promtool';
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new Error(MISSING, { cause: error }) : error);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
  });
}
