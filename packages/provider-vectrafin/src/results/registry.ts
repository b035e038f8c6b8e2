import {
  type ChunkResult,
  type Outcome,
  outcome,
  type RegistryResult,
  type Secret,
  scrub,
} from '@tolem/core';
import type { RegistryAck } from '../response-parser.js';

/**
 * The results of `submitRegistry` (PostPayments) and `submitDailyTotals` (PostTotalAmount): one chunk
 * per request, from its acknowledgement, from no usable answer, or never sent (protocol §6).
 */

type ChunkOutcome = Omit<ChunkResult, 'offset' | 'size'>;

/** A chunk's acknowledgement: `success`, or `error` (the provider refused the chunk as a whole). */
export function chunkOutcome(ack: RegistryAck, password: Secret): ChunkOutcome {
  const message = ack.message === null ? null : scrub(ack.message, [password]);
  const status = ack.status.toLowerCase();
  // "error" is the provider refusing the chunk as a whole: nothing of it was stored.
  const result =
    status === 'success'
      ? outcome('succeeded', null, ack.status, message)
      : status === 'error'
        ? outcome('failed', 'request_failed', ack.status, message)
        : outcome('unknown', 'unknown_status', ack.status, message);
  return { ...result, status: ack.status };
}

/** A chunk sent without a usable answer (transport fault or malformed body). */
export function unansweredChunk(failure: Outcome): ChunkOutcome {
  return { ...failure, status: null };
}

/**
 * A later chunk that never left: the caller aborted, or its request could not be sent (`error`, thrown
 * by the transport, which throws only then). Earlier chunks were sent, so it is reported, not thrown.
 */
export function notSentChunk(
  error: unknown,
  signal: AbortSignal | undefined,
  offset: number,
  size: number,
): ChunkResult {
  const name = error instanceof Error ? error.name : 'error';
  const result = signal?.aborted
    ? outcome('unknown', 'aborted', null, 'not sent: the call was aborted')
    : outcome('unknown', 'not_dispatched', null, `not sent: ${name}`);
  return { ...result, offset, size, status: null };
}

/** Every chunk, accepted only when each one is. */
export function registryResult(chunks: ChunkResult[]): RegistryResult {
  return { chunks, accepted: chunks.every((chunk) => chunk.state === 'succeeded') };
}
