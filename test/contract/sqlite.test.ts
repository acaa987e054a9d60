// The store contract against the embedded SQLite adapter: a real file in a temp directory, opened the
// way the daemon opens it (the async port over the repos, with the lock runner); second() is another
// connection to the same file, as the admin CLI or a second daemon would have.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/app/ports';
import { createAppStore } from '../../src/store/sqlite/sqlite-app-store';
import { openStore } from '../../src/store/sqlite/sqlite-store';
import { describeStoreContract } from './store-contract';

describeStoreContract('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callbackd-contract-'));
  const file = join(dir, 'callbackd.db');
  const opened: Store[] = [];
  // busy_timeout 0: a locked file answers at once and the lock runner retries off the event loop, so two
  // connections racing in one process cannot block each other inside SQLite.
  const open = (): Store => {
    const store = createAppStore(openStore(file, { ticketOutbox: true, busyTimeoutMs: 0 }), { lockDeadlineMs: 5000, watchIntervalMs: 50 });
    opened.push(store);
    return store;
  };
  return Promise.resolve({
    store: open(),
    second: () => Promise.resolve(open()),
    close: async () => {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});
