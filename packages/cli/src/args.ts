import { parseArgs } from 'node:util';
import { usageError } from './cli-error.js';

export interface OptionDef {
  type: 'string' | 'boolean';
  /** Placeholder shown in help: `--amount X`. */
  value?: string;
  description: string;
  short?: string;
}

export type OptionDefs = Record<string, OptionDef>;
export type Flags = Record<string, string | boolean | undefined>;

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

/**
 * Parses `args` strictly against `options` (plus the global flags). Every problem becomes a one-line
 * usage error (exit 2) that names the flag and never echoes a value given to an unknown flag.
 */
export function parseFlags(args: readonly string[], options: OptionDefs, command: string): Flags {
  rejectPasswordFlag(args);
  const all = { ...GLOBAL_OPTIONS, ...options };
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, def] of Object.entries(all)) {
    config[name] = def.short === undefined ? { type: def.type } : { type: def.type, short: def.short };
  }
  try {
    const { values } = parseArgs({ args: [...args], options: config, strict: true, allowPositionals: false });
    return values as Flags;
  } catch (error) {
    throw translateParseError(error, args, command);
  }
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

function translateParseError(error: unknown, args: readonly string[], command: string): Error {
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
      const positional = args.find((arg) => !arg.startsWith('-') && message.includes(`'${arg}'`)) ?? '';
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

/** Help text for a command: usage line, then one line per flag. */
export function renderHelp(usage: string, summary: string, options: OptionDefs): string {
  const rows = Object.entries({ ...options, ...GLOBAL_OPTIONS }).map(([name, def]) => {
    const left = `${def.short ? `-${def.short}, ` : ''}--${name}${def.value ? ` ${def.value}` : ''}`;
    return [left, def.description] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  const lines = rows.map(([left, description]) => `  ${left.padEnd(width)}  ${description}`);
  return `${summary}\n\nUsage: ${usage}\n\nFlags:\n${lines.join('\n')}\n`;
}
