import {
  type CallOptions,
  type ChunkResult,
  type DailyTotals,
  outcome,
  type RegistryEntry,
  type RegistryResult,
} from '@tolem/core';
import { type Exchange, PATHS } from './exchange.js';
import type { Credentials } from './form-codec.js';
import { checkRegistryEntries, dailyTotalsBody, MAX_REGISTRY_CHUNK, registryBodies } from './registry.js';
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
  let offset = 0;
  for (const body of registryBodies(credentials, encoded)) {
    const size = Math.min(encoded.length - offset, MAX_REGISTRY_CHUNK);
    if (chunks.length > 0 && options?.signal?.aborted) {
      const notSent = outcome('unknown', 'aborted', null, 'not sent: the call was aborted');
      chunks.push({ ...notSent, offset, size, status: null });
    } else {
      chunks.push({ ...(await post(exchange, PATHS.postPayments, body, options)), offset, size });
    }
    offset += size;
  }
  return { chunks, accepted: chunks.every((chunk) => chunk.state === 'succeeded') };
}

export async function postTotalAmount(
  exchange: Exchange,
  credentials: Credentials,
  totals: DailyTotals,
  options: CallOptions | undefined,
): Promise<RegistryResult> {
  const body = dailyTotalsBody(credentials, totals);
  const chunk = { ...(await post(exchange, PATHS.postTotalAmount, body, options)), offset: 0, size: 1 };
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
