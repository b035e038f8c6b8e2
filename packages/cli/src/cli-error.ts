import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * An error the CLI reports as one line (no stack trace unless --debug) with a documented exit code.
 * Its message says what to fix; it never carries a secret.
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** Stable snake_case code for the `--json` error document. */
  readonly code: string;
  /** More fields for the `--json` error document (never a secret). */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    message: string,
    exitCode: ExitCode,
    code: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code;
    this.details = options?.details;
  }
}

/** Bad input (exit 2): unknown command or flag, a missing or malformed value. Nothing was sent. */
export function usageError(message: string, options?: { cause?: unknown }): CliError {
  return new CliError(message, EXIT.badInput, 'bad_input', options);
}
