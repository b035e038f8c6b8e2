import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEMO_AGENT_ID, startSimulator } from '@tolem/vectrafin-simulator';
import { describe, expect, it } from 'vitest';
import { AGENT_B, run } from './two-providers-di.js';

describe('examples/two-providers-di', () => {
  it('routes through the container’s providers and fails over from vf-a to vf-b on -115', async () => {
    const simulator = await startSimulator({ agents: [{ ...AGENT_B, balances: { KZT: '1000.00' } }] });
    const dir = mkdtempSync(join(tmpdir(), 'tolem-di-test-'));
    try {
      const { normal, failedOver } = await run(simulator, join(dir, 'tolem.db'));
      expect(normal).toMatchObject({ state: 'succeeded', provider: 'vf-a' });
      expect(failedOver).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
      expect(failedOver.attempts.map((attempt) => [attempt.provider, attempt.state, attempt.reason])).toEqual(
        [
          ['vf-a', 'failed', 'provider_technical'],
          ['vf-b', 'succeeded', null],
        ],
      );
      expect(simulator.ledger.creditCount(normal.transactionId ?? '', DEMO_AGENT_ID)).toBe(1);
      expect(simulator.ledger.creditCount(failedOver.transactionId ?? '', AGENT_B.agentId)).toBe(1);
      expect(simulator.ledger.credits()).toHaveLength(2);
    } finally {
      await simulator.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('runs as a program', async () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const script = fileURLToPath(new URL('./two-providers-di.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', tsx, '--conditions=@tolem/source', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(
      'di-order-1: succeeded (vf-a:succeeded)\ndi-order-2: succeeded (vf-a:failed → vf-b:succeeded)\n',
    );
  }, 60_000);
});
