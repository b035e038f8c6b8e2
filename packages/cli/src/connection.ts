import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { assertTimeZone, Secret } from '@tolem/core';
import { assertSecureUrl } from '@tolem/provider-vectrafin';
import { type Flags, type OptionDefs, optionalString, PASSWORD_HINT } from './args.js';
import { usageError } from './cli-error.js';
import type { Io } from './io.js';

/** Connection settings of `tolem vectrafin …`: from flags, else the environment (architecture §7). */
export interface Connection {
  baseUrl: string;
  agentId: string;
  password: Secret;
  timeoutMs: number;
  timeZone: string;
}

export const ENV = {
  url: 'TOLEM_VECTRAFIN_URL',
  agentId: 'TOLEM_VECTRAFIN_AGENT_ID',
  password: 'TOLEM_VECTRAFIN_PASSWORD',
  timeZone: 'TOLEM_VECTRAFIN_TIME_ZONE',
} as const;

export const DEFAULT_TIMEOUT_SECONDS = 60;
const MAX_TIMEOUT_SECONDS = 600;
export const DEFAULT_TIME_ZONE = 'Europe/Moscow';

export const CONNECTION_OPTIONS: OptionDefs = {
  url: { type: 'string', value: 'URL', description: `provider base URL (or ${ENV.url})` },
  'agent-id': { type: 'string', value: 'ID', description: `agent id, digits (or ${ENV.agentId})` },
  'password-file': {
    type: 'string',
    value: 'FILE',
    description: `file holding the agent password (or ${ENV.password}); never a flag`,
  },
  timeout: {
    type: 'string',
    value: 'SECONDS',
    description: `give up waiting for an answer after this long (default ${DEFAULT_TIMEOUT_SECONDS})`,
  },
  'time-zone': {
    type: 'string',
    value: 'ZONE',
    description: `IANA zone of request dates and --from/--to (or ${ENV.timeZone}; default ${DEFAULT_TIME_ZONE})`,
  },
};

export function readConnection(flags: Flags, io: Io): Connection {
  return {
    baseUrl: readUrl(optionalString(flags, 'url') ?? nonEmpty(io.env[ENV.url])),
    agentId: readAgentId(optionalString(flags, 'agent-id') ?? nonEmpty(io.env[ENV.agentId])),
    password: readPassword(optionalString(flags, 'password-file'), io),
    timeoutMs: readTimeout(optionalString(flags, 'timeout')),
    timeZone: readTimeZone(optionalString(flags, 'time-zone') ?? nonEmpty(io.env[ENV.timeZone])),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function readUrl(value: string | undefined): string {
  if (value === undefined)
    throw usageError(`missing --url (or set ${ENV.url}), e.g. --url https://processing.vectrafin.ru`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(
      `--url is not a URL: ${JSON.stringify(clip(value))} (expected e.g. https://processing.vectrafin.ru)`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw usageError(`--url must not carry credentials: ${PASSWORD_HINT}`);
  }
  if (url.search !== '' || url.hash !== '') throw usageError('--url must not carry a query or a fragment');
  // The provider's own rule (a ConfigError naming --url): plain http only to literal loopback.
  assertSecureUrl(url, '--url');
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function readAgentId(value: string | undefined): string {
  if (value === undefined) throw usageError(`missing --agent-id (or set ${ENV.agentId}), e.g. --agent-id 1`);
  if (!/^\d{1,18}$/.test(value))
    throw usageError('--agent-id must be digits only (1 to 18), e.g. --agent-id 1');
  return value;
}

function readPassword(file: string | undefined, io: Io): Secret {
  if (file !== undefined) {
    const path = isAbsolute(file) ? file : resolve(io.cwd, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'unreadable';
      throw usageError(`cannot read --password-file ${JSON.stringify(file)} (${code}): name a readable file`);
    }
    const password = text.replace(/\r?\n$/, '');
    if (password === '')
      throw usageError(`--password-file ${JSON.stringify(file)} is empty: put the password in it`);
    return new Secret(password);
  }
  const fromEnv = io.env[ENV.password];
  if (fromEnv === undefined || fromEnv === '') throw usageError(`no password: ${PASSWORD_HINT}`);
  return new Secret(fromEnv);
}

function readTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS * 1000;
  if (!/^\d{1,4}(\.\d{1,3})?$/.test(value) || Number(value) <= 0 || Number(value) > MAX_TIMEOUT_SECONDS) {
    throw usageError(
      `--timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}, e.g. --timeout 60, got ${JSON.stringify(clip(value))}`,
    );
  }
  return Math.round(Number(value) * 1000);
}

export function readTimeZone(value: string | undefined): string {
  const zone = value ?? DEFAULT_TIME_ZONE;
  try {
    assertTimeZone(zone);
  } catch {
    throw usageError(
      `--time-zone must be an IANA zone name such as Europe/Moscow or Asia/Almaty, got ${JSON.stringify(clip(zone))}`,
    );
  }
  return zone;
}

function clip(value: string): string {
  return value.length > 60 ? `${value.slice(0, 60)}…` : value;
}
