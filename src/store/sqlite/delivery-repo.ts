// Business transitions of dispatch and delivery, each ONE IMMEDIATE transaction over entries, agents,
// legs and tickets (a cancel from the CLI, an expiry sweep or a second daemon can never land between
// "still offered?" and "dialing"). Whether the entry may move is the lifecycle machine's decision
// (domain/queue/entry-lifecycle.ts), asked inside the transaction on the row as it is now; a refused
// move leaves the entry as it is (false / null / no-op, as the port says), while the legs and the agent
// still follow what happened on the line. The repos' SQL guards stay underneath as belt and braces.
import type { NewTicket } from '../../app/ports';
import type { AgentRules } from '../../domain/agent/agent-state';
import type { AgentEvent, LegRole, Millis, QueueEntry, Ticket } from '../../domain/model';
import { nextEntryState, type EntryEvent, type EntryTransition } from '../../domain/queue/entry-lifecycle';
import type { Db } from './db';
import type { AgentsRepo, EntriesRepo, LegsRepo, NewLegRow, TicketsRepo } from './repos';

export interface DeliveryRepo {
  offer(entry: QueueEntry, agentId: string, leg: NewLegRow, rules: AgentRules): boolean;
  acceptCallback(entryId: string, agentId: string, ticket: NewTicket, rules: AgentRules): Ticket | null;
  customerDialStarting(leg: NewLegRow): void;
  customerDialEnded(entryId: string, legId: string, at: Millis, cause: string, counted: boolean): number;
  connected(
    entryId: string,
    legs: Array<{ id: string; role: LegRole }>,
    bridgeId: string,
    agentId: string,
    at: Millis,
    rules: AgentRules,
  ): void;
  conversationEnded(entryId: string, agentId: string, at: Millis, cause: string, rules: AgentRules, comment?: string | null): void;
  returnToQueue(entryId: string, agentId: string, at: Millis, agentEvent: AgentEvent, cause: string, rules: AgentRules): void;
  finishUnanswered(entryId: string, agentId: string, at: Millis, detail: string, comment: string | null, rules: AgentRules): void;
  returnAfterFault(entryId: string, agentId: string | null, at: Millis, cause: string, rules: AgentRules): void;
  expire(entryId: string, ticket: NewTicket, at: Millis, outcome: string): Ticket | null;
}

/** Thrown inside a transaction to roll it back when a precondition no longer holds. */
class Refused extends Error {}

export function createDeliveryRepo(
  db: Db,
  repos: { entries: EntriesRepo; agents: AgentsRepo; legs: LegsRepo; tickets: TicketsRepo },
): DeliveryRepo {
  const { entries, agents, legs, tickets } = repos;
  /** The machine's answer for the entry as it is in the database right now. */
  const ask = (entryId: string, event: EntryEvent) => nextEntryState(entries.get(entryId), event);
  /** When another agent holds the entry now, only `agentId`'s own legs may be ended (endAllOf's filter). */
  const anotherAgents = (answer: EntryTransition, agentId: string): [] | [string] =>
    !answer.ok && answer.reason === 'held-by-another-agent' ? [agentId] : [];

  const offerTx = db.transaction((entry: QueueEntry, agentId: string, leg: NewLegRow, rules: AgentRules) => {
    // The caller's snapshot may be stale: the decision is taken on the row as it is now, and a caller
    // who became a callback meanwhile is not offered as the live caller the dispatcher saw.
    const offer = ask(entry.id, { type: 'offer', agentId });
    if (!offer.ok || offer.kind !== entry.kind) throw new Refused();
    if (offer.kind === 'callback' && !entries.markOffered(entry.id, agentId, leg.at)) throw new Refused();
    if (!agents.apply(agentId, { type: 'ringing' }, leg.at, rules)?.changed) throw new Refused();
    legs.insert(leg);
  });

  const acceptTx = db.transaction((entryId: string, agentId: string, t: NewTicket, rules: AgentRules): Ticket | null => {
    if (!ask(entryId, { type: 'accept', agentId }).ok) return null;
    const ticket = tickets.create(t);
    if (!entries.markDialing(entryId, { at: t.createdAt, agentId, ticketId: ticket.id })) throw new Refused();
    agents.apply(agentId, { type: 'answered' }, t.createdAt, rules);
    return ticket;
  });

  const dialEndedTx = db.transaction((entryId: string, legId: string, at: Millis, cause: string, counted: boolean) => {
    // A dial counts once, when its leg ends: the same end reported twice, or a leg a fault return
    // already ended, does not count again (nor against the slot's next execution).
    const ended = legs.ended(legId, at, cause);
    // Only a slot whose customer is being dialled counts attempts (a late hang-up of a slot returned
    // meanwhile does not use up its tries).
    const attempt = ask(entryId, { type: 'attempt', counted });
    if (ended && attempt.ok && counted) return entries.countAttempt(entryId, at);
    return entries.get(entryId)?.attempts ?? 0;
  });

  const connectedTx = db.transaction(
    (entryId: string, bridged: Array<{ id: string; role: LegRole }>, bridgeId: string, agentId: string, at: Millis, rules: AgentRules) => {
      const entry = entries.get(entryId);
      if (!entry) return;
      const connect = nextEntryState(entry, { type: 'connect', agentId });
      if (connect.ok && entry.kind === 'callback') {
        entries.countAttempt(entryId, at);
        entries.close(entryId, 'done', at, `connected by agent ${agentId}`);
      } else if (connect.ok) {
        entries.close(entryId, 'done', at, `connected to agent ${agentId}`);
      }
      for (const leg of bridged) {
        if (leg.role === 'caller') legs.insert({ id: leg.id, entryId, role: 'caller', agentId: null, at });
        legs.up(leg.id, at, bridgeId);
      }
      agents.apply(agentId, { type: 'answered' }, at, rules);
    },
  );

  const returnTx = db.transaction(
    (entryId: string, agentId: string, at: Millis, agentEvent: AgentEvent, cause: string, rules: AgentRules) => {
      // A live caller's return keeps it waiting: nothing to write for the entry. A late return by an agent
      // who no longer holds the slot ends only that agent's legs; the current offer goes on.
      const back = ask(entryId, { type: 'return', agentId });
      if (back.ok && back.kind === 'callback') entries.returnToQueue(entryId, at);
      legs.endAllOf(entryId, at, cause, ...anotherAgents(back, agentId));
      agents.apply(agentId, agentEvent, at, rules);
    },
  );

  const commentOn = (entryId: string, body: string, at: Millis): void => {
    const ticketId = entries.get(entryId)?.ticketId;
    if (ticketId != null) tickets.addComment(ticketId, body, at, true);
  };

  const conversationEndedTx = db.transaction(
    (entryId: string, agentId: string, at: Millis, cause: string, rules: AgentRules, comment: string | null) => {
      legs.endAllOf(entryId, at, cause);
      if (comment !== null) commentOn(entryId, comment, at);
      agents.apply(agentId, { type: 'call-ended' }, at, rules);
    },
  );

  const unansweredTx = db.transaction(
    (entryId: string, agentId: string, at: Millis, detail: string, comment: string | null, rules: AgentRules) => {
      // A late end of an execution that is no longer this agent's touches only this agent's legs.
      const finish = ask(entryId, { type: 'finish', outcome: 'unanswered', agentId });
      if (finish.ok) entries.close(entryId, 'unanswered', at, detail);
      if (comment !== null) commentOn(entryId, comment, at);
      legs.endAllOf(entryId, at, detail, ...anotherAgents(finish, agentId));
      agents.apply(agentId, { type: 'call-ended' }, at, rules);
    },
  );

  const faultTx = db.transaction((entryId: string, agentId: string | null, at: Millis, cause: string, rules: AgentRules) => {
    const back = ask(entryId, agentId === null ? { type: 'return' } : { type: 'return', agentId });
    const returned = back.ok && back.kind === 'callback' && entries.returnToQueue(entryId, at);
    legs.endAllOf(entryId, at, cause, ...(agentId === null ? [] : anotherAgents(back, agentId)));
    if (agentId !== null) agents.apply(agentId, { type: 'released' }, at, rules);
    if (returned) commentOn(entryId, `callback interrupted (${cause}); the request is back in the queue at its place`, at);
  });

  const expireTx = db.transaction((entryId: string, t: NewTicket, at: Millis, outcome: string): Ticket | null => {
    // Exactly once: a second sweep (or another node) finds it expired and the machine refuses.
    if (!ask(entryId, { type: 'expire' }).ok) return null;
    const ticket = tickets.create(t);
    if (!entries.close(entryId, 'expired', at, outcome)) throw new Refused();
    entries.linkTicket(entryId, ticket.id);
    return ticket;
  });

  return {
    offer: (entry, agentId, leg, rules) => {
      try {
        offerTx.immediate(entry, agentId, leg, rules);
        return true;
      } catch (err) {
        if (err instanceof Refused) return false;
        throw err;
      }
    },
    acceptCallback: (entryId, agentId, ticket, rules) => {
      try {
        return acceptTx.immediate(entryId, agentId, ticket, rules);
      } catch (err) {
        if (err instanceof Refused) return null;
        throw err;
      }
    },
    customerDialStarting: (leg) => legs.insert(leg),
    customerDialEnded: (entryId, legId, at, cause, counted) => dialEndedTx.immediate(entryId, legId, at, cause, counted),
    connected: (entryId, bridged, bridgeId, agentId, at, rules) => connectedTx.immediate(entryId, bridged, bridgeId, agentId, at, rules),
    conversationEnded: (entryId, agentId, at, cause, rules, comment) =>
      conversationEndedTx.immediate(entryId, agentId, at, cause, rules, comment ?? null),
    returnToQueue: (entryId, agentId, at, agentEvent, cause, rules) => returnTx.immediate(entryId, agentId, at, agentEvent, cause, rules),
    finishUnanswered: (entryId, agentId, at, detail, comment, rules) =>
      unansweredTx.immediate(entryId, agentId, at, detail, comment, rules),
    returnAfterFault: (entryId, agentId, at, cause, rules) => faultTx.immediate(entryId, agentId, at, cause, rules),
    expire: (entryId, ticket, at, outcome) => {
      try {
        return expireTx.immediate(entryId, ticket, at, outcome);
      } catch (err) {
        if (err instanceof Refused) return null;
        throw err;
      }
    },
  };
}
