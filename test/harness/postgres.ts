// A throwaway PostgreSQL cluster for tests: initdb in a temp dir, pg_ctl on a free loopback port with
// its unix socket in that dir, password (scram) auth over TCP so the adapter's password path is the
// one exercised. Always stopped and removed: by stop(), and at process exit for a test run that died
// half way (mocha's after hooks do not run on an uncaught error in a hook or on Ctrl-C).
//
// initdb and postgres refuse to run as root. In CI (root on a fresh machine) the cluster is run as the
// unprivileged `postgres` user from the Debian package, or `nobody`, owning the temp dir.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

export interface PgCluster {
  host: string;
  port: number;
  user: string;
  password: string;
  /** postgres://user@127.0.0.1:port/<database> — without the password, like production config. */
  url(database: string): string;
  /** A new, empty database with a unique name; returns its name. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stops the server (the data stays), for outage tests. */
  pause(): void;
  /** Starts it again on the same port. */
  resume(): void;
  /** Stops the server and removes everything. Idempotent. */
  stop(): void;
}

/** Where initdb/pg_ctl are: $CALLBACKD_TEST_PG_BIN, the newest Debian /usr/lib/postgresql/N/bin, or PATH. */
export function postgresBinDir(): string | undefined {
  const fromEnv = process.env.CALLBACKD_TEST_PG_BIN;
  if (fromEnv) return fromEnv;
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    const versions = fs
      .readdirSync(debian)
      .filter((v) => fs.existsSync(path.join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return path.join(debian, versions[0], 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  return found ? path.dirname(found) : undefined;
}

/** uid/gid to run the cluster as: ourselves, or an unprivileged account when we are root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    const uid = Number(r.stdout.trim());
    const gid = Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim());
    return { uid, gid };
  }
  throw new Error('running as root and neither a postgres nor a nobody account exists to run PostgreSQL as');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const live = new Set<PgCluster>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const stopAll = (): void => {
    for (const c of [...live]) c.stop();
  };
  process.on('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopAll();
      process.kill(process.pid, signal);
    });
  }
}

export async function startPostgres(): Promise<PgCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (initdb not found); run scripts/install-deps');
  const owner = runAs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  const pwfile = path.join(dir, 'pw');
  const user = 'callbackd';
  const password = crypto.randomBytes(12).toString('hex');
  fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (owner) {
    fs.chownSync(dir, owner.uid, owner.gid);
    fs.chownSync(pwfile, owner.uid, owner.gid);
  }
  const port = await freePort();
  const run = (tool: string, args: string[]): void => {
    execFileSync(path.join(bin, tool), args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, ...(owner ?? {}) });
  };
  let stopped = false;
  let running = false;
  const startServer = (): void => {
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    run('pg_ctl', ['start', '-D', data, '-w', '-t', '60', '-l', log, '-o', opts]);
    running = true;
  };
  const stopServer = (): void => {
    if (!running) return;
    running = false;
    try {
      run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '30']);
    } catch {
      // Already gone (killed); removing the directory below is what matters.
    }
  };
  const cluster: PgCluster = {
    host: '127.0.0.1',
    port,
    user,
    password,
    url: (database) => `postgres://${user}@127.0.0.1:${port}/${database}`,
    createDatabase: async (prefix = 'test') => {
      const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${crypto.randomBytes(4).toString('hex')}`;
      const client = new Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return name;
    },
    pause: stopServer,
    resume: startServer,
    stop: () => {
      if (stopped) return;
      stopped = true;
      live.delete(cluster);
      stopServer();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(cluster);
  installExitHook();
  try {
    run('initdb', [
      '-D',
      data,
      '-U',
      user,
      `--pwfile=${pwfile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
      '--no-sync',
      '--no-locale',
      '-E',
      'UTF8',
    ]);
    startServer();
  } catch (err) {
    const serverLog = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-2000) : '';
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    cluster.stop();
    throw new Error(`could not start a throwaway PostgreSQL: ${(err as Error).message}\n${stderr}\n${serverLog}`, { cause: err });
  }
  return cluster;
}
