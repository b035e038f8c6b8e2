import { parseArgs } from 'node:util';
import { usageError } from './cli-error.js';

export interface OptionDef {
  type: 'string' | 'boolean';
  /** Placeholder shown in help: `--amount X`. */
  value?: string;
  description: string;
  short?: string;
  /** A string flag that may be given more than once (`--fault A --fault B`): its value is a list. */
  multiple?: boolean;
}

export type OptionDefs = Record<string, OptionDef>;

/** An argument a command takes besides its flags: `ID` of `tolem payments show ID`. */
export interface PositionalDef {
  name: string;
  description: string;
}
export type Flags = Record<string, string | readonly string[] | boolean | undefined>;

/** Flags every command accepts. */
export const GLOBAL_OPTIONS: OptionDefs = {
  json: { type: 'boolean', description: 'print exactly one JSON document on stdout' },
  debug: { type: 'boolean', description: 'print stack traces of unexpected errors' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

/** Flags the password must never come from: a flag shows in `ps` and in shell history. */
const FORBIDDEN_PASSWORD_FLAGS = ['--password', '--agent-password', '--pass'];

export const PASSWORD_HINT =
  'put the password in the TOLEM_VECTRAFIN_PASSWORD environment variable or in a file named by --password-file';

type ParseConfig = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/**
 * Parses `args` strictly against `options` (plus the global flags). Every problem becomes a one-line
 * usage error (exit 2) that names the flag and never echoes a value given to an unknown flag.
 *
 * A bare `--` is ignored and the flags after it are read like any other: script runners pass it on
 * (`pnpm run demo -- --serve` runs `tolem demo -- --serve`). Anything that is not a flag is still
 * refused, after the `--` as before it — unless the command takes arguments (`tolem payments show ID`).
 */
export function parseFlags(args: readonly string[], options: OptionDefs, command: string): Flags {
  return parseCommandLine(args, options, command, []).flags;
}

/**
 * Like parseFlags, for a command that takes exactly the arguments in `positionals` (`ID` for
 * `tolem payments show ID`): a missing or an extra one is a usage error.
 */
export function parseCommandLine(
  args: readonly string[],
  options: OptionDefs,
  command: string,
  positionals: readonly PositionalDef[],
): { flags: Flags; positionals: string[] } {
  const all = { ...GLOBAL_OPTIONS, ...options };
  const config: ParseConfig = {};
  for (const [name, def] of Object.entries(all)) {
    config[name] = {
      type: def.type,
      ...(def.short === undefined ? {} : { short: def.short }),
      ...(def.multiple === true ? { multiple: true } : {}),
    };
  }
  const flagArgs = withoutTerminator(args, config);
  rejectPasswordFlag(flagArgs);
  let parsed: { values: Flags; positionals: string[] };
  try {
    const { values, positionals: given } = parseArgs({
      args: flagArgs,
      options: config,
      strict: true,
      allowPositionals: positionals.length > 0,
    });
    parsed = { values: values as Flags, positionals: given };
  } catch (error) {
    throw translateParseError(error, flagArgs, config, command);
  }
  // --help answers whatever else is missing.
  if (parsed.values.help === true) return { flags: parsed.values, positionals: parsed.positionals };
  if (parsed.positionals.length > positionals.length) {
    const extra = parsed.positionals[positionals.length] ?? '';
    const shown = extra.length > 30 ? `${extra.slice(0, 30)}…` : extra;
    throw usageError(
      `unexpected argument ${JSON.stringify(shown)} for \`tolem ${command}\`: see \`tolem ${command} --help\``,
    );
  }
  if (parsed.positionals.length < positionals.length) {
    const missing = positionals[parsed.positionals.length];
    throw usageError(
      `missing ${missing?.name} (${missing?.description}): \`tolem ${command} ${positionals.map((p) => p.name).join(' ')}\``,
    );
  }
  return { flags: parsed.values, positionals: parsed.positionals };
}

/** The tokens parseArgs reads from `args`, leniently (unknown flags and positionals are tokens too). */
function tokensOf(args: readonly string[], config: ParseConfig) {
  return parseArgs({ args: [...args], options: config, strict: false, allowPositionals: true, tokens: true })
    .tokens;
}

/**
 * `args` without the option terminator: the first bare `--` that is not the value of a flag
 * (`--account=--` keeps its value). A second `--` stays, and is refused as an argument.
 */
function withoutTerminator(args: readonly string[], config: ParseConfig): string[] {
  const terminator = tokensOf(args, config).find((token) => token.kind === 'option-terminator');
  if (terminator === undefined) return [...args];
  return args.filter((_, index) => index !== terminator.index);
}

function rejectPasswordFlag(args: readonly string[]): void {
  for (const arg of args) {
    if (arg === '--') return;
    const name = arg.split('=', 1)[0] ?? arg;
    if (FORBIDDEN_PASSWORD_FLAGS.includes(name)) {
      throw usageError(
        `${name} is not accepted (a flag shows in the process list and shell history): ${PASSWORD_HINT}`,
      );
    }
  }
}

function translateParseError(
  error: unknown,
  args: readonly string[],
  config: ParseConfig,
  command: string,
): Error {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const help = `see \`tolem ${command} --help\``;
  const flag = /'(-{1,2}[^'\s=<]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return usageError(`unknown flag ${flag ?? ''} for \`tolem ${command}\`: ${help}`.replace('  ', ' '));
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(message)) return usageError(`${flag} takes no value: ${help}`);
      return usageError(`${flag} needs a value (write ${flag}=VALUE when it starts with a dash): ${help}`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      // The argument parseArgs stopped at, whatever it looks like ("--serve" after a second `--`, "").
      const token = tokensOf(args, config).find((each) => each.kind === 'positional');
      const positional = token?.kind === 'positional' ? token.value : '';
      const shown = positional.length > 30 ? `${positional.slice(0, 30)}…` : positional;
      return usageError(`unexpected argument ${JSON.stringify(shown)} for \`tolem ${command}\`: ${help}`);
    }
    default:
      return usageError(`cannot read the flags of \`tolem ${command}\`: ${help}`, { cause: error });
  }
}

/** The value of a string flag, or a usage error naming it when it is missing or empty. */
export function requireString(flags: Flags, name: string, example: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value === '') {
    throw usageError(`missing --${name} (for example --${name} ${example})`);
  }
  return value;
}

export function optionalString(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw usageError(`--${name} needs a value`);
  return value;
}

/** Every value of a flag given any number of times (`multiple`), each non-empty. */
export function optionalStrings(flags: Flags, name: string): string[] {
  const value = flags[name];
  if (value === undefined) return [];
  const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
  if (values === null || values.some((each) => each === '')) throw usageError(`--${name} needs a value`);
  return [...values];
}

/** Help text for a command: usage line, its arguments, then one line per flag. */
export function renderHelp(
  usage: string,
  summary: string,
  options: OptionDefs,
  positionals: readonly PositionalDef[] = [],
): string {
  const rows = Object.entries({ ...options, ...GLOBAL_OPTIONS }).map(([name, def]) => {
    const left = `${def.short ? `-${def.short}, ` : ''}--${name}${def.value ? ` ${def.value}` : ''}`;
    return [left, def.description] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  const lines = rows.map(([left, description]) => `  ${left.padEnd(width)}  ${description}`);
  const argumentLines = positionals.map(
    (positional) => `  ${positional.name.padEnd(width)}  ${positional.description}`,
  );
  const argumentsPart = argumentLines.length > 0 ? `\nArguments:\n${argumentLines.join('\n')}\n` : '';
  return `${summary}\n\nUsage: ${usage}\n${argumentsPart}\nFlags:\n${lines.join('\n')}\n`;
}
