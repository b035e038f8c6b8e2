import type { Clock } from '@tolem/core';
import type { Catalogue } from './catalogue.js';
import type { IdGenerator } from './ids.js';
import type { JsonValue } from './json-writer.js';
import type { Ledger } from './ledger.js';
import type { ResolvedProgression } from './progression.js';

/** What every request handler works with. */
export interface SimulatorContext {
  ledger: Ledger;
  catalogue: Catalogue;
  ids: IdGenerator;
  clock: Clock;
  progression: ResolvedProgression;
  /** The payment organisation's zone: CreatedOn and ProcessedOn (protocol §3.12). */
  timeZone: string;
  /** The agent's zone: GetPaymentsByDate windows and AgentRequestCreatedOn. */
  agentTimeZone: string;
}

/** A handler's answer before faults and encoding. */
export interface Reply {
  httpStatus: number;
  json: JsonValue;
}

/**
 * The fields of a form body. Lookups ignore case, as the provider's ASP.NET model binding does
 * ("TransactionID" and "TransactionId" are one field).
 */
export class FormFields {
  readonly #fields = new Map<string, string>();

  constructor(body: string) {
    for (const [name, value] of new URLSearchParams(body)) {
      const key = name.toLowerCase();
      if (!this.#fields.has(key)) this.#fields.set(key, value);
    }
  }

  get(name: string): string | undefined {
    return this.#fields.get(name.toLowerCase());
  }
}

const AMOUNT = /^(0|[1-9]\d{0,14})(\.\d{1,2})?$/;
const TRANSACTION_ID = /^[1-9]\d{0,14}$/;

/** An Amount as the wire carries it ("100", "180.00"): at most two decimals, no sign, no exponent. */
export function readAmount(text: string | undefined): string | null {
  return text !== undefined && AMOUNT.test(text) ? text : null;
}

/** A TransactionID: an integer of at most 15 digits (protocol §2). */
export function readTransactionId(text: string | undefined): string | null {
  return text !== undefined && TRANSACTION_ID.test(text) ? text : null;
}
