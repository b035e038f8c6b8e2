import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/** The environment variable naming the configuration file when no `--config` is given. */
export const CONFIG_ENV = 'TOLEM_CONFIG';

/** The file looked for in the working folder when neither `--config` nor TOLEM_CONFIG names one. */
export const DEFAULT_CONFIG_FILE = 'tolem.config.json';

export interface ConfigLocation {
  /** Absolute path of the file. */
  path: string;
  /** Where the path came from: the `path` option (`--config`), TOLEM_CONFIG, or the default name. */
  source: 'option' | 'env' | 'default';
}

export interface FindConfigOptions {
  /** An explicit path (`--config PATH`): wins over everything, relative to `cwd`. */
  path?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
}

/**
 * Where the configuration is, in one place: `path` (the `--config` flag), else TOLEM_CONFIG, else
 * `./tolem.config.json` when that file exists; null when none applies. A path given explicitly is
 * returned whether or not it exists: reading it says what is wrong.
 */
export function findConfigPath(options: FindConfigOptions = {}): ConfigLocation | null {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(cwd, path));
  if (options.path !== undefined && options.path !== '')
    return { path: absolute(options.path), source: 'option' };
  const fromEnv = env[CONFIG_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '')
    return { path: absolute(fromEnv.trim()), source: 'env' };
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(fallback) ? { path: fallback, source: 'default' } : null;
}
