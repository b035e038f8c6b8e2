import { JournalUnavailableError } from '@tolem/core';

const WHERE_TO_FIX = 'connectionString (or your pool’s settings)';

interface ErrorFields {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  errors?: unknown;
}

/** `127.0.0.1:5432` from a socket error (or the first of an AggregateError's, when both families failed). */
function endpoint(error: ErrorFields): string | null {
  const first = Array.isArray(error.errors) ? (error.errors[0] as ErrorFields | undefined) : undefined;
  const address = error.address ?? first?.address;
  const port = error.port ?? first?.port;
  if (typeof address !== 'string') return null;
  return typeof port === 'number' ? `${address}:${port}` : address;
}

/**
 * What pg throws when the server will not take the journal's first connection, as one line naming the
 * cause and the fix; null for anything else (left as it is). Neither pg's nor the server's messages
 * carry the password, and the connection string is never quoted.
 */
export function connectError(error: unknown): JournalUnavailableError | null {
  if (!(error instanceof Error)) return null;
  const fields = error as Error & ErrorFields;
  const code = typeof fields.code === 'string' ? fields.code : '';
  const where = endpoint(fields);
  const serverSays = error.message.split('\n', 1)[0] ?? '';
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOENT':
      return new JournalUnavailableError(
        'server_refused',
        `PostgreSQL${where === null ? '' : ` at ${where}`} refused the connection (${code}: nothing listens there): start the server, or fix the host and port in ${WHERE_TO_FIX}`,
        { cause: error },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN': {
      const host = typeof fields.hostname === 'string' ? ` ${fields.hostname}` : '';
      return new JournalUnavailableError(
        'server_refused',
        `the PostgreSQL host${host} cannot be resolved (${code}): fix the host in ${WHERE_TO_FIX}`,
        { cause: error },
      );
    }
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new JournalUnavailableError(
        'server_refused',
        `PostgreSQL${where === null ? '' : ` at ${where}`} cannot be reached (${code}): check the host and port in ${WHERE_TO_FIX} and that no firewall is in the way`,
        { cause: error },
      );
    // invalid_password; invalid_authorization_specification (no pg_hba.conf rule, no such role).
    case '28P01':
    case '28000':
      return new JournalUnavailableError(
        'auth_failed',
        `PostgreSQL refused the login (${code} ${serverSays}): fix the user and password in ${WHERE_TO_FIX}${code === '28000' ? ', or allow them in pg_hba.conf' : ''}`,
        { cause: error },
      );
    // invalid_catalog_name
    case '3D000': {
      const name = /database "(.*)" does not exist/.exec(serverSays)?.[1];
      return new JournalUnavailableError(
        'database_missing',
        `PostgreSQL has no database${name === undefined ? '' : ` "${name}"`} (3D000): create it${name === undefined ? '' : ` (\`createdb ${name}\`)`}, or fix the database name in ${WHERE_TO_FIX}`,
        { cause: error },
      );
    }
  }
  // pg's own check before it sends anything: the server wants a password and none was given.
  if (/client password must be a string/.test(error.message)) {
    return new JournalUnavailableError(
      'auth_failed',
      `PostgreSQL asks for a password and none was given: add it to ${WHERE_TO_FIX}`,
      { cause: error },
    );
  }
  return null;
}
