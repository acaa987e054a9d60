// One daemon per database file: the lock beside it refuses a second daemon while the first lives and
// is taken over at once after the first died (kill -9 leaves the file behind).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { acquireDaemonLock, DaemonLockError, lockFileOf } from '../../../src/daemon-lock';
import { processStartTicks } from '../../../src/process-identity';

describe('daemon lock: one daemon per database file', () => {
  let dir: string;
  let db: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-lock-'));
    db = path.join(dir, 'callbackd.db');
  });
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Another live process (standing in for the first daemon). */
  async function otherProcess(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    return child;
  }
  const writeOwner = (owner: Record<string, unknown>) => fs.writeFileSync(lockFileOf(db), JSON.stringify(owner));
  const refusal = () => {
    try {
      acquireDaemonLock(db);
    } catch (err) {
      return err as DaemonLockError;
    }
    throw new Error('the lock was taken');
  };

  it('the first daemon takes the lock: a file beside the database, readable by its owner only, naming its pid', () => {
    const lock = acquireDaemonLock(db);
    const file = lockFileOf(db);
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).to.include({ pid: process.pid, host: os.hostname() });
    lock.release();
    expect(fs.existsSync(file), 'released on stop').to.equal(false);
  });

  it('a second daemon while the first runs is refused, naming the pid that holds the database', async () => {
    const first = await otherProcess();
    writeOwner({ pid: first.pid, host: os.hostname(), startTicks: processStartTicks(first.pid!), startedAt: '2026-12-07T10:00:00.000Z' });
    const err = refusal();
    expect(err).to.be.instanceOf(DaemonLockError);
    expect(err.code).to.equal('DAEMON_ALREADY_RUNNING');
    expect(err.message).to.equal(
      `database ${db} is in use by callbackd pid ${first.pid} (since 2026-12-07T10:00:00.000Z); stop it first (or remove ${lockFileOf(db)} if that process is gone)`,
    );
    expect(JSON.parse(fs.readFileSync(lockFileOf(db), 'utf8')).pid, 'the first keeps its lock').to.equal(first.pid);
  });

  it('after the first was killed -9 the lock is taken over at once', async () => {
    const first = await otherProcess();
    writeOwner({ pid: first.pid, host: os.hostname(), startTicks: processStartTicks(first.pid!), startedAt: 'x' });
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const lock = acquireDaemonLock(db);
    expect(JSON.parse(fs.readFileSync(lockFileOf(db), 'utf8')).pid).to.equal(process.pid);
    lock.release();
  });

  it('a pid that now belongs to another process (other start time) does not hold the lock', async () => {
    const unrelated = await otherProcess();
    writeOwner({ pid: unrelated.pid, host: os.hostname(), startTicks: '1', startedAt: 'x' });
    acquireDaemonLock(db).release();
  });

  it('a half-written lock file (a starter died mid-write) is taken over', () => {
    fs.writeFileSync(lockFileOf(db), '{"pid": 12');
    acquireDaemonLock(db).release();
  });

  it('a lock held from another host is refused: its process cannot be checked from here', () => {
    writeOwner({ pid: 4242, host: 'other-box', startTicks: null, startedAt: 'y' });
    const err = refusal();
    expect(err.code).to.equal('DAEMON_ALREADY_RUNNING');
    expect(err.message).to.contain('callbackd pid 4242 on host other-box');
  });

  it('releasing a lock that was taken over meanwhile leaves the new owner’s file alone', async () => {
    const mine = acquireDaemonLock(db);
    const next = await otherProcess();
    writeOwner({ pid: next.pid, host: os.hostname(), startTicks: processStartTicks(next.pid!), startedAt: 'z' });
    mine.release();
    expect(JSON.parse(fs.readFileSync(lockFileOf(db), 'utf8')).pid).to.equal(next.pid);
  });

  it('on a first start the database directory is created for the lock', () => {
    const fresh = path.join(dir, 'data', 'callbackd.db');
    const lock = acquireDaemonLock(fresh);
    expect(fs.existsSync(lockFileOf(fresh))).to.equal(true);
    lock.release();
  });

  it('a directory the lock cannot be created in fails with its own code and the path', () => {
    fs.writeFileSync(path.join(dir, 'not-a-dir'), '');
    const err = (() => {
      try {
        acquireDaemonLock(path.join(dir, 'not-a-dir', 'callbackd.db'));
      } catch (e) {
        return e as DaemonLockError;
      }
      throw new Error('the lock was taken');
    })();
    expect(err.code).to.equal('DAEMON_LOCK_FAILED');
    expect(err.message).to.contain(path.join(dir, 'not-a-dir', 'callbackd.db.daemon-lock'));
  });
});
