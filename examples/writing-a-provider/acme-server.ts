/**
 * A fake Acme backend on a loopback port, for the conformance test: it counts every request on
 * arrival and answers by account: "ok…" succeeds, "missing" is declined, "slow" stays pending,
 * "reset" drops the connection, "hang" never answers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AcmeServer {
  url: string;
  apiKey: string;
  /** Requests received so far, counted on arrival. */
  requests(): number;
  close(): Promise<void>;
}

export async function startAcmeServer(apiKey = 'acme-live-key-0f3c9'): Promise<AcmeServer> {
  let requests = 0;
  let nextRef = 900719925474099300n; // above 2^53, so a lossy parse would show
  const payments = new Map<string, string>(); // txn → the raw answer, replayed on resend

  const answer = (res: ServerResponse, status: number, raw: string) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(raw);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requests += 1;
    let text = '';
    for await (const chunk of req) text += chunk;
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return answer(res, 401, '{"code":"UNAUTHORIZED","message":"bad key"}');
    }
    if (req.method === 'GET' && req.url === '/v1/balance') {
      return answer(res, 200, '{"code":"OK","balances":[{"currency":"KZT","amount":"125000.50"}]}');
    }
    const status = req.url?.match(/^\/v1\/payments\/(\d+)$/);
    if (req.method === 'GET' && status) {
      const known = payments.get(status[1]!);
      return answer(res, known ? 200 : 404, known ?? '{"code":"NOT_FOUND","message":"no such payment"}');
    }
    const body = JSON.parse(text) as { txn?: string; account: string; amount: string; currency: string };
    if (body.account === 'reset') return void req.socket.destroy();
    if (body.account === 'hang') return; // never answers; the client gives up
    if (req.url === '/v1/accounts/check') {
      return answer(res, 200, body.account === 'missing' ? '{"code":"NO_ACCOUNT"}' : '{"code":"OK"}');
    }
    if (req.url === '/v1/payments' && body.txn) {
      const previous = payments.get(body.txn);
      if (previous) return answer(res, 200, previous);
      const code = body.account === 'missing' ? 'NO_ACCOUNT' : body.account === 'slow' ? 'PENDING' : 'OK';
      const echoed = body.account === 'echo-wrong' ? '1.00' : body.amount;
      const raw = `{"code":"${code}","message":"done","ref":"${nextRef++}","amount":"${echoed}","currency":"${body.currency}"}`;
      payments.set(body.txn, raw);
      return answer(res, 200, raw);
    }
    answer(res, 404, '{"code":"NO_ROUTE"}');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
