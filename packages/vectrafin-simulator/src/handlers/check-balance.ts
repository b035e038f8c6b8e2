import { Dec } from '@tolem/core';
import type { SimulatorContext } from '../context.js';
import { dec, int, type JsonValue } from '../json-writer.js';

/** CheckBalance: no ResponseStatus, a Balances array (protocol §3.11). */
export function checkBalance(ctx: SimulatorContext, agentId: string): JsonValue {
  return {
    AgentID: int(agentId),
    ResponseType: 'CheckBalance',
    Balances: ctx.ledger.agents.balances(agentId).map((entry) => ({
      Balance: dec(new Dec(entry.balance)),
      Overbalance: dec(new Dec(entry.overdraft)),
      Currency: entry.currency,
    })),
  };
}
