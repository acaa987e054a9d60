// Rows → the domain model where both adapters' tables have the same columns and column types (legs,
// tickets, the ticket outbox, the callback report): one mapping for SQLite and PostgreSQL, so the two
// cannot drift apart. (Booleans and JSON differ per engine: those mappings stay with each adapter.)
import type { CallbackRow, OutboxItem, OutboxKind, TicketSinkName } from '../app/ports';
import type { EntryState, Leg, LegRole, Ticket, TicketReason } from '../domain/model';

export interface LegRow {
  id: string;
  entry_id: string;
  role: LegRole;
  agent_id: string | null;
  state: Leg['state'];
  bridge_id: string | null;
  created_at: number;
  answered_at: number | null;
  ended_at: number | null;
  cause: string | null;
}

export const legFromRow = (r: LegRow): Leg => ({
  id: r.id,
  entryId: r.entry_id,
  role: r.role,
  agentId: r.agent_id,
  state: r.state,
  bridgeId: r.bridge_id,
  createdAt: r.created_at,
  answeredAt: r.answered_at,
  endedAt: r.ended_at,
  cause: r.cause,
});

export interface TicketRow {
  id: number;
  subject: string;
  requester: string;
  reason: TicketReason;
  queue: string | null;
  did: string | null;
  entry_id: string | null;
  agent_id: string | null;
  waited_seconds: number | null;
  created_at: number;
}

export const ticketFromRow = (r: TicketRow): Ticket => ({
  id: r.id,
  subject: r.subject,
  requester: r.requester,
  reason: r.reason,
  queue: r.queue,
  did: r.did,
  entryId: r.entry_id,
  agentId: r.agent_id,
  waitedSeconds: r.waited_seconds,
  createdAt: r.created_at,
});

export interface OutboxRow {
  id: number;
  sink: TicketSinkName | null;
  kind: OutboxKind;
  ticket_id: number;
  payload: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
  dead_at: number | null;
}

export const outboxFromRow = (r: OutboxRow): OutboxItem => ({
  id: r.id,
  sink: r.sink,
  kind: r.kind,
  ticketId: r.ticket_id,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
  deadAt: r.dead_at,
});

export interface CallbackDbRow {
  id: string;
  queue: string;
  did: string;
  state: EntryState;
  callback_number: string;
  entered_at: number;
  requested_at: number;
  language: string | null;
  attempts: number;
  agent_id: string | null;
  agent_call_started_at: number | null;
  ticket_id: number | null;
  closed_at: number | null;
  outcome: string | null;
}

export const callbackFromRow = (r: CallbackDbRow): CallbackRow => ({
  id: r.id,
  queue: r.queue,
  did: r.did,
  state: r.state,
  callbackNumber: r.callback_number,
  enteredAt: r.entered_at,
  requestedAt: r.requested_at,
  language: r.language,
  attempts: r.attempts,
  agentId: r.agent_id,
  agentCallStartedAt: r.agent_call_started_at,
  ticketId: r.ticket_id,
  closedAt: r.closed_at,
  outcome: r.outcome,
});
