import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFromConfig } from '@tolem/config';
import { zonedParts } from '@tolem/core';
import { createPostgresJournal } from '@tolem/journal-postgres';
import { type Simulator, startSimulator } from '@tolem/vectrafin-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_PASSWORD, type PgCluster, startPgCluster } from '../../journal-postgres/test/pg-cluster.js';
import { journalSnapshot } from './journal-snapshot.js';
import { cleanEnv, json, type Result, tolem, transcript } from './run-tolem.js';

/**
 * Every back-office command against a PostgreSQL journal (a throwaway cluster) and the simulator, as an
 * operator runs them: the payments are made by a service built from the same configuration file
 * (createFromConfig), then `tolem` lists, shows, resolves, reconciles and sends the day. The database URL
 * (with its password) comes from the environment, the agent password from another variable: neither,
 * nor the voucher key, nor a voucher code, appears in any output.
 */

const AGENT_ID = '7001';
const AGENT_PASSWORD = 'pw-Back-Office&7%never';
const VOUCHER_KEY = randomBytes(32).toString('hex');
const HELD = 'held-by-support';
const TIMEOUT = 120_000;

let cluster: PgCluster;
let simulator: Simulator;
let folder: string;
let configPath: string;
let env: Record<string, string>;
let voucherCode = '';
let day = '';

function run(...args: string[]): Promise<Result> {
  return tolem([...args, '--config', configPath], env, folder);
}

async function snapshot(): Promise<{ records: unknown; full: string }> {
  const journal = await createPostgresJournal({ connectionString: cluster.connectionString });
  try {
    const full = await journalSnapshot(journal);
    const records = (JSON.parse(full) as { payments: { record: unknown }[] }).payments.map((p) => p.record);
    return { records, full };
  } finally {
    await journal.close();
  }
}

async function history(paymentId: string) {
  const journal = await createPostgresJournal({ connectionString: cluster.connectionString });
  try {
    return await journal.history(paymentId);
  } finally {
    await journal.close();
  }
}

beforeAll(async () => {
  cluster = await startPgCluster();
  simulator = await startSimulator({
    seed: 'back-office-pg',
    includeDemoAgent: false,
    agents: [{ agentId: AGENT_ID, password: AGENT_PASSWORD, balances: { KZT: '10000000.00' } }],
  });
  // Pending for a day: support will have to say what became of it.
  simulator.catalogue.setAccount('7', HELD, { progression: { steps: [1], stepMs: 86_400_000 } });
  // The provider never gets these: the connection drops before the request arrives, resends too.
  simulator.faults.add({ requestType: 'Payment', account: 'iamkackbip', fault: { kind: 'drop-before' } });
  folder = mkdtempSync(join(tmpdir(), 'tolem-cli-pg-'));
  writeFileSync(join(folder, 'voucher.key'), `${VOUCHER_KEY}\n`, { mode: 0o600 });
  configPath = join(folder, 'tolem.config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      journal: { url: { env: 'TOLEM_JOURNAL_URL' }, poolSize: 4 },
      providers: [
        {
          id: 'vf',
          kind: 'vectrafin',
          baseUrl: simulator.url,
          agentId: AGENT_ID,
          password: { env: 'VF_PASSWORD' },
          timeoutMs: 5_000,
        },
      ],
      routes: {
        steam: [{ provider: 'vf', serviceId: '7' }],
        'steam-wallet-code': [{ provider: 'vf', serviceId: '1549' }],
      },
      finalizer: { firstDelayMs: 1, maxDelayMs: 1_000, escalateAfterMs: 1, inFlightMs: 1_000 },
      vouchers: { current: 'k1', keys: { k1: { file: 'voucher.key' } } },
    }),
  );
  env = cleanEnv({
    TOLEM_JOURNAL_URL: cluster.connectionString,
    VF_PASSWORD: AGENT_PASSWORD,
  });

  // A service built from the same file makes the day's payments.
  const service = await createFromConfig({ path: configPath, env }, { onError: () => {} });
  try {
    const router = service.router;
    const pay = (paymentId: string, account: string, amount: string, service = 'steam', extra = {}) =>
      router.pay({ paymentId, service, account, amount, currency: 'KZT', ...extra });
    expect(await pay('pg-ok', 'galek10', '100.00')).toMatchObject({ state: 'succeeded' });
    expect(await pay('pg-declined', 'no-such-user', '500.00')).toMatchObject({ state: 'failed' });
    const quote = await router.checkAccount({
      service: 'steam-wallet-code',
      account: 'kkazbek.smeken@gmail.com',
      amount: '100.00',
      currency: 'KZT',
    });
    const voucher = await pay(
      'pg-voucher',
      'kkazbek.smeken@gmail.com',
      quote.payAmount as string,
      'steam-wallet-code',
      {
        sendType: 'api',
      },
    );
    expect(voucher.state).toBe('succeeded');
    voucherCode = voucher.voucherCode?.reveal() ?? '';
    expect(voucherCode.length).toBeGreaterThan(4);
    expect(await pay('pg-held', HELD, '150.00')).toMatchObject({ state: 'pending' });
    expect(await pay('pg-lost', 'iamkackbip', '250.00')).toMatchObject({ state: 'unknown' });
    // One finalizer pass: both open payments are checked and, past the (tiny) escalation age, stuck.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await router.finalizeDue();
    day = zonedParts(new Date(), 'Europe/Moscow').date;
  } finally {
    await service.close();
  }
  // Past finalizer.inFlightMs: no send of pg-lost can still be on its way.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
}, 240_000);

afterAll(async () => {
  await simulator?.close();
  await cluster?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
}, 120_000);

describe('tolem payments list and show on PostgreSQL', { timeout: TIMEOUT }, () => {
  it('lists every payment; --stuck the two open ones; the journal is named without its password', async () => {
    const all = await run('payments', 'list', '--json');
    expect(all.code, all.stderr).toBe(0);
    const doc = json(all);
    expect((doc.payments as { paymentId: string }[]).map((p) => p.paymentId)).toEqual([
      'pg-ok',
      'pg-declined',
      'pg-voucher',
      'pg-held',
      'pg-lost',
    ]);
    expect(doc.journal).toBe(`postgresql://postgres@127.0.0.1:${cluster.port}/postgres`);
    const stuck = await run('payments', 'list', '--stuck');
    expect(stuck.code).toBe(0);
    expect(stuck.stdout).toMatch(/pg-held\s+steam\s+150\.00 KZT\s+pending · stuck\s+vf/);
    expect(stuck.stdout).toMatch(/pg-lost\s+steam\s+250\.00 KZT\s+unknown \(\w+\) · stuck\s+vf/);
    expect(stuck.stdout).toContain('2 payment(s) in postgresql://postgres@127.0.0.1');
  });

  it('the journal alone: TOLEM_JOURNAL with the URL, or --journal without its password (PGPASSWORD)', async () => {
    const fromEnv = await tolem(
      ['payments', 'list', '--json', '--state', 'failed'],
      { ...env, TOLEM_JOURNAL: cluster.connectionString },
      folder,
    );
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect((json(fromEnv).payments as { paymentId: string }[]).map((p) => p.paymentId)).toEqual([
      'pg-declined',
    ]);
    const flag = await tolem(
      ['payments', 'list', '--json', '--journal', `postgres://postgres@127.0.0.1:${cluster.port}/postgres`],
      { ...env, PGPASSWORD: PG_PASSWORD },
      folder,
    );
    expect(flag.code, flag.stderr).toBe(0);
    expect(json(flag).count).toBe(5);
  });

  it('show: attempts, the provider’s answers, the history with each writer; the kept voucher code never shows', async () => {
    const held = await run('payments', 'show', 'pg-held', '--json');
    expect(held.code).toBe(4);
    const doc = json(held);
    expect(doc.payment).toMatchObject({ state: 'pending', stuck: true });
    const events = (doc.history as { event: string; actor: { kind: string } }[]).map((e) => [
      e.event,
      e.actor.kind,
    ]);
    expect(events.slice(0, 3)).toEqual([
      ['created', 'router'],
      ['attempt_opened', 'router'],
      ['outcome', 'router'],
    ]);
    expect(events).toContainEqual(['escalated', 'finalizer']);
    const voucher = await run('payments', 'show', 'pg-voucher');
    expect(voucher.code).toBe(0);
    expect(voucher.stdout).toMatch(/^voucher code\s+kept, sealed \(key k1\)$/m);
    expect(voucher.stdout).not.toContain(voucherCode);
  });
});

describe('tolem payments resolve on PostgreSQL', { timeout: TIMEOUT }, () => {
  it('failed while the provider says pending: refused (exit 5) with its answer; only the refusal is recorded', async () => {
    const before = await snapshot();
    const historyBefore = await history('pg-held');
    const human = await run(
      'payments',
      'resolve',
      'pg-held',
      '--as',
      'failed',
      '--actor',
      'Aigerim',
      '--note',
      'support: not received',
    );
    expect(human.code).toBe(5);
    expect(human.stdout).toBe('');
    expect(human.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(human.stderr).toMatch(/^tolem: payment pg-held: not resolved failed: the provider says pending/);
    const doc = await run(
      'payments',
      'resolve',
      'pg-held',
      '--as',
      'failed',
      '--actor',
      'Aigerim',
      '--note',
      'again',
      '--json',
    );
    expect(doc.code).toBe(5);
    expect(json(doc)).toMatchObject({
      error: {
        code: 'resolution_refused',
        exitCode: 5,
        paymentId: 'pg-held',
        requested: 'failed',
        refusal: 'contradicted',
        current: 'pending',
        answer: { provider: 'vf', state: 'pending' },
      },
    });
    const after = await snapshot();
    expect(after.records).toEqual(before.records);
    const added = (await history('pg-held')).slice(historyBefore.length);
    expect(added.map((entry) => [entry.event, entry.actor.kind, entry.actor.name])).toEqual([
      ['resolution_refused', 'operator', 'Aigerim'],
      ['resolution_refused', 'operator', 'Aigerim'],
    ]);
  });

  it('succeeded while the provider still says pending: needs evidence; with it, final, by the operator', async () => {
    const without = await run(
      'payments',
      'resolve',
      'pg-held',
      '--as',
      'succeeded',
      '--actor',
      'Aigerim',
      '--note',
      'credited by phone',
    );
    expect(without.code).toBe(5);
    expect(without.stderr).toMatch(/give evidence/);
    const done = await run(
      'payments',
      'resolve',
      'pg-held',
      '--as',
      'succeeded',
      '--actor',
      'Aigerim',
      '--note',
      'credited by phone',
      '--evidence',
      'ticket VF-4411',
      '--json',
    );
    expect(done.code, done.stderr).toBe(0);
    const doc = json(done);
    expect(doc).toMatchObject({
      paymentId: 'pg-held',
      state: 'succeeded',
      confirmation: 'evidence',
      payment: { state: 'succeeded', final: true },
      entry: { event: 'resolved', actor: { kind: 'operator', name: 'Aigerim' }, evidence: 'ticket VF-4411' },
    });
    expect((doc.checks as { answer: { state: string } }[])[0]?.answer.state).toBe('pending');
    const again = await run(
      'payments',
      'resolve',
      'pg-held',
      '--as',
      'failed',
      '--actor',
      'Aigerim',
      '--note',
      'x',
    );
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/^tolem: payment pg-held: not resolved failed: /);
  });

  it('the provider never got it: failed needs evidence, and is recorded as resting on it', async () => {
    const without = await run(
      'payments',
      'resolve',
      'pg-lost',
      '--as',
      'failed',
      '--actor',
      'Daniyar',
      '--note',
      'never arrived',
    );
    expect(without.code).toBe(5);
    expect(without.stderr).toMatch(
      /^tolem: payment pg-lost: not resolved failed: the provider cannot confirm attempt 1/,
    );
    const done = await run(
      'payments',
      'resolve',
      'pg-lost',
      '--as',
      'failed',
      '--actor',
      'Daniyar',
      '--note',
      'never arrived',
      '--evidence',
      'ticket VF-4412',
    );
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(
      /^pg-lost is now failed \(final\): the provider could not confirm it: recorded on your evidence\.$/m,
    );
    expect(done.stdout).toMatch(/resolved .*note: never arrived · evidence: ticket VF-4412/);
    const show = await run('payments', 'show', 'pg-lost');
    expect(show.code).toBe(3);
    expect(show.stdout).toMatch(/operator Daniyar\s+resolved/);
  });

  it('bad input: exit 2, nothing asked, nothing recorded', async () => {
    const before = await snapshot();
    for (const args of [
      ['payments', 'resolve', 'pg-ok', '--as', 'maybe', '--actor', 'A', '--note', 'n'],
      ['payments', 'resolve', 'pg-ok', '--as', 'failed', '--note', 'n'],
      ['payments', 'resolve', 'pg-ok', '--as', 'failed', '--actor', 'A', '--note', '   '],
      ['payments', 'resolve', '--as', 'failed', '--actor', 'A', '--note', 'n'],
      ['payments', 'resolve', 'no-such', '--as', 'failed', '--actor', 'A', '--note', 'n'],
      ['reconcile', '--provider', 'vf', '--date', '2024-02-30'],
      ['reconcile', '--provider', 'nope', '--date', day],
      ['eod', '--provider', 'vf', '--date', day, '--force-reason', 'deadline'],
    ]) {
      const result = await run(...args, '--json');
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(json(result)).toMatchObject({ error: { code: 'bad_input', exitCode: 2 } });
    }
    expect((await snapshot()).full).toBe(before.full);
  });
});

describe('tolem reconcile and tolem eod on PostgreSQL', { timeout: TIMEOUT }, () => {
  it('reconcile: the day in the provider’s zone; a success the provider does not list (still pending there) does not add up (exit 5)', async () => {
    const human = await run('reconcile', '--provider', 'vf', '--date', day);
    expect(human.code, human.stderr).toBe(5);
    expect(human.stdout).toMatch(new RegExp(`^vf, ${day} in Europe/Moscow \\(`));
    expect(human.stdout).toMatch(/Reconciliation: the provider listed the day; \d+ payment\(s\) agree/);
    // The sandbox lists only what it finished: the payment support confirmed is still pending there.
    expect(human.stdout).toMatch(
      /missing_at_provider\s+pg-held\s+\d+\s+succeeded\s+—\s+the provider does not list it/,
    );
    expect(human.stderr).toMatch(/^tolem: the day does not add up/);
    const doc = json(await run('reconcile', '--provider', 'vf', '--date', day, '--json'));
    expect(doc).toMatchObject({ provider: 'vf', date: day, timeZone: 'Europe/Moscow', complete: true });
    expect(doc.discrepancies).toContainEqual(
      expect.objectContaining({
        kind: 'missing_at_provider',
        paymentId: 'pg-held',
        journalState: 'succeeded',
      }),
    );
  });

  it('eod --send is held back while the day does not add up; --force-reason sends it once, with progress on stderr', async () => {
    const sendsOf = () =>
      simulator.ledger
        .requests()
        .filter((r) => r.requestType === 'PostPayments' || r.requestType === 'PostTotalAmount').length;
    const preview = await run('eod', '--provider', 'vf', '--date', day, '--json');
    expect(preview.code).toBe(5);
    expect(json(preview)).toMatchObject({
      registry: { entries: 3, currency: 'KZT' },
      send: { requested: false, registry: { status: 'not_requested' } },
    });
    const held = await run('eod', '--provider', 'vf', '--date', day, '--send');
    expect(held.code).toBe(5);
    expect(held.stdout).toMatch(/^registry: held back: the day does not add up$/m);
    expect(sendsOf()).toBe(0);

    const sent = await run(
      'eod',
      '--provider',
      'vf',
      '--date',
      day,
      '--send',
      '--force-reason',
      'deadline; ticket VF-4411 open',
      '--actor',
      'Aigerim',
      '--json',
    );
    expect(sent.code, sent.stderr).toBe(0);
    const doc = json(sent);
    expect(doc).toMatchObject({
      send: {
        requested: true,
        force: { reason: 'deadline; ticket VF-4411 open' },
        registry: { status: 'sent', sentNow: 1 },
        totals: { status: 'sent' },
      },
      totals: { date: day, totalCount: 3 },
    });
    // Progress went to stderr as plain lines (not a terminal), never into the JSON on stdout.
    expect(sent.stderr).toMatch(/^registry chunk 1\/1 \(payments 1–3\): sending…$/m);
    expect(sent.stderr).toMatch(/^registry chunk 1\/1 \(payments 1–3\): accepted$/m);
    expect(sendsOf()).toBe(2);

    const again = await run(
      'eod',
      '--provider',
      'vf',
      '--date',
      day,
      '--send',
      '--force-reason',
      'deadline; ticket VF-4411 open',
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^registry: already sent by an earlier run: nothing sent again$/m);
    expect(again.stdout).toMatch(/started .* by operator Aigerim/);
    expect(sendsOf()).toBe(2);
  });
});

describe('errors with --debug', { timeout: TIMEOUT }, () => {
  it('a database that refuses the password: one line, exit 1, neither password anywhere (not even in the trace)', async () => {
    const wrong = 'WRONG-pw-never-print';
    const result = await tolem(
      ['payments', 'list', '--debug', '--json'],
      { ...env, TOLEM_JOURNAL: `postgresql://postgres:${wrong}@127.0.0.1:${cluster.port}/postgres` },
      folder,
    );
    expect(result.code).toBe(1);
    expect(json(result)).toMatchObject({ error: { code: 'journal_unavailable', exitCode: 1 } });
    expect(result.stderr.split('\n')[0]).toMatch(/^tolem: /);
    for (const secret of [wrong, PG_PASSWORD])
      expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
  });

  it('a refused resolution with --debug: the trace carries no secret either', async () => {
    const result = await run(
      'payments',
      'resolve',
      'pg-ok',
      '--as',
      'failed',
      '--actor',
      'A',
      '--note',
      'n',
      '--debug',
    );
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('ResolutionRefusedError');
  });
});

describe('secrets', () => {
  it('no database password, agent password, voucher key or voucher code in any output', () => {
    expect(transcript.length).toBeGreaterThan(20);
    for (const result of transcript)
      for (const secret of [PG_PASSWORD, AGENT_PASSWORD, VOUCHER_KEY, voucherCode]) {
        expect(result.stdout).not.toContain(secret);
        expect(result.stderr).not.toContain(secret);
      }
  });
});
