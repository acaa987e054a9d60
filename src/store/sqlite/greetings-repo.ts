// Sysadmin-provided recordings, one row per (name, language) (table `greetings`).
import type { GreetingsRepo } from './repos';
import type { Greeting, GreetingKind } from '../../domain/model';
import type { Db } from './db';
import { rethrowConstraint } from './errors';

interface GreetingRow {
  name: string;
  language: string;
  kind: GreetingKind;
  sound: string;
}

const toModel = (r: GreetingRow): Greeting => ({ name: r.name, kind: r.kind, language: r.language, sound: r.sound });

export function createGreetingsRepo(db: Db): GreetingsRepo {
  const getStmt = db.prepare<[string, string], GreetingRow>('SELECT * FROM greetings WHERE name = ? AND language = ?');
  const languagesStmt = db.prepare<[string], string>('SELECT language FROM greetings WHERE name = ? ORDER BY language').pluck();
  const listStmt = db.prepare<[], GreetingRow>('SELECT * FROM greetings ORDER BY name, language');
  const upsertStmt = db.prepare<[GreetingRow]>(`
    INSERT INTO greetings (name, language, kind, sound) VALUES (@name, @language, @kind, @sound)
    ON CONFLICT (name, language) DO UPDATE SET kind = excluded.kind, sound = excluded.sound`);
  const removeOneStmt = db.prepare<[string, string]>('DELETE FROM greetings WHERE name = ? AND language = ?');
  const removeAllStmt = db.prepare<[string]>('DELETE FROM greetings WHERE name = ?');

  return {
    get: (name, language) => {
      const r = getStmt.get(name, language);
      return r && toModel(r);
    },
    languages: (name) => languagesStmt.all(name),
    list: () => listStmt.all().map(toModel),
    upsert: (g) => {
      try {
        upsertStmt.run({ name: g.name, language: g.language, kind: g.kind, sound: g.sound });
      } catch (err) {
        rethrowConstraint(err, `greeting ${g.name} (${g.language})`);
      }
    },
    // Without a language, all languages of the greeting go; the count tells the CLI what happened.
    remove: (name, language) => (language === undefined ? removeAllStmt.run(name).changes : removeOneStmt.run(name, language).changes),
  };
}
