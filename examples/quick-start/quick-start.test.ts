import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEMO_AGENT_ID, DEMO_PASSWORD, startSimulator } from '@tolem/vectrafin-simulator';
import { describe, expect, it } from 'vitest';
import { quickStart } from './quick-start.js';

describe('examples/quick-start', () => {
  it('pays order-42 through the router against the simulator, credited once', async () => {
    const simulator = await startSimulator({
      agents: [{ agentId: '145', password: 'sandbox-b', balances: { KZT: '1000.00' } }],
    });
    const dir = mkdtempSync(join(tmpdir(), 'tolem-quick-start-test-'));
    try {
      const done = await quickStart(
        {
          baseUrl: simulator.url,
          a: { agentId: DEMO_AGENT_ID, password: DEMO_PASSWORD },
          b: { agentId: '145', password: 'sandbox-b' },
        },
        join(dir, 'tolem.db'),
      );
      expect(done).toMatchObject({
        paymentId: 'order-42',
        state: 'succeeded',
        final: true,
        provider: 'vf-a',
      });
      expect(simulator.ledger.creditCount(done.transactionId ?? '', DEMO_AGENT_ID)).toBe(1);
      // A second run on the same journal is idempotent: the same payment, nothing sent again.
      const again = await quickStart(
        {
          baseUrl: simulator.url,
          a: { agentId: DEMO_AGENT_ID, password: DEMO_PASSWORD },
          b: { agentId: '145', password: 'sandbox-b' },
        },
        join(dir, 'tolem.db'),
      );
      expect(again.transactionId).toBe(done.transactionId);
      expect(simulator.ledger.requestCount('Payment')).toBe(1);
    } finally {
      await simulator.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('runs as a program and prints the final payment', async () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const script = fileURLToPath(new URL('./quick-start.ts', import.meta.url));
    const env = { ...process.env };
    delete env.TOLEM_VECTRAFIN_URL;
    const child = spawn(process.execPath, ['--import', tsx, '--conditions=@tolem/source', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^paid: succeeded at vf-a \(transaction [1-9]\d{0,14}\)$/m);
    const last = stdout.trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(last)).toEqual({
      paymentId: 'order-42',
      state: 'succeeded',
      final: true,
      provider: 'vf-a',
    });
  }, 60_000);
});
