/**
 * A TCP proxy between a pg client and PostgreSQL that reads the wire protocol (v3) both ways, to cut a
 * connection at an exact point of a statement:
 *
 *   const proxy = await startPgProxy(cluster.port);
 *   const cut = proxy.cutAfterCommit(/INSERT INTO \S+\.payments/);  // armed for the next such statement
 *   ... use `proxy.connectionString(cluster.connectionString)` ...
 *   await cut;                                                      // it happened
 *
 * - `cutAfterCommit(sql)`: lets the statement run; when the server has answered it (CommandComplete)
 *   and is idle again (ReadyForQuery, so an autocommit statement is committed), both sockets are
 *   destroyed before either message reaches the client. The client sees a lost connection; the row
 *   is there.
 * - `cutBeforeStatement(sql)`: destroys the connection instead of forwarding the statement: nothing
 *   of it reaches the server.
 * - `down()` destroys every connection and refuses new ones (accepted, then closed at once) until
 *   `up()`.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface PgProxy {
  port: number;
  /** `connectionString` with its port replaced by the proxy's. */
  connectionString(direct: string): string;
  cutAfterCommit(sql: RegExp): Promise<void>;
  cutBeforeStatement(sql: RegExp, options?: { thenDown?: boolean }): Promise<void>;
  down(): void;
  up(): void;
  close(): Promise<void>;
}

interface Rule {
  kind: 'after-commit' | 'before-statement';
  sql: RegExp;
  thenDown: boolean;
  done: () => void;
}

/** Splits a byte stream into protocol messages; the first one may be untyped (the startup packet). */
class MessageReader {
  #buffer = Buffer.alloc(0);
  #untypedFirst: boolean;

  constructor(untypedFirst: boolean) {
    this.#untypedFirst = untypedFirst;
  }

  /** Complete messages (type byte or null, body, raw bytes) in the data so far. */
  push(chunk: Buffer): { type: string | null; body: Buffer; raw: Buffer }[] {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    const messages: { type: string | null; body: Buffer; raw: Buffer }[] = [];
    for (;;) {
      const typed = !this.#untypedFirst;
      const header = typed ? 5 : 4;
      if (this.#buffer.length < header) break;
      const length = this.#buffer.readInt32BE(typed ? 1 : 0);
      const total = length + (typed ? 1 : 0);
      if (this.#buffer.length < total) break;
      const raw = this.#buffer.subarray(0, total);
      messages.push({
        type: typed ? String.fromCharCode(raw[0] ?? 0) : null,
        body: raw.subarray(header),
        raw,
      });
      this.#buffer = this.#buffer.subarray(total);
      this.#untypedFirst = false;
    }
    return messages;
  }
}

/** The SQL text of a simple Query ('Q') or a Parse ('P') message. */
function statementOf(message: { type: string | null; body: Buffer }): string | null {
  if (message.type === 'Q') return message.body.toString('utf8', 0, message.body.indexOf(0));
  if (message.type === 'P') {
    const nameEnd = message.body.indexOf(0);
    return message.body.toString('utf8', nameEnd + 1, message.body.indexOf(0, nameEnd + 1));
  }
  return null;
}

export async function startPgProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<PgProxy> {
  const connections = new Set<Socket>();
  const rules: Rule[] = [];
  let isDown = false;

  const takeRule = (kind: Rule['kind'], sql: string): Rule | null => {
    const index = rules.findIndex((rule) => rule.kind === kind && rule.sql.test(sql));
    if (index < 0) return null;
    return rules.splice(index, 1)[0] ?? null;
  };

  const server: Server = createServer((client) => {
    if (isDown) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    connections.add(client);
    connections.add(upstream);
    const kill = () => {
      client.destroy();
      upstream.destroy();
      connections.delete(client);
      connections.delete(upstream);
    };
    client.on('error', kill);
    upstream.on('error', kill);
    client.on('close', kill);
    upstream.on('close', kill);

    const fromClient = new MessageReader(true);
    const fromServer = new MessageReader(false);
    /** Set while a statement armed for `after-commit` runs: the server's answer is held from its CommandComplete on. */
    let watching: Rule | null = null;
    let holding = false;

    client.on('data', (chunk: Buffer) => {
      for (const message of fromClient.push(chunk)) {
        const sql = statementOf(message);
        if (sql !== null && watching === null) {
          const before = takeRule('before-statement', sql);
          if (before !== null) {
            kill();
            if (before.thenDown) down();
            before.done();
            return;
          }
          watching = takeRule('after-commit', sql);
        }
        upstream.write(message.raw);
      }
    });

    upstream.on('data', (chunk: Buffer) => {
      for (const message of fromServer.push(chunk)) {
        if (watching !== null && message.type === 'C') holding = true;
        if (holding && watching !== null && message.type === 'Z') {
          // The server is idle again: the statement's implicit transaction is committed.
          const rule = watching;
          watching = null;
          kill();
          if (rule.thenDown) down();
          rule.done();
          return;
        }
        if (!holding) client.write(message.raw);
      }
    });
  });

  const down = () => {
    isDown = true;
    for (const socket of connections) socket.destroy();
    connections.clear();
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  const arm = (kind: Rule['kind'], sql: RegExp, thenDown: boolean) =>
    new Promise<void>((resolve) => {
      rules.push({ kind, sql, thenDown, done: resolve });
    });

  return {
    port,
    connectionString(direct) {
      const url = new URL(direct);
      url.port = String(port);
      return url.toString();
    },
    cutAfterCommit: (sql) => arm('after-commit', sql, false),
    cutBeforeStatement: (sql, options = {}) => arm('before-statement', sql, options.thenDown ?? false),
    down,
    up() {
      isDown = false;
    },
    async close() {
      down();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
