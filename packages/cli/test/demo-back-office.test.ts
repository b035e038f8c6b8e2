import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanEnv,
  collect,
  json,
  type Result,
  start,
  tolem,
  transcript,
  waitForOutput,
} from './run-tolem.js';

/**
 * `tolem demo --serve` as the operator's sandbox: the payment it leaves stuck on purpose is looked at,
 * refused, escalated and resolved with the commands it prints, through the configuration it wrote;
 * after it stops, its journal still answers.
 */

const TIMEOUT = 240_000;
let scratch: string;
let env: Record<string, string>;
let demo: ChildProcess;
let done: Promise<Result>;
let narration = '';
let configPath: string;
let journalPath: string;
let today: string;

function run(...args: string[]): Promise<Result> {
  return tolem(args, env, scratch);
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tolem-cli-serve-'));
  env = cleanEnv({ TMPDIR: scratch });
  demo = start(['demo', '--serve'], env, scratch);
  done = collect(demo);
  narration = await waitForOutput(
    demo.stdout as NodeJS.ReadableStream,
    /Serving until Ctrl-C[\s\S]*tolem eod [^\n]*\n/,
  );
  configPath = /config\s+(\S+tolem\.config\.json)/.exec(narration)?.[1] as string;
  journalPath = /journal\s+(\S+) \(SQLite\)/.exec(narration)?.[1] as string;
  today = /tolem eod --provider vf-a --date (\d{4}-\d{2}-\d{2})/.exec(narration)?.[1] as string;
}, TIMEOUT);

afterAll(async () => {
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the payment `demo --serve` holds for the operator', { timeout: TIMEOUT }, () => {
  it('is printed with the commands to look at it, which use the configuration the demo wrote', () => {
    expect(dirname(configPath)).toBe(dirname(journalPath));
    expect(narration).toMatch(/held\s+held-for-operator: pending at vf-a; the sandbox holds it for a day/);
    expect(narration).toContain(`tolem payments show held-for-operator --config ${configPath}`);
  });

  it('show: pending, its attempt at vf-a and what the sandbox answered; exit 4', async () => {
    const result = await run('payments', 'show', 'held-for-operator', '--config', configPath, '--json');
    expect(result.code, result.stderr).toBe(4);
    const doc = json(result);
    expect(doc.payment).toMatchObject({ state: 'pending', final: false, provider: 'vf-a', amount: '175.00' });
    expect(doc.attempts).toEqual([
      expect.objectContaining({ provider: 'vf-a', state: 'pending', providerStatus: '1' }),
    ]);
  });

  it('resolve --as failed: refused, the sandbox says pending (exit 5)', async () => {
    const result = await run(
      'payments',
      'resolve',
      'held-for-operator',
      '--as',
      'failed',
      '--actor',
      'operator-test',
      '--note',
      'support says it never arrived',
      '--config',
      configPath,
    );
    expect(result.code).toBe(5);
    expect(result.stderr.trim()).toMatch(
      /^tolem: payment held-for-operator: not resolved failed: the provider says pending/,
    );
  });

  it('reconcile and eod of today at vf-a: the provider listed the day; the held payment keeps it open (exit 5)', async () => {
    const reconcile = await run(
      'reconcile',
      '--provider',
      'vf-a',
      '--date',
      today,
      '--config',
      configPath,
      '--json',
    );
    expect(reconcile.code, reconcile.stderr).toBe(5);
    const doc = json(reconcile);
    expect(doc).toMatchObject({ provider: 'vf-a', date: today, timeZone: 'Europe/Moscow', complete: true });
    expect(doc.discrepancies).toContainEqual(
      expect.objectContaining({ kind: 'open_payment', paymentId: 'held-for-operator' }),
    );
    const eod = await run('eod', '--provider', 'vf-a', '--date', today, '--config', configPath, '--json');
    expect(eod.code).toBe(5);
    const report = json(eod) as { registry: { entries: number }; send: { registry: { status: string } } };
    expect(report.registry.entries).toBeGreaterThanOrEqual(6);
    expect(report.send.registry.status).toBe('not_requested');
  });

  it('is escalated as stuck by the demo’s finalizer, and resolved by hand with evidence', async () => {
    const deadline = Date.now() + 180_000;
    let stuck: string[] = [];
    while (Date.now() < deadline) {
      const list = await run('payments', 'list', '--stuck', '--config', configPath, '--json');
      stuck = (json(list).payments as { paymentId: string }[]).map((p) => p.paymentId);
      if (stuck.includes('held-for-operator')) break;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
    expect(stuck).toEqual(['held-for-operator']);
    const resolved = await run(
      'payments',
      'resolve',
      'held-for-operator',
      '--as',
      'succeeded',
      '--actor',
      'operator-test',
      '--note',
      'support confirmed it by phone',
      '--evidence',
      'ticket 1',
      '--config',
      configPath,
    );
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(resolved.stdout).toMatch(
      /^held-for-operator is now succeeded \(final\): the provider could not confirm it: recorded on your evidence\.$/m,
    );
    const after = await run('payments', 'list', '--stuck', '--config', configPath, '--json');
    expect(json(after).count).toBe(0);
  });

  it('after the demo stops, its journal still answers, with the resolution in the history', async () => {
    demo.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    const show = await run(
      'payments',
      'show',
      'held-for-operator',
      '--journal',
      `sqlite:${journalPath}`,
      '--json',
    );
    expect(show.code).toBe(0);
    const history = json(show).history as { event: string; actor: { kind: string; name: string } }[];
    expect(history.map((entry) => entry.event)).toContain('escalated');
    expect(history.at(-1)).toMatchObject({
      event: 'resolved',
      actor: { kind: 'operator', name: 'operator-test' },
    });
  });

  it('no sandbox password or voucher key in any output', () => {
    const folder = dirname(configPath);
    const secrets = ['vf-a.password', 'vf-b.password', 'voucher.key'].map((name) =>
      readFileSync(join(folder, name), 'utf8').trim(),
    );
    for (const result of transcript)
      for (const secret of secrets) {
        expect(result.stdout).not.toContain(secret);
        expect(result.stderr).not.toContain(secret);
      }
  });
});
