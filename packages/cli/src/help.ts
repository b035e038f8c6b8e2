import type { Command } from './command.js';
import { COMMAND_GROUPS, TOP_COMMANDS } from './commands/index.js';
import { ENV } from './connection.js';

type Row = readonly [string, string];

function rows(prefix: string, commands: ReadonlyMap<string, { summary: string }>): Row[] {
  return [...commands].map(([name, command]) => [`${prefix}${name}`, command.summary] as const);
}

function table(lines: readonly Row[]): string {
  const width = Math.max(...lines.map(([name]) => name.length));
  return lines.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`).join('\n');
}

export function mainHelp(): string {
  const groups = [...COMMAND_GROUPS].flatMap(([group, commands]) => rows(`${group} `, commands));
  return `tolem: the journal and the back office, VectraFin operations by hand, the sandbox simulator and the demo.

Usage: tolem <command> [flags]

Commands:
${table([...groups, ...rows('', TOP_COMMANDS)])}

Journal and providers (payments, reconcile, eod): --config FILE (or TOLEM_CONFIG, else ./tolem.config.json);
payments list and show also take --journal sqlite:PATH or postgres://user@host/db (or TOLEM_JOURNAL).
Connection (vectrafin commands): --url / ${ENV.url}, --agent-id / ${ENV.agentId},
the password from ${ENV.password} or --password-file FILE (never a flag), --timeout SECONDS (default 60).
Every command takes --json (one JSON document on stdout), --debug and --help.
Try it on the sandbox: eval "$(tolem simulator --detach)" sets ${ENV.url}, ${ENV.agentId} and
${ENV.password}; then tolem vectrafin check --service 7 --account galek10 --amount 100.00.

Exit codes: 0 done or succeeded · 1 anything else (unreachable, wrong credentials, unexpected)
            2 bad input, nothing sent or changed · 3 final failure · 4 not final (pending or unknown)
            5 a person must look, nothing changed (a resolution refused, a day that does not add up)
`;
}

export function groupHelp(group: string, commands: ReadonlyMap<string, Command>): string {
  return `Usage: tolem ${group} <command> [flags]

Commands:
${table(rows('', commands))}

Run \`tolem ${group} <command> --help\` for its flags.
`;
}
