import { type CallOptions, type Outcome, outcome, type Secret, scrub } from '@tolem/core';
import type { WireValue } from './json-value.js';
import type { ContentType, VectrafinTransport } from './transport.js';

/** How an operation turns what came back into its result: from a readable answer, or from none. */
export interface AnswerReader<T> {
  /** Builds the result from the decoded body; a throw here means the body is not the expected answer. */
  read(document: WireValue): T;
  /** Builds the result from an unknown outcome: no usable answer (transport fault, malformed body). */
  unanswered(failure: Outcome): T;
}

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
 * so that nothing after the request left can throw (architecture §2). What an answer, or its absence,
 * means is the caller's AnswerReader, built from results/.
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
    answer: AnswerReader<T>,
  ): Promise<T> {
    const sent = await this.#transport.post(path, body, type, options);
    if (!sent.ok) return answer.unanswered(outcome('unknown', sent.reason, null, sent.message));
    let result: T;
    try {
      result = answer.read(sent.document);
    } catch (error) {
      // The request has left: whatever went wrong reading the answer, the outcome is unknown, not thrown.
      const detail = this.scrub(error instanceof Error ? error.message : String(error));
      const success = sent.statusCode >= 200 && sent.statusCode < 300;
      return answer.unanswered(
        success
          ? outcome('unknown', 'malformed_response', null, `not a VectraFin answer: ${detail}`)
          : outcome('unknown', 'http_error', null, `HTTP ${sent.statusCode}: ${detail}`),
      );
    }
    return result;
  }
}
