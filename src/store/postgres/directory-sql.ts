// Numbers, queues, greetings and settings: the directory the call flows read and the admin verbs that
// change it (AdminStore minus agents). Each admin write NOTIFYs 'directory' so daemons re-read.
import type { AdminStore, DirectoryStore } from '../../app/ports';
import type { PgDb } from './db';
import { greetingFromRow, numberFromRow, queueFromRow, type GreetingRow, type NumberRow, type QueueRow } from './rows';

export function directoryStore(db: PgDb): DirectoryStore {
  return {
    number: (did) =>
      db.read('number', async (q) => {
        const r = await q.one<NumberRow>('SELECT * FROM numbers WHERE did = $1', [did]);
        return r && numberFromRow(r);
      }),
    numbers: () => db.read('numbers', async (q) => (await q.rows<NumberRow>('SELECT * FROM numbers ORDER BY did')).map(numberFromRow)),
    queue: (name) =>
      db.read('queue', async (q) => {
        const r = await q.one<QueueRow>('SELECT * FROM queues WHERE name = $1', [name]);
        return r && queueFromRow(r);
      }),
    queues: () => db.read('queues', async (q) => (await q.rows<QueueRow>('SELECT * FROM queues ORDER BY name')).map(queueFromRow)),
    setting: (key) =>
      db.read('setting', async (q) => (await q.one<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]))?.value),
    greeting: (name, language) =>
      db.read('greeting', async (q) => {
        const r = await q.one<GreetingRow>('SELECT * FROM greetings WHERE name = $1 AND language = $2', [name, language]);
        return r && greetingFromRow(r);
      }),
    greetingLanguages: (name) =>
      db.read('greeting languages', async (q) =>
        (await q.rows<{ language: string }>('SELECT language FROM greetings WHERE name = $1 ORDER BY language', [name])).map(
          (r) => r.language,
        ),
      ),
    greetings: () =>
      db.read('greetings', async (q) =>
        (await q.rows<GreetingRow>('SELECT * FROM greetings ORDER BY name, language')).map(greetingFromRow),
      ),
  };
}

export type DirectoryAdmin = Omit<AdminStore, 'addAgent' | 'removeAgent'>;

export function directoryAdmin(db: PgDb): DirectoryAdmin {
  return {
    upsertNumber: (n) =>
      db.tx(`number ${n.did} (kind ${n.kind}, queue ${n.queue})`, async (q) => {
        await q.run(
          `INSERT INTO numbers (did, kind, queue, callback_enabled, callback_language, callback_greeting,
                              confirmation_greeting, outbound_trunk, allowed_countries, outbound_caller_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (did) DO UPDATE SET
           kind = excluded.kind, queue = excluded.queue, callback_enabled = excluded.callback_enabled,
           callback_language = excluded.callback_language, callback_greeting = excluded.callback_greeting,
           confirmation_greeting = excluded.confirmation_greeting, outbound_trunk = excluded.outbound_trunk,
           allowed_countries = excluded.allowed_countries, outbound_caller_id = excluded.outbound_caller_id`,
          [
            n.did,
            n.kind,
            n.queue,
            n.callbackEnabled,
            n.callbackLanguage,
            n.callbackGreeting,
            n.confirmationGreeting,
            n.outboundTrunk,
            n.allowedCountries ?? null,
            n.outboundCallerId ?? null,
          ],
        );
        q.touched('directory');
      }),
    removeNumber: (did) =>
      db.tx(`removal of number ${did}`, async (q) => {
        const n = await q.run('DELETE FROM numbers WHERE did = $1', [did]);
        if (n > 0) q.touched('directory');
        return n > 0;
      }),
    upsertGreeting: (g) =>
      db.tx(`greeting ${g.name} (${g.language})`, async (q) => {
        await q.run(
          `INSERT INTO greetings (name, language, kind, sound) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name, language) DO UPDATE SET kind = excluded.kind, sound = excluded.sound`,
          [g.name, g.language, g.kind, g.sound],
        );
        q.touched('directory');
      }),
    // Without a language, all languages of the greeting go; the count tells the CLI what happened.
    removeGreeting: (name, language) =>
      db.tx(`removal of greeting ${name}`, async (q) => {
        const n =
          language === undefined
            ? await q.run('DELETE FROM greetings WHERE name = $1', [name])
            : await q.run('DELETE FROM greetings WHERE name = $1 AND language = $2', [name, language]);
        if (n > 0) q.touched('directory');
        return n;
      }),
    upsertQueue: (qc) =>
      db.tx(`queue ${qc.name}`, async (q) => {
        await q.run(
          `INSERT INTO queues (name, max_wait_seconds, overflow, moh_class) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET max_wait_seconds = excluded.max_wait_seconds,
           overflow = excluded.overflow, moh_class = excluded.moh_class`,
          [qc.name, qc.maxWaitSeconds, qc.overflow, qc.mohClass],
        );
        q.touched('directory');
      }),
    setSetting: (key, value) =>
      db.tx(`setting ${key}`, async (q) => {
        await q.run('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [
          key,
          value,
        ]);
        q.touched('directory');
      }),
  };
}
