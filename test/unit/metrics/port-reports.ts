// The port's ReportStore over a test's SQLite file, built exactly as the daemon builds it
// (sqlite-app-store.ts on its own connection), so the metrics tests read through the real adapter.
import type { ReportStore } from '../../../src/app/ports';
import type { Db } from '../../../src/store/sqlite/db';
import { createAppStore, type SqliteAppStore } from '../../../src/store/sqlite/sqlite-app-store';
import { openStore } from '../../../src/store/sqlite/sqlite-store';

const open: SqliteAppStore[] = [];

export function reportsOf(db: Db): ReportStore {
  const app = createAppStore(openStore(db.name), { lockDeadlineMs: 2000 });
  open.push(app);
  return app.reports;
}

/** Closes every store reportsOf opened; call it in afterEach before the file is removed. */
export async function closeReports(): Promise<void> {
  for (const app of open.splice(0)) await app.close();
}
