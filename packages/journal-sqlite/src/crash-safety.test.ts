import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteJournal } from './sqlite-journal.js';

// The child runs the TypeScript sources through tsx (installed for the examples workspace package).
const tsxLoader = pathToFileURL(
  createRequire(new URL('../../../examples/package.json', import.meta.url)).resolve('tsx'),
).href;
const childScript = fileURLToPath(new URL('../test/journal-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tolem-journal-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Child {
  process: ChildProcessWithoutNullStreams;
  lines: string[];
  /** Resolves with the exit code (or signal) once the process is gone and its output is read. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Resolves once `count` lines were printed. */
  linesReached(count: number): Promise<void>;
}

/** Starts children that print "ready", then lets them all go at once; returns their output without "ready". */
async function together(children: Child[]): Promise<string[][]> {
  await Promise.all(children.map((c) => c.linesReached(1)));
  for (const c of children) c.process.stdin.write('go\n');
  const results = await Promise.all(children.map((c) => c.exited));
  for (const result of results) expect(result.code, result.stderr).toBe(0);
  return children.map((c) => c.lines.filter((line) => line !== 'ready'));
}

function child(...args: string[]): Child {
  const proc = spawn(
    process.execPath,
    ['--conditions=@tolem/source', '--import', tsxLoader, childScript, ...args],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let buffer = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
    for (const waiter of waiters.filter((w) => lines.length >= w.count)) waiter.resolve();
  });
  proc.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => {
      proc.on('close', (code, signal) => resolve({ code, signal, stderr }));
    },
  );
  return {
    process: proc,
    lines,
    exited,
    linesReached: (count) =>
      new Promise<void>((resolve, reject) => {
        if (lines.length >= count) return resolve();
        waiters.push({ count, resolve });
        exited.then(({ stderr: err }) => reject(new Error(`child exited before ${count} lines: ${err}`)));
      }),
  };
}

describe('crash safety (separate processes)', () => {
  it('a writer SIGKILLed mid-stream loses no committed payment; open ones are claimable', async () => {
    const path = join(dir, 'killed.db');
    const writer = child('write', path, 'k');
    await writer.linesReached(40);
    writer.process.kill('SIGKILL');
    const { signal } = await writer.exited;
    expect(signal).toBe('SIGKILL');
    const committed = writer.lines.map(
      (line) => JSON.parse(line) as { paymentId: string; tx: string; state: string },
    );
    expect(committed.length).toBeGreaterThanOrEqual(40);

    const db = new Database(path, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    const journal = createSqliteJournal({ path });
    const txIds = new Set<string>();
    for (const { paymentId, tx, state } of committed) {
      const record = await journal.get(paymentId);
      expect(record, paymentId).not.toBeNull();
      expect(record?.state).toBe(state);
      expect(record?.attempts[0]?.transactionId).toBe(tx);
      expect((await journal.findByTransaction('vf-a', tx))?.paymentId).toBe(paymentId);
      txIds.add(tx);
    }
    expect(txIds.size).toBe(committed.length);
    // Whatever the writer had in flight was either committed whole or not at all.
    const all = await journal.list();
    for (const record of all) {
      expect(record.attempts.length, `${record.paymentId} has its attempt`).toBeLessThanOrEqual(1);
      if (record.final) expect(record.attempts).toHaveLength(1);
    }
    const open = all.filter((r) => !r.final).map((r) => r.paymentId);
    const claimed = await journal.claimDue({
      now: new Date('2030-01-02T00:00:00Z'),
      owner: 'recovery',
      leaseMs: 60_000,
      limit: 10_000,
    });
    expect(claimed.map((r) => r.paymentId).sort()).toEqual(open.sort());
    for (const { paymentId, state } of committed) {
      if (state === 'succeeded') expect(claimed.some((r) => r.paymentId === paymentId)).toBe(false);
    }
    // Allocation resumes above every id the killed process handed out.
    const { record } = await journal.create({
      paymentId: 'after-crash',
      service: 'steam',
      account: 'galek10',
      amount: '1.00',
      currency: 'KZT',
      createdAt: new Date(),
      nextCheckAt: new Date(),
    });
    const next = await journal.openAttempt('after-crash', record.version, {
      provider: 'vf-a',
      serviceId: '7',
    });
    const fresh = BigInt(next.attempts[0]!.transactionId);
    for (const tx of txIds) expect(fresh > BigInt(tx)).toBe(true);
    await journal.close();
  });

  it('processes allocating on one file concurrently never share a transaction id', async () => {
    const path = join(dir, 'allocate.db');
    createSqliteJournal({ path }).close();
    const outputs = await together(['a', 'b', 'c'].map((prefix) => child('allocate', path, prefix, '40')));
    const ids = outputs.flat();
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
  });

  it('processes claiming on one file concurrently claim each payment exactly once', async () => {
    const path = join(dir, 'claim.db');
    await together([child('allocate', path, 'due', '60')]);
    const outputs = await together(['r1', 'r2', 'r3'].map((owner) => child('claim', path, owner)));
    const claimed = outputs.flat();
    expect(claimed).toHaveLength(60);
    expect(new Set(claimed).size).toBe(60);
    const journal = createSqliteJournal({ path });
    for (const [i, lines] of outputs.entries()) {
      for (const paymentId of lines) expect((await journal.get(paymentId))?.lease?.owner).toBe(`r${i + 1}`);
    }
    await journal.close();
  });
});
