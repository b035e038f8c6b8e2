import type { Reply } from './context.js';
import { encodeCp1251 } from './cp1251.js';
import type { Fault } from './faults.js';
import { int, JsonNumber, type JsonValue, writeJson } from './json-writer.js';
import { statusMessage } from './status-codes.js';

/** What goes on the wire for one request. */
export type Outgoing =
  | { kind: 'respond'; httpStatus: number; contentType: string | null; body: Buffer }
  | { kind: 'drop' };

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';

/** Renders a handler's reply, bent by the fault that hit the request (if any). */
export function render(reply: Reply, fault: Fault | null): Outgoing {
  switch (fault?.kind) {
    case 'drop-before':
    case 'drop-after':
      return { kind: 'drop' };
    case 'empty':
      return respond(200, null, '');
    case 'html':
      return respond(fault.httpStatus ?? 200, HTML_TYPE, errorPage(fault.httpStatus ?? 500));
    case 'http-error':
      return respond(fault.httpStatus, HTML_TYPE, fault.body ?? errorPage(fault.httpStatus));
    case 'malformed-json': {
      const text = writeJson(reply.json);
      return respond(reply.httpStatus, JSON_TYPE, text.slice(0, Math.max(1, Math.floor(text.length / 2))));
    }
    case 'cp1251':
      return {
        kind: 'respond',
        httpStatus: reply.httpStatus,
        contentType: `application/json; charset=${fault.declaredCharset ?? 'windows-1251'}`,
        body: encodeCp1251(writeJson(reply.json)),
      };
    case 'status-as-string':
      return respond(reply.httpStatus, JSON_TYPE, writeJson(withStatus(reply.json, (code) => code.text)));
    case 'status':
      // Unprocessed requests already carry the code (see the server); processed ones get it written over.
      return respond(
        reply.httpStatus,
        JSON_TYPE,
        writeJson(fault.process ? overrideStatus(reply.json, fault.code) : reply.json),
      );
    default:
      return respond(reply.httpStatus, JSON_TYPE, writeJson(reply.json));
  }
}

function respond(httpStatus: number, contentType: string | null, text: string): Outgoing {
  return { kind: 'respond', httpStatus, contentType, body: Buffer.from(text, 'utf8') };
}

/** Rewrites a top-level ResponseStatus (answers without one are left alone). */
function withStatus(json: JsonValue, rewrite: (code: JsonNumber) => JsonValue): JsonValue {
  if (!isObject(json) || !(json.ResponseStatus instanceof JsonNumber)) return json;
  return { ...json, ResponseStatus: rewrite(json.ResponseStatus) };
}

/**
 * The real answer with another ResponseStatus and its message (added where the answer had none);
 * a registry answer becomes an error with that message.
 */
function overrideStatus(json: JsonValue, code: number): JsonValue {
  if (!isObject(json)) return json;
  if (typeof json.status === 'string') return { status: 'error', details: { message: statusMessage(code) } };
  return { ...json, ResponseStatus: int(code), Message: statusMessage(code) };
}

function isObject(json: JsonValue): json is { readonly [key: string]: JsonValue | undefined } {
  return typeof json === 'object' && json !== null && !Array.isArray(json) && !(json instanceof JsonNumber);
}

/** An IIS/nginx-like error page, Russian text included, as a proxy in front of the provider serves. */
export function errorPage(httpStatus: number): string {
  const title = httpStatus === 502 ? '502 Bad Gateway' : `${httpStatus} Internal Server Error`;
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>Сервис временно недоступен. Повторите запрос позже.</p><hr><center>nginx</center></body></html>`;
}
