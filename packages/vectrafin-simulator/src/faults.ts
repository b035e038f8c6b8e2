import { parseConfig } from '@tolem/core';
import * as z from 'zod';
import type { Prng } from './prng.js';

/**
 * The request kinds a fault can target: the form RequestTypes and the two JSON endpoints. Listed here
 * from the provider's documentation, not taken from the client's REQUEST_TYPES (the form ones only).
 */
export const FAULT_REQUEST_TYPES = [
  'AccountCheck',
  'Payment',
  'Status',
  'CheckBalance',
  'GetPaymentsByDate',
  'GetSettingServices',
  'CalculatedSum',
  'PostPayments',
  'PostTotalAmount',
] as const;
export type FaultRequestType = (typeof FAULT_REQUEST_TYPES)[number];

/**
 * What goes wrong. `process` says whether the request is still carried out (a payment recorded
 * and credited) although the agent gets a bad answer; it defaults to true — the worst case — for
 * every kind except `drop-before` (never processed) and `status` (answers instead of processing).
 */
export type Fault =
  /**
   * Answer after `ms` (past 60 s if you like). Processed before the wait, or with `process: false`
   * after it, and then only if the agent is still connected.
   */
  | { kind: 'delay'; ms: number; process?: boolean }
  /** Close the connection before doing anything: nothing is recorded. */
  | { kind: 'drop-before' }
  /** Do the work, then close the connection without answering. */
  | { kind: 'drop-after' }
  /** HTTP 200 with an empty body. */
  | { kind: 'empty'; process?: boolean }
  /** An HTML error page (HTTP 200 unless `httpStatus`). */
  | { kind: 'html'; httpStatus?: number; process?: boolean }
  /** An HTTP error status (500, 502 …) with an HTML page or the given body. */
  | { kind: 'http-error'; httpStatus: number; body?: string; process?: boolean }
  /** The real answer cut in half. */
  | { kind: 'malformed-json'; process?: boolean }
  /** The real answer encoded as windows-1251; the header names that charset unless told otherwise. */
  | { kind: 'cp1251'; declaredCharset?: 'windows-1251' | 'utf-8'; process?: boolean }
  /** The real answer with ResponseStatus written as a string ("10"), protocol §3.17. */
  | { kind: 'status-as-string' }
  /** Answer this ResponseStatus: instead of processing, or over the real status with `process`. */
  | { kind: 'status'; code: number; process?: boolean };

export type FaultKind = Fault['kind'];

export interface FaultRule {
  /** Which requests: any when absent. */
  requestType?: FaultRequestType;
  transactionId?: string;
  agentId?: string;
  serviceId?: string;
  account?: string;
  /** Chance that a matching request is hit (0..1, default 1), drawn from the seed. */
  probability?: number;
  /** Apply this many times, then stop (default: until removed). */
  times?: number;
  fault: Fault;
}

export interface FaultHandle {
  readonly id: number;
  /** How many requests this rule has hit. */
  hits(): number;
  remove(): void;
}

/** The fields of a request a rule is matched against. */
export interface FaultTarget {
  requestType: string;
  transactionId: string | null;
  agentId: string | null;
  serviceId: string | null;
  account: string | null;
}

const processFlag = z.boolean().optional();
const faultSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('delay'), ms: z.number().int().min(0).max(3_600_000), process: processFlag })
    .strict(),
  z.object({ kind: z.literal('drop-before') }).strict(),
  z.object({ kind: z.literal('drop-after') }).strict(),
  z.object({ kind: z.literal('empty'), process: processFlag }).strict(),
  z
    .object({
      kind: z.literal('html'),
      httpStatus: z.number().int().min(200).max(599).optional(),
      process: processFlag,
    })
    .strict(),
  z
    .object({
      kind: z.literal('http-error'),
      httpStatus: z.number().int().min(400).max(599),
      body: z.string().optional(),
      process: processFlag,
    })
    .strict(),
  z.object({ kind: z.literal('malformed-json'), process: processFlag }).strict(),
  z
    .object({
      kind: z.literal('cp1251'),
      declaredCharset: z.enum(['windows-1251', 'utf-8']).optional(),
      process: processFlag,
    })
    .strict(),
  z.object({ kind: z.literal('status-as-string') }).strict(),
  z.object({ kind: z.literal('status'), code: z.number().int(), process: processFlag }).strict(),
]);

/** A fault rule as `Faults.add` and the `faults` option take it: checked strictly, naming the field. */
export const faultRuleSchema = z
  .object({
    requestType: z.enum(FAULT_REQUEST_TYPES).optional(),
    transactionId: z.string().optional(),
    agentId: z.string().optional(),
    serviceId: z.string().optional(),
    account: z.string().optional(),
    probability: z.number().min(0).max(1).optional(),
    times: z.number().int().positive().optional(),
    fault: faultSchema,
  })
  .strict();

interface ActiveRule {
  id: number;
  rule: FaultRule;
  hits: number;
}

/** Whether a fault lets the request be carried out. */
export function processes(fault: Fault): boolean {
  if (fault.kind === 'drop-before') return false;
  // A delay with process: false still processes, only after the wait (and only if the agent waited).
  if (fault.kind === 'drop-after' || fault.kind === 'status-as-string' || fault.kind === 'delay') return true;
  if (fault.kind === 'status') return fault.process ?? false;
  return fault.process ?? true;
}

/**
 * Scripted failures. Rules are tried in the order they were added; the first that matches the
 * request (and wins its probability draw) applies, and counts against its `times`.
 */
export class Faults {
  readonly #rules: ActiveRule[] = [];
  readonly #prng: Prng;
  #nextId = 1;

  constructor(prng: Prng) {
    this.#prng = prng;
  }

  add(rule: FaultRule): FaultHandle {
    parseConfig(faultRuleSchema, rule, 'fault');
    const active: ActiveRule = { id: this.#nextId++, rule: structuredClone(rule), hits: 0 };
    this.#rules.push(active);
    return {
      id: active.id,
      hits: () => active.hits,
      remove: () => this.#remove(active),
    };
  }

  /** Removes every rule. */
  clear(): void {
    this.#rules.length = 0;
  }

  /** Copies of the active rules. */
  list(): FaultRule[] {
    return this.#rules.map((active) => structuredClone(active.rule));
  }

  /** The fault for this request, if a rule hits it. */
  match(target: FaultTarget): Fault | null {
    for (const active of this.#rules) {
      const { rule } = active;
      if (!matches(rule, target)) continue;
      if (rule.probability !== undefined && !this.#prng.chance(rule.probability)) continue;
      active.hits += 1;
      if (rule.times !== undefined && active.hits >= rule.times) this.#remove(active);
      return rule.fault;
    }
    return null;
  }

  #remove(active: ActiveRule): void {
    const index = this.#rules.indexOf(active);
    if (index >= 0) this.#rules.splice(index, 1);
  }
}

function matches(rule: FaultRule, target: FaultTarget): boolean {
  return (
    (rule.requestType === undefined || rule.requestType === target.requestType) &&
    (rule.transactionId === undefined || rule.transactionId === target.transactionId) &&
    (rule.agentId === undefined || rule.agentId === target.agentId) &&
    (rule.serviceId === undefined || rule.serviceId === target.serviceId) &&
    (rule.account === undefined || rule.account === target.account)
  );
}
