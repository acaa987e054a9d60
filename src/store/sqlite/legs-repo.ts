// Channels the daemon dialled or bridged (table `legs`, migration 004). A row is written before the
// channel exists, under the channel id we chose, so after a restart the daemon can ask Asterisk which
// of its legs are still alive and re-adopt or end them instead of dialling again.
import { legFromRow, type LegRow } from '../shared-rows';
import type { LegRole, Millis } from '../../domain/model';
import type { Db } from './db';
import { rethrowConstraint } from './errors';
import type { LegsRepo, NewLegRow } from './repos';

export function createLegsRepo(db: Db): LegsRepo {
  const insertStmt = db.prepare<[{ id: string; entry_id: string; role: LegRole; agent_id: string | null; at: Millis }]>(`
    INSERT INTO legs (id, entry_id, role, agent_id, state, created_at) VALUES (@id, @entry_id, @role, @agent_id, 'dialing', @at)`);
  // A caller's own channel is recorded when it is bridged; it may already have a row from a first try.
  const insertUpStmt = db.prepare<[{ id: string; entry_id: string; role: LegRole; agent_id: string | null; at: Millis }]>(`
    INSERT INTO legs (id, entry_id, role, agent_id, state, created_at, answered_at) VALUES (@id, @entry_id, @role, @agent_id, 'up', @at, @at)
    ON CONFLICT (id) DO NOTHING`);
  const getStmt = db.prepare<[string], LegRow>('SELECT * FROM legs WHERE id = ?');
  const upStmt = db.prepare<[{ id: string; at: Millis; bridge_id: string | null }]>(`
    UPDATE legs SET state = 'up', answered_at = coalesce(answered_at, @at), bridge_id = coalesce(@bridge_id, bridge_id)
    WHERE id = @id AND state <> 'ended'`);
  const endStmt = db.prepare<[{ id: string; at: Millis; cause: string }]>(`
    UPDATE legs SET state = 'ended', ended_at = @at, cause = @cause WHERE id = @id AND state <> 'ended'`);
  const endAllStmt = db.prepare<[{ entry_id: string; at: Millis; cause: string }]>(`
    UPDATE legs SET state = 'ended', ended_at = @at, cause = @cause WHERE entry_id = @entry_id AND state <> 'ended'`);
  const endAgentsStmt = db.prepare<[{ entry_id: string; agent_id: string; at: Millis; cause: string }]>(`
    UPDATE legs SET state = 'ended', ended_at = @at, cause = @cause
    WHERE entry_id = @entry_id AND agent_id = @agent_id AND state <> 'ended'`);
  const openStmt = db.prepare<[], LegRow>(`SELECT * FROM legs WHERE state <> 'ended' ORDER BY created_at, id`);
  const ofEntryStmt = db.prepare<[string], LegRow>('SELECT * FROM legs WHERE entry_id = ? ORDER BY created_at, id');

  return {
    insert: (leg: NewLegRow) => {
      const row = { id: leg.id, entry_id: leg.entryId, role: leg.role, agent_id: leg.agentId, at: leg.at };
      try {
        if (leg.role === 'caller') insertUpStmt.run(row);
        else insertStmt.run(row);
      } catch (err) {
        rethrowConstraint(err, `leg ${leg.id} (${leg.role}) of entry ${leg.entryId}`);
      }
    },
    get: (id) => {
      const r = getStmt.get(id);
      return r && legFromRow(r);
    },
    up: (id, at, bridgeId) => {
      upStmt.run({ id, at, bridge_id: bridgeId ?? null });
    },
    ended: (id, at, cause) => endStmt.run({ id, at, cause }).changes > 0,
    endAllOf: (entryId, at, cause, agentId) =>
      agentId === undefined
        ? endAllStmt.run({ entry_id: entryId, at, cause }).changes
        : endAgentsStmt.run({ entry_id: entryId, agent_id: agentId, at, cause }).changes,
    open: () => openStmt.all().map(legFromRow),
    ofEntry: (entryId) => ofEntryStmt.all(entryId).map(legFromRow),
  };
}
