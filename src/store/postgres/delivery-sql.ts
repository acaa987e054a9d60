// Business transitions of dispatch, delivery and expiry, each ONE transaction over entries, agents,
// legs and tickets, mirroring src/store/sqlite/delivery-repo.ts verb by verb. Where SQLite relies on
// its single writer, the entry row is locked FOR UPDATE first (then the agent row, always in that
// order, so two transitions cannot deadlock): a cancel from the CLI, an expiry sweep or another node
// can never land between "still offered?" and "dialing". Whether the entry may move is the lifecycle
// machine's decision (domain/queue/entry-lifecycle.ts) on the locked row, as in SQLite; a refused move
// leaves the entry as it is while the legs and the agent still follow what happened on the line.
import type { DeliveryStore, ExpiryStore, NewTicket } from '../../app/ports';
import type { AgentRules } from '../../domain/agent/agent-state';
import type { AgentEvent, Millis, Ticket } from '../../domain/model';
import { nextEntryState, type EntryEvent, type EntryTransition } from '../../domain/queue/entry-lifecycle';
import { applyAgentIn, listAgentsIn } from './agents-sql';
import { Rollback, type PgDb, type Q } from './db';
import { OPEN_SQL, closeEntryIn, entryIn } from './entries-sql';
import { endAllLegsIn, insertLegIn, legEndedIn, legUpIn } from './legs-sql';
import { entryFromRow, legFromRow, type EntryRow, type LegRow } from './rows';
import type { TicketWriter } from './tickets-sql';

/** States of a callback that is handed to an agent right now. */
const IN_FLIGHT_SQL = `('offered', 'dialing')`;

export function deliveryStores(db: PgDb, tickets: TicketWriter): { delivery: DeliveryStore; expiry: ExpiryStore } {
  const returnToQueueIn = async (q: Q, id: string, at: Millis): Promise<boolean> => {
    const n = await q.run(
      `UPDATE queue_entries SET state = 'pending', agent_id = NULL, updated_at = $2 WHERE id = $1 AND state IN ${IN_FLIGHT_SQL}`,
      [id, at],
    );
    if (n > 0) q.touched('entries');
    return n > 0;
  };
  const countAttemptIn = async (q: Q, id: string, at: Millis): Promise<number> =>
    (
      await q.one<{ attempts: number }>(
        'UPDATE queue_entries SET attempts = attempts + 1, updated_at = $2 WHERE id = $1 RETURNING attempts',
        [id, at],
      )
    )?.attempts ?? 0;
  const commentOn = async (q: Q, entryId: string, body: string, at: Millis): Promise<void> => {
    const ticketId = (await entryIn(q, entryId))?.ticketId;
    if (ticketId != null) await tickets.addComment(q, ticketId, body, at, true);
  };
  const lockEntry = (q: Q, id: string) => entryIn(q, id, true);
  /** Locks the entry row and asks the machine about it as it is now. */
  const ask = async (q: Q, entryId: string, event: EntryEvent): Promise<EntryTransition> =>
    nextEntryState(await lockEntry(q, entryId), event);
  /** When another agent holds the entry now, only `agentId`'s own legs may be ended. */
  const onlyLegsOf = (answer: EntryTransition, agentId: string): string | undefined =>
    !answer.ok && answer.reason === 'held-by-another-agent' ? agentId : undefined;

  const delivery: DeliveryStore = {
    snapshot: (wantEntries) =>
      db.snapshot('dispatch snapshot', async (q) => {
        const agents = await listAgentsIn(q);
        const entries = wantEntries(agents)
          ? (await q.rows<EntryRow>(`SELECT * FROM queue_entries WHERE state IN ${OPEN_SQL} ORDER BY entered_at, id`)).map(entryFromRow)
          : [];
        return { agents, entries };
      }),
    offer: (entry, agentId, leg, rules) =>
      db.tx(`offer of entry ${entry.id}`, async (q) => {
        // The dispatcher's snapshot may be stale: a caller who became a callback meanwhile is not
        // offered as the live caller it saw.
        const offer = await ask(q, entry.id, { type: 'offer', agentId });
        if (!offer.ok || offer.kind !== entry.kind) throw new Rollback(false);
        if (offer.kind === 'callback') {
          await q.run(`UPDATE queue_entries SET state = 'offered', agent_id = $2, updated_at = $3 WHERE id = $1 AND state = 'pending'`, [
            entry.id,
            agentId,
            leg.at,
          ]);
          q.touched('entries');
        }
        if (!(await applyAgentIn(q, agentId, { type: 'ringing' }, leg.at, rules))?.changed) throw new Rollback(false);
        await insertLegIn(q, leg);
        return true;
      }),
    legUp: (legId, at) => db.tx(`leg ${legId} up`, (q) => legUpIn(q, legId, at)),
    leg: (legId) =>
      db.read('leg', async (q) => {
        const r = await q.one<LegRow>('SELECT * FROM legs WHERE id = $1', [legId]);
        return r && legFromRow(r);
      }),
    legEnded: async (legId, at, cause) => {
      await db.tx(`leg ${legId} ended`, (q) => legEndedIn(q, legId, at, cause));
    },
    acceptCallback: (entryId, agentId, t, rules) =>
      db.tx(`accept of entry ${entryId}`, async (q): Promise<Ticket | null> => {
        if (!(await ask(q, entryId, { type: 'accept', agentId })).ok) return null;
        const ticket = await tickets.create(q, t);
        await q.run(
          `UPDATE queue_entries SET state = 'dialing', agent_id = $2, agent_call_started_at = $3, ticket_id = $4, updated_at = $3
         WHERE id = $1 AND state = 'offered'`,
          [entryId, agentId, t.createdAt, ticket.id],
        );
        q.touched('entries');
        await applyAgentIn(q, agentId, { type: 'answered' }, t.createdAt, rules);
        return ticket;
      }),
    customerDialStarting: (leg) => db.tx(`customer leg ${leg.id}`, (q) => insertLegIn(q, leg)),
    customerDialEnded: (entryId, legId, at, cause, counted) =>
      db.tx(`customer leg ${legId} ended`, async (q) => {
        // A dial counts once, when its leg ends (the same end reported twice, or a leg a fault return
        // already ended, does not count again), and only while the slot's customer is being dialled.
        const attempt = await ask(q, entryId, { type: 'attempt', counted });
        const ended = await legEndedIn(q, legId, at, cause);
        if (ended && attempt.ok && counted) return countAttemptIn(q, entryId, at);
        return (await entryIn(q, entryId))?.attempts ?? 0;
      }),
    connected: (entryId, bridged, bridgeId, agentId, at, rules) =>
      db.tx(`connection of entry ${entryId}`, async (q) => {
        const entry = await lockEntry(q, entryId);
        if (!entry) return;
        // Reported again (a re-adopted conversation): the machine refuses, nothing is counted twice.
        const connect = nextEntryState(entry, { type: 'connect', agentId });
        if (connect.ok && entry.kind === 'callback') {
          await countAttemptIn(q, entryId, at);
          await closeEntryIn(q, entryId, 'done', at, `connected by agent ${agentId}`);
        } else if (connect.ok) {
          await closeEntryIn(q, entryId, 'done', at, `connected to agent ${agentId}`);
        }
        for (const leg of bridged) {
          if (leg.role === 'caller') await insertLegIn(q, { id: leg.id, entryId, role: 'caller', agentId: null, at });
          await legUpIn(q, leg.id, at, bridgeId);
        }
        await applyAgentIn(q, agentId, { type: 'answered' }, at, rules);
      }),
    conversationEnded: (entryId, agentId, at, cause, rules, comment) =>
      db.tx(`end of the call of entry ${entryId}`, async (q) => {
        await lockEntry(q, entryId);
        await endAllLegsIn(q, entryId, at, cause);
        if (comment != null) await commentOn(q, entryId, comment, at);
        await applyAgentIn(q, agentId, { type: 'call-ended' }, at, rules);
      }),
    returnToQueue: (entryId, agentId, at, agentEvent: AgentEvent, cause, rules: AgentRules) =>
      db.tx(`return of entry ${entryId}`, async (q) => {
        // A live caller's return keeps it waiting; a late return by an agent who no longer holds the
        // slot ends only that agent's legs and the current offer goes on.
        const back = await ask(q, entryId, { type: 'return', agentId });
        if (back.ok && back.kind === 'callback') await returnToQueueIn(q, entryId, at);
        await endAllLegsIn(q, entryId, at, cause, onlyLegsOf(back, agentId));
        await applyAgentIn(q, agentId, agentEvent, at, rules);
      }),
    finishUnanswered: (entryId, agentId, at, detail, comment, rules) =>
      db.tx(`unanswered entry ${entryId}`, async (q) => {
        const finish = await ask(q, entryId, { type: 'finish', outcome: 'unanswered', agentId });
        if (finish.ok) await closeEntryIn(q, entryId, 'unanswered', at, detail);
        if (comment !== null) await commentOn(q, entryId, comment, at);
        await endAllLegsIn(q, entryId, at, detail, onlyLegsOf(finish, agentId));
        await applyAgentIn(q, agentId, { type: 'call-ended' }, at, rules);
      }),
    returnAfterFault: (entryId, agentId, at, cause, rules) =>
      db.tx(`return after fault of entry ${entryId}`, async (q) => {
        const back = await ask(q, entryId, agentId === null ? { type: 'return' } : { type: 'return', agentId });
        const returned = back.ok && back.kind === 'callback' && (await returnToQueueIn(q, entryId, at));
        await endAllLegsIn(q, entryId, at, cause, agentId === null ? undefined : onlyLegsOf(back, agentId));
        if (agentId !== null) await applyAgentIn(q, agentId, { type: 'released' }, at, rules);
        if (returned) await commentOn(q, entryId, `callback interrupted (${cause}); the request is back in the queue at its place`, at);
      }),
    openLegs: () =>
      db.read('open legs', async (q) =>
        (await q.rows<LegRow>(`SELECT * FROM legs WHERE state <> 'ended' ORDER BY created_at, id`)).map(legFromRow),
      ),
  };

  const expiry: ExpiryStore = {
    // 'pending' only: an offered or dialing slot is being executed right now and must not vanish.
    candidates: (cutoff) =>
      db.read('expiry candidates', async (q) =>
        (
          await q.rows<{ id: string; queue: string; did: string; callback_number: string; requested_at: number; language: string | null }>(
            `SELECT id, queue, did, callback_number, requested_at, language FROM queue_entries
           WHERE kind = 'callback' AND state = 'pending' AND requested_at <= $1 ORDER BY requested_at, id`,
            [cutoff],
          )
        ).map((r) => ({
          id: r.id,
          queue: r.queue,
          did: r.did,
          callbackNumber: r.callback_number,
          requestedAt: r.requested_at,
          language: r.language,
        })),
      ),
    expire: (entryId, t: NewTicket, at, outcome) =>
      db.tx(`expiry of entry ${entryId}`, async (q): Promise<Ticket | null> => {
        // Exactly once: a second sweep (or another node) finds it expired and the machine refuses.
        if (!(await ask(q, entryId, { type: 'expire' })).ok) return null;
        const ticket = await tickets.create(q, t);
        await closeEntryIn(q, entryId, 'expired', at, outcome);
        await q.run('UPDATE queue_entries SET ticket_id = $2 WHERE id = $1', [entryId, ticket.id]);
        return ticket;
      }),
  };
  return { delivery, expiry };
}
