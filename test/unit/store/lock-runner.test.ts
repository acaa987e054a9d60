// The LockRunner against a real lock: a second SQLite connection holds BEGIN IMMEDIATE (as the admin
// CLI or a backup would) while the daemon's connection (busy_timeout 0) writes. Time is fake; the
// runner's retries run on timers, so the event loop is never blocked while it waits.
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { StoreError } from '../../../src/store/sqlite/errors';
import { LockRunner } from '../../../src/store/sqlite/lock-runner';
import { openStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { fakeTime, track, type FakeTime } from '../app/fixtures';
import { makeTmpDir, type TmpDir } from './tmp-db';

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe('store/lock-runner: SQLite locks off the event loop', () => {
  let tmp: TmpDir;
  let s: SqliteStore;
  let cli: Database.Database;
  let time: FakeTime;
  let runner: LockRunner;

  beforeEach(() => {
    time = fakeTime(settle);
    tmp = makeTmpDir();
    s = openStore(tmp.file(), { busyTimeoutMs: 0 });
    cli = new Database(tmp.file(), { timeout: 0 });
    runner = new LockRunner({ deadlineMs: 1000 });
  });
  afterEach(() => {
    if (cli.inTransaction) cli.exec('ROLLBACK');
    cli.close();
    s.close();
    time.restore();
    tmp.cleanup();
  });

  it('runs writes in submission order while the first one waits for another connection’s lock', async () => {
    cli.exec('BEGIN IMMEDIATE');
    const done: string[] = [];
    const first = runner.write('first', () => {
      s.settings.set('x', 'first');
      done.push('first');
    });
    const second = runner.write('second', () => {
      s.settings.set('x', 'second');
      done.push('second');
    });
    await time.advance(0.3);
    expect(done, 'nothing written while locked').to.deep.equal([]);
    expect(runner.pending).to.equal(2);
    cli.exec('COMMIT');
    await time.advance(0.3);
    await Promise.all([first, second]);
    expect(done).to.deep.equal(['first', 'second']);
    expect(s.settings.get('x')).to.equal('second');
    expect(runner.lockWaits).to.equal(1);
  });

  it('keeps the event loop running while a write waits: timers fire and other work goes on', async () => {
    cli.exec('BEGIN IMMEDIATE');
    const write = track(runner.write('w', () => s.settings.set('x', '1')));
    const ticks: number[] = [];
    const interval = setInterval(() => ticks.push(Date.now()), 100);
    let immediate = false;
    setImmediate(() => (immediate = true));
    await time.advance(0.5);
    clearInterval(interval);
    expect(ticks, 'a timer of the daemon kept firing').to.have.length(5);
    expect(immediate).to.equal(true);
    expect(write.state).to.equal('pending');
  });

  it('fails a write with STORE_LOCKED once the lock outlasts its deadline', async () => {
    cli.exec('BEGIN IMMEDIATE');
    const write = track(runner.write('join of entry e1', () => s.settings.set('x', '1')));
    await time.advance(0.9);
    expect(write.state).to.equal('pending');
    await time.advance(0.3);
    expect(write.state).to.equal('rejected');
    const error = write.error as StoreError;
    expect(error).to.be.instanceOf(StoreError).and.to.include({ code: 'STORE_LOCKED' });
    expect(error.message).to.match(/^join of entry e1: the database stayed locked by another process for \d+ ms$/);
    expect(s.settings.get('x')).to.equal(undefined);
  });

  it('fails a queued write whose own shorter deadline passes, while the one ahead still waits and then succeeds', async () => {
    cli.exec('BEGIN IMMEDIATE');
    const head = track(runner.write('head', () => s.settings.set('x', 'head'), 5000));
    const request = track(runner.write('callback request', () => s.settings.set('y', 'request'), 500));
    await time.advance(0.45);
    expect(request.state).to.equal('pending');
    await time.advance(0.3);
    expect(request.state).to.equal('rejected');
    expect(request.error).to.include({ code: 'STORE_LOCKED' });
    expect(head.state, 'the head keeps its own deadline').to.equal('pending');
    cli.exec('COMMIT');
    await time.advance(0.3);
    expect(head.state).to.equal('resolved');
    expect(s.settings.get('x')).to.equal('head');
    expect(s.settings.get('y'), 'the failed write never ran').to.equal(undefined);
  });

  it('fails a write at once on an error that is not a lock, and goes on with the next', async () => {
    const broken = track(
      runner.write('broken', () => {
        throw new Error('disk I/O error');
      }),
    );
    await runner.write('next', () => s.settings.set('x', 'next'));
    expect(broken.state).to.equal('rejected');
    expect((broken.error as Error).message).to.equal('disk I/O error');
    expect(s.settings.get('x')).to.equal('next');
  });

  describe('reads', () => {
    // WAL readers are not blocked by a writer; a read meets SQLITE_BUSY only in rare moments (WAL
    // recovery), which cannot be staged with a second connection, so the op raises it itself.
    const busy = () => new Database.SqliteError('database is locked', 'SQLITE_BUSY');

    it('retry while the database is locked, on timers, then answer', async () => {
      let tries = 0;
      const read = track(
        runner.read('position', () => {
          if (++tries <= 2) throw busy();
          return 42;
        }),
      );
      await settle();
      expect(read.state).to.equal('pending');
      await time.advance(0.1);
      expect(read).to.include({ state: 'resolved', value: 42 });
      expect(tries).to.equal(3);
    });

    it('fail with STORE_LOCKED after the deadline, and at once on other errors', async () => {
      const locked = track(
        runner.read('snapshot', () => {
          throw busy();
        }),
      );
      await time.advance(1.3);
      expect(locked.error).to.be.instanceOf(StoreError).and.to.include({ code: 'STORE_LOCKED' });
      const broken = track(
        runner.read('snapshot', () => {
          throw new TypeError('bad row');
        }),
      );
      await settle();
      expect(broken.error).to.be.instanceOf(TypeError);
    });

    it('are not queued behind waiting writes (WAL readers do not wait for the writer)', async () => {
      s.settings.set('x', 'committed');
      cli.exec('BEGIN IMMEDIATE');
      const write = track(runner.write('write', () => s.settings.set('x', 'new')));
      expect(await runner.read('read', () => s.settings.get('x'))).to.equal('committed');
      expect(write.state).to.equal('pending');
    });
  });
});
