import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError, Dec } from '@tolem/core';

/** An agent (a "Partner") the simulator accepts, with its money per contract currency. */
export interface AgentSpec {
  /** Digits only. */
  agentId: string;
  password: string;
  /** Opening balance per currency, decimal strings ({ KZT: "719190.223" }). */
  balances?: Record<string, string>;
  /** Overdraft allowed per currency (Overbalance), default "0". */
  overdraft?: Record<string, string>;
  /** Where this agent's callbacks go (default: the simulator's `callbackUrl`). */
  callbackUrl?: string;
}

interface Account {
  balance: Dec;
  overdraft: Dec;
}

/** The agents the simulator accepts: passwords, callback URLs and money per currency. */
export class AgentBook {
  readonly #agents = new Map<
    string,
    { password: string; accounts: Map<string, Account>; callbackUrl: string | null }
  >();

  /** Adds an agent, or replaces its password and balances. */
  addAgent(agent: AgentSpec): void {
    if (!/^\d{1,18}$/.test(agent.agentId)) throw new ConfigError('agents.agentId', 'digits only');
    if (agent.password === '') throw new ConfigError('agents.password', 'must not be empty');
    const accounts = new Map<string, Account>();
    for (const [currency, amount] of Object.entries(agent.balances ?? {})) {
      accounts.set(currency, { balance: money(amount, 'agents.balances'), overdraft: new Dec(0) });
    }
    for (const [currency, amount] of Object.entries(agent.overdraft ?? {})) {
      const account = accounts.get(currency) ?? { balance: new Dec(0), overdraft: new Dec(0) };
      account.overdraft = money(amount, 'agents.overdraft');
      accounts.set(currency, account);
    }
    this.#agents.set(agent.agentId, {
      password: agent.password,
      accounts,
      callbackUrl: agent.callbackUrl ?? null,
    });
  }

  authenticate(agentId: string | undefined, password: string | undefined): boolean {
    if (agentId === undefined || password === undefined) return false;
    const agent = this.#agents.get(agentId);
    return agent !== undefined && samePassword(agent.password, password);
  }

  /** The agent's own callback URL, if it has one. */
  callbackUrlOf(agentId: string): string | null {
    return this.#agents.get(agentId)?.callbackUrl ?? null;
  }

  /** Balance of an agent in a currency ("0" when it has none there). */
  balance(agentId: string, currency: string): string {
    return this.#account(agentId, currency)?.balance.toString() ?? '0';
  }

  /** Sets an agent's balance, e.g. to exhaust it (-2) or to top it up again. */
  setBalance(agentId: string, currency: string, amount: string): void {
    const agent = this.#agents.get(agentId);
    if (!agent) throw new ConfigError('agentId', `no agent ${agentId}`);
    const account = agent.accounts.get(currency) ?? { balance: new Dec(0), overdraft: new Dec(0) };
    account.balance = money(amount, 'amount');
    agent.accounts.set(currency, account);
  }

  /** Every balance of an agent, for CheckBalance. */
  balances(agentId: string): { currency: string; balance: string; overdraft: string }[] {
    const agent = this.#agents.get(agentId);
    return [...(agent?.accounts ?? [])].map(([currency, account]) => ({
      currency,
      balance: account.balance.toString(),
      overdraft: account.overdraft.toString(),
    }));
  }

  /** Whether the agent can pay `amount` in `currency` (balance plus overdraft). */
  canAfford(agentId: string, currency: string, amount: string): boolean {
    const account = this.#account(agentId, currency);
    if (!account) return false;
    return account.balance.plus(account.overdraft).greaterThanOrEqualTo(amount);
  }

  /** Takes `amount` from the agent (at acceptance), or gives it back with a negative sign. */
  move(agentId: string, currency: string, amount: Dec): void {
    const account = this.#account(agentId, currency);
    if (account) account.balance = account.balance.minus(amount);
  }

  #account(agentId: string, currency: string): Account | undefined {
    return this.#agents.get(agentId)?.accounts.get(currency);
  }
}

function money(amount: string, option: string): Dec {
  if (!/^-?(0|[1-9]\d*)(\.\d+)?$/.test(amount)) throw new ConfigError(option, 'a plain decimal string');
  return new Dec(amount);
}

function samePassword(expected: string, given: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}
