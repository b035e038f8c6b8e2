import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { betterSqlite3Copy, foreignModule, REDIRECT } from '../../journal-sqlite/test/better-sqlite3-copy.js';
import { BIN, cleanEnv, collect, json, start, tolem, waitForOutput } from './run-tolem.js';

const TIMEOUT = 120_000;

/** The demos keep their folders in TMPDIR: this file's own, deleted at the end. */
const scratch = mkdtempSync(join(tmpdir(), 'tolem-cli-demo-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function demoEnv(extra: Record<string, string> = {}): Record<string, string> {
  return cleanEnv({ TMPDIR: scratch, ...extra });
}

/** Holds a port the OS picked on 127.0.0.1 until `close()`. */
function holdPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      resolve({
        port: address.port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

describe('tolem demo', () => {
  it(
    'walks through the shift and exits 0 with a summary and the /metrics URL',
    async () => {
      const result = await tolem(['demo'], demoEnv());
      expect(result.code, result.stderr).toBe(0);
      for (const step of [
        '[1/9] Steam top-up',
        'dynamic voucher',
        'static voucher',
        'Alseko',
        'declined',
        'timeout',
        'callback',
        'breaker',
        'Balance',
      ]) {
        expect(result.stdout).toContain(step);
      }
      expect(result.stdout).toContain('breaker of vf-a: closed → open');
      expect(result.stdout).toContain('pay moved from vf-a to vf-b (breaker_open)');
      expect(result.stdout).toMatch(/callback from vf-a for shift-07-callback/);
      expect(result.stdout).toContain('Summary');
      expect(result.stdout).toMatch(/Metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/);
      expect(result.stdout).toContain('Every payment reached the state it should');
      expect(result.stdout).not.toContain('✗');
      // The summary ends with the commands that read the demo's journal, which outlives the demo.
      const journalPath = /journal\s+(\S+) \(SQLite\)/.exec(result.stdout)?.[1] as string;
      expect(journalPath.startsWith(scratch)).toBe(true);
      expect(existsSync(journalPath)).toBe(true);
      expect(result.stdout.trimEnd().split('\n').slice(-4)).toEqual([
        `The journal stays in ${dirname(journalPath)} (remove the folder when done). Look at it:`,
        `  tolem payments list --journal sqlite:${journalPath}`,
        `  tolem payments list --state failed --journal sqlite:${journalPath}`,
        `  tolem payments show shift-06-timeout --journal sqlite:${journalPath}`,
      ]);
      // The demo mounts its callbacks the way every deployment should: behind a path token.
      expect(result.stdout).toContain('/callbacks/<token>/<provider>');
      expect(result.stderr).not.toContain('TolemRouterWarning');
    },
    TIMEOUT,
  );

  it(
    '--serve --json: one JSON document, /metrics served until Ctrl-C, then exit 0',
    async () => {
      const child = start(['demo', '--serve', '--json'], demoEnv());
      const done = collect(child);
      const narration = await waitForOutput(
        child.stderr as NodeJS.ReadableStream,
        /Serving until Ctrl-C[\s\S]*finalizer keeps running/,
      );
      const metricsUrl = /metrics\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(narration)?.[1];
      expect(metricsUrl).toBeDefined();
      const response = await fetch(metricsUrl as string);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toMatch(/tolem_payments_total\{provider="vf-b",service="steam",state="succeeded"\} 1/);
      expect(text).toMatch(
        /tolem_failovers_total\{from="vf-a",to="vf-b",reason="breaker_open",service="steam"\} 1/,
      );
      expect(text).toContain('tolem_provider_balance{');

      child.kill('SIGINT');
      const result = await done;
      expect(result.code).toBe(0);
      const doc = json(result);
      expect(doc.ok).toBe(true);
      const payments = doc.payments as Record<string, unknown>[];
      expect(payments).toHaveLength(8);
      expect(payments.filter((payment) => payment.state === 'failed')).toEqual([
        expect.objectContaining({ paymentId: 'shift-05-declined', reason: 'account_not_found', ok: true }),
      ]);
      expect(payments.find((payment) => payment.paymentId === 'shift-08-failover')).toMatchObject({
        provider: 'vf-b',
        state: 'succeeded',
      });
      expect(payments.every((payment) => payment.ok === true && payment.final === true)).toBe(true);
      // --serve leaves one payment open on purpose, for the operator's commands it prints.
      expect(doc.heldPayment).toMatchObject({
        paymentId: 'held-for-operator',
        state: 'pending',
        final: false,
        provider: 'vf-a',
      });
      const config = doc.configPath as string;
      expect(doc.commands).toEqual(
        expect.arrayContaining([
          `tolem payments show held-for-operator --config ${config}`,
          expect.stringMatching(
            new RegExp(
              `^tolem eod --provider vf-a --date \\d{4}-\\d{2}-\\d{2} --config ${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
            ),
          ),
        ]),
      );
      expect(narration).toContain('held        held-for-operator: pending at vf-a');
    },
    TIMEOUT,
  );

  it(
    '--serve keeps a trickle of traffic (declines, a timeout, a callback, a failover, a held payment); TOLEM_VECTRAFIN_PASSWORD opens its sandbox and is printed nowhere',
    async () => {
      const password = 'demo-Trickle-pw&9';
      const child = start(['demo', '--serve'], demoEnv({ TOLEM_VECTRAFIN_PASSWORD: password }));
      const done = collect(child);
      const narration = await waitForOutput(
        child.stdout as NodeJS.ReadableStream,
        /Serving until Ctrl-C[\s\S]*traffic\s+a trickle/,
      );
      const metricsUrl = /metrics\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(narration)?.[1] as string;
      const simulatorUrl = /simulator\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(narration)?.[1] as string;
      const sample = (text: string, pattern: RegExp) =>
        [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
      const before = await (await fetch(metricsUrl)).text();
      let text = before;
      // One cycle of the trickle takes about 30 s; everything shows well within a minute and a half.
      const deadline = Date.now() + 90_000;
      const seen = () => ({
        failover: sample(text, /tolem_failovers_total\{[^}]*reason="provider_technical"[^}]*\} (\d+)/g),
        declined: sample(text, /tolem_payments_total\{[^}]*state="failed"\} (\d+)/g),
        timeout: sample(
          text,
          /tolem_provider_requests_total\{[^}]*operation="pay",state="unknown",reason="timeout"[^}]*\} (\d+)/g,
        ),
        confirmed: sample(text, /tolem_callbacks_total\{[^}]*result="confirmed"\} (\d+)/g),
        held: sample(text, /tolem_payments_open\{[^}]*provider="vf-a",state="pending"\} (\d+)/g),
        checks: sample(
          text,
          /tolem_provider_requests_total\{[^}]*operation="checkAccount",state="succeeded"[^}]*\} (\d+)/g,
        ),
      });
      const initial = seen();
      let now = initial;
      let heldSeen = false;
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        text = await (await fetch(metricsUrl)).text();
        now = seen();
        // The payment held for the operator is open all along: the trickle's own held payment adds one.
        heldSeen ||= now.held > initial.held;
        if (
          heldSeen &&
          now.failover > initial.failover &&
          now.declined > initial.declined &&
          now.timeout > initial.timeout &&
          now.confirmed > initial.confirmed &&
          now.checks > initial.checks
        )
          break;
      }
      expect(heldSeen, 'a payment held pending').toBe(true);
      expect(now.failover, 'a failover').toBeGreaterThan(initial.failover);
      expect(now.declined, 'a decline').toBeGreaterThan(initial.declined);
      expect(now.timeout, 'a timeout').toBeGreaterThan(initial.timeout);
      expect(now.confirmed, 'a callback').toBeGreaterThan(initial.confirmed);
      expect(now.checks, 'checks').toBeGreaterThan(initial.checks);

      // The password opens the demo's sandbox by hand...
      const balance = await tolem(
        ['vectrafin', 'balance', '--url', simulatorUrl, '--agent-id', '901', '--json'],
        demoEnv({ TOLEM_VECTRAFIN_PASSWORD: password }),
      );
      expect(balance.code, balance.stderr).toBe(0);
      expect(json(balance).balances).toEqual([expect.objectContaining({ currency: 'KZT' })]);

      child.kill('SIGINT');
      const result = await done;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/the trickle made \d+ check\(s\) and \d+ payment\(s\)/);
      // ...and appears in no output and no metric.
      for (const output of [result.stdout, result.stderr, text, before, balance.stdout, balance.stderr])
        expect(output).not.toContain(password);
    },
    TIMEOUT,
  );

  it(
    '`tolem demo -- --serve --metrics-port N` (as `pnpm run demo -- …` passes it): serves /metrics on N',
    async () => {
      // A port the OS just handed out, released for the demo: no fixed port in tests.
      const held = await holdPort();
      await held.close();
      const child = start(['demo', '--', '--serve', '--metrics-port', String(held.port)], demoEnv());
      const done = collect(child);
      const shown = await waitForOutput(
        child.stdout as NodeJS.ReadableStream,
        /Serving until Ctrl-C[\s\S]*finalizer keeps running/,
      );
      const metricsUrl = `http://127.0.0.1:${held.port}/metrics`;
      expect(shown).toContain(`metrics     ${metricsUrl}   (point Prometheus here)`);
      const response = await fetch(metricsUrl);
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(
        /tolem_payments_total\{provider="vf-b",service="steam",state="succeeded"\} 1/,
      );

      child.kill('SIGINT');
      const result = await done;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('Every payment reached the state it should');
    },
    TIMEOUT,
  );

  it(
    '--metrics-port on a port in use: one error line, exit 1',
    async () => {
      const held = await holdPort();
      try {
        const result = await tolem(['demo', '--metrics-port', String(held.port), '--json'], demoEnv());
        expect(result.code).toBe(1);
        expect(json(result)).toEqual({
          error: {
            code: 'port_in_use',
            message: `port ${held.port} is in use: pick another with --metrics-port, or leave it out for a free one`,
            exitCode: 1,
          },
        });
        expect(result.stderr.split('\n').filter((line) => line.startsWith('tolem:'))).toEqual([
          `tolem: port ${held.port} is in use: pick another with --metrics-port, or leave it out for a free one`,
        ]);
        expect(result.stderr).not.toContain('    at ');
      } finally {
        await held.close();
      }
    },
    TIMEOUT,
  );

  it.each([['abc'], ['65536'], ['-1'], ['']])(
    '--metrics-port %j is bad input: exit 2 before anything starts',
    async (value) => {
      const result = await tolem(['demo', `--metrics-port=${value}`], demoEnv());
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^tolem: --metrics-port (must be a port number 0 to 65535|needs a value)/,
      );
    },
    TIMEOUT,
  );
});

describe('a bare `--` before the flags (pnpm run … -- --flag)', () => {
  it(
    'is ignored: `tolem demo -- --help` prints the help, `--json` after it shapes errors',
    async () => {
      const help = await tolem(['demo', '--', '--help'], demoEnv());
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Usage: tolem demo [--serve] [--metrics-port N]');

      const error = await tolem(['demo', '--', '--json', '--metrics-port', 'abc'], demoEnv());
      expect(error.code).toBe(2);
      expect(json(error)).toMatchObject({ error: { code: 'bad_input', exitCode: 2 } });
    },
    TIMEOUT,
  );

  it.each([
    [['demo', '--', '--bogus'], 'tolem: unknown flag --bogus for `tolem demo`: see `tolem demo --help`'],
    [['demo', '--', 'stray'], 'tolem: unexpected argument "stray" for `tolem demo`: see `tolem demo --help`'],
    [
      ['demo', '--', '--', '--serve'],
      'tolem: unexpected argument "--serve" for `tolem demo`: see `tolem demo --help`',
    ],
    [
      ['simulator', '--', '--port', 'x'],
      'tolem: --port must be a port number 0 to 65535 (0 picks a free one), got "x"',
    ],
  ])(
    'keeps strictness for what follows it: %j',
    async (args, message) => {
      const result = await tolem(args, demoEnv());
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim()).toBe(message);
    },
    TIMEOUT,
  );
});

describe('a journal that cannot open (the issue: `tolem demo` on a Node its better-sqlite3 was not built for)', () => {
  it('one `tolem:` line naming the native module, the Node versions and the rebuild; exit 1; no stack; --json error code journal_unavailable', async () => {
    const foreign = foreignModule();
    const dir = mkdtempSync(join(tmpdir(), 'tolem-cli-native-'));
    try {
      const copy = betterSqlite3Copy(dir, foreign.file);
      for (const extra of [[], ['--json']]) {
        // The real command, whose better-sqlite3 is a copy holding a module built for another Node.
        const child = spawn(
          process.execPath,
          ['--import', pathToFileURL(REDIRECT).href, BIN, 'demo', ...extra],
          { env: demoEnv({ TOLEM_TEST_BETTER_SQLITE3: copy }), stdio: ['ignore', 'pipe', 'pipe'] },
        );
        const result = await collect(child);
        expect(result.code).toBe(1);
        const message = `better-sqlite3's native module was built for another Node.js (ABI ${foreign.abi}; Node.js ${process.version} needs ${process.versions.modules}): rebuild it for this Node.js with \`npm rebuild better-sqlite3\` (pnpm: \`pnpm rebuild better-sqlite3\`)`;
        expect(result.stderr.split('\n').filter((line) => line.startsWith('tolem:'))).toEqual([
          `tolem: ${message}`,
        ]);
        expect(result.stderr).not.toContain('    at ');
        expect(result.stderr).not.toContain('invalid setting path');
        if (extra.length > 0) {
          expect(json(result)).toEqual({ error: { code: 'journal_unavailable', message, exitCode: 1 } });
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
