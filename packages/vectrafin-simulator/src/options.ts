import { type Clock, parseConfig, systemClock } from '@tolem/core';
import * as z from 'zod';
import type { AgentSpec } from './agents.js';
import type { CallbackOptions } from './callbacks.js';
import type { ServiceSpec } from './catalogue.js';
import { type FaultRule, faultRuleSchema } from './faults.js';
import type { PaymentRequestIdStyle } from './ids.js';
import {
  type ProgressionOptions,
  progressionSchema,
  type ResolvedProgression,
  resolveProgression,
} from './progression.js';
import { assertTimeZone } from './time-format.js';

/** The demo agent every simulator accepts unless `includeDemoAgent` is false (AgentID of the spec's sample). */
export const DEMO_AGENT_ID = '144';
/** The demo agent's password: public on purpose, it only opens the sandbox. */
export const DEMO_PASSWORD = 'vectrafin-sandbox';
/** The demo agent's opening balances. */
export const DEMO_BALANCES: Readonly<Record<string, string>> = { KZT: '10000000.00' };

export interface SimulatorOptions {
  /** Port to listen on (default 0: any free port). */
  port?: number;
  /** Host to listen on (default 127.0.0.1). */
  host?: string;
  /** Seed of every id, offer, voucher code and probability (default "tolem"). */
  seed?: string | number;
  /** Agents accepted besides (or instead of) the demo agent. */
  agents?: AgentSpec[];
  /** Accept DEMO_AGENT_ID / DEMO_PASSWORD (default true). */
  includeDemoAgent?: boolean;
  /** The payment organisation's IANA zone for CreatedOn / ProcessedOn (default Europe/Moscow, protocol §5). */
  timeZone?: string;
  /** The agent's IANA zone for GetPaymentsByDate windows (default: `timeZone`). */
  agentTimeZone?: string;
  /** How accepted payments move through pending codes (default: final at once). */
  progression?: ProgressionOptions;
  /** Where to POST the CallBack when a payment turns final (default: no callbacks). */
  callbackUrl?: string;
  /** Duplicate, late, delayed and retried callback deliveries. */
  callbacks?: CallbackOptions;
  /** Time source (default the system clock). Progression timers still run on real time. */
  clock?: Clock;
  /** Payment RequestIDs: "sequential" like the samples (default) or "large" 18-digit ones. */
  paymentRequestIds?: PaymentRequestIdStyle;
  /** The catalogue to start with (default `defaultServices()`: 7, 1911, 1549, 815). */
  services?: ServiceSpec[];
  /** Fault rules in place from the first request, as if added with `faults.add` in this order. */
  faults?: FaultRule[];
}

export interface ResolvedOptions {
  port: number;
  host: string;
  seed: string;
  agents: AgentSpec[];
  timeZone: string;
  agentTimeZone: string;
  progression: ResolvedProgression;
  callbackUrl: string | null;
  callbacks: CallbackOptions;
  clock: Clock;
  paymentRequestIds: PaymentRequestIdStyle;
  services: ServiceSpec[] | undefined;
  faults: FaultRule[];
}

const balances = z.record(
  z.string().regex(/^[A-Z]{3}$/, { error: 'a currency code' }),
  z.string().regex(/^-?(0|[1-9]\d*)(\.\d+)?$/, { error: 'a plain decimal string' }),
);
const callbackUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });

const optionsSchema = z
  .object({
    port: z.number().int().min(0).max(65_535).optional(),
    host: z.string().min(1).optional(),
    seed: z.union([z.string(), z.number()]).optional(),
    agents: z
      .array(
        z
          .object({
            agentId: z.string().regex(/^\d{1,18}$/, { error: 'digits only' }),
            password: z.string().min(1, { error: 'must not be empty' }),
            balances: balances.optional(),
            overdraft: balances.optional(),
            callbackUrl: callbackUrl.optional(),
          })
          .strict(),
      )
      .optional(),
    includeDemoAgent: z.boolean().optional(),
    timeZone: z.string().optional(),
    agentTimeZone: z.string().optional(),
    progression: progressionSchema.optional(),
    callbackUrl: callbackUrl.optional(),
    callbacks: z
      .object({
        duplicates: z.number().int().min(0).max(100).optional(),
        delayMs: z.number().int().min(0).optional(),
        lateMs: z.number().int().min(0).optional(),
        timeoutMs: z.number().int().positive().optional(),
        retries: z.number().int().min(0).max(100).optional(),
        retryDelayMs: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    clock: z
      .custom<Clock>((value) => typeof (value as Clock | null)?.now === 'function', {
        error: 'an object with now(): Date',
      })
      .optional(),
    paymentRequestIds: z.enum(['sequential', 'large']).optional(),
    services: z
      .array(z.custom<ServiceSpec>((value) => typeof value === 'object' && value !== null))
      .optional(),
    faults: z.array(faultRuleSchema).optional(),
  })
  .strict();

/** Validates the options (ConfigError naming the option) and fills in the defaults. */
export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  parseConfig(optionsSchema, options);
  const timeZone = options.timeZone ?? 'Europe/Moscow';
  assertTimeZone(timeZone, 'timeZone');
  const agentTimeZone = options.agentTimeZone ?? timeZone;
  assertTimeZone(agentTimeZone, 'agentTimeZone');
  const demo: AgentSpec = { agentId: DEMO_AGENT_ID, password: DEMO_PASSWORD, balances: { ...DEMO_BALANCES } };
  const agents = [...(options.includeDemoAgent === false ? [] : [demo]), ...(options.agents ?? [])];
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    seed: String(options.seed ?? 'tolem'),
    agents,
    timeZone,
    agentTimeZone,
    progression: resolveProgression(options.progression),
    callbackUrl: options.callbackUrl ?? null,
    callbacks: options.callbacks ?? {},
    clock: options.clock ?? systemClock,
    paymentRequestIds: options.paymentRequestIds ?? 'sequential',
    services: options.services,
    faults: options.faults ?? [],
  };
}
