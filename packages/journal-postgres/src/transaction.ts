import type { Pool, PoolClient } from 'pg';

/**
 * Runs `body` in one transaction (READ COMMITTED; rows are locked with SELECT … FOR UPDATE) on a
 * client borrowed from `pool`. A failed ROLLBACK means the connection is broken: the client is
 * destroyed instead of returned to the pool.
 */
export async function inTransaction<T>(pool: Pool, body: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection that dies while the client is checked out but idle emits 'error': without a listener
  // that would crash the process. The query in progress (if any) rejects on its own.
  const ignore = () => {};
  client.on('error', ignore);
  let broken: Error | undefined;
  try {
    try {
      await client.query('BEGIN');
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    }
    try {
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    }
  } finally {
    client.removeListener('error', ignore);
    client.release(broken);
  }
}

/** SQLSTATEs after which PostgreSQL has rolled the transaction back because of a concurrent writer. */
const ROLLED_BACK_BY_CONCURRENCY = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '23505', // unique_violation
]);

/** The SQLSTATE of a pg `DatabaseError`, if `error` is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True when the write certainly did not happen because another writer got there first. */
export function isConcurrencyFailure(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && ROLLED_BACK_BY_CONCURRENCY.has(state);
}
