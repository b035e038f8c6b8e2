import { ConfigError, parseConfig, Secret } from '@tolem/core';
import * as z from 'zod';

/** Options of `createAcmeProvider`. */
export interface AcmeOptions {
  /** Instance id, unique among the router's providers: "acme-kzt". */
  id: string;
  /** `https://api.acme.example`; plain http only to a loopback host (a test server). */
  baseUrl: string;
  /** Acme's API key: a Secret from here on, never in a result, an error or `util.inspect`. */
  apiKey: string | Secret;
  /** How long to wait for an answer once the request leaves, in ms (default 30 000). */
  timeoutMs?: number;
  /** How long a connect may take before the request counts as never sent, in ms (default 10 000). */
  connectTimeoutMs?: number;
}

export interface AcmeConfig {
  readonly id: string;
  /** `https://host:port`, without a path. */
  readonly origin: string;
  /** Path prefix ending with "/" ("/" or "/gateway/"). */
  readonly basePath: string;
  readonly apiKey: Secret;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const optionsSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: 'a short lowercase id, e.g. "acme-kzt"' }),
    baseUrl: z.string().min(1),
    apiKey: z.union([z.string(), z.custom<Secret>((value) => Secret.is(value))], {
      error: 'a string or a Secret',
    }),
    timeoutMs: z.number().int().positive().max(600_000).optional(),
    connectTimeoutMs: z.number().int().positive().max(60_000).optional(),
  })
  .strict();

/**
 * Validates the options once, at construction: a ConfigError names the option (an unknown one too: a
 * misspelt option is refused, never silently ignored).
 */
export function resolveAcmeConfig(options: AcmeOptions): AcmeConfig {
  const parsed = parseConfig(optionsSchema, options);
  const providerId = parsed.id;
  let url: URL;
  try {
    url = new URL(parsed.baseUrl);
  } catch (cause) {
    throw new ConfigError('baseUrl', 'must be an absolute URL', { cause, providerId });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new ConfigError('baseUrl', 'must be https (plain http only to a loopback host)', { providerId });
  }
  const apiKey = Secret.is(parsed.apiKey) ? parsed.apiKey : new Secret(parsed.apiKey);
  if (apiKey.reveal() === '') throw new ConfigError('apiKey', 'is required', { providerId });
  return {
    id: providerId,
    origin: url.origin,
    basePath: url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`,
    apiKey,
    timeoutMs: parsed.timeoutMs ?? 30_000,
    connectTimeoutMs: parsed.connectTimeoutMs ?? 10_000,
  };
}
