// What every admin command needs: the config (read exactly as the daemon reads it, so both agree on
// db.path and sounds.dir), the store, a clock. The database is opened lazily and always closed when
// the command ends, so a CLI call never holds SQLite locks longer than it runs next to the daemon.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { Clock, Store } from '../app/ports';
import { systemClock } from '../app/ports';
import { installedLanguages } from '../sounds';
import { loadConfig } from '../config/load';
import type { Config } from '../config/schema';
import { deferredStore } from '../store/deferred-store';
import { openConfiguredStore, storeKind } from '../store/open-store';
import { CliError } from './errors';

/** Seams for tests; production uses the defaults. */
export interface CliDeps {
  clock?: Clock;
}

export interface CliContext {
  config: Config;
  dbPath: string;
  clock: Clock;
  /** --json was given. */
  json: boolean;
  /** Who is acting, for outcome texts like "cancelled by alice". */
  user: string;
  /** Absolute sounds.dir. */
  soundsDir: string;
  /** The same Store port the daemon uses, opened on first use. */
  readonly store: Store;
  /** Languages with shipped prompts (sounds/<lang>/welcome.wav). */
  languages(): string[];
  /** The system default language: the DB setting wins over config, as in the daemon. */
  defaultLanguage(): Promise<string>;
}

export interface ContextOptions {
  /** Read commands refuse a missing database file instead of creating an empty one, which would
   *  hide a wrong --db / db.path behind an empty listing. */
  mustExist?: boolean;
}

/** Anyone who can write the database can add numbers, change trunks and so place calls at our cost. */
export function refuseWorldWritable(dbPath: string): void {
  for (const p of [dbPath, path.dirname(path.resolve(dbPath))]) {
    let mode: number;
    try {
      mode = fs.statSync(p).mode;
    } catch {
      continue; // not created yet
    }
    const sticky = (mode & 0o1000) !== 0; // /tmp-like directories protect files from other users
    const isDir = p !== dbPath;
    if ((mode & 0o002) !== 0 && !(isDir && sticky)) {
      throw new CliError('CLI_UNSAFE_DATABASE', `${isDir ? 'directory of ' : ''}database ${p} is world-writable; fix with: chmod o-w ${p}`);
    }
  }
}

function actingUser(): string {
  try {
    return process.env.SUDO_USER || os.userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}

export async function withContext<T>(
  cmd: Command,
  deps: CliDeps,
  fn: (ctx: CliContext) => T | Promise<T>,
  opts: ContextOptions = {},
): Promise<T> {
  const globals = cmd.optsWithGlobals<{ config?: string; db?: string; json?: boolean }>();
  const config = loadConfig({ file: globals.config });
  const dbPath = globals.db ?? config.db.path;
  // With db.url set the database is PostgreSQL (db.url wins over --db / db.path, as in the daemon):
  // there is no file to look for or to check the permissions of.
  const sqlite = storeKind(config) === 'sqlite';
  if (sqlite && opts.mustExist && dbPath !== ':memory:' && !fs.existsSync(dbPath)) {
    throw new CliError(
      'CLI_NO_DATABASE',
      `database ${dbPath} does not exist (check --db or db.path; it is created by callbackd start or the first add)`,
    );
  }
  if (sqlite) refuseWorldWritable(dbPath);
  let store: Store | undefined;
  // Opened on first use (PostgreSQL opens asynchronously: connect and migrate) with the CLI's limits.
  const open = (): Store =>
    (store ??= deferredStore(() => openConfiguredStore({ ...config, db: { ...config.db, path: dbPath } }, { role: 'cli' })));
  const soundsDir = path.resolve(config.sounds.dir);
  const ctx: CliContext = {
    config,
    dbPath,
    clock: deps.clock ?? systemClock,
    json: globals.json === true,
    user: actingUser(),
    soundsDir,
    get store() {
      return open();
    },
    languages: () => installedLanguages(soundsDir),
    defaultLanguage: async () => (await ctx.store.directory.setting('default_language')) ?? config.language.default,
  };
  try {
    return await fn(ctx);
  } finally {
    await store?.close();
  }
}
