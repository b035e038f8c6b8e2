import {
  type CallOptions,
  type ChunkResult,
  type DailyTotals,
  outcome,
  type RegistryEntry,
  type RegistryResult,
} from '@tolem/core';
import { ENDPOINTS, type Exchange } from './exchange.js';
import type { Credentials } from './form-codec.js';
import {
  checkRegistryEntries,
  dailyTotalsBody,
  MAX_REGISTRY_CHUNK,
  registryBodies,
} from './registry-codec.js';
import { readRegistryAck } from './response-parser.js';

/**
 * PostPayments and PostTotalAmount (Russian half, protocol §6): every entry is checked before the first
 * chunk leaves; each chunk of at most 1000 is sent and reported on its own.
 */

export async function postPayments(
  exchange: Exchange,
  credentials: Credentials,
  entries: readonly RegistryEntry[],
  options: CallOptions | undefined,
): Promise<RegistryResult> {
  const encoded = checkRegistryEntries(entries);
  const chunks: ChunkResult[] = [];
  // onDispatch marks the call's first request leaving; later chunks do not call it again.
  const later: CallOptions | undefined =
    options === undefined ? undefined : { ...options, onDispatch: undefined };
  let offset = 0;
  for (const body of registryBodies(credentials, encoded)) {
    const size = Math.min(encoded.length - offset, MAX_REGISTRY_CHUNK);
    if (chunks.length === 0) {
      // Nothing was sent yet: a throw here is the whole call's.
      chunks.push({ ...(await post(exchange, ENDPOINTS.postPayments, body, options)), offset, size });
    } else if (options?.signal?.aborted) {
      const notSent = outcome('unknown', 'aborted', null, 'not sent: the call was aborted');
      chunks.push({ ...notSent, offset, size, status: null });
    } else {
      // A later chunk that throws was not sent (the transport throws only then), but earlier chunks
      // were: report it in its place rather than lose their results with a throw.
      try {
        chunks.push({ ...(await post(exchange, ENDPOINTS.postPayments, body, later)), offset, size });
      } catch (error) {
        chunks.push({ ...notSentChunk(error, options?.signal), offset, size, status: null });
      }
    }
    offset += size;
  }
  return { chunks, accepted: chunks.every((chunk) => chunk.state === 'succeeded') };
}

function notSentChunk(error: unknown, signal: AbortSignal | undefined) {
  if (signal?.aborted) return outcome('unknown', 'aborted', null, 'not sent: the call was aborted');
  const name = error instanceof Error ? error.name : 'error';
  return outcome('unknown', 'not_dispatched', null, `not sent: ${name}`);
}

export async function postTotalAmount(
  exchange: Exchange,
  credentials: Credentials,
  totals: DailyTotals,
  options: CallOptions | undefined,
): Promise<RegistryResult> {
  const body = dailyTotalsBody(credentials, totals);
  const chunk = { ...(await post(exchange, ENDPOINTS.postTotalAmount, body, options)), offset: 0, size: 1 };
  return { chunks: [chunk], accepted: chunk.state === 'succeeded' };
}

async function post(exchange: Exchange, path: string, body: string, options: CallOptions | undefined) {
  const reply = await exchange.call(path, body, 'json', options, (document) => {
    const ack = readRegistryAck(document);
    const message = exchange.scrub(ack.message);
    const status = ack.status.toLowerCase();
    // "error" is the provider refusing the chunk as a whole: nothing of it was stored.
    const result =
      status === 'success'
        ? outcome('succeeded', null, ack.status, message)
        : status === 'error'
          ? outcome('failed', 'request_failed', ack.status, message)
          : outcome('unknown', 'unknown_status', ack.status, message);
    return { ...result, status: ack.status };
  });
  return reply.ok ? reply.value : { ...reply.failure, status: null };
}
