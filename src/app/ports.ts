// The app layer's view of the outside world. src/store implements Store, src/ari implements Telephony,
// tests may substitute any of them. Keeping these narrow is what lets the call flows stay testable.
import type { Greeting, Millis, NumberConfig, QueueConfig, QueueEntry } from '../domain/model';

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
}

export interface Store {
  numbers: NumbersRepo;
  greetings: GreetingsRepo;
  queues: QueuesRepo;
  settings: SettingsRepo;
  entries: EntriesRepo;
  close(): void;
}
