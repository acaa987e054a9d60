// The SQLite adapter's own synchronous API, table by table. The admin CLI (a short-lived process)
// and the tests use it directly; the daemon sees only the async Store port (src/app/ports.ts), which
// sqlite-app-store.ts builds on these repos with the database's lock handled off the event loop.
import type { CallbackOutcome, CallbackRequest, CancelOutcome, LiveEnd, NewLiveEntry, NewTicket } from '../../app/ports';
import type { NewAgent } from '../../app/store-ports/admin-store';
import type { AgentRules } from '../../domain/agent/agent-state';
import type {
  Agent,
  AgentEvent,
  AgentState,
  EntryState,
  Greeting,
  Leg,
  LegRole,
  Millis,
  NumberConfig,
  QueueConfig,
  QueueEntry,
  Ticket,
  TicketComment,
} from '../../domain/model';

export type { NewTicket } from '../../app/ports';

export interface NumbersRepo {
  get(did: string): NumberConfig | undefined;
  list(): NumberConfig[];
  upsert(n: NumberConfig): void;
  remove(did: string): boolean;
}

export interface GreetingsRepo {
  get(name: string, language: string): Greeting | undefined;
  /** Languages a greeting exists in. */
  languages(name: string): string[];
  list(): Greeting[];
  upsert(g: Greeting): void;
  remove(name: string, language?: string): number;
}

export interface QueuesRepo {
  get(name: string): QueueConfig | undefined;
  list(): QueueConfig[];
  upsert(q: QueueConfig): void;
}

export interface SettingsRepo {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

export interface EntriesRepo {
  addLive(e: NewLiveEntry): QueueEntry;
  get(id: string): QueueEntry | undefined;
  /** The latest entry of a caller's channel, open or not. */
  byChannel(channelId: string): QueueEntry | undefined;
  /** A live caller left the queue without a callback (hung up, overflow). No-op if not waiting. */
  leave(id: string, at: Millis, why?: LiveEnd): void;
  /** Durably (synchronous=FULL) turns a live entry into a callback slot, merges it into the open
   *  callback for the same number and queue, or refuses it under the rate limit. Atomic. */
  requestCallback(req: CallbackRequest): CallbackOutcome;
  /** Open entries (live waiting + callback pending/offered/dialing) of a queue, oldest place first. */
  open(queue: string): QueueEntry[];
  /** Open entries of every queue, oldest place first. */
  openAll(): QueueEntry[];
  /** 1-based place among the open entries of its queue; undefined if not open. */
  position(id: string): number | undefined;
  // The single-row writes below are SQL-guarded building blocks of the business transactions in
  // delivery-repo.ts, which ask the lifecycle machine (domain/queue/entry-lifecycle.ts) before calling
  // them; on their own they are for tests and fixtures.
  /** A callback slot is being offered to an agent (pending → offered). False if it was not pending. */
  markOffered(id: string, agentId: string, at: Millis): boolean;
  /** Declined / not answered / interrupted: the slot goes back to pending at its original place. */
  returnToQueue(id: string, at: Millis): boolean;
  /** The agent pressed Call: the customer is being dialled (offered → dialing). False if the slot is
   *  no longer offered (cancelled or expired meanwhile). */
  markDialing(id: string, change: { at: Millis; agentId: string; ticketId: number }): boolean;
  /** Ends an entry: a live caller connected to an agent or a callback done/unanswered/expired/cancelled. */
  close(
    id: string,
    state: Extract<EntryState, 'done' | 'unanswered' | 'expired' | 'cancelled' | 'left'>,
    at: Millis,
    outcome?: string,
  ): boolean;
  /** Counts one more dial attempt of a callback; returns the new count. */
  countAttempt(id: string, at: Millis): number;
  /** Links a closed or open slot to its ticket. */
  linkTicket(id: string, ticketId: number): void;
  /** Live entries still marked waiting (for restart recovery). */
  waitingLive(): QueueEntry[];
  /** Cancels a pending callback (read, ask the lifecycle machine, close: one IMMEDIATE transaction);
   *  any other state is refused with the machine's reason and message. */
  cancelCallback(id: string, at: Millis, by: string): CancelOutcome;
}

export type { NewAgent } from '../../app/store-ports/admin-store';

export interface AgentsRepo {
  get(id: string): Agent | undefined;
  byEndpoint(endpoint: string): Agent | undefined;
  list(): Agent[];
  add(agent: NewAgent, at: Millis): Agent;
  update(id: string, change: { name?: string; endpoint?: string; queues?: string[] }): Agent;
  remove(id: string): boolean;
  /** Applies an agent event by the shared rules (one transaction); the agent afterwards, and whether it
   *  changed. Undefined when the agent does not exist. */
  apply(id: string, event: AgentEvent, at: Millis, rules: AgentRules): { agent: Agent; changed: boolean; reason?: string } | undefined;
  /** Low-level state write for tests and fixtures; the daemon and the CLI use apply(). */
  setState(id: string, state: AgentState, at: Millis, missed?: number): void;
  /** Returns true when it changed. */
  setOnline(endpoint: string, online: boolean): boolean;
}

export interface TicketsRepo {
  /** Creates the ticket (and its outbox row when external delivery is on), idempotent per entry and
   *  reason: a second call for the same entry/reason returns the existing ticket. */
  create(t: NewTicket): Ticket;
  addComment(ticketId: number, body: string, at: Millis, internal?: boolean): TicketComment;
  get(id: number): Ticket | undefined;
  comments(ticketId: number): TicketComment[];
  list(filter?: { since?: Millis; limit?: number }): Ticket[];
}

export interface NewLegRow {
  id: string;
  entryId: string;
  role: LegRole;
  agentId: string | null;
  at: Millis;
}

export interface LegsRepo {
  insert(leg: NewLegRow): void;
  get(id: string): Leg | undefined;
  up(id: string, at: Millis, bridgeId?: string): void;
  ended(id: string, at: Millis, cause: string): boolean;
  /** Ends every open leg of an entry (the call is over), or only those of `agentId`; returns how many. */
  endAllOf(entryId: string, at: Millis, cause: string, agentId?: string): number;
  open(): Leg[];
  ofEntry(entryId: string): Leg[];
}
