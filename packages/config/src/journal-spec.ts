import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type PaymentJournal, Secret } from '@tolem/core';
import { ConfigFileError } from './config-error.js';

/** Which journal, and where: what `sqlite:PATH` or a `postgres://` URL names. */
export type JournalSpec =
  | {
      kind: 'sqlite';
      /** Absolute path of the database file. */
      path: string;
      /** Further options of createSqliteJournal (busyTimeoutMs). */
      options: Readonly<Record<string, unknown>>;
    }
  | {
      kind: 'postgres';
      /** The URL; a Secret, since it may carry the database password. */
      connectionString: Secret;
      /** The URL without its password, for messages. */
      display: string;
      /** Further options of createPostgresJournal (schema, poolSize). */
      options: Readonly<Record<string, unknown>>;
    };

export interface JournalSpecContext {
  /** Folder that a relative `sqlite:` path is resolved against (the configuration file's, or the cwd). */
  base: string;
  /** What names the value in errors: `journal`, `--journal`. */
  where: string;
  /** The configuration file, for error messages. */
  file?: string | undefined;
  /**
   * Whether a password inside a postgres URL is accepted. False for a flag (it shows in `ps`) and for
   * a value written in a configuration file; true for one read from the environment or a secret file.
   */
  allowPassword: boolean;
  /** Where to put the password instead, said when it is refused. */
  passwordHint?: string;
}

/** The journal a text names: `sqlite:PATH` or `postgres://…` / `postgresql://…`. */
export function parseJournalSpec(
  text: string,
  context: JournalSpecContext,
  options: Readonly<Record<string, unknown>> = {},
): JournalSpec {
  const fail = (rule: string): never => {
    throw new ConfigFileError(context.file, context.where, rule);
  };
  const value = text.trim();
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length);
    if (path === '' || path === ':memory:')
      fail('sqlite:PATH needs the path of the database file, e.g. sqlite:./tolem.db');
    if (path.startsWith('//'))
      fail(`write sqlite:PATH with the path right after the colon (sqlite:/var/lib/tolem.db), not a URL`);
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(context.base, path), options };
  }
  if (/^postgres(ql)?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      // The value is never quoted back: it may carry a password.
      return fail('not a valid postgres:// URL (expected postgres://user@host:5432/database)');
    }
    if (url.password !== '' && !context.allowPassword) {
      fail(
        `must not carry the database password (${context.passwordHint ?? 'put it in PGPASSWORD or ~/.pgpass'})`,
      );
    }
    const display = new URL(url.href);
    display.password = '';
    return {
      kind: 'postgres',
      connectionString: new Secret(value),
      display: display.href.replace(/\/$/, ''),
      options,
    };
  }
  return fail(
    'a journal is sqlite:PATH (e.g. sqlite:./tolem.db) or a PostgreSQL URL (postgres://user@host:5432/database)',
  );
}

/** `sqlite:/var/lib/tolem/tolem.db` or the postgres URL without its password: safe to print. */
export function describeJournal(spec: JournalSpec): string {
  return spec.kind === 'sqlite' ? `sqlite:${spec.path}` : spec.display;
}

export interface OpenJournalOptions {
  /**
   * Refuse a SQLite file that does not exist yet instead of creating it (commands that only read a
   * journal: a typo must not leave an empty database behind).
   */
  mustExist?: boolean;
  /** What names the journal in errors (`journal`, `--journal`). */
  where?: string;
  file?: string | undefined;
}

/**
 * Opens the journal with its own package's factory (always awaited: PostgreSQL's connects and migrates
 * first). Its ConfigErrors are named under `where`; the packages are loaded only when used, so a
 * PostgreSQL deployment needs no SQLite module and the other way round.
 */
export async function openJournal(
  spec: JournalSpec,
  options: OpenJournalOptions = {},
): Promise<PaymentJournal> {
  const where = options.where ?? 'journal';
  const named = (error: unknown): never => {
    if (ConfigError.is(error) && !(error instanceof ConfigFileError)) {
      const inner = error.option === 'path' || error.option === 'connectionString' ? '' : `.${error.option}`;
      throw new ConfigFileError(options.file, `${where}${inner}`, error.rule, { cause: error });
    }
    throw error;
  };
  if (spec.kind === 'sqlite') {
    if (options.mustExist && !existsSync(spec.path)) {
      throw new ConfigFileError(
        options.file,
        where,
        `no journal at ${spec.path}: check the path (a command on an existing journal never creates one)`,
      );
    }
    const { createSqliteJournal } = await load(
      () => import('@tolem/journal-sqlite'),
      '@tolem/journal-sqlite',
      where,
      options.file,
    );
    try {
      return createSqliteJournal({ ...spec.options, path: spec.path });
    } catch (error) {
      return named(error);
    }
  }
  const { createPostgresJournal } = await load(
    () => import('@tolem/journal-postgres'),
    '@tolem/journal-postgres',
    where,
    options.file,
  );
  try {
    return await createPostgresJournal({ ...spec.options, connectionString: spec.connectionString.reveal() });
  } catch (error) {
    return named(error);
  }
}

/** Imports an optional package, or says which one to install. */
export async function load<T>(
  importer: () => Promise<T>,
  name: string,
  where: string,
  file: string | undefined,
): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String(error).includes(name)) {
      throw new ConfigFileError(file, where, `needs the package ${name}: install it (npm install ${name})`, {
        cause: error,
      });
    }
    throw error;
  }
}
