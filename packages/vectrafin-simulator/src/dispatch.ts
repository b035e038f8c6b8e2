import { FormFields, type Reply, type SimulatorContext } from './context.js';
import type { FaultTarget } from './faults.js';
import { accountCheck } from './handlers/account-check.js';
import { calculatedSum, settingServices } from './handlers/catalogue-queries.js';
import { checkBalance } from './handlers/check-balance.js';
import { payment } from './handlers/payment.js';
import { paymentsByDate } from './handlers/payments-by-date.js';
import { postPayments, postTotalAmount, readJsonBody } from './handlers/registries.js';
import { status } from './handlers/status.js';
import type { JsonValue } from './json-writer.js';
import { requestError } from './responses.js';

/**
 * The paths this server answers (protocol §1.2), absolute and lower-cased: a request's path is
 * compared case-insensitively, as ASP.NET routes are.
 */
export const ROUTES = {
  form: '/home/index',
  postPayments: '/home/postpayments',
  postTotalAmount: '/home/posttotalamount',
} as const;

/** A request identified (for fault rules and the request log) but not yet carried out. */
export interface PreparedRequest {
  target: FaultTarget;
  process(): Reply;
}

type FormHandler = (ctx: SimulatorContext, fields: FormFields, agentId: string) => JsonValue;

/** The form endpoint's RequestTypes and their handlers. */
const FORM_HANDLERS: Readonly<Record<string, FormHandler>> = {
  AccountCheck: (ctx, fields) => accountCheck(ctx, fields),
  Payment: payment,
  Status: status,
  CheckBalance: (ctx, _fields, agentId) => checkBalance(ctx, agentId),
  GetPaymentsByDate: paymentsByDate,
  GetSettingServices: (ctx) => settingServices(ctx),
  CalculatedSum: (ctx, fields) => calculatedSum(ctx, fields),
};

/** Identifies the request on `path` (lower-cased, no query) or returns null for an unknown path. */
export function prepare(ctx: SimulatorContext, path: string, body: string): PreparedRequest | null {
  if (path === ROUTES.form) return prepareForm(ctx, body);
  if (path === ROUTES.postPayments) return prepareJson(ctx, 'PostPayments', body, postPayments);
  if (path === ROUTES.postTotalAmount) return prepareJson(ctx, 'PostTotalAmount', body, postTotalAmount);
  return null;
}

function prepareForm(ctx: SimulatorContext, body: string): PreparedRequest {
  const fields = new FormFields(body);
  const requestType = fields.get('RequestType') ?? '';
  const agentId = fields.get('AgentID') ?? null;
  return {
    target: {
      requestType,
      transactionId: fields.get('TransactionID') ?? null,
      agentId,
      serviceId: fields.get('Service') ?? null,
      account: fields.get('Account') ?? null,
    },
    process() {
      const transactionId = fields.get('TransactionID');
      const echoId =
        transactionId !== undefined && /^[1-9]\d{0,14}$/.test(transactionId) ? transactionId : null;
      if (
        agentId === null ||
        !/^\d+$/.test(agentId) ||
        !ctx.ledger.agents.authenticate(agentId, fields.get('AgentPassword'))
      ) {
        return { httpStatus: 200, json: requestError(ctx, requestType, -1, echoId) };
      }
      const handler = Object.hasOwn(FORM_HANDLERS, requestType) ? FORM_HANDLERS[requestType] : undefined;
      if (!handler) return { httpStatus: 200, json: requestError(ctx, requestType, -500, echoId) };
      return { httpStatus: 200, json: handler(ctx, fields, agentId) };
    },
  };
}

function prepareJson(
  ctx: SimulatorContext,
  requestType: 'PostPayments' | 'PostTotalAmount',
  text: string,
  handler: (ctx: SimulatorContext, body: Record<string, unknown>, agentId: string) => JsonValue,
): PreparedRequest {
  const agentMatch = /"AgentId"\s*:\s*"?(\d+)/.exec(text);
  return {
    target: {
      requestType,
      transactionId: null,
      agentId: agentMatch?.[1] ?? null,
      serviceId: null,
      account: null,
    },
    process() {
      const read = readJsonBody(ctx, text);
      if ('error' in read) return { httpStatus: 200, json: read.error };
      return { httpStatus: 200, json: handler(ctx, read.body, read.agentId) };
    },
  };
}
