// DIDs the daemon answers and their callback settings (table `numbers`).
import type { NumbersRepo } from './repos';
import type { NumberConfig, NumberKind } from '../../domain/model';
import type { Db } from './db';
import { rethrowConstraint } from './errors';

interface NumberRow {
  did: string;
  kind: NumberKind;
  queue: string;
  callback_enabled: number;
  callback_language: string | null;
  callback_greeting: string | null;
  confirmation_greeting: string | null;
  outbound_trunk: string | null;
  allowed_countries: string | null;
  outbound_caller_id: string | null;
}

const toModel = (r: NumberRow): NumberConfig => ({
  did: r.did,
  kind: r.kind,
  queue: r.queue,
  callbackEnabled: r.callback_enabled === 1,
  callbackLanguage: r.callback_language,
  callbackGreeting: r.callback_greeting,
  confirmationGreeting: r.confirmation_greeting,
  outboundTrunk: r.outbound_trunk,
  allowedCountries: r.allowed_countries,
  outboundCallerId: r.outbound_caller_id,
});

export function createNumbersRepo(db: Db): NumbersRepo {
  const getStmt = db.prepare<[string], NumberRow>('SELECT * FROM numbers WHERE did = ?');
  const listStmt = db.prepare<[], NumberRow>('SELECT * FROM numbers ORDER BY did');
  const upsertStmt = db.prepare<[NumberRow]>(`
    INSERT INTO numbers (did, kind, queue, callback_enabled, callback_language, callback_greeting,
                         confirmation_greeting, outbound_trunk, allowed_countries, outbound_caller_id)
    VALUES (@did, @kind, @queue, @callback_enabled, @callback_language, @callback_greeting,
            @confirmation_greeting, @outbound_trunk, @allowed_countries, @outbound_caller_id)
    ON CONFLICT (did) DO UPDATE SET
      kind = excluded.kind, queue = excluded.queue, callback_enabled = excluded.callback_enabled,
      callback_language = excluded.callback_language, callback_greeting = excluded.callback_greeting,
      confirmation_greeting = excluded.confirmation_greeting, outbound_trunk = excluded.outbound_trunk,
      allowed_countries = excluded.allowed_countries, outbound_caller_id = excluded.outbound_caller_id`);
  const removeStmt = db.prepare<[string]>('DELETE FROM numbers WHERE did = ?');

  return {
    get: (did) => {
      const r = getStmt.get(did);
      return r && toModel(r);
    },
    list: () => listStmt.all().map(toModel),
    upsert: (n) => {
      try {
        upsertStmt.run({
          did: n.did,
          kind: n.kind,
          queue: n.queue,
          callback_enabled: n.callbackEnabled ? 1 : 0,
          callback_language: n.callbackLanguage,
          callback_greeting: n.callbackGreeting,
          confirmation_greeting: n.confirmationGreeting,
          outbound_trunk: n.outboundTrunk,
          allowed_countries: n.allowedCountries ?? null,
          outbound_caller_id: n.outboundCallerId ?? null,
        });
      } catch (err) {
        // Typical causes: digital number with callbacks enabled, or a queue that is not configured.
        rethrowConstraint(err, `number ${n.did} (kind ${n.kind}, queue ${n.queue})`);
      }
    },
    remove: (did) => removeStmt.run(did).changes > 0,
  };
}
