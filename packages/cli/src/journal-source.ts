import {
  CONFIG_ENV,
  createFromConfig,
  describeJournal,
  findConfigPath,
  loadTolemConfig,
  openConfiguredJournal,
  openJournal,
  parseJournalSpec,
  type TolemRuntime,
} from '@tolem/config';
import { type PaymentJournal, Secret } from '@tolem/core';
import { type OptionDefs, optionalString } from './args.js';
import { usageError } from './cli-error.js';
import type { CommandContext } from './command.js';

/** The environment variable that names the journal when neither --journal nor --config is given. */
export const JOURNAL_ENV = 'TOLEM_JOURNAL';

export const CONFIG_OPTION: OptionDefs = {
  config: {
    type: 'string',
    value: 'FILE',
    description: `the configuration file (or ${CONFIG_ENV}; default ./tolem.config.json)`,
  },
};

/** For commands that only read the journal: a configuration, or the journal itself. */
export const JOURNAL_OPTIONS: OptionDefs = {
  journal: {
    type: 'string',
    value: 'SPEC',
    description: `the journal, sqlite:PATH or postgres://user@host/db (or ${JOURNAL_ENV}); instead of --config`,
  },
  ...CONFIG_OPTION,
};

const PG_PASSWORD_HINT = `put the URL in ${JOURNAL_ENV}, or the password in PGPASSWORD or ~/.pgpass`;

export interface OpenedJournal {
  journal: PaymentJournal;
  /** `sqlite:/path/tolem.db` or the postgres URL without its password. */
  where: string;
}

/** Scrubs a secret from everything printed, and the password inside a URL on its own too. */
function remember(context: CommandContext): (secret: Secret) => void {
  return (secret) => {
    const value = secret.reveal();
    context.addSecret(value);
    try {
      const password = new URL(value).password;
      if (password !== '') {
        context.addSecret(password);
        context.addSecret(decodeURIComponent(password));
      }
    } catch {
      // Not a URL: the value itself is scrubbed.
    }
  };
}

/**
 * The journal a read-only command works on: `--journal`, else `--config`'s journal, else TOLEM_JOURNAL,
 * else the configuration TOLEM_CONFIG or ./tolem.config.json names. A SQLite file that does not exist
 * is refused, never created.
 */
export async function openReadJournal(context: CommandContext): Promise<OpenedJournal> {
  const flags = context.flags;
  const flag = optionalString(flags, 'journal');
  const configFlag = optionalString(flags, 'config');
  if (flag !== undefined && configFlag !== undefined)
    throw usageError('give --journal or --config, not both: the configuration names its own journal');
  const onSecret = remember(context);
  if (flag !== undefined) return openSpec(flag, '--journal', false, context);
  if (configFlag === undefined) {
    const fromEnv = context.io.env[JOURNAL_ENV];
    if (fromEnv !== undefined && fromEnv.trim() !== '') {
      onSecret(new Secret(fromEnv.trim()));
      return openSpec(fromEnv, JOURNAL_ENV, true, context);
    }
    if (findConfigPath({ env: context.io.env, cwd: context.io.cwd }) === null) {
      throw usageError(
        `no journal: pass --journal sqlite:PATH (or postgres://…), or --config FILE; or set ${JOURNAL_ENV} or ${CONFIG_ENV}`,
      );
    }
  }
  const config = await loadTolemConfig({ path: configFlag, env: context.io.env, cwd: context.io.cwd });
  const { journal, spec } = await openConfiguredJournal(config, {
    env: context.io.env,
    onSecret,
    mustExist: true,
  });
  return { journal, where: describeJournal(spec) };
}

async function openSpec(
  text: string,
  where: string,
  fromEnvironment: boolean,
  context: CommandContext,
): Promise<OpenedJournal> {
  const spec = parseJournalSpec(text, {
    base: context.io.cwd,
    where,
    allowPassword: fromEnvironment,
    passwordHint: `a flag shows in the process list and shell history: ${PG_PASSWORD_HINT}`,
  });
  const journal = await openJournal(spec, { where, mustExist: true });
  return { journal, where: describeJournal(spec) };
}

/**
 * The router a configuration describes (providers and journal), for commands that ask providers:
 * `--config`, else TOLEM_CONFIG, else ./tolem.config.json. Not started: no finalizer runs in a command.
 */
export async function openRuntime(context: CommandContext): Promise<TolemRuntime> {
  const path = optionalString(context.flags, 'config');
  const onSecret = remember(context);
  return createFromConfig(
    { path, env: context.io.env, cwd: context.io.cwd },
    {
      env: context.io.env,
      onSecret,
      journalMustExist: true,
      // A command reports what it did itself; the router's background reports are not for the operator here.
      onError: () => undefined,
    },
  );
}

/** Runs `action` on the read journal and always closes it. */
export async function withReadJournal<T>(
  context: CommandContext,
  action: (opened: OpenedJournal) => Promise<T>,
): Promise<T> {
  const opened = await openReadJournal(context);
  try {
    return await action(opened);
  } finally {
    await opened.journal.close();
  }
}
