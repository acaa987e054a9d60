// Free-form key/value settings (table `settings`); parsing and defaults belong to the config layer.
import type { SettingsRepo } from './repos';
import type { Db } from './db';

export function createSettingsRepo(db: Db): SettingsRepo {
  const getStmt = db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck();
  const setStmt = db.prepare<[string, string]>(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  return {
    get: (key) => getStmt.get(key),
    set: (key, value) => {
      setStmt.run(key, value);
    },
  };
}
