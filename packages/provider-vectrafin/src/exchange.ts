import { type CallOptions, type Outcome, outcome, type Secret, scrub } from '@tolem/core';
import type { WireValue } from './json-value.js';
import type { ContentType, VectrafinTransport } from './transport.js';

export type Reply<T> = { ok: true; value: T } | { ok: false; failure: Outcome };

/**
 * The form endpoint and the two JSON endpoints, relative to the base URL (protocol §1.2). The simulator
 * has its own list, `ROUTES`, of the paths it serves.
 */
export const ENDPOINTS = {
  form: 'home/index',
  postPayments: 'home/postpayments',
  postTotalAmount: 'home/posttotalamount',
} as const;

/**
 * One request and its answer: transport faults and unreadable answers become an unknown outcome here,
 * so that nothing after the request left can throw (architecture §2). What a readable answer means is
 * the caller's `read`, built from results/.
 */
export class Exchange {
  readonly #transport: VectrafinTransport;
  readonly #password: Secret;

  constructor(transport: VectrafinTransport, password: Secret) {
    this.#transport = transport;
    this.#password = password;
  }

  /** Removes the agent password from a provider text. */
  scrub(text: string | null): string | null {
    return text === null ? null : scrub(text, [this.#password]);
  }

  async call<T>(
    path: string,
    body: string,
    type: ContentType,
    options: CallOptions | undefined,
    read: (document: WireValue) => T,
  ): Promise<Reply<T>> {
    const sent = await this.#transport.post(path, body, type, options);
    if (!sent.ok) {
      return { ok: false, failure: outcome('unknown', sent.reason, null, sent.message) };
    }
    try {
      return { ok: true, value: read(sent.document) };
    } catch (error) {
      // The request has left: whatever went wrong reading the answer, the outcome is unknown, not thrown.
      const detail = this.scrub(error instanceof Error ? error.message : String(error));
      const success = sent.statusCode >= 200 && sent.statusCode < 300;
      const failure = success
        ? outcome('unknown', 'malformed_response', null, `not a VectraFin answer: ${detail}`)
        : outcome('unknown', 'http_error', null, `HTTP ${sent.statusCode}: ${detail}`);
      return { ok: false, failure };
    }
  }
}
