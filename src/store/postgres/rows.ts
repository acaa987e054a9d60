// PostgreSQL rows → the domain model. Column names are the SQLite adapter's; BIGINT arrives as a
// number (connect.ts), booleans as booleans.
import { entryFromRow } from '../sqlite/entries-repo';
import type { Agent, AgentState, Greeting, GreetingKind, NumberConfig, NumberKind, QueueConfig, TicketComment } from '../../domain/model';

// queue_entries has the same columns and types in both adapters: one mapping for both.
export { entryFromRow };
export type EntryRow = Parameters<typeof entryFromRow>[0];

export interface NumberRow {
  did: string;
  kind: NumberKind;
  queue: string;
  callback_enabled: boolean;
  callback_language: string | null;
  callback_greeting: string | null;
  confirmation_greeting: string | null;
  outbound_trunk: string | null;
  allowed_countries: string | null;
  outbound_caller_id: string | null;
}

export const numberFromRow = (r: NumberRow): NumberConfig => ({
  did: r.did,
  kind: r.kind,
  queue: r.queue,
  callbackEnabled: r.callback_enabled,
  callbackLanguage: r.callback_language,
  callbackGreeting: r.callback_greeting,
  confirmationGreeting: r.confirmation_greeting,
  outboundTrunk: r.outbound_trunk,
  allowedCountries: r.allowed_countries,
  outboundCallerId: r.outbound_caller_id,
});

export interface QueueRow {
  name: string;
  max_wait_seconds: number | null;
  overflow: string;
  moh_class: string;
}

export const queueFromRow = (r: QueueRow): QueueConfig => ({
  name: r.name,
  maxWaitSeconds: r.max_wait_seconds,
  overflow: r.overflow,
  mohClass: r.moh_class,
});

export interface GreetingRow {
  name: string;
  language: string;
  kind: GreetingKind;
  sound: string;
}

export const greetingFromRow = (r: GreetingRow): Greeting => ({ name: r.name, kind: r.kind, language: r.language, sound: r.sound });

export interface AgentRow {
  id: string;
  name: string;
  endpoint: string;
  state: AgentState;
  state_since: number;
  idle_since: number | null;
  missed: number;
  online: boolean;
}

export const agentFromRow = (r: AgentRow, queues: string[]): Agent => ({
  id: r.id,
  name: r.name,
  endpoint: r.endpoint,
  queues,
  state: r.state,
  stateSince: r.state_since,
  idleSince: r.idle_since,
  missed: r.missed,
  online: r.online,
});

export interface CommentRow {
  id: number;
  ticket_id: number;
  body: string;
  internal: boolean;
  created_at: number;
}

export const commentFromRow = (r: CommentRow): TicketComment => ({
  id: r.id,
  ticketId: r.ticket_id,
  body: r.body,
  internal: r.internal,
  createdAt: r.created_at,
});

export { legFromRow, outboxFromRow, ticketFromRow, type LegRow, type OutboxRow, type TicketRow } from '../shared-rows';
