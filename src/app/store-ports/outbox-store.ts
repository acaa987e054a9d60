// Deliveries of tickets and comments to external systems (webhook, Zendesk). Rows are written by the
// store in the same transaction as the ticket or comment (so nothing is sent that was not saved and
// nothing saved is never sent) and drained by src/tickets through these verbs.
import type { Millis } from '../../domain/model';

export type OutboxKind = 'ticket' | 'comment';

/** External systems tickets can be delivered to. */
export const TICKET_SINKS = ['webhook', 'zendesk'] as const;
export type TicketSinkName = (typeof TICKET_SINKS)[number];

export interface OutboxItem {
  id: number;
  /** null until the deliverer assigned the row to the configured sinks. */
  sink: TicketSinkName | null;
  kind: OutboxKind;
  ticketId: number;
  /** The JSON object written with the ticket or comment. */
  payload: Record<string, unknown>;
  /** Delivery attempts so far. */
  attempts: number;
  nextAttemptAt: Millis;
  lastError: string | null;
  createdAt: Millis;
  deliveredAt: Millis | null;
  /** Set when the receiver refused the row: it is not attempted again until retried. */
  deadAt: Millis | null;
}

/** An undelivered row as the CLI lists it. */
export interface OutboxEntry extends OutboxItem {
  /** An earlier undelivered row of the same ticket and sink this one waits for (comments follow their ticket). */
  blockedBy: number | null;
}

export interface OutboxStore {
  /** Gives every row written without a sink to each of `sinks` (the first keeps the row, the others
   *  get copies), in id order so a comment stays behind its ticket. Returns how many rows were assigned. */
  assign(sinks: readonly TicketSinkName[]): Promise<number>;
  /** Undelivered, not dead rows of the sink whose next attempt is due, oldest first. A row waits while
   *  an earlier row of the same ticket and sink is undelivered, so a comment never overtakes its ticket. */
  due(sink: TicketSinkName, now: Millis, limit: number): Promise<OutboxItem[]>;
  delivered(id: number, at: Millis): Promise<void>;
  failed(id: number, at: Millis, error: string, nextAttemptAt: Millis): Promise<void>;
  /** The receiver refused the row: no more attempts until retry(); the error is kept. */
  dead(id: number, at: Millis, error: string): Promise<void>;
  get(id: number): Promise<OutboxItem | undefined>;
  /** Undelivered rows (dead ones only with `dead`), oldest first. */
  list(filter?: { dead?: boolean }): Promise<OutboxEntry[]>;
  /** Makes an undelivered row (dead or waiting for its backoff) due at `now`. False if there is no
   *  such row (unknown or already delivered). */
  retry(id: number, now: Millis): Promise<boolean>;
  /** retry() for every dead row; returns them as they were before. */
  retryAllDead(now: Millis): Promise<OutboxItem[]>;
  /** Deletes rows delivered before `olderThan`; returns how many. */
  purgeDelivered(olderThan: Millis): Promise<number>;
  /** The sink's id of a local ticket (e.g. the Zendesk ticket id), if known. */
  externalId(ticketId: number, sink: TicketSinkName): Promise<string | undefined>;
  linkExternal(ticketId: number, sink: TicketSinkName, externalId: string, at: Millis): Promise<void>;
}
