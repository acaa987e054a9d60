// Runs the daemon's SQLite statements without ever blocking the event loop on another process's lock.
// better-sqlite3 is synchronous: with a long busy_timeout, a CLI (or a backup) holding a write lock
// would freeze every call for as long. The daemon's connection therefore has a tiny busy_timeout, and a
// statement that finds the database locked is retried here after a timer, with backoff, until a
// deadline. Writes run strictly one after another in submission order (a caller's "join" can never be
// overtaken by its own "leave" while both wait for the lock); reads are retried but not queued.
import { StoreError, isLockError } from './errors';

export interface LockRunnerOptions {
  /** How long a statement may wait for the lock before it fails with STORE_LOCKED. */
  deadlineMs: number;
  /** Longest pause between two tries. */
  maxBackoffMs?: number;
  now?: () => number;
}

interface Job {
  op: () => unknown;
  what: string;
  submittedAt: number;
  deadlineMs: number;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

const FIRST_BACKOFF_MS = 5;

export class LockRunner {
  private readonly queue: Job[] = [];
  private running = false;
  private readonly now: () => number;
  private readonly maxBackoffMs: number;
  /** Writes that had to wait for the lock, for the operator (metrics / logs). */
  lockWaits = 0;

  constructor(private readonly opts: LockRunnerOptions) {
    this.now = opts.now ?? Date.now;
    this.maxBackoffMs = opts.maxBackoffMs ?? 200;
  }

  /** A write (or a transaction): queued behind earlier writes, retried while the database is locked.
   *  `deadlineMs` overrides the default for writes someone waits for on the line. */
  write<T>(what: string, op: () => T, deadlineMs = this.opts.deadlineMs): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ op, what, submittedAt: this.now(), deadlineMs, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) void this.drain();
    });
  }

  /** A read: in WAL mode readers rarely wait, but when they do it is off the event loop too. */
  async read<T>(what: string, op: () => T): Promise<T> {
    const submittedAt = this.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return op();
      } catch (err) {
        this.throwUnlessRetryable(err, what, submittedAt, this.opts.deadlineMs);
      }
      await this.pause(attempt);
    }
  }

  /** Number of writes waiting (including the one being tried). */
  get pending(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const job = this.queue[0];
      for (let attempt = 0; ; attempt++) {
        try {
          job.resolve(job.op());
          break;
        } catch (err) {
          try {
            this.throwUnlessRetryable(err, job.what, job.submittedAt, job.deadlineMs);
          } catch (final) {
            job.reject(final);
            break;
          }
          if (attempt === 0) this.lockWaits++;
          this.expireWaiting(err);
        }
        await this.pause(attempt);
      }
      this.queue.shift();
    }
    this.running = false;
  }

  /** Writes queued behind the head whose own deadline passed fail now, not when their turn comes. */
  private expireWaiting(cause: unknown): void {
    for (let i = this.queue.length - 1; i >= 1; i--) {
      const job = this.queue[i];
      const waited = this.now() - job.submittedAt;
      if (waited < job.deadlineMs) continue;
      this.queue.splice(i, 1);
      job.reject(new StoreError('STORE_LOCKED', `${job.what}: the database stayed locked by another process for ${waited} ms`, { cause }));
    }
  }

  private throwUnlessRetryable(err: unknown, what: string, submittedAt: number, deadlineMs: number): void {
    if (!isLockError(err)) throw err;
    const waited = this.now() - submittedAt;
    if (waited >= deadlineMs) {
      throw new StoreError('STORE_LOCKED', `${what}: the database stayed locked by another process for ${waited} ms`, { cause: err });
    }
  }

  private pause(attempt: number): Promise<void> {
    const ms = Math.min(this.maxBackoffMs, FIRST_BACKOFF_MS * 2 ** Math.min(attempt, 10));
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
