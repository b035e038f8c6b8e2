import { ConfigError, parseConfig, ValidationError } from '@tolem/core';
import { FAULT_REQUEST_TYPES, type Fault, type FaultRule, faultRuleSchema } from './faults.js';

/**
 * The short forms `tolem simulator` takes on its command line, one value each: an agent
 * (`901:KZT=500000.00,USD=100`), a fault rule (`drop-after,on=Payment,times=1`) and a progression
 * (`1,3,9`). Each is read into the option it stands for, or refused with a ValidationError on the
 * setting (`agent`, `fault`, `progression`, `stepMs`, `progressionShare`) quoting the value.
 */

/** An agent from `--agent`: its id and opening balances (the password is never a flag). */
export interface AgentFlag {
  agentId: string;
  balances: Record<string, string>;
}

const AGENT_ID = /^\d{1,18}$/;
const CURRENCY = /^[A-Z]{3}$/;
const PLAIN_DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;

function quoted(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** `ID` or `ID:CUR=AMOUNT[,CUR=AMOUNT…]`; without balances, `defaultBalances`. */
export function parseAgentFlag(value: string, defaultBalances: Readonly<Record<string, string>>): AgentFlag {
  const refuse = (rule: string) => new ValidationError('agent', `${quoted(value)}: ${rule}`);
  const colon = value.indexOf(':');
  const agentId = colon === -1 ? value : value.slice(0, colon);
  if (!AGENT_ID.test(agentId))
    throw refuse('the agent id must be 1 to 18 digits, e.g. 901 or 901:KZT=500000.00');
  if (colon === -1) return { agentId, balances: { ...defaultBalances } };
  const balances: Record<string, string> = {};
  for (const part of value.slice(colon + 1).split(',')) {
    const [currency = '', amount, ...rest] = part.split('=');
    if (amount === undefined || rest.length > 0 || !CURRENCY.test(currency) || !PLAIN_DECIMAL.test(amount)) {
      throw refuse(
        `each balance is CUR=AMOUNT, a currency code and a plain decimal (KZT=500000.00), got ${quoted(part)}`,
      );
    }
    if (Object.hasOwn(balances, currency)) throw refuse(`${currency} is given twice`);
    balances[currency] = amount;
  }
  return { agentId, balances };
}

/** `1,3,9`: the pending codes a payment answers, in order, before its final status. */
export function parseStepsFlag(value: string): number[] {
  if (!/^-?\d{1,3}(,-?\d{1,3})*$/.test(value)) {
    throw new ValidationError(
      'progression',
      `${quoted(value)}: pending codes separated by commas, e.g. 1,3,9`,
    );
  }
  return value.split(',').map(Number);
}

/** A whole number of milliseconds. */
export function parseMillisecondsFlag(value: string, field: string): number {
  if (!/^\d{1,9}$/.test(value)) {
    throw new ValidationError(field, `${quoted(value)}: a whole number of milliseconds, e.g. 1000`);
  }
  return Number(value);
}

/** A share from 0 to 1 (`0.25`). */
export function parseShareFlag(value: string, field: string): number {
  if (!/^(0|1)(\.\d+)?$|^\.\d+$/.test(value) || Number(value) > 1) {
    throw new ValidationError(field, `${quoted(value)}: a share from 0 to 1, e.g. 0.25`);
  }
  return Number(value);
}

/** How each fault kind reads the value after `=`, if it takes one. */
const FAULT_KINDS: Readonly<
  Record<Fault['kind'], { value: 'none' | 'optional' | 'required'; hint: string }>
> = {
  delay: { value: 'required', hint: 'delay=MS' },
  'drop-before': { value: 'none', hint: 'drop-before' },
  'drop-after': { value: 'none', hint: 'drop-after' },
  empty: { value: 'none', hint: 'empty' },
  html: { value: 'optional', hint: 'html[=HTTP_STATUS]' },
  'http-error': { value: 'required', hint: 'http-error=HTTP_STATUS' },
  'malformed-json': { value: 'none', hint: 'malformed-json' },
  cp1251: { value: 'optional', hint: 'cp1251[=utf-8|windows-1251] (the charset the header claims)' },
  'status-as-string': { value: 'none', hint: 'status-as-string' },
  status: { value: 'required', hint: 'status=CODE' },
};

/** Where a `--fault` key goes in the rule. */
const RULE_KEYS = {
  on: 'requestType',
  account: 'account',
  service: 'serviceId',
  transaction: 'transactionId',
  agent: 'agentId',
} as const;

function faultOf(kind: Fault['kind'], value: string | undefined, refuse: (rule: string) => Error): Fault {
  const integer = (what: string): number => {
    if (value === undefined || !/^-?\d{1,9}$/.test(value))
      throw refuse(`${kind} needs ${what}: ${FAULT_KINDS[kind].hint}`);
    return Number(value);
  };
  switch (kind) {
    case 'delay':
      return { kind, ms: integer('a whole number of milliseconds') };
    case 'html':
      return value === undefined ? { kind } : { kind, httpStatus: integer('an HTTP status') };
    case 'http-error':
      return { kind, httpStatus: integer('an HTTP status') };
    case 'cp1251':
      if (value === undefined) return { kind };
      if (value !== 'utf-8' && value !== 'windows-1251') throw refuse(`cp1251 takes utf-8 or windows-1251`);
      return { kind, declaredCharset: value };
    case 'status':
      return { kind, code: integer('a ResponseStatus code') };
    default:
      return { kind } as Fault;
  }
}

/**
 * `KIND[=VALUE][,KEY=VALUE…]`: `drop-after,on=Payment,times=1`, `delay=65000,on=Status`,
 * `status=-2,on=Payment,account=galek10,process=no`. Keys: on (a RequestType), account, service,
 * transaction, agent, times, probability, process (yes/no).
 */
export function parseFaultFlag(value: string): FaultRule {
  const refuse = (rule: string) => new ValidationError('fault', `${quoted(value)}: ${rule}`);
  const [head = '', ...parts] = value.split(',');
  const equals = head.indexOf('=');
  const kind = (equals === -1 ? head : head.slice(0, equals)) as Fault['kind'];
  if (!Object.hasOwn(FAULT_KINDS, kind)) {
    throw refuse(`the kind comes first, one of ${Object.keys(FAULT_KINDS).join(', ')}`);
  }
  const kindValue = equals === -1 ? undefined : head.slice(equals + 1);
  if (kindValue !== undefined && FAULT_KINDS[kind].value === 'none') throw refuse(`${kind} takes no value`);
  const fault: Fault & { process?: boolean } = faultOf(kind, kindValue, refuse);
  const rule: FaultRule = { fault };
  const seen = new Set<string>();
  for (const part of parts) {
    const [key = '', setting, ...rest] = part.split('=');
    if (setting === undefined || setting === '' || rest.length > 0)
      throw refuse(`${quoted(part)} is not KEY=VALUE`);
    if (seen.has(key)) throw refuse(`${key} is given twice`);
    seen.add(key);
    if (key === 'times') {
      if (!/^[1-9]\d{0,8}$/.test(setting)) throw refuse('times is a whole number from 1');
      rule.times = Number(setting);
    } else if (key === 'probability') {
      rule.probability = parseShareFlag(setting, 'fault');
    } else if (key === 'process') {
      if (!['yes', 'no', 'true', 'false'].includes(setting)) throw refuse('process is yes or no');
      if (kind === 'drop-before' || kind === 'drop-after' || kind === 'status-as-string') {
        throw refuse(
          `process does not apply to ${kind}: it always ${kind === 'drop-before' ? 'drops the request unprocessed' : 'processes the request'}`,
        );
      }
      fault.process = setting === 'yes' || setting === 'true';
    } else if (Object.hasOwn(RULE_KEYS, key)) {
      if (key === 'on' && !(FAULT_REQUEST_TYPES as readonly string[]).includes(setting)) {
        throw refuse(`on is one of ${FAULT_REQUEST_TYPES.join(', ')}`);
      }
      const target = RULE_KEYS[key as keyof typeof RULE_KEYS];
      // A RequestType was checked above; zod checks the whole rule once more below.
      (rule as Partial<Record<typeof target, string>>)[target] = setting;
    } else {
      throw refuse(
        `unknown key ${quoted(key)}: on, account, service, transaction, agent, times, probability, process`,
      );
    }
  }
  try {
    return parseConfig(faultRuleSchema, rule) as FaultRule;
  } catch (error) {
    if (!ConfigError.is(error)) throw error;
    // e.g. process on a kind that never processes, or a status out of range.
    throw refuse(`${error.option.replace(/^fault\./, '')}: ${error.rule}`);
  }
}
