import {
  type Clock,
  ConfigError,
  createMemoryJournal,
  type PaymentJournal,
  type PaymentProvider,
  type Secret,
} from '@tolem/core';
import { createRouter, type Router, type RouterOptions, type VoucherOptions } from '@tolem/router';
import { ConfigFileError, formatPath, joinPath } from './config-error.js';
import { describeJournal, type JournalSpec, openJournal, parseJournalSpec } from './journal-spec.js';
import { type LoadConfigOptions, loadTolemConfig, type TolemConfig } from './load-config.js';
import type { ProviderKind } from './provider-kind.js';
import { readSecret } from './secret-source.js';

export interface CreateFromConfigOptions {
  /** Where `{ "env" }` secrets are read (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Provider kinds besides the built-in `vectrafin` (when `config` is to be loaded here). */
  kinds?: readonly ProviderKind[];
  /** Told about every secret read (passwords, keys, a database URL), so a caller can scrub its output. */
  onSecret?: (secret: Secret) => void;
  /** Passed on to createRouter. */
  onError?: RouterOptions['onError'];
  clock?: Clock;
  /**
   * Refuse a SQLite journal file that does not exist yet instead of creating it (a command working on
   * an existing journal: a typo must not leave an empty database behind). Default false: a service
   * creates its journal on first start.
   */
  journalMustExist?: boolean;
  /**
   * The finalizer's lease owner, unique per process (default: host, pid and a random part). Not a
   * setting of the file: a file shared by several processes would give them all the same one.
   */
  instanceId?: string;
}

/** What a configuration builds: a router over its providers and journal, not started. */
export interface TolemRuntime {
  config: TolemConfig;
  router: Router;
  journal: PaymentJournal;
  /** The journal, safe to print: `sqlite:/var/lib/tolem/tolem.db` or its URL without the password. */
  journalDescription: string;
  providers: ReadonlyMap<string, PaymentProvider>;
  /** Each provider's business-day zone (IANA), by provider id. */
  timeZones: ReadonlyMap<string, string>;
  /** Stops the router: closes the providers and the journal. */
  close(): Promise<void>;
}

/**
 * Builds the router a configuration describes (not started: call `router.start()` for the finalizer).
 * Everything that can be checked is checked before the journal is opened — secrets read, providers
 * built by their own factories, the router's options checked by createRouter — so a bad configuration
 * changes nothing. Errors are ConfigFileErrors naming the path in the file (`providers[0].baseUrl`).
 */
export async function createFromConfig(
  config: TolemConfig | LoadConfigOptions = {},
  options: CreateFromConfigOptions = {},
): Promise<TolemRuntime> {
  const resolved = isConfig(config)
    ? config
    : await loadTolemConfig({ ...config, ...(options.kinds ? { kinds: options.kinds } : {}) });
  const env = options.env ?? (isConfig(config) ? process.env : (config.env ?? process.env));
  const { file } = resolved;
  const secretContext = { env, folder: resolved.folder, file };
  const reveal = (secret: Secret) => {
    options.onSecret?.(secret);
    return secret;
  };

  const built: { provider: PaymentProvider; timeZone: string }[] = [];
  const closeBuilt = () => Promise.allSettled(built.map(({ provider }) => provider.close()));
  let journal: PaymentJournal | null = null;
  try {
    for (const entry of resolved.providers) {
      const secrets: Record<string, Secret> = {};
      for (const [name, source] of Object.entries(entry.secrets))
        secrets[name] = reveal(
          readSecret(source, secretContext, formatPath(['providers', entry.index, name])),
        );
      try {
        built.push(await entry.kind.create({ ...entry.options, ...secrets, id: entry.id }));
      } catch (error) {
        throw renamed(error, file, (option) => joinPath(['providers', entry.index], option));
      }
    }
    const vouchers = voucherOptions(resolved, secretContext, reveal);
    const spec = journalSpec(resolved, env, reveal);
    const routerOptions = {
      providers: built.map(({ provider }) => provider),
      routes: resolved.routes,
      ...(resolved.router as Partial<RouterOptions>),
      ...(vouchers === undefined ? {} : { vouchers }),
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.instanceId ? { instanceId: options.instanceId } : {}),
    } as Omit<RouterOptions, 'journal'>;
    // The router's own checks, before the journal is opened: over a memory journal, stopped at once.
    try {
      await createRouter({ ...routerOptions, journal: createMemoryJournal(), closeResources: false }).stop();
    } catch (error) {
      throw renamed(error, file, routerOptionPath);
    }
    journal = await openJournal(spec, {
      where: 'journal',
      file,
      ...(options.journalMustExist ? { mustExist: true } : {}),
    });
    const router = createRouter({ ...routerOptions, journal });
    return {
      config: resolved,
      router,
      journal,
      journalDescription: describeJournal(spec),
      providers: router.providers,
      timeZones: new Map(built.map(({ provider, timeZone }) => [provider.id, timeZone])),
      close: () => router.stop(),
    };
  } catch (error) {
    await closeBuilt();
    await journal?.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Opens only the journal a configuration names (for commands that read it): no provider is built and
 * no provider secret is read.
 */
export async function openConfiguredJournal(
  config: TolemConfig,
  options: {
    env?: Readonly<Record<string, string | undefined>>;
    onSecret?: (secret: Secret) => void;
    mustExist?: boolean;
  } = {},
): Promise<{ journal: PaymentJournal; spec: JournalSpec }> {
  const spec = journalSpec(config, options.env ?? process.env, (secret) => {
    options.onSecret?.(secret);
    return secret;
  });
  const journal = await openJournal(spec, {
    where: 'journal',
    file: config.file,
    ...(options.mustExist ? { mustExist: true } : {}),
  });
  return { journal, spec };
}

/** The journal a configuration names, its URL read from where the file says it is kept. */
export function journalSpec(
  config: TolemConfig,
  env: Readonly<Record<string, string | undefined>>,
  reveal: (secret: Secret) => Secret = (secret) => secret,
): JournalSpec {
  const { url, options } = config.journal;
  const context = { env, folder: config.folder, file: config.file };
  if (typeof url === 'string') {
    return parseJournalSpec(
      url,
      {
        base: config.folder,
        where: 'journal',
        file: config.file,
        allowPassword: false,
        passwordHint:
          'keep the URL in an environment variable or a file: { "url": { "env": "TOLEM_JOURNAL_URL" } }, or the password in PGPASSWORD or ~/.pgpass',
      },
      options,
    );
  }
  const secret = reveal(readSecret(url, context, 'journal.url'));
  return parseJournalSpec(
    secret.reveal(),
    { base: config.folder, where: 'journal.url', file: config.file, allowPassword: true },
    options,
  );
}

function voucherOptions(
  config: TolemConfig,
  context: Parameters<typeof readSecret>[1],
  reveal: (secret: Secret) => Secret,
): VoucherOptions | false | undefined {
  if (config.vouchers === undefined || config.vouchers === false) return config.vouchers;
  const keys: Record<string, Secret> = {};
  for (const [id, source] of Object.entries(config.vouchers.keys))
    keys[id] = reveal(readSecret(source, context, formatPath(['vouchers', 'keys', id])));
  return { current: config.vouchers.current, keys };
}

/** createRouter names `providers.0.id`, `failover.onReasons.0`: the file's paths use brackets. */
function routerOptionPath(option: string): string {
  const segments = option.split('.');
  // The segment after `routes` is a route name, whatever it looks like; other digits are indexes.
  return formatPath(
    segments.map((segment, index) =>
      /^\d+$/.test(segment) && !(index === 1 && segments[0] === 'routes') ? Number(segment) : segment,
    ),
  );
}

function renamed(error: unknown, file: string | undefined, path: (option: string) => string): unknown {
  if (ConfigError.is(error)) {
    return new ConfigFileError(file, path(error.option), error.rule, { cause: error });
  }
  return error;
}

function isConfig(value: TolemConfig | LoadConfigOptions): value is TolemConfig {
  return 'providers' in value && 'journal' in value && Array.isArray((value as TolemConfig).providers);
}
