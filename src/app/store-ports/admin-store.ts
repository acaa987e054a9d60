// What the sysadmin changes (the CLI today, the web console later): numbers, greetings, queues,
// settings and agents. Each verb is one store operation; reads of the same objects are on
// DirectoryStore and AgentStore, so the call flows and the admin see one vocabulary.
import type { Agent, Greeting, Millis, NumberConfig, QueueConfig } from '../../domain/model';

export interface NewAgent {
  id: string;
  name: string;
  endpoint: string;
  queues: string[];
}

export interface AdminStore {
  /** Creates or replaces the number (keyed by DID). */
  upsertNumber(n: NumberConfig): Promise<void>;
  /** False when there was no such number. */
  removeNumber(did: string): Promise<boolean>;
  upsertGreeting(g: Greeting): Promise<void>;
  /** Removes one language of a greeting, or all of them; returns how many were removed. */
  removeGreeting(name: string, language?: string): Promise<number>;
  upsertQueue(q: QueueConfig): Promise<void>;
  setSetting(key: string, value: string): Promise<void>;
  /** STORE_CONSTRAINT when the id or the endpoint is taken. */
  addAgent(agent: NewAgent, at: Millis): Promise<Agent>;
  /** False when there was no such agent. */
  removeAgent(id: string): Promise<boolean>;
}
