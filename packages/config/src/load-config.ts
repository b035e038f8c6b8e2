import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Routes } from '@tolem/router';
import { parse as parseJson } from 'lossless-json';
import type * as z from 'zod';
import { ConfigFileError, formatPath } from './config-error.js';
import { CONFIG_ENV, DEFAULT_CONFIG_FILE, type FindConfigOptions, findConfigPath } from './config-paths.js';
import { configFileSchema, type JournalEntry } from './config-schema.js';
import { BUILT_IN_KINDS, type ProviderKind } from './provider-kind.js';
import { type SecretSource, secretSourceSchema } from './secret-source.js';

/** One provider of a configuration, checked but not built: secrets are only named, not read yet. */
export interface ProviderConfig {
  id: string;
  kind: ProviderKind;
  /** Options that are not secrets, as written. */
  options: Record<string, unknown>;
  /** Secret options (the password): where each is kept. */
  secrets: Record<string, SecretSource>;
  /** Index in `providers`, for error paths. */
  index: number;
}

/** A configuration, checked: everything but what only the factories and the secrets can tell. */
export interface TolemConfig {
  /** The file it was read from (absolute), or undefined when given as a value. */
  file: string | undefined;
  /** Folder that relative paths in it (`sqlite:`, `{ "file" }`) are resolved against. */
  folder: string;
  journal: JournalEntry;
  providers: ProviderConfig[];
  routes: Routes;
  /** Router options passed on as written; createRouter checks them. */
  router: {
    finalizer?: Record<string, unknown>;
    breaker?: Record<string, unknown>;
    failover?: Record<string, unknown>;
    callbacks?: Record<string, unknown>;
    routing?: Record<string, unknown>;
  };
  /** Voucher keys (where each is kept), false (none, on purpose) or undefined (not said). */
  vouchers: false | { current: string; keys: Record<string, SecretSource> } | undefined;
}

export interface LoadConfigOptions extends FindConfigOptions {
  /** Provider kinds besides the built-in `vectrafin`. */
  kinds?: readonly ProviderKind[];
}

/**
 * Finds (`path`, else TOLEM_CONFIG, else ./tolem.config.json) and reads the configuration file, and
 * checks it. Reads no secret and opens nothing: `createFromConfig` does that. Throws ConfigFileError
 * (a core ConfigError) naming the file and the path inside it: `providers[1].baseUrl: …`.
 */
export async function loadTolemConfig(options: LoadConfigOptions = {}): Promise<TolemConfig> {
  const location = findConfigPath(options);
  if (location === null) {
    throw new ConfigFileError(
      undefined,
      'config',
      `no configuration file: pass --config PATH, set ${CONFIG_ENV}, or create ./${DEFAULT_CONFIG_FILE}`,
    );
  }
  let text: string;
  try {
    text = readFileSync(location.path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const from = location.source === 'env' ? ` (named by ${CONFIG_ENV})` : '';
    throw new ConfigFileError(
      undefined,
      'config',
      `cannot read ${location.path}${from} (${typeof code === 'string' ? code : 'unreadable'})`,
      { cause: error },
    );
  }
  return parseTolemConfig(parseJsonText(text, location.path), {
    file: location.path,
    folder: dirname(location.path),
    ...(options.kinds ? { kinds: options.kinds } : {}),
  });
}

/**
 * Reads the file's JSON with lossless-json, which says where it stopped and refuses a key written twice
 * (JSON.parse keeps the last one silently: a second "password" or "finalizer" would win unseen).
 */
function parseJsonText(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return parseJson(body, null, (digits) => Number(digits));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    let where = '';
    if (position) {
      const before = body.slice(0, Number(position[1]));
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${column}`;
    }
    const what = message.split('\n')[0]?.replace(/ (at|encountered at) position \d+$/, '') ?? '';
    throw new ConfigFileError(file, '(file)', `not valid JSON${where}: ${what}`, {
      cause: error,
    });
  }
}

/**
 * Checks a configuration given as a value (the parsed JSON): for services that keep it elsewhere. Relative
 * paths are resolved against `folder` (default: the working folder).
 */
export function parseTolemConfig(
  value: unknown,
  options: { file?: string; folder?: string; kinds?: readonly ProviderKind[] } = {},
): TolemConfig {
  const file = options.file;
  const parsed = configFileSchema.safeParse(value);
  if (!parsed.success) throw issueError(parsed.error, value, file);
  const data = parsed.data;
  const kinds = new Map<string, ProviderKind>();
  for (const kind of [...BUILT_IN_KINDS, ...(options.kinds ?? [])]) kinds.set(kind.kind, kind);

  const ids = new Set<string>();
  const providers = data.providers.map((entry, index): ProviderConfig => {
    const at = (...rest: PropertyKey[]) => formatPath(['providers', index, ...rest]);
    const { id, kind: kindName, ...rest } = entry;
    if (ids.has(id)) throw new ConfigFileError(file, at('id'), `duplicate provider id ${JSON.stringify(id)}`);
    ids.add(id);
    const kind = kinds.get(kindName);
    if (kind === undefined) {
      throw new ConfigFileError(
        file,
        at('kind'),
        `unknown kind ${JSON.stringify(kindName)} (known: ${[...kinds.keys()].join(', ')}); a provider package's kind is passed to createFromConfig({ kinds })`,
      );
    }
    const plain: Record<string, unknown> = {};
    const secrets: Record<string, SecretSource> = {};
    for (const [name, option] of Object.entries(rest)) {
      if (!kind.options.includes(name)) {
        throw new ConfigFileError(
          file,
          at(name),
          `unknown option of a ${kind.kind} provider (misspelt?); known: ${kind.options.join(', ')}`,
        );
      }
      if (kind.secretOptions.includes(name)) {
        const source = secretSourceSchema(name).safeParse(option);
        if (!source.success) throw issueError(source.error, option, file, ['providers', index, name]);
        secrets[name] = source.data;
      } else plain[name] = option;
    }
    for (const name of kind.secretOptions) {
      if (!(name in secrets))
        throw new ConfigFileError(
          file,
          at(name),
          `is required: { "env": "VARIABLE" } or { "file": "path/to/file" } (never the ${name} itself)`,
        );
    }
    return { id, kind, options: plain, secrets, index };
  });

  for (const [name, route] of Object.entries(data.routes)) {
    const seen = new Set<string>();
    const targets = Array.isArray(route) ? route : route.targets;
    const base: (string | number)[] = Array.isArray(route) ? ['routes', name] : ['routes', name, 'targets'];
    for (const [index, target] of targets.entries()) {
      const at = formatPath([...base, index, 'provider']);
      if (!ids.has(target.provider)) {
        throw new ConfigFileError(
          file,
          at,
          `unknown provider ${JSON.stringify(target.provider)} (known: ${[...ids].join(', ')})`,
        );
      }
      if (seen.has(target.provider)) {
        // One attempt per provider and payment: a provider listed twice could never be tried twice.
        throw new ConfigFileError(
          file,
          at,
          `provider ${JSON.stringify(target.provider)} appears twice in the route`,
        );
      }
      seen.add(target.provider);
    }
  }

  const router: TolemConfig['router'] = {};
  for (const group of ['finalizer', 'breaker', 'failover', 'callbacks', 'routing'] as const) {
    const options = data[group];
    if (options !== undefined) router[group] = options;
  }
  return {
    file,
    folder: options.folder ?? (file === undefined ? process.cwd() : dirname(file)),
    journal: data.journal,
    providers,
    routes: data.routes as Routes,
    router,
    vouchers: data.vouchers,
  };
}

/** The first zod issue as a ConfigFileError naming its path (`providers[1].password`). */
function issueError(
  error: z.ZodError,
  input: unknown,
  file: string | undefined,
  prefix: readonly PropertyKey[] = [],
): ConfigFileError {
  const issue = error.issues[0];
  const path: PropertyKey[] = [...prefix, ...(issue?.path ?? [])];
  let rule = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys') {
    path.push(issue.keys[0] ?? '');
    rule = 'unknown option (misspelt?)';
  } else if (issue?.code === 'invalid_type' && valueAt(input, issue.path) === undefined) {
    // Only an absent value is "required"; a wrong type keeps the rule it broke.
    rule = /required/.test(rule) ? rule : 'is required';
  } else if (path.length === 0) {
    rule = 'the file must hold one JSON object ({ "journal", "providers", "routes", … })';
  }
  return new ConfigFileError(file, path.length === 0 ? '(file)' : formatPath(path), rule, { cause: error });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
