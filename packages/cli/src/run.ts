import { ConfigFileError } from '@tolem/config';
import {
  ConfigError,
  JournalUnavailableError,
  ProviderUnavailableError,
  scrub,
  UnsupportedOperationError,
  ValidationError,
} from '@tolem/core';
import { parseCommandLine, renderHelp } from './args.js';
import { CliError, usageError } from './cli-error.js';
import type { Command, CommandContext } from './command.js';
import { COMMAND_GROUPS, TOP_COMMANDS } from './commands/index.js';
import { EXIT } from './exit-codes.js';
import { groupHelp, mainHelp } from './help.js';
import { flagFor } from './inputs.js';
import { type Io, writeLine } from './io.js';
import { VERSION } from './version.js';

interface Resolved {
  command: Command;
  args: string[];
}

/**
 * Flags that matter before parsing (an error while parsing must still honour --json). Like the parser,
 * it reads past the first bare `--` (`tolem demo -- --json`) and stops at a second one.
 */
function early(argv: readonly string[], flag: string): boolean {
  const first = argv.indexOf('--');
  const rest = first === -1 ? [...argv] : [...argv.slice(0, first), ...argv.slice(first + 1)];
  const end = rest.indexOf('--');
  return (end === -1 ? rest : rest.slice(0, end)).includes(flag);
}

function resolve(argv: readonly string[], io: Io): Resolved | number {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(mainHelp());
    return first === undefined ? EXIT.badInput : EXIT.ok;
  }
  if (first === '--version' || first === '-v') {
    writeLine(io.stdout, VERSION);
    return EXIT.ok;
  }
  const group = COMMAND_GROUPS.get(first);
  if (group !== undefined) {
    if (second === undefined || second === '--help' || second === '-h' || second === 'help') {
      io.stdout.write(groupHelp(first, group));
      return second === undefined ? EXIT.badInput : EXIT.ok;
    }
    const command = group.get(second);
    if (command === undefined) {
      throw usageError(
        `unknown command \`tolem ${first} ${clip(second)}\`: use one of ${[...group.keys()].join(', ')}`,
      );
    }
    return { command, args: rest };
  }
  const command = TOP_COMMANDS.get(first);
  if (command === undefined) {
    throw usageError(
      `unknown command \`tolem ${clip(first)}\`: use ${[...COMMAND_GROUPS.keys(), ...TOP_COMMANDS.keys()].join(', ')} (see \`tolem --help\`)`,
    );
  }
  return { command, args: argv.slice(1) };
}

/**
 * Runs the `tolem` command line and returns the exit code. Never throws: every error becomes one line
 * on stderr (and, with --json, one error document on stdout).
 */
export async function run(
  argv: readonly string[],
  io: Io,
  signal: AbortSignal = new AbortController().signal,
): Promise<number> {
  const json = early(argv, '--json');
  const debug = early(argv, '--debug');
  const secrets: string[] = [];
  let current: Command | null = null;
  try {
    const resolved = resolve(argv, io);
    if (typeof resolved === 'number') return resolved;
    const { command, args } = resolved;
    current = command;
    const positionals = command.positionals ?? [];
    const parsed = parseCommandLine(args, command.options, command.name, positionals);
    const flags = parsed.flags;
    if (flags.help === true) {
      io.stdout.write(renderHelp(command.usage, command.summary, command.options, positionals));
      if (command.details !== undefined) io.stdout.write(`\n${command.details}`);
      return EXIT.ok;
    }
    const context: CommandContext = {
      io,
      flags,
      positionals: parsed.positionals,
      json: flags.json === true,
      debug: flags.debug === true,
      signal,
      addSecret: (secret) => {
        secrets.push(secret);
      },
    };
    const output = await command.run(context);
    if (typeof output === 'number') return output;
    // A setup problem (unreachable, wrong credentials) is one line saying what to fix, not a table.
    const setupProblem = output.exitCode === EXIT.other && output.notice !== undefined;
    if (context.json) writeLine(io.stdout, JSON.stringify(output.document, null, 2));
    else if (!setupProblem) writeLine(io.stdout, output.human);
    if (output.notice !== undefined) writeLine(io.stderr, `tolem: ${scrub(output.notice, secrets)}`);
    return output.exitCode;
  } catch (error) {
    return report(error, { io, json, debug, secrets, command: current });
  }
}

function describe(error: unknown, command: Command | null): CliError {
  if (error instanceof CliError) return error;
  // A configuration file (or --journal) that is wrong: its message names the file and the path in it.
  if (error instanceof ConfigFileError) return usageError(error.message, { cause: error });
  if (ValidationError.is(error)) {
    // Name the flag the user typed; a field of a --file document is named inside that file.
    const flag = flagFor(error.field);
    const options = command?.options ?? {};
    const where = Object.hasOwn(options, flag.slice(2))
      ? flag
      : Object.hasOwn(options, 'file')
        ? `--file: ${error.field}`
        : error.field;
    return usageError(`${where}: ${error.rule}`, { cause: error });
  }
  if (ConfigError.is(error))
    return usageError(`invalid setting ${error.option}: ${error.rule}`, { cause: error });
  // The journal's surroundings (its native module, its server): not bad input, and the message says the fix.
  if (JournalUnavailableError.is(error))
    return new CliError(error.message, EXIT.other, 'journal_unavailable', { cause: error });
  if (ProviderUnavailableError.is(error))
    return new CliError(error.message, EXIT.other, 'provider_unavailable', { cause: error });
  if (UnsupportedOperationError.is(error))
    return new CliError(error.message, EXIT.other, 'unsupported', { cause: error });
  if (error instanceof Error && (error.name === 'AbortError' || /interrupted/.test(error.message))) {
    return new CliError('interrupted', EXIT.other, 'interrupted', { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(
    `unexpected error: ${message} (run with --debug for details)`,
    EXIT.other,
    'unexpected',
    { cause: error },
  );
}

function report(
  error: unknown,
  options: { io: Io; json: boolean; debug: boolean; secrets: string[]; command: Command | null },
): number {
  const failure = describe(error, options.command);
  const message = scrub(failure.message.split('\n')[0] ?? '', options.secrets);
  writeLine(options.io.stderr, `tolem: ${message}`);
  if (options.debug) {
    // The error and what caused it (a CliError wraps the library's typed error).
    let current: unknown = error;
    for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth += 1) {
      const stack = current instanceof Error ? (current.stack ?? current.message) : String(current);
      writeLine(options.io.stderr, scrub(`${depth === 0 ? '' : 'Caused by: '}${stack}`, options.secrets));
      current = current instanceof Error ? current.cause : undefined;
    }
  }
  if (options.json) {
    writeLine(
      options.io.stdout,
      JSON.stringify(
        { error: { code: failure.code, message, exitCode: failure.exitCode, ...failure.details } },
        null,
        2,
      ),
    );
  }
  return failure.exitCode;
}

function clip(value: string): string {
  return value.length > 30 ? `${value.slice(0, 30)}…` : value;
}
