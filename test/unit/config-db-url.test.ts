// db.url / db.password: PostgreSQL is chosen by a postgres:// URL, SQLite stays the default, and a bad
// value is refused by key name without ever quoting a password.
import { expect } from 'chai';
import { loadConfig } from '../../src/config/load';
import { configError } from './config-helpers';

describe('config db.url and db.password', () => {
  it('leaves both empty by default: the SQLite file db.path is used', () => {
    const config = loadConfig({ env: {} });
    expect(config.db).to.include({ url: '', password: '' });
  });

  it('takes a PostgreSQL URL with TLS parameters and the password from the environment', () => {
    const config = loadConfig({
      env: { CALLBACKD_DB_URL: 'postgresql://callbackd@db.example:5432/callbackd?sslmode=verify-full', CALLBACKD_DB_PASSWORD: 's3cret' },
    });
    expect(config.db.url).to.equal('postgresql://callbackd@db.example:5432/callbackd?sslmode=verify-full');
    expect(config.db.password).to.equal('s3cret');
  });

  it('refuses a URL that is not postgres:// by naming the key, without the password in it', () => {
    const err = configError(() => loadConfig({ env: { CALLBACKD_DB_URL: 'mysql://cb:s3cret@db.example/callbackd' } }));
    expect(err.message).to.contain("config key 'db.url' must be a postgres://");
    expect(err.message).to.contain('CALLBACKD_DB_URL');
    expect(err.message).not.to.contain('s3cret');
  });

  it('refuses a postgres URL without a host', () => {
    const err = configError(() => loadConfig({ env: { CALLBACKD_DB_URL: 'postgres://' } }));
    expect(err.message).to.contain("config key 'db.url'");
  });
});
