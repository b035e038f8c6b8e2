import type { CallOptions, ChunkResult, DailyTotals, RegistryEntry, RegistryResult } from '@tolem/core';
import { ENDPOINTS, type Exchange } from './exchange.js';
import type { Credentials } from './form-codec.js';
import {
  checkRegistryEntries,
  dailyTotalsBody,
  MAX_REGISTRY_CHUNK,
  registryBodies,
} from './registry-codec.js';
import { readRegistryAck } from './response-parser.js';
import { chunkOutcome, notSentChunk, registryResult, unansweredChunk } from './results/registry.js';

/**
 * PostPayments and PostTotalAmount (Russian half, protocol §6): every entry is checked before the first
 * chunk leaves; each chunk of at most 1000 is sent and reported on its own (results/registry.ts).
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
      chunks.push({
        ...(await post(exchange, credentials, ENDPOINTS.postPayments, body, options)),
        offset,
        size,
      });
    } else if (options?.signal?.aborted) {
      chunks.push(notSentChunk(undefined, options.signal, offset, size));
    } else {
      // A later chunk that throws was not sent (the transport throws only then), but earlier chunks
      // were: report it in its place rather than lose their results with a throw.
      try {
        chunks.push({
          ...(await post(exchange, credentials, ENDPOINTS.postPayments, body, later)),
          offset,
          size,
        });
      } catch (error) {
        chunks.push(notSentChunk(error, options?.signal, offset, size));
      }
    }
    offset += size;
  }
  return registryResult(chunks);
}

export async function postTotalAmount(
  exchange: Exchange,
  credentials: Credentials,
  totals: DailyTotals,
  options: CallOptions | undefined,
): Promise<RegistryResult> {
  const body = dailyTotalsBody(credentials, totals);
  const chunk = {
    ...(await post(exchange, credentials, ENDPOINTS.postTotalAmount, body, options)),
    offset: 0,
    size: 1,
  };
  return registryResult([chunk]);
}

async function post(
  exchange: Exchange,
  credentials: Credentials,
  path: string,
  body: string,
  options: CallOptions | undefined,
) {
  return exchange.call(path, body, 'json', options, {
    read: (document) => chunkOutcome(readRegistryAck(document), credentials.password),
    unanswered: unansweredChunk,
  });
}
