import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteJournal } from '@tolem/journal-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileDigest, journalSnapshot } from './journal-snapshot.js';
import { cleanEnv, json, type Result, tolem, transcript } from './run-tolem.js';

/**
 * `tolem payments list` and `show` against the journal `tolem demo` wrote and left behind, the way the
 * demo's summary tells an operator to: bad input exits 2 and changes nothing.
 */

const TIMEOUT = 120_000;
let scratch: string;
let env: Record<string, string>;
let demo: Record<string, unknown>;
let journalPath: string;
let journalFlag: string;

function run(...args: string[]): Promise<Result> {
  return tolem(args, env, scratch);
}

async function snapshot(): Promise<{ logical: string; bytes: string }> {
  const journal = createSqliteJournal({ path: journalPath });
  try {
    return { logical: await journalSnapshot(journal), bytes: fileDigest(journalPath) };
  } finally {
    await journal.close();
  }
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tolem-cli-journal-'));
  // The demo keeps its folder in TMPDIR: this test's own, deleted at the end.
  env = cleanEnv({ TMPDIR: scratch });
  const result = await tolem(['demo', '--json'], env, scratch);
  expect(result.code, result.stderr).toBe(0);
  demo = json(result);
  journalPath = demo.journalPath as string;
  journalFlag = `sqlite:${journalPath}`;
}, TIMEOUT);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the demo leaves its journal and says how to read it', () => {
  it(
    'keeps the folder after it exits and lists the commands, with the real path',
    async () => {
      expect(existsSync(journalPath)).toBe(true);
      expect(journalPath.startsWith(scratch)).toBe(true);
      expect(existsSync(demo.configPath as string)).toBe(true);
      expect(demo.commands).toEqual([
        `tolem payments list --journal sqlite:${journalPath}`,
        `tolem payments list --state failed --journal sqlite:${journalPath}`,
        `tolem payments show shift-06-timeout --journal sqlite:${journalPath}`,
      ]);
      expect(demo.heldPayment).toBeNull();
      // Each printed command works as printed.
      for (const command of demo.commands as string[]) {
        const result = await run(...command.split(' ').slice(1));
        expect(result.code, `${command}\n${result.stderr}`).toBe(0);
      }
    },
    TIMEOUT,
  );
});

describe('tolem payments list', () => {
  it('a table for people: every payment of the shift, oldest first, and where it read them', async () => {
    const result = await run('payments', 'list', '--journal', journalFlag);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^created\s+payment\s+service\s+amount\s+state\s+provider\s+transaction$/);
    expect(lines.filter((line) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z\s+shift-/.test(line))).toHaveLength(
      8,
    );
    expect(result.stdout).toMatch(
      /shift-05-declined\s+steam\s+500\.00 KZT\s+failed \(account_not_found\)\s+vf-a/,
    );
    expect(lines.at(-1)).toBe(`8 payment(s) in sqlite:${journalPath}; times in UTC`);
  });

  it('--json: one document with every payment and no next page', async () => {
    const result = await run('payments', 'list', '--journal', journalFlag, '--json');
    expect(result.code).toBe(0);
    const doc = json(result);
    expect(doc).toMatchObject({ journal: `sqlite:${journalPath}`, count: 8, next: null });
    const payments = doc.payments as Record<string, unknown>[];
    expect(payments.map((p) => p.paymentId)).toEqual(
      (demo.payments as Record<string, unknown>[]).map((p) => p.paymentId),
    );
    expect(payments[7]).toMatchObject({
      paymentId: 'shift-08-failover',
      state: 'succeeded',
      final: true,
      provider: 'vf-b',
      amount: '300.00',
      currency: 'KZT',
      // vf-a's breaker was open: nothing was sent to it, so the only attempt is vf-b's.
      attemptCount: 1,
      stuck: false,
    });
    // A kept voucher code shows only as kept, never as the code.
    expect(payments.find((p) => p.paymentId === 'shift-03-wallet-code')?.voucher ?? null).toBeNull();
  });

  it.each([
    [['--state', 'failed'], ['shift-05-declined']],
    [['--service', 'alseko'], ['shift-04-alseko']],
    [['--provider', 'vf-b'], ['shift-08-failover']],
    [['--stuck'], []],
    [['--state', 'pending'], []],
  ])('filters %j', async (filters, ids) => {
    const result = await run('payments', 'list', '--journal', journalFlag, '--json', ...filters);
    expect(result.code, result.stderr).toBe(0);
    expect((json(result).payments as Record<string, unknown>[]).map((p) => p.paymentId)).toEqual(ids);
  });

  it('--since/--until: an ISO instant with its offset, or a wall-clock time in --time-zone', async () => {
    const all = json(await run('payments', 'list', '--journal', journalFlag, '--json')).payments as {
      paymentId: string;
      createdAt: string;
    }[];
    const cut = all[4] as { createdAt: string };
    const since = json(
      await run('payments', 'list', '--journal', journalFlag, '--json', '--since', cut.createdAt),
    );
    expect((since.payments as unknown[]).length).toBe(all.filter((p) => p.createdAt >= cut.createdAt).length);
    const until = json(
      await run('payments', 'list', '--journal', journalFlag, '--json', '--until', cut.createdAt),
    );
    expect((until.payments as unknown[]).length).toBe(all.filter((p) => p.createdAt < cut.createdAt).length);
    // The same instant as a clock in Almaty shows it (UTC+5 all year).
    const instant = new Date(cut.createdAt);
    const almaty = new Date(instant.getTime() + 5 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    const zoned = await run(
      'payments',
      'list',
      '--journal',
      journalFlag,
      '--json',
      '--time-zone',
      'Asia/Almaty',
      '--since',
      almaty,
    );
    expect(json(zoned).filters).toMatchObject({ since: `${instant.toISOString().slice(0, 19)}.000Z` });
    const human = await run('payments', 'list', '--journal', journalFlag, '--time-zone', 'Asia/Almaty');
    expect(human.stdout).toContain('times in Asia/Almaty');
    expect(human.stdout).toContain(almaty.slice(0, 16));
  });

  it('pages through the journal with --limit and --after: every payment once, in order', async () => {
    const ids: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const extra: string[] = after === null ? [] : ['--after', after];
      const result = await run(
        'payments',
        'list',
        '--journal',
        journalFlag,
        '--json',
        '--limit',
        '3',
        ...extra,
      );
      expect(result.code, result.stderr).toBe(0);
      const doc = json(result);
      ids.push(...(doc.payments as { paymentId: string }[]).map((p) => p.paymentId));
      after = doc.next as string | null;
      pages += 1;
    } while (after !== null && pages < 10);
    expect(pages).toBe(3);
    expect(ids).toEqual((demo.payments as { paymentId: string }[]).map((p) => p.paymentId));
    const human = await run('payments', 'list', '--journal', journalFlag, '--limit', '3');
    expect(human.stdout).toMatch(/\nmore: add --after \S+\/shift-03-wallet-code\n$/);
  });

  it('reads the journal a configuration names (--config): no provider secret needed', async () => {
    const folder = mkdtempSync(join(scratch, 'config-'));
    const config = JSON.parse(readFileSync(demo.configPath as string, 'utf8')) as Record<string, unknown>;
    // The demo's configuration, its journal named absolutely, its password files nowhere to be found.
    writeFileSync(join(folder, 'tolem.config.json'), JSON.stringify({ ...config, journal: journalFlag }));
    const result = await run('payments', 'list', '--json', '--config', join(folder, 'tolem.config.json'));
    expect(result.code, result.stderr).toBe(0);
    expect(json(result).count).toBe(8);
    // ./tolem.config.json in the working folder, and TOLEM_JOURNAL, are found without a flag.
    const found = await tolem(['payments', 'list', '--json'], env, folder);
    expect(found.code, found.stderr).toBe(0);
    const fromEnv = await tolem(
      ['payments', 'list', '--json'],
      { ...env, TOLEM_JOURNAL: journalFlag },
      scratch,
    );
    expect(json(fromEnv).journal).toBe(`sqlite:${journalPath}`);
  });
});

describe('tolem payments show', () => {
  it('a payment that timed out and was settled by the finalizer: its attempt, the provider’s answer, exit 0', async () => {
    const result = await run('payments', 'show', 'shift-06-timeout', '--journal', journalFlag);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^payment\s+shift-06-timeout$/m);
    expect(result.stdout).toMatch(/^state\s+succeeded \(final\)$/m);
    expect(result.stdout).toMatch(/^provider says\s+10 «Транзакция успешна»$/m);
    expect(result.stdout).toMatch(/^1\s+vf-a\s+7\s+\d+\s+succeeded\s+10 «Транзакция успешна»\s+\d+\s+1\s+/m);
  });

  it('--json: the payment, its attempts, its history; a failed payment exits 3 like `vectrafin status`', async () => {
    const result = await run('payments', 'show', 'shift-08-failover', '--journal', journalFlag, '--json');
    expect(result.code).toBe(0);
    const doc = json(result);
    expect(doc.payment).toMatchObject({
      paymentId: 'shift-08-failover',
      state: 'succeeded',
      provider: 'vf-b',
    });
    expect((doc.attempts as Record<string, unknown>[]).map((a) => [a.no, a.provider, a.state])).toEqual([
      [1, 'vf-b', 'succeeded'],
    ]);
    expect(Array.isArray(doc.history)).toBe(true);
    const failed = await run('payments', 'show', 'shift-05-declined', '--journal', journalFlag, '--json');
    expect(failed.code).toBe(3);
    expect(json(failed).payment).toMatchObject({ state: 'failed', reason: 'account_not_found' });
  });
});

describe('bad input: exit 2, one line, and the journal unchanged', () => {
  it.each<[string, string[], RegExp]>([
    [
      'an unknown flag',
      ['payments', 'list', '--stat', 'failed'],
      /^tolem: unknown flag --stat for `tolem payments list`/,
    ],
    [
      'an unknown state',
      ['payments', 'list', '--state', 'done'],
      /^tolem: --state must be one of pending, succeeded, failed, unknown, got "done"$/,
    ],
    [
      '--stuck with a final state',
      ['payments', 'list', '--stuck', '--state', 'failed'],
      /^tolem: --stuck lists open payments only/,
    ],
    [
      'a time without a zone',
      ['payments', 'list', '--since', '2024-07-09 10:00:00'],
      /^tolem: --since "2024-07-09 10:00:00" has no offset/,
    ],
    [
      'a time that is not one',
      ['payments', 'list', '--until', 'yesterday'],
      /^tolem: --until must be an ISO 8601 time/,
    ],
    [
      'an offset for a zone',
      ['payments', 'list', '--time-zone', '+05:00'],
      /^tolem: --time-zone must be an IANA zone name/,
    ],
    [
      '--since after --until',
      ['payments', 'list', '--since', '2024-07-10T00:00:00Z', '--until', '2024-07-09T00:00:00Z'],
      /^tolem: --since must be before --until$/,
    ],
    [
      'a zero limit',
      ['payments', 'list', '--limit', '0'],
      /^tolem: --limit must be a whole number from 1 to 1000/,
    ],
    [
      'a cursor that is not one',
      ['payments', 'list', '--after', 'page-2'],
      /^tolem: --after takes the `next` value/,
    ],
    ['show without an id', ['payments', 'show'], /^tolem: missing ID \(the payment id/],
    [
      'show with two ids',
      ['payments', 'show', 'a', 'b'],
      /^tolem: unexpected argument "b" for `tolem payments show`/,
    ],
    [
      'show of an unknown payment',
      ['payments', 'show', 'no-such-payment'],
      /^tolem: no payment "no-such-payment" in sqlite:/,
    ],
    [
      'an unknown payments command',
      ['payments', 'delete', 'x'],
      /^tolem: unknown command `tolem payments delete`: use one of list, show, resolve$/,
    ],
  ])('%s', async (_, args, message) => {
    const before = await snapshot();
    for (const extra of [[], ['--json']]) {
      const result = await run(...args, '--journal', journalFlag, ...extra);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(result.stderr.trimEnd()).toMatch(message);
      if (extra.length > 0) expect(json(result)).toMatchObject({ error: { code: 'bad_input', exitCode: 2 } });
      else expect(result.stdout).toBe('');
    }
    expect(await snapshot()).toEqual(before);
  });

  it.each<[string, string[], RegExp]>([
    [
      'a journal file that does not exist: refused, never created',
      ['--journal', 'sqlite:nowhere/tolem.db'],
      /^tolem: --journal: no journal at .*nowhere\/tolem\.db: check the path/,
    ],
    [
      'a journal that is neither',
      ['--journal', 'mysql://db/tolem'],
      /^tolem: --journal: a journal is sqlite:PATH/,
    ],
    [
      'a database password in a flag',
      ['--journal', 'postgres://tolem:pg-secret@127.0.0.1:1/tolem'],
      /^tolem: --journal: must not carry the database password \(a flag shows in the process list/,
    ],
    [
      '--journal and --config at once',
      ['--journal', 'sqlite:x.db', '--config', 'tolem.config.json'],
      /^tolem: give --journal or --config, not both/,
    ],
    ['no journal at all', [], /^tolem: no journal: pass --journal sqlite:PATH/],
    [
      'a configuration that is not there',
      ['--config', 'missing.json'],
      /^tolem: config: cannot read .*missing\.json \(ENOENT\)$/,
    ],
  ])('%s', async (_, flags, message) => {
    const result = await run('payments', 'list', ...flags);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd()).toMatch(message);
    expect(result.stderr).not.toContain('pg-secret');
    expect(existsSync(join(scratch, 'nowhere'))).toBe(false);
  });

  it.each<[string, string[], RegExp]>([
    [
      'resolve without --as',
      ['payments', 'resolve', 'shift-06-timeout', '--actor', 'A', '--note', 'n'],
      /^tolem: missing --as/,
    ],
    [
      'resolve with a blank note',
      ['payments', 'resolve', 'shift-06-timeout', '--as', 'failed', '--actor', 'A', '--note', ' '],
      /^tolem: --note must not be blank$/,
    ],
    [
      'resolve of an unknown payment',
      ['payments', 'resolve', 'nope', '--as', 'failed', '--actor', 'A', '--note', 'n'],
      /^tolem: no payment "nope" in sqlite:/,
    ],
    [
      'reconcile of an unknown provider',
      ['reconcile', '--provider', 'vf-z', '--date', '2024-07-09'],
      /^tolem: --provider "vf-z" is not in the configuration \(known: vf-a, vf-b\)$/,
    ],
    ['reconcile without a date', ['reconcile', '--provider', 'vf-a'], /^tolem: missing --date/],
    [
      'eod with a day that does not exist',
      ['eod', '--provider', 'vf-a', '--date', '2024-13-01', '--send'],
      /^tolem: --date must be a day/,
    ],
    [
      'eod --force-reason without --send',
      ['eod', '--provider', 'vf-a', '--date', '2024-07-09', '--force-reason', 'deadline'],
      /^tolem: --force-reason goes with --send/,
    ],
  ])('with the demo’s configuration: %s', async (_, args, message) => {
    const before = await snapshot();
    const result = await run(...args, '--config', demo.configPath as string);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd()).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });

  it('resolve with a configuration whose journal file is not there: exit 2, and no file created', async () => {
    const folder = mkdtempSync(join(scratch, 'elsewhere-'));
    const config = JSON.parse(readFileSync(demo.configPath as string, 'utf8')) as Record<string, unknown>;
    writeFileSync(join(folder, 'tolem.config.json'), JSON.stringify(config));
    for (const name of ['vf-a.password', 'vf-b.password', 'voucher.key'])
      writeFileSync(join(folder, name), readFileSync(join(demo.folder as string, name)));
    const result = await run(
      ...['payments', 'resolve', 'shift-06-timeout', '--as', 'failed', '--actor', 'A', '--note', 'n'],
      ...['--config', join(folder, 'tolem.config.json')],
    );
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd()).toBe(
      `tolem: ${join(folder, 'tolem.config.json')}: journal: no journal at ${join(folder, 'tolem.db')}: check the path (a command on an existing journal never creates one)`,
    );
    expect(existsSync(join(folder, 'tolem.db'))).toBe(false);
  });

  it('a configuration with an inline password: refused with the reason, naming the path in the file', async () => {
    const file = join(scratch, 'inline.config.json');
    writeFileSync(
      file,
      JSON.stringify({
        journal: journalFlag,
        providers: [
          {
            id: 'vf-a',
            kind: 'vectrafin',
            baseUrl: 'https://x.example',
            agentId: '1',
            password: 'inline-pw-1',
          },
        ],
        routes: {},
      }),
    );
    const result = await run('payments', 'list', '--config', file);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd()).toBe(
      `tolem: ${file}: providers[0].password: an inline password is refused (a configuration file is copied, committed and pasted into tickets): name where it is kept instead, { "env": "VARIABLE" } or { "file": "path/to/file" }`,
    );
    expect(result.stderr).not.toContain('inline-pw-1');
  });
});

describe('secrets', () => {
  it('no sandbox password or voucher key from the demo’s folder in any output of these commands', () => {
    const folder = demo.folder as string;
    const secrets = ['vf-a.password', 'vf-b.password', 'voucher.key'].map((name) =>
      readFileSync(join(folder, name), 'utf8').trim(),
    );
    expect(secrets.every((secret) => secret.length >= 16)).toBe(true);
    expect(transcript.length).toBeGreaterThan(20);
    for (const result of transcript)
      for (const secret of secrets) {
        expect(result.stdout).not.toContain(secret);
        expect(result.stderr).not.toContain(secret);
      }
  });
});
