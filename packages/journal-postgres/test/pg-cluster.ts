/**
 * A throw-away PostgreSQL cluster for tests: `initdb` into a fresh temporary folder, `pg_ctl start` on
 * 127.0.0.1 and a free port, and `stop()` to shut it down and delete everything. PostgreSQL refuses to
 * run as root, so under root (CI, containers) initdb and pg_ctl run as the `postgres` system user.
 *
 *   const cluster = await startPgCluster();   // in beforeAll
 *   ... cluster.connectionString ...
 *   await cluster.stop();                     // in afterAll (also runs on process exit)
 *
 * Missing binaries throw: a test that needs PostgreSQL fails, it never skips silently.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian and Ubuntu put PostgreSQL 15; TOLEM_PG_BIN overrides it. */
export const PG_BIN = process.env.TOLEM_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** The superuser's password: host connections use scram-sha-256, so a test can prove it never leaks. */
export const PG_PASSWORD = 'pg-Xy7-never-print-me';

export interface PgCluster {
  /** `postgresql://postgres:<password>@127.0.0.1:<port>/postgres` */
  connectionString: string;
  port: number;
  /** Stops the server (immediate shutdown) and deletes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startPgCluster(): Promise<PgCluster> {
  for (const tool of ['initdb', 'pg_ctl']) {
    if (!existsSync(join(PG_BIN, tool))) {
      throw new Error(
        `PostgreSQL binaries not found: ${join(PG_BIN, tool)} is missing. The journal-postgres tests need ` +
          'PostgreSQL 15 installed (apt-get install postgresql-15), or TOLEM_PG_BIN pointing at its bin folder.',
      );
    }
  }
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'tolem-pg-'));
  const data = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  const log = join(dir, 'server.log');
  const pwfile = join(dir, 'pwfile');
  mkdirSync(socketDir);
  writeFileSync(pwfile, `${PG_PASSWORD}\n`);
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    for (const path of [dir, socketDir, pwfile]) chownSync(path, uid, gid);
  }
  const run = (tool: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const [command, argv] = asRoot
        ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, tool), ...args]]
        : [join(PG_BIN, tool), args];
      // cwd inside the cluster folder: the postgres user may not be allowed into the caller's.
      execFile(command, argv, { cwd: dir, timeout: 120_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${tool} failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve();
      });
    });

  let stopped = false;
  let started = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stopSync);
    if (started) {
      const args = ['-D', data, '-m', 'immediate', '-w', 'stop'];
      try {
        if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), ...args]);
        else execFileSync(join(PG_BIN, 'pg_ctl'), args);
      } catch {
        // Already gone: nothing to stop.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A worker that exits without afterAll (a crash, a timeout) must not leave a server running.
  process.once('exit', stopSync);

  try {
    await run('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      `--pwfile=${pwfile}`,
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    const port = await freePort();
    const settings = [
      `-p ${port}`,
      "-c listen_addresses='127.0.0.1'",
      `-c unix_socket_directories='${socketDir}'`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    started = true;
    await run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '120', '-o', settings, 'start']);
    return {
      connectionString: `postgresql://postgres:${PG_PASSWORD}@127.0.0.1:${port}/postgres`,
      port,
      async stop() {
        stopSync();
      },
    };
  } catch (error) {
    const serverLog = existsSync(log) ? readFileSync(log, 'utf8') : '';
    stopSync();
    throw new Error(`could not start a test PostgreSQL cluster: ${String(error)}\n${serverLog}`, {
      cause: error,
    });
  }
}

/** A port nobody listens on right now (the kernel's pick for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
