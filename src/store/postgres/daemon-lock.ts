// One daemon per PostgreSQL database, for now. At start the daemon reconciles the queue with "its"
// Asterisk: it closes waiting places whose channel that Asterisk does not have, ends legs it cannot see
// and frees agents without a call in this process. A second daemon on the same database (another
// Asterisk, a standby started by mistake) would do that to the first one's live callers. Until entries
// carry their node (issue 15, several daemons per queue), a daemon holds a session advisory lock on a
// connection of its own for as long as it runs; a second start refuses with DAEMON_ALREADY_RUNNING,
// naming the holder's connection. A killed daemon's session ends with its TCP connection, so the lock
// goes with it (at once for kill -9; for a vanished host when the server's TCP keepalive gives up).
//
// Losing the connection means losing the lock: the daemon says so, reports not ready, and takes the
// lock again once the server is back; if another daemon holds it meanwhile, it stays not ready.
import pg from 'pg';
import { DaemonLockError, type DaemonLock } from '../../daemon-lock';
import type { Logger } from '../../log';
import { clientConfig, type PgConnectOptions } from './connect';
import { openError, redactUrl } from './errors';

/** pg_advisory_lock key of "the daemon of this database" ("cbdm"); distinct from the migration lock. */
export const DAEMON_LOCK_KEY = 0x63_62_64_6d;
const RETRY_MS = 2000;

export interface PgDaemonLock extends DaemonLock {
  /** Whether this process holds the lock right now (readiness). */
  held(): { ok: boolean; detail?: string };
}

interface Holder {
  application_name: string | null;
  client_addr: string | null;
  pid: number;
  backend_start: Date | null;
}

/** Who holds the lock, from pg_locks + pg_stat_activity (visible to any user for its own database). */
async function holderOf(client: pg.Client): Promise<string> {
  const { rows } = await client.query<Holder>(
    `SELECT a.application_name, host(a.client_addr) AS client_addr, a.pid, a.backend_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [DAEMON_LOCK_KEY],
  );
  const h = rows[0];
  if (!h) return 'another callbackd';
  const from = h.client_addr ? ` from ${h.client_addr}` : ' over a local socket';
  const since = h.backend_start ? ` since ${h.backend_start.toISOString()}` : '';
  return `${h.application_name || 'another client'} (server pid ${h.pid}${from}${since})`;
}

async function tryLock(config: pg.ClientConfig): Promise<{ client: pg.Client; got: true } | { got: false; holder: string }> {
  const client = new pg.Client(config);
  client.on('error', () => undefined); // 'end' follows
  try {
    await client.connect();
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [DAEMON_LOCK_KEY]);
    if (rows[0]?.ok) return { client, got: true };
    const holder = await holderOf(client);
    await client.end().catch(() => undefined);
    return { got: false, holder };
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
}

export async function acquirePgDaemonLock(opts: PgConnectOptions, log: Logger): Promise<PgDaemonLock> {
  // No statement timeout on this session: it only ever runs the two short queries above.
  const config = { ...clientConfig(opts), statement_timeout: undefined, query_timeout: undefined };
  const where = redactUrl(opts.url);
  let first;
  try {
    first = await tryLock(config);
  } catch (err) {
    throw openError(err, opts.url);
  }
  if (!first.got) {
    throw new DaemonLockError(
      'DAEMON_ALREADY_RUNNING',
      `database ${where} is in use by ${first.holder}; one daemon per PostgreSQL database (stop the other one first)`,
    );
  }
  let client: pg.Client | undefined = first.client;
  let lost: string | undefined;
  let released = false;
  let timer: NodeJS.Timeout | undefined;

  const retake = async (): Promise<void> => {
    timer = undefined;
    if (released) return;
    try {
      const again = await tryLock(config);
      if (released) {
        if (again.got) await again.client.end().catch(() => undefined);
        return;
      }
      if (again.got) {
        watch(again.client);
        lost = undefined;
        log.info('database lock taken again', { database: where });
        return;
      }
      lost = `database ${where} is now held by ${again.holder}`;
      log.error('another daemon took the database while our lock was lost; not ready', { database: where, holder: again.holder });
    } catch {
      /* still unreachable: try again */
    }
    timer = setTimeout(() => void retake(), RETRY_MS);
    timer.unref();
  };

  const watch = (c: pg.Client): void => {
    client = c;
    c.once('end', () => {
      if (client !== c || released) return;
      client = undefined;
      lost = `lost the connection holding the lock on database ${where}`;
      log.error('database lock connection lost; not ready until it is taken again', { database: where });
      timer ??= setTimeout(() => void retake(), RETRY_MS);
      timer.unref();
    });
  };
  watch(first.client);

  return {
    file: '',
    held: () => (lost === undefined && client !== undefined ? { ok: true } : { ok: false, detail: lost ?? 'lock not held' }),
    release: () => {
      if (released) return;
      released = true;
      if (timer) clearTimeout(timer);
      // Ending the session releases the advisory lock with it.
      void client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
