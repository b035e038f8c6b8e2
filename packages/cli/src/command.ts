import type { Flags, OptionDefs, PositionalDef } from './args.js';
import type { ExitCode } from './exit-codes.js';
import type { Io } from './io.js';

export interface CommandContext {
  io: Io;
  flags: Flags;
  /** The command's arguments, in the order of its `positionals`. */
  positionals: string[];
  json: boolean;
  debug: boolean;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Registers a secret (the password) to scrub from anything the CLI prints about errors. */
  addSecret(secret: string): void;
}

/** What a one-shot command prints: one JSON document, or the human text; plus an optional hint. */
export interface CommandOutput {
  document: Record<string, unknown>;
  human: string;
  exitCode: ExitCode;
  /** One line for stderr that says what to do next (why it failed, how to check later). */
  notice?: string;
}

export interface Command {
  /** "vectrafin check", "simulator". */
  name: string;
  summary: string;
  usage: string;
  options: OptionDefs;
  /** Arguments besides the flags (`ID`); none when absent. */
  positionals?: readonly PositionalDef[];
  /** More help after the flags (value syntax, examples), when one line per flag is not enough. */
  details?: string;
  /** One-shot commands return their output; long-running ones print themselves and return a code. */
  run(context: CommandContext): Promise<CommandOutput | ExitCode>;
}
