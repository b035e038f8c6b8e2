import type { Command } from '../command.js';
import { demoCommand } from './demo.js';
import { eodCommand, reconcileCommand } from './end-of-day.js';
import { listCommand, showCommand } from './payments.js';
import { resolveCommand } from './payments-resolve.js';
import { simulatorCommand } from './simulator.js';
import { balanceCommand, paymentsCommand, quoteCommand, servicesCommand } from './vectrafin-account.js';
import { checkCommand, payCommand, statusCommand } from './vectrafin-payment.js';
import { registryCommand, totalsCommand } from './vectrafin-registry.js';

/** `tolem vectrafin <name>`. */
export const VECTRAFIN_COMMANDS: ReadonlyMap<string, Command> = new Map(
  [
    checkCommand,
    payCommand,
    statusCommand,
    balanceCommand,
    servicesCommand,
    quoteCommand,
    paymentsCommand,
    registryCommand,
    totalsCommand,
  ].map((command) => [command.name.replace('vectrafin ', ''), command]),
);

/** `tolem <group> <name>`: the groups of commands. */
export const PAYMENTS_COMMANDS: ReadonlyMap<string, Command> = new Map(
  [listCommand, showCommand, resolveCommand].map((command) => [
    command.name.replace('payments ', ''),
    command,
  ]),
);

export const COMMAND_GROUPS: ReadonlyMap<string, ReadonlyMap<string, Command>> = new Map([
  ['payments', PAYMENTS_COMMANDS],
  ['vectrafin', VECTRAFIN_COMMANDS],
]);

/** `tolem <name>` for commands without a group. */
export const TOP_COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['reconcile', reconcileCommand],
  ['eod', eodCommand],
  ['simulator', simulatorCommand],
  ['demo', demoCommand],
]);
