// The Store port backed by one SQLite file. Repos share the connection; closing the store closes it.
import type { Store } from '../app/ports';
import { openDatabase } from './db';
import { createEntriesRepo } from './entries-repo';
import { createGreetingsRepo } from './greetings-repo';
import { createNumbersRepo } from './numbers-repo';
import { createQueuesRepo } from './queues-repo';
import { createSettingsRepo } from './settings-repo';

export function openStore(path: string): Store {
  const db = openDatabase(path);
  try {
    return {
      numbers: createNumbersRepo(db),
      greetings: createGreetingsRepo(db),
      queues: createQueuesRepo(db),
      settings: createSettingsRepo(db),
      entries: createEntriesRepo(db),
      close: () => {
        if (db.open) db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

export { StoreError } from './errors';
export type { StoreErrorCode } from './errors';
