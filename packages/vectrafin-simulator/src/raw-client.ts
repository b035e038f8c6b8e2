import { Agent, request } from 'undici';
import { ROUTES } from './dispatch.js';

/** One raw answer: status, headers and the body bytes, undecoded. */
export interface RawResponse {
  status: number;
  contentType: string | null;
  body: Buffer;
  /** The body decoded as UTF-8. */
  text: string;
}

/**
 * A bare HTTP client for poking the simulator (or checking what a provider would see) without any
 * protocol logic: form posts to /home/index, raw JSON to the registry paths. Its own connection
 * pool, never undici's global one.
 */
export interface RawClient {
  /** POSTs `fields` form-encoded to /home/index. */
  form(fields: Record<string, string>, options?: { timeoutMs?: number }): Promise<RawResponse>;
  /** POSTs `text` as JSON to `path` (e.g. "/home/postpayments"). */
  json(path: string, text: string, options?: { timeoutMs?: number }): Promise<RawResponse>;
  /** Closes the pool; safe to call twice. */
  close(): Promise<void>;
}

export function createRawClient(baseUrl: string): RawClient {
  const agent = new Agent({ connections: 16 });
  let closing: Promise<void> | undefined;
  const post = async (path: string, contentType: string, body: string, timeoutMs = 30_000) => {
    const response = await request(new URL(path, baseUrl), {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': contentType },
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    const header = response.headers['content-type'];
    return {
      status: response.statusCode,
      contentType: typeof header === 'string' ? header : null,
      body: bytes,
      text: bytes.toString('utf8'),
    };
  };
  return {
    form: (fields, options) =>
      post(
        ROUTES.form,
        'application/x-www-form-urlencoded',
        new URLSearchParams(fields).toString(),
        options?.timeoutMs,
      ),
    json: (path, text, options) => post(path, 'application/json', text, options?.timeoutMs),
    close: () => {
      closing ??= agent.close();
      return closing;
    },
  };
}
