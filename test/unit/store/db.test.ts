import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../../src/store/sqlite/db';
import { StoreError } from '../../../src/store/sqlite/errors';
import { migrations, type Migration } from '../../../src/store/sqlite/migrations';
import { openStore } from '../../../src/store/sqlite/sqlite-store';
import { makeTmpDir, type TmpDir } from './tmp-db';

function catchStoreError(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(StoreError);
    return err as StoreError;
  }
  expect.fail('expected a StoreError');
}

describe('store/db openDatabase', () => {
  let tmp: TmpDir;
  let db: Db | undefined;

  beforeEach(() => {
    tmp = makeTmpDir();
  });
  afterEach(() => {
    if (db?.open) db.close();
    db = undefined;
    tmp.cleanup();
  });

  it('creates the parent directory, runs all migrations on a fresh file and records user_version', () => {
    const path = join(tmp.dir, 'nested', 'deeper', 'cb.db');
    db = openDatabase(path);
    expect(existsSync(path)).to.equal(true);
    expect(db.pragma('user_version', { simple: true })).to.equal(migrations.length);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).to.include.members(['greetings', 'numbers', 'queue_entries', 'queues', 'settings']);
  });

  it('does not re-run migrations when re-opened, and keeps the data', () => {
    const path = tmp.file();
    db = openDatabase(path);
    db.prepare("INSERT INTO settings (key, value) VALUES ('k', 'v')").run();
    db.close();
    // A re-run of 001 would fail on CREATE TABLE (table exists) and surface as STORE_MIGRATION_FAILED.
    db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).to.equal(migrations.length);
    expect(db.prepare("SELECT value FROM settings WHERE key = 'k'").pluck().get()).to.equal('v');
  });

  it('applies only the migrations newer than the stored user_version', () => {
    const path = tmp.file();
    openDatabase(path).close();
    const next: Migration = { version: migrations.length + 1, name: 'test-extra', up: 'CREATE TABLE extra (x INTEGER);' };
    db = openDatabase(path, [...migrations, next]);
    expect(db.pragma('user_version', { simple: true })).to.equal(next.version);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").pluck().get()).to.equal(1);
  });

  it('rolls a failing migration back together with its user_version bump', () => {
    const path = tmp.file();
    openDatabase(path).close();
    const broken: Migration = {
      version: migrations.length + 1,
      name: 'broken',
      up: 'CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);',
    };
    const err = catchStoreError(() => openDatabase(path, [...migrations, broken]));
    expect(err.code).to.equal('STORE_MIGRATION_FAILED');
    expect(err.message).to.contain(path).and.to.contain('broken');
    db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).to.equal(migrations.length);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).to.equal(0);
  });

  it('refuses a database written by a newer schema version with STORE_TOO_NEW', () => {
    const path = tmp.file();
    const raw = new Database(path);
    raw.pragma(`user_version = ${migrations.length + 1}`);
    raw.close();
    const err = catchStoreError(() => openDatabase(path));
    expect(err.code).to.equal('STORE_TOO_NEW');
    expect(err.message).to.contain(path);
  });

  it('reports a file of random bytes as corrupt (or unopenable), naming the path', () => {
    const path = tmp.file('garbage.db');
    writeFileSync(path, randomBytes(8192));
    const err = catchStoreError(() => openDatabase(path));
    expect(err.code).to.be.oneOf(['STORE_CORRUPT', 'STORE_OPEN_FAILED']);
    expect(err.message).to.contain(path);
  });

  it('refuses a 0-byte file instead of silently starting a new, empty database', () => {
    const path = tmp.file('truncated.db');
    writeFileSync(path, '');
    const err = catchStoreError(() => openDatabase(path));
    expect(err.code).to.equal('STORE_CORRUPT');
    expect(err.message).to.contain(path).and.to.contain('0-byte');
    expect(readFileSync(path).length, 'left as it was').to.equal(0);
  });

  it('with the integrity check, refuses a database whose pages are damaged (the daemon checks at start)', () => {
    const path = tmp.file('damaged.db');
    const store = openStore(path);
    for (let i = 0; i < 300; i++) store.settings.set(`key-${i}`, 'x'.repeat(200));
    store.close();
    // Overwrite the middle of the file (b-tree pages), keeping the header intact.
    const bytes = readFileSync(path);
    bytes.fill(0x5a, 4096 * 3, 4096 * 6);
    writeFileSync(path, bytes);
    expect(() => openDatabase(path).close(), 'the plain open does not notice').not.to.throw();
    const err = catchStoreError(() => openDatabase(path, undefined, { integrityCheck: true }));
    expect(err.code).to.equal('STORE_CORRUPT');
    expect(err.message).to.contain(path).and.to.contain('damaged');
  });

  it('reports an unopenable path as STORE_OPEN_FAILED naming the path', () => {
    // The parent "directory" is a regular file, so neither mkdir nor open can succeed.
    const blocker = tmp.file('not-a-dir');
    writeFileSync(blocker, 'x');
    const path = join(blocker, 'cb.db');
    const err = catchStoreError(() => openDatabase(path));
    expect(err.code).to.equal('STORE_OPEN_FAILED');
    expect(err.message).to.contain(path);
  });

  it('runs in WAL mode with synchronous=FULL, foreign keys on and a 5 s busy timeout', () => {
    db = openDatabase(tmp.file());
    expect(db.pragma('journal_mode', { simple: true })).to.equal('wal');
    expect(db.pragma('synchronous', { simple: true })).to.equal(2); // 2 = FULL
    expect(db.pragma('foreign_keys', { simple: true })).to.equal(1);
    expect(db.pragma('busy_timeout', { simple: true })).to.equal(5000);
  });

  describe('schema constraints', () => {
    beforeEach(() => {
      db = openDatabase(tmp.file());
      db.prepare("INSERT INTO queues (name) VALUES ('sales')").run();
    });

    it('refuses a digital number with callbacks enabled, even via raw SQL', () => {
      const insert = db!.prepare("INSERT INTO numbers (did, kind, queue, callback_enabled) VALUES (?, ?, 'sales', ?)");
      expect(() => insert.run('+4930111', 'digital', 1)).to.throw(/CHECK constraint failed/);
      expect(() => insert.run('+4930222', 'digital', 0)).not.to.throw();
      expect(() => insert.run('+4930333', 'voice', 1)).not.to.throw();
    });

    it('refuses a number whose queue is not configured', () => {
      const insert = db!.prepare("INSERT INTO numbers (did, kind, queue) VALUES ('+4930444', 'voice', 'nope')");
      expect(() => insert.run()).to.throw(/FOREIGN KEY constraint failed/);
    });

    it('allows only one open callback per number and queue', () => {
      const insert = db!.prepare(`
        INSERT INTO queue_entries (id, queue, did, kind, state, entered_at, callback_number, updated_at)
        VALUES (?, 'sales', '+4930999', 'callback', ?, 1, '+491701234567', 1)`);
      insert.run('a', 'pending');
      expect(() => insert.run('b', 'offered')).to.throw(/UNIQUE constraint failed/);
      // Closed callbacks are history and may repeat.
      expect(() => insert.run('c', 'done')).not.to.throw();
      expect(() => insert.run('d', 'done')).not.to.throw();
    });
  });
});
