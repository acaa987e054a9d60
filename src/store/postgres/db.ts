// One pool and the two ways the adapter uses it: a read (one statement, or a read-only snapshot) and
// a transaction (BEGIN … COMMIT on one client). Every failure leaves here as a StoreError (errors.ts).
// A transaction collects the change-feed topics it touched and NOTIFYs them just before COMMIT, so
// other nodes hear of a change exactly when it becomes visible, and never of a rolled-back one.
import type pg from 'pg';
import type { ChangeTopic } from '../../app/ports';
import { isRetryableConflict, translate } from './errors';

export const CHANGE_CHANNEL = 'callbackd_changes';

/** What a verb's SQL sees: statements on one client (inside a transaction when from tx()). */
export interface Q {
  rows<R>(sql: string, params?: unknown[]): Promise<R[]>;
  one<R>(sql: string, params?: unknown[]): Promise<R | undefined>;
  /** Rows affected. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Tell other nodes (and the CLI's daemon) that this kind of thing changed, once committed. */
  touched(topic: ChangeTopic): void;
}

/** Thrown inside tx() to roll back and return `value` (a precondition no longer held). */
export class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rolled back: a precondition no longer held');
  }
}

const MAX_CONFLICT_TRIES = 3;

export class PgDb {
  /** Reads and transactions in flight: close() lets them finish before it ends the pool. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    readonly pool: pg.Pool,
    private readonly url: string,
    /** Sent with every NOTIFY, so this process can ignore its own changes. */
    readonly origin: string,
  ) {}

  private wrap(client: pg.ClientBase | pg.Pool, topics: Set<ChangeTopic> | undefined): Q {
    return {
      rows: async <R>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as R[],
      one: async <R>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows[0] as R | undefined,
      run: async (sql: string, params: unknown[] = []) => (await client.query(sql, params)).rowCount ?? 0,
      touched: (topic) => {
        // Outside a transaction nothing is written, so there is nothing to announce.
        topics?.add(topic);
      },
    };
  }

  /** Statements outside a transaction (single reads). */
  read<T>(what: string, fn: (q: Q) => Promise<T>): Promise<T> {
    return this.track(this.readNow(what, fn));
  }

  /** Resolves once every read and transaction submitted so far has settled. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track<T>(op: Promise<T>): Promise<T> {
    this.inFlight.add(op);
    const forget = () => this.inFlight.delete(op);
    op.then(forget, forget);
    return op;
  }

  private async readNow<T>(what: string, fn: (q: Q) => Promise<T>): Promise<T> {
    try {
      return await fn(this.wrap(this.pool, undefined));
    } catch (err) {
      throw translate(err, what, this.url);
    }
  }

  /** A read-only snapshot over several statements (dispatch snapshot, figures). */
  snapshot<T>(what: string, fn: (q: Q) => Promise<T>): Promise<T> {
    return this.tx(what, fn, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  /** One transaction; retried from the start when PostgreSQL reports a deadlock or serialization conflict. */
  tx<T>(what: string, fn: (q: Q) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    return this.track(this.txNow(what, fn, begin));
  }

  private async txNow<T>(what: string, fn: (q: Q) => Promise<T>, begin: string): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(fn, begin);
      } catch (err) {
        if (attempt < MAX_CONFLICT_TRIES && isRetryableConflict(err)) continue;
        throw translate(err, what, this.url);
      }
    }
  }

  private async once<T>(fn: (q: Q) => Promise<T>, begin: string): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const topics = new Set<ChangeTopic>();
      let value: T;
      try {
        value = await fn(this.wrap(client, topics));
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        if (err instanceof Rollback) return err.value as T;
        throw err;
      }
      for (const topic of topics) {
        await client.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, JSON.stringify({ topic, origin: this.origin })]);
      }
      await client.query('COMMIT');
      return value;
    } catch (err) {
      // A connection that failed mid-transaction is not handed to the next verb.
      broken ??= err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      client.release(broken);
    }
  }
}
