// One daemon per database file. A second `callbackd start` on the same SQLite file would register the
// same Stasis app, adopt the first one's callers and fight it over every slot; this lock refuses it
// before it touches ARI, naming the process that holds the database. The lock is a file beside the
// database created exclusively (O_EXCL), holding the owner's pid, host and process start time. A
// daemon killed with -9 leaves the file behind; the next start sees that the pid is gone (or now belongs
// to another process, by its start time) and takes the lock over, so a restart never waits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CallbackdError } from './errors';
import { processAlive, processStartTicks } from './process-identity';

export type DaemonLockErrorCode = 'DAEMON_ALREADY_RUNNING' | 'DAEMON_LOCK_FAILED';

export class DaemonLockError extends CallbackdError<DaemonLockErrorCode> {}

export interface LockOwner {
  pid: number;
  host: string;
  /** The owner's start time in clock ticks since boot (/proc/<pid>/stat field 22); tells pid reuse. */
  startTicks: string | null;
  startedAt: string;
}

export interface DaemonLock {
  readonly file: string;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void;
}

/** Where the lock of a database lives. */
export const lockFileOf = (dbPath: string): string => `${dbPath}.daemon-lock`;

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof owner.pid !== 'number' || typeof owner.host !== 'string') return undefined;
    return { pid: owner.pid, host: owner.host, startTicks: owner.startTicks ?? null, startedAt: String(owner.startedAt ?? '?') };
  } catch {
    return undefined; // half-written or garbage: a writer died between open and write
  }
}

/** Why a lock held by `owner` must not be taken over; undefined when it is stale. */
function heldBy(owner: LockOwner | undefined): string | undefined {
  if (!owner) return undefined;
  if (owner.host !== os.hostname()) return `callbackd pid ${owner.pid} on host ${owner.host} (since ${owner.startedAt})`;
  // The same process (a daemon stopped without release in tests, or started twice in one process) is
  // not another daemon; a foreign live pid is.
  if (owner.pid === process.pid) return undefined;
  return processAlive(owner.pid, owner.startTicks) ? `callbackd pid ${owner.pid} (since ${owner.startedAt})` : undefined;
}

export function acquireDaemonLock(dbPath: string, now: () => Date = () => new Date()): DaemonLock {
  // An in-memory database (tests) cannot be shared by two processes: nothing to lock.
  if (dbPath === ':memory:' || dbPath === '') return { file: '', release: () => undefined };
  const file = lockFileOf(dbPath);
  try {
    // On a first start the database's directory does not exist yet (the store would create it next).
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o750 });
  } catch (err) {
    throw new DaemonLockError('DAEMON_LOCK_FAILED', `cannot create the directory of ${file}: ${(err as Error).message}`, { cause: err });
  }
  const me: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    startTicks: processStartTicks(process.pid),
    startedAt: now().toISOString(),
  };
  for (let tries = 0; tries < 3; tries++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me) + '\n', { flag: 'wx', mode: 0o600 });
      return ownLock(file, me);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DaemonLockError('DAEMON_LOCK_FAILED', `cannot create the daemon lock ${file}: ${(err as Error).message}`, { cause: err });
      }
    }
    const holder = heldBy(readOwner(file));
    if (holder) {
      throw new DaemonLockError(
        'DAEMON_ALREADY_RUNNING',
        `database ${dbPath} is in use by ${holder}; stop it first (or remove ${file} if that process is gone)`,
      );
    }
    // Stale: its owner is gone. Remove and race for it again (another starter may win the O_EXCL).
    fs.rmSync(file, { force: true });
  }
  throw new DaemonLockError('DAEMON_LOCK_FAILED', `could not take the daemon lock ${file}: other starters keep taking it`);
}

function ownLock(file: string, me: LockOwner): DaemonLock {
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      const owner = readOwner(file);
      if (owner && owner.pid === me.pid && owner.startedAt === me.startedAt) fs.rmSync(file, { force: true });
    },
  };
}
