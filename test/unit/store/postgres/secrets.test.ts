// The database password never appears in an error message (and so in no log line built from one):
// neither from db.password nor from a URL that carries it as userinfo.
import { expect } from 'chai';
import { StoreError } from '../../../../src/app/store-errors';
import { openPostgresStore } from '../../../../src/store/postgres/pg-app-store';
import { redactUrl } from '../../../../src/store/postgres/errors';
import { join, T0 } from './port-scenario';
import { usePostgres } from './pg-fixture';

const openFailure = async (p: Promise<unknown>): Promise<StoreError> =>
  (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as StoreError;

describe('store/postgres: the password stays secret', () => {
  const fx = usePostgres();

  it('opens with the password given beside a URL that has none', async () => {
    const store = await fx.open(await fx.database());
    expect(await store.probeWrite()).to.deep.equal({ ok: true });
  });

  it('refuses a wrong password with STORE_OPEN_FAILED without quoting either password', async () => {
    const db = await fx.database();
    const wrong = 'Wr0ng-s3cret-value';
    const err = await openFailure(openPostgresStore({ url: fx.cluster().url(db), password: wrong, connectTimeoutMs: 2000 }));
    expect(err).to.be.instanceOf(StoreError);
    expect(err.code).to.equal('STORE_OPEN_FAILED');
    expect(err.message).to.contain(`127.0.0.1:${fx.cluster().port}/${db}`);
    expect(err.message).not.to.contain(wrong);
    expect(err.message).not.to.contain(fx.cluster().password);
  });

  it('names the database without userinfo when the password came in the URL', async () => {
    const db = await fx.database();
    const c = fx.cluster();
    const url = `postgres://${c.user}:${c.password}@127.0.0.1:${c.port}/${db}`;
    const store = await fx.open(db);
    await store.close();
    const withUrl = await openPostgresStore({ url, connectTimeoutMs: 1000, statementTimeoutMs: 1000 });
    try {
      await withUrl.admin.upsertQueue({ name: 'support', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
      c.pause();
      const err = await openFailure(join(withUrl, 'e1', T0));
      expect(err.code).to.equal('STORE_UNAVAILABLE');
      expect(err.message).to.contain(`postgres://127.0.0.1:${c.port}/${db}`);
      expect(err.message).not.to.contain(c.password);
      const probe = await withUrl.probeWrite();
      expect(probe.detail).not.to.contain(c.password);
    } finally {
      c.resume();
      await withUrl.close();
    }
  });

  it('redacts user and password from a URL but keeps host, database and TLS parameters', () => {
    expect(redactUrl('postgres://cb:s3cret@db.example:5433/callbackd?sslmode=verify-full')).to.equal(
      'postgres://db.example:5433/callbackd?sslmode=verify-full',
    );
    expect(redactUrl('not a url s3cret')).not.to.contain('s3cret');
  });
});
