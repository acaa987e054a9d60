// Channels the daemon dialled or bridged (legs). A row is written before the channel exists, under the
// channel id we chose, so after a restart the daemon can re-adopt or end what is still in flight.
import type { NewLeg } from '../../app/ports';
import type { Millis } from '../../domain/model';
import type { Q } from './db';

export async function insertLegIn(q: Q, leg: NewLeg): Promise<void> {
  // A caller's own channel is recorded when it is bridged; it may already have a row from a first try.
  if (leg.role === 'caller') {
    await q.run(
      `INSERT INTO legs (id, entry_id, role, agent_id, state, created_at, answered_at) VALUES ($1, $2, $3, $4, 'up', $5, $5)
       ON CONFLICT (id) DO NOTHING`,
      [leg.id, leg.entryId, leg.role, leg.agentId, leg.at],
    );
  } else {
    await q.run(`INSERT INTO legs (id, entry_id, role, agent_id, state, created_at) VALUES ($1, $2, $3, $4, 'dialing', $5)`, [
      leg.id,
      leg.entryId,
      leg.role,
      leg.agentId,
      leg.at,
    ]);
  }
}

export async function legUpIn(q: Q, id: string, at: Millis, bridgeId: string | null = null): Promise<void> {
  await q.run(
    `UPDATE legs SET state = 'up', answered_at = coalesce(answered_at, $2), bridge_id = coalesce($3, bridge_id)
     WHERE id = $1 AND state <> 'ended'`,
    [id, at, bridgeId],
  );
}

export async function legEndedIn(q: Q, id: string, at: Millis, cause: string): Promise<boolean> {
  return (
    (await q.run(`UPDATE legs SET state = 'ended', ended_at = $2, cause = $3 WHERE id = $1 AND state <> 'ended'`, [id, at, cause])) > 0
  );
}

/** Ends the entry's open legs; with `agentId`, only that agent's (a late report of an execution that is
 *  no longer theirs must not end the current one's legs). */
export async function endAllLegsIn(q: Q, entryId: string, at: Millis, cause: string, agentId?: string): Promise<number> {
  if (agentId === undefined) {
    return q.run(`UPDATE legs SET state = 'ended', ended_at = $2, cause = $3 WHERE entry_id = $1 AND state <> 'ended'`, [
      entryId,
      at,
      cause,
    ]);
  }
  return q.run(`UPDATE legs SET state = 'ended', ended_at = $2, cause = $3 WHERE entry_id = $1 AND agent_id = $4 AND state <> 'ended'`, [
    entryId,
    at,
    cause,
    agentId,
  ]);
}
