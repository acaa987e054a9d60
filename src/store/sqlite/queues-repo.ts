// Queue configuration (table `queues`).
import type { QueuesRepo } from './repos';
import type { QueueConfig } from '../../domain/model';
import type { Db } from './db';
import { rethrowConstraint } from './errors';

interface QueueRow {
  name: string;
  max_wait_seconds: number | null;
  overflow: string;
  moh_class: string;
}

const toModel = (r: QueueRow): QueueConfig => ({
  name: r.name,
  maxWaitSeconds: r.max_wait_seconds,
  overflow: r.overflow,
  mohClass: r.moh_class,
});

export function createQueuesRepo(db: Db): QueuesRepo {
  const getStmt = db.prepare<[string], QueueRow>('SELECT * FROM queues WHERE name = ?');
  const listStmt = db.prepare<[], QueueRow>('SELECT * FROM queues ORDER BY name');
  const upsertStmt = db.prepare<[QueueRow]>(`
    INSERT INTO queues (name, max_wait_seconds, overflow, moh_class)
    VALUES (@name, @max_wait_seconds, @overflow, @moh_class)
    ON CONFLICT (name) DO UPDATE SET max_wait_seconds = excluded.max_wait_seconds,
      overflow = excluded.overflow, moh_class = excluded.moh_class`);

  return {
    get: (name) => {
      const r = getStmt.get(name);
      return r && toModel(r);
    },
    list: () => listStmt.all().map(toModel),
    upsert: (q) => {
      try {
        upsertStmt.run({ name: q.name, max_wait_seconds: q.maxWaitSeconds, overflow: q.overflow, moh_class: q.mohClass });
      } catch (err) {
        rethrowConstraint(err, `queue ${q.name}`);
      }
    },
  };
}
