// The app layer's view of the outside world. src/store implements Store, src/ari implements Telephony,
// tests may substitute any of them. Keeping these narrow is what lets the call flows stay testable.
import type {
  Agent,
  AgentState,
  EntryState,
  Greeting,
  Millis,
  NumberConfig,
  QueueConfig,
  QueueEntry,
  Ticket,
  TicketComment,
} from '../domain/model';

export interface Clock {
  now(): Millis;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface NewLiveEntry {
  id: string;
  queue: string;
  did: string;
  channelId: string;
  callerId: string | null;
  enteredAt: Millis;
}

export interface CallbackRequest {
  /** The live entry asking for the callback. */
  entryId: string;
  number: string; // E.164
  requestedAt: Millis;
  language: string;
}

export type CallbackOutcome =
  /** The live entry became a callback slot at its own place. */
  | { kind: 'created'; entryId: string }
  /** An open callback for the same number in this queue already existed; it was updated (it keeps the
   *  earlier of the two places) and the live entry was closed as merged. */
  | { kind: 'updated'; entryId: string };

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
  /** A live caller left the queue without a callback (hung up, overflow). No-op if not waiting. */
  leave(id: string, at: Millis): void;
  /** Durably (synchronous=FULL) turns a live entry into a callback slot, or merges it into the open
   *  callback for the same number and queue. Atomic: either fully applied or not at all. */
  requestCallback(req: CallbackRequest): CallbackOutcome;
  /** Open entries (live waiting + callback pending/offered/dialing) of a queue, oldest place first. */
  open(queue: string): QueueEntry[];
  /** 1-based place among the open entries of its queue; undefined if not open. */
  position(id: string): number | undefined;
  /** A callback slot is being offered to an agent (pending → offered). False if it was not pending. */
  markOffered(id: string, agentId: string, at: Millis): boolean;
  /** Declined / not answered: the slot goes back to pending at its original place. */
  returnToQueue(id: string, at: Millis): void;
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
  /** Counts one more dial attempt of a callback. */
  countAttempt(id: string, at: Millis): number;
  /** After a restart nothing is ringing or dialing any more: offered/dialing slots become pending again. */
  recoverInFlight(at: Millis): number;
  /** Live entries still marked waiting (for restart recovery). */
  waitingLive(): QueueEntry[];
  /** Callback requests made from this caller ID since `since` (including ones merged into another). */
  requestsByCaller(callerId: string, since: Millis): number;
}

export interface NewAgent {
  id: string;
  name: string;
  endpoint: string;
  queues: string[];
}

export interface AgentsRepo {
  get(id: string): Agent | undefined;
  byEndpoint(endpoint: string): Agent | undefined;
  list(): Agent[];
  add(agent: NewAgent, at: Millis): Agent;
  update(id: string, change: { name?: string; endpoint?: string; queues?: string[] }): Agent;
  remove(id: string): boolean;
  /** Moves the agent to a state; becoming available stamps idle_since, `missed` may be set alongside. */
  setState(id: string, state: AgentState, at: Millis, missed?: number): void;
  setOnline(endpoint: string, online: boolean): void;
}

export type NewTicket = Omit<Ticket, 'id'>;

export interface TicketsRepo {
  /** Creates the ticket (and its outbox row when external delivery is on), idempotent per entry and
   *  reason: a second call for the same entry/reason returns the existing ticket. */
  create(t: NewTicket): Ticket;
  addComment(ticketId: number, body: string, at: Millis, internal?: boolean): TicketComment;
  get(id: number): Ticket | undefined;
  comments(ticketId: number): TicketComment[];
  list(filter?: { since?: Millis; limit?: number }): Ticket[];
}

export interface Store {
  numbers: NumbersRepo;
  greetings: GreetingsRepo;
  queues: QueuesRepo;
  settings: SettingsRepo;
  entries: EntriesRepo;
  agents: AgentsRepo;
  tickets: TicketsRepo;
  close(): void;
}
