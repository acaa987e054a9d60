// Business transitions of dispatch and delivery, each ONE IMMEDIATE transaction over entries, agents,
// legs and tickets (a cancel from the CLI, an expiry sweep or a second daemon can never land between
// "still offered?" and "dialing"). Preconditions are checked inside; a transition whose world moved on
// writes nothing and says so.
import type { NewTicket } from '../../app/ports';
import type { AgentRules } from '../../domain/agent/agent-state';
import type { AgentEvent, LegRole, Millis, QueueEntry, Ticket } from '../../domain/model';
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

  const offerTx = db.transaction((entry: QueueEntry, agentId: string, leg: NewLegRow, rules: AgentRules) => {
    if (entry.kind === 'callback') {
      if (!entries.markOffered(entry.id, agentId, leg.at)) throw new Refused();
    } else if (entries.get(entry.id)?.state !== 'waiting') {
      throw new Refused();
    }
    if (!agents.apply(agentId, { type: 'ringing' }, leg.at, rules)?.changed) throw new Refused();
    legs.insert(leg);
  });

  const acceptTx = db.transaction((entryId: string, agentId: string, t: NewTicket, rules: AgentRules): Ticket | null => {
    const entry = entries.get(entryId);
    if (entry?.state !== 'offered' || entry.agentId !== agentId) return null;
    const ticket = tickets.create(t);
    if (!entries.markDialing(entryId, { at: t.createdAt, agentId, ticketId: ticket.id })) throw new Refused();
    agents.apply(agentId, { type: 'answered' }, t.createdAt, rules);
    return ticket;
  });

  const dialEndedTx = db.transaction((entryId: string, legId: string, at: Millis, cause: string, counted: boolean) => {
    legs.ended(legId, at, cause);
    return counted ? entries.countAttempt(entryId, at) : (entries.get(entryId)?.attempts ?? 0);
  });

  const connectedTx = db.transaction(
    (entryId: string, bridged: Array<{ id: string; role: LegRole }>, bridgeId: string, agentId: string, at: Millis, rules: AgentRules) => {
      const entry = entries.get(entryId);
      if (!entry) return;
      if (entry.kind === 'callback') {
        entries.countAttempt(entryId, at);
        entries.close(entryId, 'done', at, `connected by agent ${agentId}`);
      } else {
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
      entries.returnToQueue(entryId, at);
      legs.endAllOf(entryId, at, cause);
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
      entries.close(entryId, 'unanswered', at, detail);
      if (comment !== null) commentOn(entryId, comment, at);
      legs.endAllOf(entryId, at, detail);
      agents.apply(agentId, { type: 'call-ended' }, at, rules);
    },
  );

  const faultTx = db.transaction((entryId: string, agentId: string | null, at: Millis, cause: string, rules: AgentRules) => {
    const returned = entries.returnToQueue(entryId, at);
    legs.endAllOf(entryId, at, cause);
    if (agentId !== null) agents.apply(agentId, { type: 'released' }, at, rules);
    if (returned) commentOn(entryId, `callback interrupted (${cause}); the request is back in the queue at its place`, at);
  });

  const expireTx = db.transaction((entryId: string, t: NewTicket, at: Millis, outcome: string): Ticket | null => {
    const entry = entries.get(entryId);
    if (entry?.kind !== 'callback' || entry.state !== 'pending') return null;
    const ticket = tickets.create(t);
    entries.close(entryId, 'expired', at, outcome);
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
    expire: (entryId, ticket, at, outcome) => expireTx.immediate(entryId, ticket, at, outcome),
  };
}
