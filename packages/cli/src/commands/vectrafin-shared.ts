import type { CallOptions, PaymentProvider } from '@tolem/core';
import { UnsupportedOperationError } from '@tolem/core';
import { CliError } from '../cli-error.js';
import type { CommandContext } from '../command.js';
import { type Connection, readConnection } from '../connection.js';
import { EXIT } from '../exit-codes.js';
import { openProvider } from '../provider.js';

export interface Session {
  provider: PaymentProvider;
  connection: Connection;
  call: CallOptions;
}

/**
 * Reads the connection, validates the command's own flags first (`prepare`, nothing sent when it
 * throws), opens the provider, runs `action`, and always closes the provider.
 */
export async function withProvider<I, T>(
  context: CommandContext,
  prepare: () => I,
  action: (session: Session, input: I) => Promise<T>,
): Promise<T> {
  const input = prepare();
  const connection = readConnection(context.flags, context.io);
  context.addSecret(connection.password.reveal());
  const provider = openProvider(connection);
  try {
    return await action(
      { provider, connection, call: { signal: context.signal, timeoutMs: connection.timeoutMs } },
      input,
    );
  } finally {
    await provider.close();
  }
}

/** The optional operation, or exit 1 saying this provider does not offer it. */
export function requireOperation<K extends keyof PaymentProvider>(
  provider: PaymentProvider,
  name: K,
): NonNullable<PaymentProvider[K]> {
  const operation = provider[name];
  if (typeof operation !== 'function') {
    throw new CliError(`${String(name)} is not supported by this provider`, EXIT.other, 'unsupported', {
      cause: new UnsupportedOperationError(String(name)),
    });
  }
  return operation.bind(provider) as NonNullable<PaymentProvider[K]>;
}
