// PostgreSQL rows → the domain model. Column names are the SQLite adapter's; BIGINT arrives as a
// number (connect.ts), booleans as booleans.
import type { OutboxItem, OutboxKind, TicketSinkName } from '../../app/ports';
import { entryFromRow } from '../sqlite/entries-repo';
import type {
  Agent,
  AgentState,
  Greeting,
  GreetingKind,
  Leg,
  LegRole,
  NumberConfig,
  NumberKind,
  QueueConfig,
  Ticket,
  TicketComment,
  TicketReason,
} from '../../domain/model';

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
