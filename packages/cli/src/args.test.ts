import { describe, expect, it } from 'vitest';
import { parseCommandLine, parseFlags, requireString } from './args.js';
import { CliError } from './cli-error.js';

const OPTIONS = {
  amount: { type: 'string', description: 'amount' },
  wait: { type: 'string', description: 'wait' },
} as const;

function failure(fn: () => unknown): CliError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a CliError');
}

describe('parseFlags', () => {
  it('reads string and global boolean flags', () => {
    const flags = parseFlags(['--amount', '100.00', '--json'], OPTIONS, 'vectrafin pay');
    expect(flags).toMatchObject({ amount: '100.00', json: true });
  });

  it('names an unknown flag without echoing its value', () => {
    const error = failure(() => parseFlags(['--amout=123.45'], OPTIONS, 'vectrafin pay'));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('unknown flag --amout');
    expect(error.message).not.toContain('123.45');
  });

  it.each([['--password', 'hunter2'], ['--password=hunter2'], ['--agent-password', 'hunter2']])(
    'refuses a password flag and says where the password goes (%s)',
    (...args) => {
      const error = failure(() => parseFlags(args, OPTIONS, 'vectrafin pay'));
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain('TOLEM_VECTRAFIN_PASSWORD');
      expect(error.message).toContain('--password-file');
      expect(error.message).not.toContain('hunter2');
    },
  );

  it('says a flag needs a value', () => {
    expect(failure(() => parseFlags(['--amount'], OPTIONS, 'vectrafin pay')).message).toContain(
      '--amount needs a value',
    );
  });

  it('says a boolean flag takes no value', () => {
    expect(failure(() => parseFlags(['--json=yes'], OPTIONS, 'vectrafin pay')).message).toContain(
      '--json takes no value',
    );
  });

  it('refuses positional arguments', () => {
    expect(failure(() => parseFlags(['100.00'], OPTIONS, 'vectrafin pay')).message).toContain(
      'unexpected argument "100.00"',
    );
  });

  it('ignores a bare `--` and reads the flags after it like any other', () => {
    expect(parseFlags(['--', '--amount', '100.00', '--json'], OPTIONS, 'vectrafin pay')).toEqual(
      parseFlags(['--amount', '100.00', '--json'], OPTIONS, 'vectrafin pay'),
    );
    expect(parseFlags(['--json', '--', '--amount=5'], OPTIONS, 'vectrafin pay')).toMatchObject({
      json: true,
      amount: '5',
    });
    expect(parseFlags(['--amount=--', '--json'], OPTIONS, 'vectrafin pay').amount).toBe('--');
  });

  it('stays strict after a `--`: unknown flags, stray arguments and a second `--` are refused', () => {
    expect(failure(() => parseFlags(['--', '--amout=1'], OPTIONS, 'vectrafin pay')).message).toContain(
      'unknown flag --amout',
    );
    expect(failure(() => parseFlags(['--', '100.00'], OPTIONS, 'vectrafin pay')).message).toContain(
      'unexpected argument "100.00"',
    );
    const second = failure(() => parseFlags(['--', '--', '--json'], OPTIONS, 'vectrafin pay'));
    expect(second.exitCode).toBe(2);
    expect(second.message).toContain('unexpected argument "--json"');
  });

  it('refuses a password flag after a `--` too, without echoing it', () => {
    const error = failure(() => parseFlags(['--', '--password', 'hunter2'], OPTIONS, 'vectrafin pay'));
    expect(error.message).toContain('--password is not accepted');
    expect(error.message).not.toContain('hunter2');
  });

  it('names the stray argument as given, even when it starts with a dash or is empty', () => {
    expect(failure(() => parseFlags(['--json', '--', '--', '-x'], OPTIONS, 'demo')).message).toContain(
      'unexpected argument "-x"',
    );
    expect(failure(() => parseFlags([''], OPTIONS, 'demo')).message).toBe(
      'unexpected argument "" for `tolem demo`: see `tolem demo --help`',
    );
  });

  it('requireString names the missing flag with an example', () => {
    const error = failure(() => requireString({}, 'amount', '100.00'));
    expect(error.message).toBe('missing --amount (for example --amount 100.00)');
  });
});

describe('parseCommandLine: a command that takes arguments', () => {
  const ID = [{ name: 'ID', description: 'the payment id' }];

  it('returns them beside the flags, in either order', () => {
    expect(parseCommandLine(['order-42', '--json'], OPTIONS, 'payments show', ID)).toMatchObject({
      flags: { json: true },
      positionals: ['order-42'],
    });
    expect(parseCommandLine(['--amount', '1', 'order-42'], OPTIONS, 'payments show', ID).positionals).toEqual(
      ['order-42'],
    );
  });

  it('a missing or an extra argument is a usage error naming it', () => {
    expect(failure(() => parseCommandLine([], OPTIONS, 'payments show', ID)).message).toBe(
      'missing ID (the payment id): `tolem payments show ID`',
    );
    expect(failure(() => parseCommandLine(['a', 'b'], OPTIONS, 'payments show', ID)).message).toBe(
      'unexpected argument "b" for `tolem payments show`: see `tolem payments show --help`',
    );
  });

  it('--help answers without the argument', () => {
    expect(parseCommandLine(['--help'], OPTIONS, 'payments show', ID).flags.help).toBe(true);
  });

  it('a command without arguments still refuses one', () => {
    expect(failure(() => parseCommandLine(['stray'], OPTIONS, 'payments list', [])).exitCode).toBe(2);
  });
});
