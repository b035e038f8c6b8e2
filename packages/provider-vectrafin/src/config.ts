import {
  assertTimeZone,
  type Clock,
  ConfigError,
  parseConfig,
  SERVICE_KINDS,
  Secret,
  type ServiceKind,
  systemClock,
} from '@tolem/core';
import type { Dispatcher } from 'undici';
import * as z from 'zod';
import { assertSecureUrl } from './loopback.js';

/** Options of `createVectrafinProvider` (architecture §5). */
export interface VectrafinOptions {
  /** Instance id, e.g. "vectrafin-kzt": the name the router and the DI container know it by. */
  id: string;
  /** `https://processing.vectrafin.ru`; plain http only to 127.0.0.1, [::1] or localhost (the simulator). */
  baseUrl: string | URL;
  /** The agent's numeric id. */
  agentId: string | number;
  /** The agent's password: scrubbed from every error, message and result. */
  password: string | Secret;
  /** IANA zone for RequestDate and GetPaymentsByDate (protocol §5). Default `Europe/Moscow`. */
  timeZone?: string;
  /** Pool size: requests in flight at once (the spec asks for 10–15 concurrent connections). Default 12. */
  connections?: number;
  /**
   * Requests that may wait for a free connection; one more comes back at once as not sent
   * (`unknown` / `not_dispatched`). 0: never wait. Default 1000.
   */
  queueLimit?: number;
  /**
   * How long a request may wait for a free connection before it comes back as not sent
   * (`not_dispatched`). Default: the call's own timeout (`timeoutMs`, or the per-call one), at most
   * 10 000 — so that with the defaults a request is in flight at most 70 s, inside the router's
   * `finalizer.inFlightMs` (90 s).
   */
  queueTimeoutMs?: number;
  /**
   * How long to wait for the provider's answer once the request has a connection (a connect included;
   * queueing is not); the provider itself drops a connection after 60 s. Default 60 000.
   */
  timeoutMs?: number;
  /** Service id → how it is paid; merged over the spec's own ids (7, 1911, 1549, 815). */
  serviceKinds?: Record<string, ServiceKind>;
  /** Service id → the account pattern checked before sending (the spec asks the agent to). */
  accountPatterns?: Record<string, RegExp | string>;
  /** An undici dispatcher to send through instead of the provider's own Pool (tests: MockAgent). */
  dispatcher?: Dispatcher;
  /** Time source for RequestDate and generated AccountCheck ids. */
  clock?: Clock;
}

export interface VectrafinConfig {
  readonly id: string;
  /** `https://host:port`, without a trailing slash. */
  readonly origin: string;
  /** Path prefix ending with "/", e.g. "/" or "/gateway/". */
  readonly basePath: string;
  readonly agentId: string;
  readonly password: Secret;
  readonly timeZone: string;
  readonly connections: number;
  readonly queueLimit: number;
  /** Null: the call's own timeout, at most DEFAULT_QUEUE_TIMEOUT_CAP_MS. */
  readonly queueTimeoutMs: number | null;
  readonly timeoutMs: number;
  readonly serviceKinds: ReadonlyMap<string, ServiceKind>;
  readonly accountPatterns: ReadonlyMap<string, RegExp>;
  readonly dispatcher: Dispatcher | undefined;
  readonly clock: Clock;
}

/** The longest default wait for a free connection (`queueTimeoutMs` unset). */
export const DEFAULT_QUEUE_TIMEOUT_CAP_MS = 10_000;

/** The service ids the spec's own samples use (protocol §2). */
export const DEFAULT_SERVICE_KINDS: Readonly<Record<string, ServiceKind>> = {
  '7': 'direct',
  '1911': 'dynamic_voucher',
  '1549': 'static_voucher',
  '815': 'invoice',
};

const serviceIdKey = z.string().regex(/^[1-9]\d{0,9}$/, { error: 'service ids are 1 to 10 digits' });

const optionsSchema = z
  .object({
    id: z
      .string({ error: 'a provider id is required' })
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'letters, digits, ".", "_" or "-", at most 64' }),
    baseUrl: z.union([z.string(), z.instanceof(URL)], { error: 'a URL is required' }),
    agentId: z
      .union([z.string(), z.number()], { error: 'the numeric agent id is required' })
      .transform(String)
      .pipe(z.string().regex(/^[1-9]\d{0,17}$/, { error: 'digits only' })),
    password: z.union([z.string().min(1, { error: 'must not be empty' }), z.instanceof(Secret)], {
      error: 'a password string is required',
    }),
    timeZone: z
      .string()
      .refine(isTimeZone, { error: 'not an IANA time zone name (e.g. "Europe/Moscow")' })
      .default('Europe/Moscow'),
    connections: z
      .number()
      .int({ error: 'an integer is required' })
      .min(1, { error: 'at least 1' })
      .max(256, { error: 'at most 256' })
      .default(12),
    queueLimit: z
      .number()
      .int({ error: 'an integer is required' })
      .min(0, { error: 'at least 0' })
      .max(1_000_000, { error: 'at most 1000000' })
      .default(1_000),
    queueTimeoutMs: z
      .number()
      .int({ error: 'an integer number of milliseconds is required' })
      .min(0, { error: 'at least 0' })
      .max(600_000, { error: 'at most 600000' })
      .optional(),
    timeoutMs: z
      .number()
      .int({ error: 'an integer number of milliseconds is required' })
      .min(1, { error: 'at least 1' })
      .max(600_000, { error: 'at most 600000' })
      .default(60_000),
    serviceKinds: z.record(serviceIdKey, z.enum(SERVICE_KINDS)).optional(),
    accountPatterns: z.record(serviceIdKey, z.union([z.instanceof(RegExp), z.string()])).optional(),
    dispatcher: z
      .custom<Dispatcher>((value) => typeof (value as Dispatcher | null)?.request === 'function', {
        error: 'an undici Dispatcher is required',
      })
      .optional(),
    clock: z
      .custom<Clock>((value) => typeof (value as Clock | null)?.now === 'function', {
        error: 'an object with now()',
      })
      .optional(),
  })
  // A misspelt option (`timeoutMS`) must not silently leave the default in force.
  .strict();

/** Validates options once, at construction: ConfigError names the offending option. */
export function resolveConfig(options: VectrafinOptions): VectrafinConfig {
  const parsed = parseConfig(optionsSchema, options);
  const url = parseBaseUrl(parsed.baseUrl);
  return {
    id: parsed.id,
    origin: url.origin,
    basePath: url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`,
    agentId: parsed.agentId,
    password: typeof parsed.password === 'string' ? new Secret(parsed.password) : parsed.password,
    timeZone: parsed.timeZone,
    connections: parsed.connections,
    queueLimit: parsed.queueLimit,
    queueTimeoutMs: parsed.queueTimeoutMs ?? null,
    timeoutMs: parsed.timeoutMs,
    serviceKinds: new Map(Object.entries({ ...DEFAULT_SERVICE_KINDS, ...parsed.serviceKinds })),
    accountPatterns: compilePatterns(parsed.accountPatterns ?? {}),
    dispatcher: parsed.dispatcher,
    clock: parsed.clock ?? systemClock,
  };
}

function parseBaseUrl(value: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch (error) {
    throw new ConfigError('baseUrl', 'not an absolute URL', { cause: error });
  }
  if (url.username || url.password) throw new ConfigError('baseUrl', 'must not carry credentials');
  if (url.search || url.hash) throw new ConfigError('baseUrl', 'must not carry a query or a fragment');
  assertSecureUrl(url, 'baseUrl');
  return url;
}

function isTimeZone(value: string): boolean {
  try {
    assertTimeZone(value);
    return true;
  } catch {
    return false;
  }
}

function compilePatterns(patterns: Record<string, RegExp | string>): Map<string, RegExp> {
  const compiled = new Map<string, RegExp>();
  for (const [serviceId, pattern] of Object.entries(patterns)) {
    const option = `accountPatterns.${serviceId}`;
    let regex: RegExp;
    try {
      regex = typeof pattern === 'string' ? new RegExp(pattern, 'u') : pattern;
    } catch (error) {
      throw new ConfigError(option, 'not a valid regular expression', { cause: error });
    }
    // A global or sticky regex keeps lastIndex between calls and would accept every other account.
    if (regex.global || regex.sticky) throw new ConfigError(option, 'must not use the g or y flag');
    compiled.set(serviceId, regex);
  }
  return compiled;
}
