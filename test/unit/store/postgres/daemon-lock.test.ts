import { expect } from 'chai';
import { Client } from 'pg';
import { DaemonLockError } from '../../../../src/daemon-lock';
import { silentLogger } from '../../../../src/log';
import { clientConfig } from '../../../../src/store/postgres/connect';
import { acquirePgDaemonLock, type PgDaemonLock } from '../../../../src/store/postgres/daemon-lock';
import { usePostgres } from './pg-fixture';

const eventually = async (cond: () => boolean, what: string, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('store/postgres: one daemon per database (session advisory lock)', () => {
  const fx = usePostgres();
  const held: PgDaemonLock[] = [];
  afterEach(() => {
    for (const l of held.splice(0)) l.release();
  });
  const acquire = async (database: string, applicationName = 'callbackd-daemon'): Promise<PgDaemonLock> => {
    const lock = await acquirePgDaemonLock(
      { url: fx.cluster().url(database), password: fx.cluster().password, applicationName },
      silentLogger(),
    );
    held.push(lock);
    return lock;
  };
  const admin = async (database: string): Promise<Client> => {
    const c = new Client(clientConfig({ url: fx.cluster().url(database), password: fx.cluster().password }));
    await c.connect();
    return c;
  };
  /** Kills the server session holding the lock, as a crashed host or a network cut would end it. */
  const cutLockSession = async (database: string, applicationName: string): Promise<void> => {
    const c = await admin(database);
    try {
      const { rowCount } = await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
        applicationName,
      ]);
      expect(rowCount, 'sessions terminated').to.equal(1);
      // pg_terminate_backend only signals: wait until the session (and its lock) is really gone.
      for (let i = 0; i < 100; i++) {
        const { rows } = await c.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
        if (rows.length === 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`session ${applicationName} still there 2 s after pg_terminate_backend`);
    } finally {
      await c.end();
    }
  };

  it('refuses a second daemon on the same database, naming the holder; another database is not affected', async () => {
    const db = await fx.database();
    const first = await acquire(db);
    expect(first.held()).to.deep.equal({ ok: true });
    const err = await acquire(db, 'callbackd-second').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(DaemonLockError);
    expect((err as DaemonLockError).code).to.equal('DAEMON_ALREADY_RUNNING');
    expect((err as Error).message).to.match(/is in use by callbackd-daemon \(server pid \d+ from 127\.0\.0\.1 since \d{4}-/);
    expect((err as Error).message, 'no credentials in the message').to.not.contain(fx.cluster().password);
    expect((await acquire(await fx.database())).held().ok, 'a daemon of another database').to.equal(true);
  });

  it('is free again once the holder releases it (an orderly stop)', async () => {
    const db = await fx.database();
    (await acquire(db)).release();
    expect((await acquire(db)).held().ok).to.equal(true);
  });

  it('goes with the session of a killed daemon, so the next start is not refused', async () => {
    const db = await fx.database();
    // The server ends a dead client's session (kill -9 closes its socket; a vanished host's times out):
    // here the session is ended from the server side, with the old process none the wiser.
    await acquire(db, 'callbackd-killed');
    await cutLockSession(db, 'callbackd-killed');
    expect((await acquire(db)).held().ok).to.equal(true);
  });

  it('a lost lock connection makes the daemon not ready until it has taken the lock again', async function () {
    this.timeout(20_000);
    const db = await fx.database();
    const lock = await acquire(db, 'callbackd-cut');
    await cutLockSession(db, 'callbackd-cut');
    await eventually(() => !lock.held().ok, 'not ready after the cut', 2000);
    expect(lock.held().detail).to.match(/lost the connection holding the lock on database postgres:\/\//);
    await eventually(() => lock.held().ok, 'lock taken again');
  });

  it('when another daemon took the lock meanwhile, the first stays not ready and says who holds it', async function () {
    this.timeout(20_000);
    const db = await fx.database();
    const first = await acquire(db, 'callbackd-first');
    await cutLockSession(db, 'callbackd-first');
    await eventually(() => !first.held().ok, 'first not ready after the cut', 2000);
    const second = await acquire(db, 'callbackd-second');
    await eventually(() => /now held by callbackd-second/.test(first.held().detail ?? ''), 'first names the new holder');
    expect(second.held().ok).to.equal(true);
    expect(first.held().ok).to.equal(false);
  });
});
