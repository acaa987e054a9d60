// Read-only figures and listings for supervisors and operations: the CLI (`stats`, `callbacks list`),
// /metrics and the web console. Nothing here changes what the call flows see.
import type { AgentState, EntryState, Millis, Ticket } from '../../domain/model';
import type { StatsInput } from '../../domain/stats';

/** One callback as the CLI and the console list it. */
export interface CallbackRow {
  id: string;
  queue: string;
  did: string;
  state: EntryState;
  callbackNumber: string;
  enteredAt: Millis;
  requestedAt: Millis;
  language: string | null;
  attempts: number;
  agentId: string | null;
  agentCallStartedAt: Millis | null;
  ticketId: number | null;
  closedAt: Millis | null;
  outcome: string | null;
}

export interface CallbackFilter {
  /** Also closed callbacks (requested at or after `since`); default only open ones. */
  all?: boolean;
  since?: Millis;
  queue?: string;
}

export interface TicketFilter {
  since?: Millis;
  limit?: number;
}

export interface OutboxCounts {
  /** Undelivered items (waiting for their first attempt or for a retry). */
  pending: number;
  /** Of those, items whose last delivery attempt failed; they are retried with backoff. */
  failed: number;
}

export interface ReportStore {
  /** Everything computeStats (domain/stats.ts) needs for the period [since, now], per queue or all. */
  statsInput(now: Millis, since: Millis, queue?: string): Promise<StatsInput>;
  callbacks(filter?: CallbackFilter): Promise<CallbackRow[]>;
  /** Tickets, newest first. */
  tickets(filter?: TicketFilter): Promise<Ticket[]>;
  outboxCounts(): Promise<OutboxCounts>;
  /** Every agent state with its count, zeros included, so a dashboard sees a state drop to 0. */
  agentsByState(): Promise<Record<AgentState, number>>;
}
